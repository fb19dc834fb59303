// Issue 6, case by case: every input found to crash, hang, register partly or be accepted although the cluster would
// reject it now fails the preview at once with `<Kind> "<name>": <field>: <problem>`, registering nothing.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import {
    AIMClusterConfig,
    AIMClusterImage,
    AIMClusterServiceTemplate,
    AIMNamespaceConfig,
    AIMService,
    AIMServiceArgs,
    AIMServiceTemplate,
    AIMTemplateCache,
} from "../index";
import { KAIWO_GATEWAY, LLAMA_IMAGE, LLAMA_SOURCE } from "./fixtures";
import { Opts, Registered, ROUTE, scenario, scenarioThrows, SECRET, single } from "./harness";

/** The llama image with its default template `base` (model sources, one MI300X), and a routed default config. */
function cluster(opts: Opts, withConfig = true) {
    if (withConfig) new AIMClusterConfig("default", { routing: { gateway: KAIWO_GATEWAY } }, opts);
    new AIMClusterImage("llama-3-8b", { image: LLAMA_IMAGE, defaultServiceTemplate: "base" }, opts);
    new AIMClusterServiceTemplate("base", { aimImageName: "llama-3-8b", gpuSelector: { count: 1, model: "MI300X" }, modelSources: [LLAMA_SOURCE] }, opts);
}

function service(opts: Opts, args: Partial<AIMServiceArgs> | unknown, name = "chat") {
    return new AIMService(name, { namespace: "ml", aimImageName: "llama-3-8b", ...(args as object) }, opts);
}

/** Runs `before`, then `failing`, which must throw a ResourceError; returns its message and all registrations. */
async function failsCleanly(failing: (opts: Opts) => unknown, before: (opts: Opts) => unknown = cluster) {
    const { error, resources } = await scenarioThrows((opts) => {
        before(opts);
        failing(opts);
    });
    assert.ok(pulumi.ResourceError.isInstance(error), `a ResourceError, not ${error?.constructor?.name}: ${error?.message}`);
    return { message: error.message, resources };
}

/** Everything `before` alone registers: a failing component must add nothing to it. */
async function registrations(before: (opts: Opts) => unknown = cluster): Promise<string[]> {
    const { resources } = await scenario((opts) => before(opts));
    return resources.map((r) => `${r.type}::${r.name}`);
}

const names = (resources: Registered[]) => resources.map((r) => `${r.type}::${r.name}`);

