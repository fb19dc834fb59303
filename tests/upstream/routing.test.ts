// Upstream's routing defaults on runtime configs (kaiwo chainsaw tests at fa8a3e90, aim-reference §3.2), re-expressed
// with our kinds: an AIMRuntimeConfig becomes an AIMNamespaceConfig, an AIMClusterRuntimeConfig an AIMClusterConfig,
// `runtimeConfigName` our `configName`, `gatewayRef` our `gateway`, and the service's `status.routing.path` its
// `routePath` output. Upstream marks a service whose path template cannot render Degraded and skips its HTTPRoute;
// ours fails the preview on that service, naming the config the template came from (issue 11).

import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import { AIMClusterConfig, AIMClusterConfigArgs, AIMNamespaceConfig, AIMServiceArgs, importClusterConfig } from "../../index";
import { children, Opts, ROUTE, Registered, scenario, scenarioThrows, single, valueOf } from "../harness";
import { llamaChat, llamaCluster, podSpec } from "../llamaCluster";

const KSERVE_GATEWAY = { name: "kserve-ingress-gateway", namespace: "kgateway-system" };
/** The parent reference a route gets for KSERVE_GATEWAY: group and kind filled in. */
const KSERVE_PARENT = { ...KSERVE_GATEWAY, group: "gateway.networking.k8s.io", kind: "Gateway" };
/** The services of upstream's tests are all `test-service`; ours run in namespace `ml-team`. */
const testService = (opts: Opts, args: Partial<AIMServiceArgs> = {}) => llamaChat(opts, args, "test-service");
const ENABLED = { enabled: true, gateway: KSERVE_GATEWAY };

/** The one HTTPRoute's rule, and its parent references. */
function routeOf(resources: Registered[]) {
    const route = single(resources, ROUTE);
    assert.strictEqual(route.inputs.spec.rules.length, 1);
    return { parentRefs: route.inputs.spec.parentRefs, rule: route.inputs.spec.rules[0] };
}
const prefix = (value: string) => [{ path: { type: "PathPrefix", value } }];

/** A program that must fail on its last declaration: its message, and that the failing service rendered nothing. */
async function fails(program: (opts: Opts) => unknown): Promise<string> {
    const { error, resources } = await scenarioThrows(program);
    assert.ok(pulumi.ResourceError.isInstance(error), `a ResourceError, not ${error.constructor.name}: ${error.message}`);
    assert.deepStrictEqual(children(resources).filter((r) => r.name.startsWith("test-service")), []);
    return error.message;
}

describe("kaiwo service/path-templates/from-runtime-config", () => {
    // Upstream: a runtime config with pathTemplate "/{.metadata.namespace}/{.metadata.labels['team']}/{.spec.model.ref}/"
    // and a routed service labelled team=Data-Team that sets none; status.routing.path and the HTTPRoute's match are
    // /<ns>/data-team/default-testing-llama-3-8b. Ours: the same through an AIMNamespaceConfig; upstream's
    // `spec.model.ref` (the model's name) is our `aimImageName`, so the placeholder is {.spec.aimImageName}.
    const TEMPLATE = "/{.metadata.namespace}/{.metadata.labels['team']}/{.spec.aimImageName}/";
    it("renders the config's template for a service that sets none", async () => {
        const { result, resources } = await scenario((opts) => {
            llamaCluster(opts, null);
            new AIMNamespaceConfig("routing-template-config", { namespace: "ml-team", routing: { pathTemplate: TEMPLATE } }, opts);
            return testService(opts, { labels: { team: "Data-Team" }, configName: "routing-template-config", routing: ENABLED });
        });
        const { parentRefs, rule } = routeOf(resources);
        assert.deepStrictEqual(rule.matches, prefix("/ml-team/data-team/llama"));
        assert.deepStrictEqual(parentRefs, [KSERVE_PARENT]);
        assert.strictEqual(rule.timeouts, undefined);
        assert.strictEqual(await valueOf(result.routePath), "/ml-team/data-team/llama");
        assert.deepStrictEqual((await valueOf(result.resolvedConfig)).routing, { autoCreateRoute: true, pathTemplate: TEMPLATE });
    });

    it("fails a service on upstream's own {.spec.model.ref}, pointing to {.spec.aimImageName}", async () => {
        const message = await fails((opts) => {
            llamaCluster(opts, null);
            new AIMNamespaceConfig("routing-template-config", {
                namespace: "ml-team",
                routing: { pathTemplate: "/{.metadata.namespace}/{.metadata.labels['team']}/{.spec.model.ref}/" },
            }, opts);
            testService(opts, { labels: { team: "Data-Team" }, configName: "routing-template-config", routing: ENABLED });
        });
        assert.strictEqual(
            message,
            'AIMService "test-service": routing.pathTemplate: the path template "/{.metadata.namespace}/{.metadata.labels[\'team\']}/{.spec.model.ref}/" ' +
                'of AIMNamespaceConfig "routing-template-config" does not render for this service: .spec.model.ref is not set on the service ' +
                "(upstream's spec.model.ref is aimImageName here: {.spec.aimImageName}) (a service's own routing.pathTemplate replaces it)",
        );
    });

    it("merges the config's route annotations under the service's, key by key", async () => {
        const { resources } = await scenario((opts) => {
            new AIMClusterConfig("default", { routing: { gateway: KSERVE_GATEWAY, annotations: { "example.com/owner": "platform", "example.com/tier": "gold" } } }, opts);
            new AIMNamespaceConfig("default", { namespace: "ml-team", routing: { annotations: { "example.com/tier": "silver" } } }, opts);
            llamaCluster(opts, null);
            return testService(opts, { routing: { annotations: { "example.com/owner": "ml-team" } } });
        });
        assert.deepStrictEqual(single(resources, ROUTE).inputs.metadata.annotations, { "example.com/owner": "ml-team", "example.com/tier": "silver" });
    });
});

describe("kaiwo service/path-templates/service-override", () => {
    // Upstream: a runtime config with pathTemplate "/default/{.metadata.namespace}/" and a service with its own
    // "/custom/{.metadata.namespace}/{.metadata.name}/"; status and the HTTPRoute show /custom/<ns>/test-service.
    it("uses the service's own template over the config's", async () => {
        const { result, resources } = await scenario((opts) => {
            llamaCluster(opts, null);
            new AIMNamespaceConfig("routing-template-service", { namespace: "ml-team", routing: { pathTemplate: "/default/{.metadata.namespace}/" } }, opts);
            return testService(opts, {
                configName: "routing-template-service",
                routing: { ...ENABLED, pathTemplate: "/custom/{.metadata.namespace}/{.metadata.name}/" },
            });
        });
        assert.deepStrictEqual(routeOf(resources).rule.matches, prefix("/custom/ml-team/test-service"));
        assert.strictEqual(await valueOf(result.routePath), "/custom/ml-team/test-service");
    });

    it("does not render the config's template for a service with its own, even one that could not render", async () => {
        const { resources } = await scenario((opts) => {
            llamaCluster(opts, { routing: { gateway: KSERVE_GATEWAY, pathTemplate: "/{.metadata.labels['missing-label']}" } });
            testService(opts, { routing: { pathTemplate: "/custom/{.metadata.name}" } });
        });
        assert.deepStrictEqual(routeOf(resources).rule.matches, prefix("/custom/test-service"));
    });
});