describe("robust inputs (issue 6)", () => {
    describe("reference errors name the object and the field", () => {
        it("image: kind, name, field, the seed's wording, and a close name (edit distance <= 2)", async () => {
            const { message, resources } = await failsCleanly((opts) => service(opts, { aimImageName: "llama-3-8" }));
            assert.strictEqual(
                message,
                'AIMService "chat": aimImageName: No AIMImage or AIMClusterImage found for image name "llama-3-8" ' +
                    '(declare it before the objects that use it, for the same Kubernetes provider; did you mean "llama-3-8b"?)',
            );
            assert.deepStrictEqual(names(resources), await registrations());
        });

        it("template and config", async () => {
            const template = await failsCleanly((opts) => service(opts, { templateRef: "bse" }));
            assert.match(template.message, /^AIMService "chat": templateRef: Template "bse" not found\. .*; did you mean "base"\?\)$/);
            const config = await failsCleanly((opts) => service(opts, { configName: "production" }));
            assert.match(config.message, /^AIMService "chat": configName: failed to get AIMClusterConfig "production": not found \(/);
            assert.deepStrictEqual(names(config.resources), await registrations());
        });
    });

    it("a path template naming an Object.prototype member as a label fails cleanly", async () => {
        const { message } = await failsCleanly((opts) => service(opts, { routing: { pathTemplate: "/{.metadata.labels['constructor']}" } }));
        assert.strictEqual(message, 'AIMService "chat": routing.pathTemplate: label "constructor" is not set on the service');
    });

    it("a bad resource key with overrides and a token registers nothing: no Secret, no derived template", async () => {
        const { message, resources } = await failsCleanly((opts) =>
            service(opts, { overrides: { metric: "latency" }, hfToken: "hf_secret", resources: { limits: { valueOf: "1" } } }),
        );
        assert.match(message, /^AIMService "chat": resources\.limits\.valueOf: is not a valid key: /);
        assert.deepStrictEqual(names(resources), await registrations());
        assert.ok(!resources.some((r) => r.type === SECRET));
    });

    it("unknown Object.prototype keys in args, deep nesting and cycles fail at once and leave nothing behind", async () => {
        const unknownKey = await failsCleanly((opts) => service(opts, { valueOf: "x", hasOwnProperty: 1 }));
        assert.strictEqual(unknownKey.message, 'AIMService "chat": args: unknown field(s) valueOf, hasOwnProperty');

        let deep: Record<string, unknown> = {};
        const root = deep;
        for (let i = 0; i < 3000; i++) deep = (deep.next = {}) as Record<string, unknown>;
        const started = Date.now();
        const nested = await failsCleanly((opts) => service(opts, { labels: root }));
        assert.match(nested.message, /^AIMService "chat": labels(\.next)+: is nested more than 32 levels deep$/);

        const cyclic: Record<string, unknown> = { name: "a" };
        cyclic.self = cyclic;
        const cycle = await failsCleanly((opts) => service(opts, { env: [cyclic] }));
        assert.strictEqual(cycle.message, 'AIMService "chat": env[0].self: must not contain itself (a cyclic value)');
        assert.ok(Date.now() - started < 5000, "fails within seconds, scenarios included");
    });

    it("a negative quantity is a ResourceError naming the field", async () => {
        const { message } = await failsCleanly((opts) => service(opts, { resources: { requests: { cpu: "-1" } } }));
        assert.strictEqual(message, 'AIMService "chat": resources.requests.cpu: must be a Kubernetes quantity such as 9094593249, 500Mi or 8Gi');
    });

    it("a service whose templateRef does not exist does not register itself", async () => {
        const { resources } = await failsCleanly((opts) => service(opts, { templateRef: "nope" }));
        assert.ok(!resources.some((r) => r.type === "aim:index:AIMService"));
    });

    describe("accepted before, rejected now", () => {
        it("two AIMServices with one AIM name in one namespace", async () => {
            const { message } = await failsCleanly((opts) => {
                service(opts, {}, "chat-a");
                service(opts, { name: "chat" }, "chat-b");
            }, (opts) => {
                cluster(opts);
                service(opts, { name: "chat" }, "chat-first");
            });
            assert.strictEqual(
                message,
                'AIMService "chat": name: would render AIMService "ml/chat", which AIMService "chat" (Pulumi resource "chat-first") renders already',
            );
        });

        it("a config declared after a dependent that resolved without it, cluster and namespace", async () => {
            const late = await failsCleanly(
                (opts) => new AIMClusterConfig("default", {}, opts),
                (opts) => cluster(opts, false),
            );
            assert.strictEqual(
                late.message,
                'AIMClusterConfig "default": name: declared after AIMClusterImage "llama-3-8b", which already resolved without it; declare configs before their dependents',
            );
            const lateNamespace = await failsCleanly(
                (opts) => new AIMNamespaceConfig("team", { name: "default", namespace: "ml" }, opts),
                (opts) => {
                    cluster(opts);
                    service(opts, {});
                },
            );
            assert.strictEqual(
                lateNamespace.message,
                'AIMNamespaceConfig "default": name: declared after AIMService "chat", which already resolved without it; declare configs before their dependents',
            );
        });

        it("a namespaced image or template that would shadow what an earlier dependent resolved", async () => {
            const image = await failsCleanly(
                (opts) => new AIMServiceTemplate("base-ns", { name: "base", namespace: "ml", aimImageName: "llama-3-8b" }, opts),
                (opts) => {
                    cluster(opts);
                    service(opts, {});
                },
            );
            assert.match(image.message, /^AIMServiceTemplate "base": name: declared after AIMService "chat", which already resolved without it; declare templates/);
        });

        it("__proto__ keys in labels, annotations and resources", async () => {
            for (const [field, args] of [
                ["labels", { labels: JSON.parse('{"__proto__": "x"}') }],
                ["routing.annotations", { routing: { annotations: JSON.parse('{"__proto__": "x"}') } }],
                ["resources.limits", { resources: { limits: JSON.parse('{"__proto__": "1"}') } }],
            ] as const) {
                const { message } = await failsCleanly((opts) => service(opts, args));
                assert.strictEqual(message, `AIMService "chat": ${field}.__proto__: is not a valid key`);
            }
        });

        it("quantities out of Kubernetes' range, and counts over int32", async () => {
            for (const [size, problem] of [
                ["99999999999999999999Ei", "must be less than 8Ei (Kubernetes stores a quantity as a 64-bit integer)"],
                ["1e400", "must be less than 8Ei (Kubernetes stores a quantity as a 64-bit integer)"],
                ["1e-400", "must be at least 1 byte"],
            ]) {
                const { message } = await failsCleanly(
                    (opts) => new AIMClusterServiceTemplate("big", { aimImageName: "llama-3-8b", modelSources: [{ ...LLAMA_SOURCE, size }] }, opts),
                );
                assert.strictEqual(message, `AIMClusterServiceTemplate "big": modelSources[0].size: ${problem}`);
            }
            const { message } = await failsCleanly((opts) => service(opts, { replicas: 1e10 }));
            assert.strictEqual(message, 'AIMService "chat": replicas: must be <= 2147483647');
        });

        it("a 245-character cache name with a token: the token Secret is the model cache's, named after the model", async () => {
            const name = `c${"a".repeat(243)}z`;
            const { resources } = await scenario((opts) => {
                cluster(opts);
                new AIMTemplateCache("long", { name, namespace: "ml", templateRef: "base", hfToken: "hf_x" }, opts);
            });
            const secret = resources.find((r) => r.type === SECRET)!;
            assert.strictEqual(secret.inputs.metadata.name, "amd-llama-3-1-8b-instruct-fp8-kv-cache-hf-token");
        });

        it("args that are not an object", async () => {
            for (const [args, described] of [
                [null, "null"],
                [true, "boolean true"],
                [NaN, "number NaN"],
                [[], "an array"],
            ] as const) {
                const { message } = await failsCleanly((opts) => new AIMClusterConfig("default", args as any, opts), () => undefined);
                assert.strictEqual(message, `AIMClusterConfig "default": args: must be an object of AIMClusterConfig arguments, not ${described}`);
            }
        });

        it("a bad path template fails even when no route is made", async () => {
            const { message } = await failsCleanly(
                (opts) => service(opts, { routing: { enabled: false, pathTemplate: "/{.status.model}" } }),
            );
            assert.match(message, /^AIMService "chat": routing\.pathTemplate: unsupported placeholder \{\.status\.model\}/);
        });
    });

    describe("found in review", () => {
        it("a getter in args is rejected without running it", async () => {
            const { message } = await failsCleanly((opts) =>
                new AIMClusterImage("x", { image: LLAMA_IMAGE, get configName(): string { throw new Error("boom"); } }, opts),
            );
            assert.strictEqual(message, 'AIMClusterImage "x": configName: must be a plain value, not a getter or setter');
        });

        it("route paths the Gateway API's CEL rules would reject are normalised as upstream does, not refused", async () => {
            // NUL, "..", "." and %2F in literal text or an annotation's value: every segment is RFC 1123-normalised.
            const { resources } = await scenario((opts) => {
                cluster(opts);
                service(opts, {
                    annotations: { route: " Team A/../x%2F\u0000y " },
                    routing: { pathTemplate: '/{.metadata.namespace}/./a\u0000b/{.metadata.annotations["route"]}/%2f' },
                });
            });
            assert.deepStrictEqual(single(resources, ROUTE).inputs.spec.rules[0].matches, [{ path: { type: "PathPrefix", value: "/ml/a-b/team-a/x-2f-y/2f" } }]);
        });

        it("one AIM name per namespace for services, whichever backend each uses", async () => {
            const { message } = await failsCleanly(
                (opts) => service(opts, { name: "chat", templateRef: "served-by-kserve" }, "chat-kserve"),
                (opts) => {
                    cluster(opts);
                    new AIMClusterServiceTemplate("served-by-kserve", { aimImageName: "llama-3-8b", servingBackend: "kserve", modelSources: [LLAMA_SOURCE] }, opts);
                    service(opts, { name: "chat" }, "chat-deployment");
                },
            );
            assert.match(message, /^AIMService "chat": name: would render AIMService "ml\/chat", which AIMService "chat" \(Pulumi resource "chat-deployment"\) renders already$/);
        });

        it("a kserve service whose predictor host cannot fit 63 characters", async () => {
            const namespace = `n${"s".repeat(50)}`;
            const { message } = await failsCleanly((opts) => {
                new AIMClusterServiceTemplate("served-by-kserve", { aimImageName: "llama-3-8b", servingBackend: "kserve", modelSources: [LLAMA_SOURCE] }, opts);
                service(opts, { namespace, templateRef: "served-by-kserve" }, "chat-with-a-long-name");
            });
            assert.match(message, /^AIMService "chat-with-a-long-name": namespace: is too long for the kserve backend/);
        });

        it("one template cache per template and namespace: a later one would be ignored by the template's services", async () => {
            const late = await failsCleanly(
                (opts) => new AIMTemplateCache("mycache", { namespace: "ml", templateRef: "base" }, opts),
                (opts) => {
                    cluster(opts);
                    service(opts, { cacheModel: true });
                },
            );
            assert.strictEqual(
                late.message,
                'AIMTemplateCache "mycache": templateRef: a template cache of template "base" (Cluster) is already declared in namespace "ml" ' +
                    'for this cluster, by AIMTemplateCache "base" (Pulumi resource "base-cache:ml")',
            );
        });

        it("providers of one name under different parents are different clusters", async () => {
            const { message } = await failsCleanly((opts) => {
                const group = new pulumi.ComponentResource("test:index:Group", "group", {}, opts);
                const other = new k8s.Provider("cluster", {}, { parent: group });
                new AIMClusterServiceTemplate("chat", { aimImageName: "llama-3-8b", configName: "default" }, { provider: other });
            }, (opts) => {
                const first = new k8s.Provider("cluster", {});
                new AIMClusterConfig("default", {}, { ...opts, provider: first });
                new AIMClusterImage("llama-3-8b", { image: LLAMA_IMAGE }, { ...opts, provider: first });
            });
            assert.match(message, /^AIMClusterServiceTemplate "chat": aimImageName: No AIMClusterImage found/);
        });
    });

    it("a duplicate declaration names the earlier one", async () => {
        const { message } = await failsCleanly(
            (opts) => new AIMClusterImage("llama-again", { name: "llama-3-8b", image: LLAMA_IMAGE }, opts),
        );
        assert.strictEqual(message, 'AIMClusterImage "llama-3-8b": name: already declared for this cluster, by AIMClusterImage "llama-3-8b"');
    });
});