describe("kaiwo service/path-templates/invalid", () => {
    // Upstream: a runtime config with pathTemplate "/{.metadata.labels['missing-label']}" and a routed service without
    // that label; the service is Degraded (Failure and RuntimeReady False, PathTemplateInvalid) and no HTTPRoute is
    // made. Ours: the preview fails on the service, naming the config; the service renders nothing.
    const invalidConfig = { routing: { pathTemplate: "/{.metadata.labels['missing-label']}" } };
    const expected = (config: string) =>
        `AIMService "test-service": routing.pathTemplate: the path template "/{.metadata.labels['missing-label']}" of ${config} ` +
        `does not render for this service: label "missing-label" is not set on the service (a service's own routing.pathTemplate replaces it)`;

    it("fails the service, naming the namespace config", async () => {
        const message = await fails((opts) => {
            llamaCluster(opts, null);
            new AIMNamespaceConfig("routing-template-invalid", { namespace: "ml-team", ...invalidConfig }, opts);
            testService(opts, { configName: "routing-template-invalid", routing: ENABLED });
        });
        assert.strictEqual(message, expected('AIMNamespaceConfig "routing-template-invalid"'));
    });

    it("fails the service whether or not it is routed now", async () => {
        const message = await fails((opts) => {
            llamaCluster(opts, invalidConfig);
            testService(opts, { routing: { enabled: false } });
        });
        assert.strictEqual(message, expected('AIMClusterConfig "default"'));
    });

    it("fails every service that uses it, and only those", async () => {
        const outcome: Record<string, string> = {};
        const { resources } = await scenario((opts) => {
            llamaCluster(opts, { routing: { gateway: KSERVE_GATEWAY, ...invalidConfig.routing } });
            const services: [string, Partial<AIMServiceArgs>][] = [
                ["unlabelled", {}],
                ["labelled", { labels: { "missing-label": "Here" } }],
                ["own-template", { routing: { pathTemplate: "/own/{.metadata.name}" } }],
                ["other-namespace", { namespace: "research" }],
            ];
            for (const [name, args] of services) {
                try {
                    llamaChat(opts, args, name);
                    outcome[name] = "ok";
                } catch (err) {
                    outcome[name] = (err as Error).message;
                }
            }
        });
        const failed = (name: string) =>
            `AIMService "${name}": routing.pathTemplate: the path template "/{.metadata.labels['missing-label']}" of AIMClusterConfig "default" ` +
            `does not render for this service: label "missing-label" is not set on the service (a service's own routing.pathTemplate replaces it)`;
        assert.deepStrictEqual(outcome, { unlabelled: failed("unlabelled"), labelled: "ok", "own-template": "ok", "other-namespace": failed("other-namespace") });
        assert.deepStrictEqual(
            resources
                .filter((r) => r.type === ROUTE)
                .map((r) => [r.name, r.inputs.spec.rules[0].matches[0].path.value])
                .sort(),
            [["labelled-route", "/here"], ["own-template-route", "/own/own-template"]],
        );
    });

    it("names the config that set the template when a namespace config is merged over a cluster config", async () => {
        // The namespace config sets no template: the cluster config's is used, and named.
        const fromCluster = await fails((opts) => {
            llamaCluster(opts, invalidConfig);
            new AIMNamespaceConfig("default-ml", { name: "default", namespace: "ml-team", routing: { requestTimeout: "60s" } }, opts);
            testService(opts);
        });
        assert.strictEqual(fromCluster, expected('AIMClusterConfig "default"'));
        // The namespace config's template wins over the cluster config's, and is named.
        const fromNamespace = await fails((opts) => {
            llamaCluster(opts, { routing: { pathTemplate: "/{.metadata.name}" } });
            new AIMNamespaceConfig("default-ml", { name: "default", namespace: "ml-team", ...invalidConfig }, opts);
            testService(opts);
        });
        assert.strictEqual(fromNamespace, expected('AIMNamespaceConfig "default"'));
    });

    it("names an imported config like a declared one", async () => {
        const message = await fails((opts) => {
            importClusterConfig({ name: "production", ...invalidConfig }, opts);
            llamaCluster(opts, null);
            testService(opts, { configName: "production" });
        });
        assert.strictEqual(message, expected('AIMClusterConfig "production"'));
    });
});

describe("kaiwo service/routing/path-template-invalid-label", () => {
    // Upstream: a runtime config that enables routing with a gatewayRef and pathTemplate
    // "{.metadata.namespace}/{.metadata.labels['aim.silogen.ai/non-existent-label']}", and a service with no routing
    // block; the service is Degraded (Failure and Ready False, PathTemplateInvalid). Ours: the preview fails on it.
    it("fails a service that inherits routing and a template naming a label it lacks", async () => {
        const message = await fails((opts) => {
            llamaCluster(opts, null);
            new AIMNamespaceConfig("invalid-path-template-config", {
                namespace: "ml-team",
                routing: {
                    autoCreateRoute: true,
                    gateway: KSERVE_PARENT,
                    pathTemplate: "{.metadata.namespace}/{.metadata.labels['aim.silogen.ai/non-existent-label']}",
                },
            }, opts);
            testService(opts, { configName: "invalid-path-template-config", replicas: 1 });
        });
        assert.strictEqual(
            message,
            'AIMService "test-service": routing.pathTemplate: the path template ' +
                `"{.metadata.namespace}/{.metadata.labels['aim.silogen.ai/non-existent-label']}" of AIMNamespaceConfig ` +
                `"invalid-path-template-config" does not render for this service: label "aim.silogen.ai/non-existent-label" ` +
                "is not set on the service (a service's own routing.pathTemplate replaces it)",
        );
    });
});

describe("kaiwo service/runtime-config/cluster", () => {
    // Upstream: an AIMClusterRuntimeConfig enabling routing with a full gatewayRef and pathTemplate
    // "cluster/{.metadata.name}", a service with no routing block; the HTTPRoute's parent is kserve-ingress-gateway and
    // its match /cluster/test-service. Ours: the same through an AIMClusterConfig.
    it("routes a service from the cluster config's gateway and template", async () => {
        const { result, resources } = await scenario((opts) => {
            llamaCluster(opts, null);
            new AIMClusterConfig("cluster-runtime-config", {
                routing: { autoCreateRoute: true, gateway: KSERVE_PARENT, pathTemplate: "cluster/{.metadata.name}" },
            }, opts);
            return testService(opts, { configName: "cluster-runtime-config" });
        });
        const { parentRefs, rule } = routeOf(resources);
        assert.deepStrictEqual(parentRefs, [KSERVE_PARENT]);
        assert.deepStrictEqual(rule.matches, prefix("/cluster/test-service"));
        assert.deepStrictEqual(await valueOf(result.resolvedConfig), {
            name: "cluster-runtime-config",
            source: "AIMClusterConfig",
            imagePullSecrets: [],
            caching: { cacheAimImageBase: false },
            routing: { autoCreateRoute: true, gateway: KSERVE_PARENT, pathTemplate: "cluster/{.metadata.name}" },
        });
    });
});

describe("kaiwo service/runtime-config/namespace", () => {
    // Upstream: an AIMRuntimeConfig (with a pull secret and service account created beside it) enabling routing with
    // gatewayRef {name, namespace} and pathTemplate "/ns/{.metadata.namespace}/{.metadata.name}", a service with no
    // routing block; the HTTPRoute's parent is kgateway-system/kserve-ingress-gateway and its match
    // /ns/<ns>/test-service. Ours: the same through an AIMNamespaceConfig, which also carries the pull secret.
    it("routes a service from the namespace config, its pull secret on the pods", async () => {
        const { result, resources } = await scenario((opts) => {
            llamaCluster(opts, null);
            new AIMNamespaceConfig("test-runtime-config", {
                namespace: "ml-team",
                imagePullSecrets: [{ name: "test-pull-secret" }],
                routing: { gateway: KSERVE_GATEWAY, pathTemplate: "/ns/{.metadata.namespace}/{.metadata.name}" },
            }, opts);
            return testService(opts, { configName: "test-runtime-config" });
        });
        const { parentRefs, rule } = routeOf(resources);
        assert.deepStrictEqual(parentRefs, [KSERVE_PARENT]);
        assert.deepStrictEqual(rule.matches, prefix("/ns/ml-team/test-service"));
        assert.deepStrictEqual(podSpec(single(resources, "kubernetes:apps/v1:Deployment")).imagePullSecrets, [{ name: "test-pull-secret" }]);
        assert.strictEqual((await valueOf(result.resolvedConfig)).source, "AIMNamespaceConfig");
    });
});

describe("routing defaults: the service, then the namespace config, then the cluster config, field by field", () => {
    const CLUSTER = { gateway: KSERVE_GATEWAY, pathTemplate: "/cluster/{.metadata.name}", requestTimeout: "300s" };
    function merged(namespaceRouting: AIMClusterConfigArgs["routing"], serviceRouting?: AIMServiceArgs["routing"]) {
        return scenario((opts) => {
            llamaCluster(opts, { routing: CLUSTER });
            new AIMNamespaceConfig("default-ml", { name: "default", namespace: "ml-team", routing: namespaceRouting }, opts);
            return testService(opts, { routing: serviceRouting });
        });
    }

    it("takes each field the namespace config leaves unset from the cluster config", async () => {
        // Upstream VF loses the cluster config's requestTimeout once a namespace config has a routing block; ours keeps it.
        const template = await merged({ pathTemplate: "/ns/{.metadata.name}" });
        assert.deepStrictEqual(routeOf(template.resources).rule.matches, prefix("/ns/test-service"));
        assert.deepStrictEqual(routeOf(template.resources).rule.timeouts, { request: "300s" });
        assert.deepStrictEqual((await valueOf(template.result.resolvedConfig)).routing, {
            autoCreateRoute: true,
            gateway: KSERVE_PARENT,
            pathTemplate: "/ns/{.metadata.name}",
            requestTimeout: "300s",
        });

        const timeout = await merged({ requestTimeout: "1m30s" });
        assert.deepStrictEqual(routeOf(timeout.resources).rule.matches, prefix("/cluster/test-service"));
        assert.deepStrictEqual(routeOf(timeout.resources).rule.timeouts, { request: "1m30s" });
        assert.deepStrictEqual(routeOf(timeout.resources).parentRefs, [KSERVE_PARENT]);
        assert.strictEqual((await valueOf(timeout.result.resolvedConfig)).source, "merged");
    });

    it("lets the service's own fields win over both configs", async () => {
        const { result, resources } = await merged(
            { pathTemplate: "/ns/{.metadata.name}", requestTimeout: "1m30s" },
            { pathTemplate: "/svc/{.metadata.namespace}", requestTimeout: "5s" },
        );
        assert.deepStrictEqual(routeOf(resources).rule.matches, prefix("/svc/ml-team"));
        assert.deepStrictEqual(routeOf(resources).rule.timeouts, { request: "5s" });
        assert.strictEqual(await valueOf(result.routePath), "/svc/ml-team");

        // Only the timeout on the service: the path still comes from the namespace config.
        const timeoutOnly = await merged({ pathTemplate: "/ns/{.metadata.name}" }, { requestTimeout: "5s" });
        assert.deepStrictEqual(routeOf(timeoutOnly.resources).rule.matches, prefix("/ns/test-service"));
        assert.deepStrictEqual(routeOf(timeoutOnly.resources).rule.timeouts, { request: "5s" });
    });

    it("keeps the /<namespace>/<name> default and no timeout when nothing sets them", async () => {
        const { result, resources } = await scenario((opts) => {
            llamaCluster(opts, { routing: { gateway: KSERVE_GATEWAY } });
            return testService(opts);
        });
        const { rule } = routeOf(resources);
        assert.deepStrictEqual(rule.matches, prefix("/ml-team/test-service"));
        assert.strictEqual("timeouts" in rule, false);
        assert.deepStrictEqual((await valueOf(result.resolvedConfig)).routing, { autoCreateRoute: true, gateway: KSERVE_PARENT });
    });

    it("exports a config's routing defaults so that another stack can import them", async () => {
        const exported = await scenario((opts) => new AIMClusterConfig("production", { routing: CLUSTER }, opts));
        const spec = await valueOf(exported.result.spec);
        assert.deepStrictEqual(spec.routing, { autoCreateRoute: true, gateway: KSERVE_PARENT, pathTemplate: "/cluster/{.metadata.name}", requestTimeout: "300s" });
        const { resources } = await scenario((opts) => {
            importClusterConfig(spec, opts);
            llamaCluster(opts, null);
            testService(opts, { configName: "production" });
        });
        assert.deepStrictEqual(routeOf(resources).rule.matches, prefix("/cluster/test-service"));
        assert.deepStrictEqual(routeOf(resources).rule.timeouts, { request: "300s" });
    });
});

describe("a config's routing defaults are checked at the config, before any service uses them", () => {
    const cases: [string, AIMClusterConfigArgs["routing"], string][] = [
        ["unclosed brace", { pathTemplate: "/a/{.metadata.name" }, 'routing.pathTemplate: unbalanced "{" at character 4 of "/a/{.metadata.name"'],
        ["unopened brace", { pathTemplate: "/a/.metadata.name}" }, 'routing.pathTemplate: unbalanced "}" at character 18 of "/a/.metadata.name}"'],
        ["nested braces", { pathTemplate: "/{{.metadata.name}}" }, 'routing.pathTemplate: unbalanced "{" at character 2 of "/{{.metadata.name}}"'],
        [
            "unsupported placeholder",
            { pathTemplate: "/{.metadata.uid}" },
            "routing.pathTemplate: unsupported placeholder {.metadata.uid}: use {.metadata.name}, {.metadata.namespace}, " +
                "{.metadata.labels['<key>']}, {.metadata.annotations['<key>']} or {.spec.<field>} (a field of the AIMService's args, e.g. {.spec.aimImageName})",
        ],
        ["the token as a placeholder", { pathTemplate: "/{.spec.hfToken}" }, "routing.pathTemplate: {.spec.hfToken} is a secret and never goes into a route path"],
        ["a template of spaces only", { pathTemplate: "   " }, "routing.pathTemplate: the rendered path is empty"],
        [
            "a template without placeholders over 200 characters",
            { pathTemplate: `/${"a".repeat(100)}/${"b".repeat(100)}` },
            "routing.pathTemplate: the rendered path is 202 characters, more than 200",
        ],
        [
            "literal text over 200 characters",
            { pathTemplate: `/${"a".repeat(200)}/{.metadata.labels['team']}` },
            `routing.pathTemplate: "/${"a".repeat(200)}/{.metadata.labels['team']}" renders at least 201 characters for any service, more than 200`,
        ],
        ["an empty template", { pathTemplate: "" }, "routing.pathTemplate: must not be empty"],
        ["a timeout that is no Gateway API duration", { requestTimeout: "2 minutes" }, "routing.requestTimeout: must be a Gateway API duration such as 30s or 1m30s"],
    ];

    for (const [what, routing, problem] of cases) {
        it(`${what}, in an AIMClusterConfig and an AIMNamespaceConfig`, async () => {
            assert.strictEqual(await fails((opts) => new AIMClusterConfig("x", { routing }, opts)), `AIMClusterConfig "x": ${problem}`);
            assert.strictEqual(
                await fails((opts) => new AIMNamespaceConfig("x", { namespace: "ml-team", routing }, opts)),
                `AIMNamespaceConfig "x": ${problem}`,
            );
        });
    }

    it("accepts any characters: upstream normalises literal text and values segment by segment", async () => {
        // A space, "..", %2F and NUL would be no valid PathPrefix; upstream's MakeRFC1123Compliant dashes them.
        const { resources } = await scenario((opts) => {
            llamaCluster(opts, { routing: { gateway: KSERVE_GATEWAY, pathTemplate: "/Chat Bots/../a%2F\u0000b/x%{.metadata.labels['code']}" } });
            llamaChat(opts, { labels: { code: "2A" } }, "hex");
        });
        assert.deepStrictEqual(routeOf(resources).rule.matches, prefix("/chat-bots/a-2f-b/x-2a"));
    });
});
