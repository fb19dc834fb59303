// AIMService under the mock runtime: the GPU Deployment, Service, HTTPRoute and token Secret it renders.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import {
    AIMClusterConfig,
    AIMClusterImage,
    AIMClusterServiceTemplate,
    AIMService,
    AIMServiceArgs,
    AIMServiceTemplate,
    AIMTemplateCache,
} from "../index";
import { KAIWO_GATEWAY, LLAMA_IMAGE, LLAMA_SOURCE } from "./fixtures";
import {
    children,
    DEPLOYMENT,
    isSecretWrapper,
    JOB,
    maskSecrets,
    named,
    NAMESPACE,
    ofType,
    Registered,
    ROUTE,
    scenario,
    scenarioThrows,
    SECRET,
    SERVICE,
    single,
    TEMPLATE,
    valueOf,
    withStackConfig,
} from "./harness";
import { validateManifest } from "./k8sSchemas";
import { container, discoveredTemplate, llamaChat, llamaCluster, podSpec } from "./llamaCluster";
import { derivedTemplateName } from "../resolve/template";


/** What llamaCluster renders (base has inline model sources, so no discovery): a failing service must add nothing. */
const NO_CHILDREN: string[] = [];
const childNames = (resources: Registered[]) => children(resources).map((r) => r.name);

describe("AIMService", () => {
    it("1. renders the GPU Deployment and the Service for a MI300X × 2 template", async () => {
        const { result, resources } = await scenario((opts) => {
            llamaCluster(opts);
            return llamaChat(opts);
        });
        const deployment = single(resources, DEPLOYMENT);
        assert.strictEqual(deployment.name, "llama-chat-deployment");
        assert.deepStrictEqual([deployment.inputs.metadata.name, deployment.inputs.metadata.namespace], ["llama-chat", "ml-team"]);
        assert.strictEqual(deployment.inputs.spec.replicas, 1);
        assert.deepStrictEqual(container(deployment).resources, {
            requests: { cpu: "8", memory: "64Gi", "amd.com/gpu": "2" },
            limits: { memory: "96Gi", "amd.com/gpu": "2" },
        });
        assert.deepStrictEqual(podSpec(deployment).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution, {
            nodeSelectorTerms: [
                { matchExpressions: [{ key: "amd.com/gpu.device-id", operator: "In", values: ["74a1", "74a9", "74b5", "74bd"] }] },
            ],
        });
        // Without caches the model lands on a per-pod scratch claim sized like upstream's temporary PVC (model + 10 %).
        assert.deepStrictEqual(podSpec(deployment).volumes, [
            { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: "8Gi" } },
            {
                name: "model-storage",
                ephemeral: {
                    volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } } },
                },
            },
        ]);
        assert.deepStrictEqual(container(deployment).volumeMounts, [
            { name: "dshm", mountPath: "/dev/shm" },
            { name: "model-storage", mountPath: "/workspace/model-cache" },
        ]);
        assert.deepStrictEqual(container(deployment).ports, [{ name: "http", containerPort: 8000, protocol: "TCP" }]);
        assert.strictEqual(container(deployment).image, LLAMA_IMAGE);
        assert.deepStrictEqual(deployment.inputs.spec.selector.matchLabels, {
            "app.kubernetes.io/name": "aim-service",
            "app.kubernetes.io/instance": "llama-chat",
        });

        const service = single(resources, SERVICE);
        assert.deepStrictEqual(service.inputs.spec, {
            selector: { "app.kubernetes.io/name": "aim-service", "app.kubernetes.io/instance": "llama-chat" },
            ports: [
                { name: "http", port: 80, targetPort: 8000, protocol: "TCP" },
                { name: "metrics", port: 8000, targetPort: 8000, protocol: "TCP" },
            ],
        });
        assert.deepStrictEqual(await valueOf(result.resolvedTemplate), { name: "base", scope: "Cluster", gpuModel: "MI300X", gpuCount: 2, chosenBy: "imageDefault" });
        assert.strictEqual(await valueOf(result.deploymentName), "llama-chat");
        assert.strictEqual(await valueOf(result.serviceName), "llama-chat");
    });

    it("waits for the template's discovery Job before rolling out", async () => {
        const { resources } = await scenario((opts) => {
            llamaCluster(opts);
            discoveredTemplate(opts);
            llamaChat(opts, { templateRef: "discovered" });
        });
        const job = named(resources, "discovered-discovery");
        assert.deepStrictEqual(single(resources, DEPLOYMENT).dependencies, [job.urn]);
    });

    it("lifts deploymentName and serviceName from the objects: what uses them waits for the Deployment and the Service", async () => {
        const { resources } = await scenario((opts) => {
            llamaCluster(opts);
            const chat = llamaChat(opts);
            const data = { deployment: chat.deploymentName, service: chat.serviceName, endpoint: chat.endpoint };
            new k8s.core.v1.ConfigMap("consumer", { metadata: { name: "consumer", namespace: "ml-team" }, data }, opts);
        });
        const consumer = named(resources, "consumer");
        assert.deepStrictEqual(consumer.inputs.data, { deployment: "llama-chat", service: "llama-chat", endpoint: "http://llama-chat.ml-team.svc" });
        const expected = [single(resources, DEPLOYMENT).urn, single(resources, SERVICE).urn].sort();
        assert.deepStrictEqual([...consumer.dependencies].sort(), expected);
    });

    it("5. runs no discovery for a template with inline model sources, and waits for none", async () => {
        const { result, resources } = await scenario((opts) => {
            llamaCluster(opts);
            return llamaChat(opts);
        });
        assert.deepStrictEqual(ofType(resources, JOB), []);
        assert.deepStrictEqual(single(resources, DEPLOYMENT).dependencies, []);
        assert.deepStrictEqual(await valueOf(result.endpoint), "http://llama-chat.ml-team.svc");
    });

    it("overlays resources key by key, env with the service's winning, and counts GPUs from overrides", async () => {
        const { resources } = await scenario((opts) => {
            llamaCluster(opts);
            new AIMServiceTemplate("team", {
                namespace: "ml-team",
                aimImageName: "llama",
                metric: "latency",
                precision: "fp8",
                gpuSelector: { count: 1, model: "MI325X" },
                env: [{ name: "VLLM_USE_V1", value: "0" }, { name: "LOG", value: "info" }],
            }, opts);
            llamaChat(opts, {
                templateRef: "team",
                overrides: { gpuSelector: { count: 4, model: "MI325X" } },
                resources: { requests: { cpu: "6" }, limits: { cpu: "12" } },
                env: [{ name: "LOG", value: "debug" }],
            });
        });
        const deployment = single(resources, DEPLOYMENT);
        assert.deepStrictEqual(container(deployment).resources, {
            requests: { cpu: "6", memory: "128Gi", "amd.com/gpu": "4" },
            limits: { memory: "192Gi", cpu: "12", "amd.com/gpu": "4" },
        });
        assert.deepStrictEqual(container(deployment).env, [
            { name: "AIM_CACHE_PATH", value: "/workspace/model-cache" },
            { name: "VLLM_ENABLE_METRICS", value: "true" },
            { name: "AIM_METRIC", value: "latency" },
            { name: "AIM_PRECISION", value: "fp8" },
            { name: "VLLM_USE_V1", value: "0" },
            { name: "LOG", value: "debug" },
        ]);
        assert.deepStrictEqual(
            podSpec(deployment).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values,
            ["74a5", "74b9"],
        );
    });

    it("keeps defaults on the right side of the service's own requests and limits, and rejects a request above its limit", async () => {
        const { resources } = await scenario((opts) => {
            llamaCluster(opts);
            llamaChat(opts, { resources: { requests: { memory: "128Gi" } } });
        });
        assert.deepStrictEqual(container(single(resources, DEPLOYMENT)).resources, {
            requests: { cpu: "8", memory: "128Gi", "amd.com/gpu": "2" },
            limits: { memory: "128Gi", "amd.com/gpu": "2" },
        });
        const lowLimits = await scenario((opts) => {
            llamaCluster(opts);
            llamaChat(opts, { resources: { limits: { memory: "16Gi", cpu: "2" } } });
        });
        assert.deepStrictEqual(container(single(lowLimits.resources, DEPLOYMENT)).resources, {
            requests: { cpu: "2", memory: "16Gi", "amd.com/gpu": "2" },
            limits: { memory: "16Gi", cpu: "2", "amd.com/gpu": "2" },
        });
        const { error } = await scenarioThrows((opts) => {
            llamaCluster(opts);
            llamaChat(opts, { resources: { requests: { memory: "100Gi" }, limits: { memory: "64Gi" } } });
        });
        assert.strictEqual(error.message, 'AIMService "llama-chat": resources.requests.memory: must not exceed limits.memory (64Gi)');
    });

    it("gives a GPU model it has no device ids for, declared in aim:extraGpuModels, no affinity", async () => {
        const { resources } = await withStackConfig({ "aim:extraGpuModels": "A100" }, () =>
            scenario((opts) => {
                llamaCluster(opts);
                llamaChat(opts, { overrides: { gpuSelector: { count: 1, model: "A100" } } });
            }),
        );
        assert.strictEqual(podSpec(single(resources, DEPLOYMENT)).affinity, undefined);
    });

    it("2. routes through the config's gateway at /<namespace>/<service>", async () => {
        const { result, resources } = await scenario((opts) => {
            llamaCluster(opts, { routing: { gateway: KAIWO_GATEWAY } });
            return llamaChat(opts);
        });
        const route = single(resources, ROUTE);
        assert.strictEqual(route.name, "llama-chat-route");
        assert.deepStrictEqual(route.inputs.metadata.name, "llama-chat");
        assert.deepStrictEqual(route.inputs.metadata.namespace, "ml-team");
        assert.deepStrictEqual(route.inputs.spec, {
            parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "kaiwo-gateway", namespace: "kaiwo-system" }],
            rules: [
                {
                    matches: [{ path: { type: "PathPrefix", value: "/ml-team/llama-chat" } }],
                    filters: [{ type: "URLRewrite", urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/" } } }],
                    backendRefs: [{ group: "", kind: "Service", name: "llama-chat", port: 80 }],
                },
            ],
        });
        assert.strictEqual(await valueOf(result.routePath), "/ml-team/llama-chat");
        assert.deepStrictEqual(await valueOf(result.routeGateway), {
            group: "gateway.networking.k8s.io",
            kind: "Gateway",
            name: "kaiwo-gateway",
            namespace: "kaiwo-system",
        });
    });

    it("3. autoCreateRoute false creates no route unless the service enables it", async () => {
        const config = { routing: { autoCreateRoute: false, gateway: KAIWO_GATEWAY } };
        const off = await scenario((opts) => {
            llamaCluster(opts, config);
            return llamaChat(opts);
        });
        assert.deepStrictEqual(ofType(off.resources, ROUTE), []);
        assert.strictEqual(await valueOf(off.result.routePath), undefined);

        const on = await scenario((opts) => {
            llamaCluster(opts, config);
            llamaChat(opts, { routing: { enabled: true } });
        });
        assert.strictEqual(single(on.resources, ROUTE).inputs.spec.parentRefs[0].name, "kaiwo-gateway");
    });

    it("lets service routing win field by field: gateway, path template, annotations, timeout", async () => {
        const { resources } = await scenario((opts) => {
            llamaCluster(opts, { routing: { gateway: KAIWO_GATEWAY } });
            llamaChat(opts, {
                labels: { team: "NLP" },
                routing: {
                    gateway: { name: "internal", sectionName: "https" },
                    pathTemplate: "/{.metadata.namespace}/{.metadata.labels['team']}/chat/",
                    annotations: { "example.com/owner": "nlp" },
                    requestTimeout: "120s",
                },
            });
        });
        const route = single(resources, ROUTE);
        assert.deepStrictEqual(route.inputs.spec.parentRefs, [
            { name: "internal", sectionName: "https", group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "ml-team" },
        ]);
        assert.deepStrictEqual(route.inputs.spec.rules[0].matches, [{ path: { type: "PathPrefix", value: "/ml-team/nlp/chat" } }]);
        assert.deepStrictEqual(route.inputs.spec.rules[0].timeouts, { request: "120s" });
        assert.deepStrictEqual(route.inputs.metadata.annotations, { "example.com/owner": "nlp" });
        assert.strictEqual(route.inputs.metadata.labels.team, "NLP");
    });

    it("rejects routing enabled without a gateway, and bad path templates", async () => {
        const noGateway = await scenarioThrows((opts) => {
            llamaCluster(opts);
            llamaChat(opts, { routing: { enabled: true } });
        });
        assert.strictEqual(
            noGateway.error.message,
            'AIMService "llama-chat": routing.gateway: routing is enabled but no gateway is set on the service or in the resolved config "default"',
        );
        assert.deepStrictEqual(childNames(noGateway.resources), NO_CHILDREN);

        const missingLabel = await scenarioThrows((opts) => {
            llamaCluster(opts, { routing: { gateway: KAIWO_GATEWAY } });
            llamaChat(opts, { routing: { pathTemplate: "/{.metadata.labels['team']}" } });
        });
        assert.strictEqual(
            missingLabel.error.message,
            'AIMService "llama-chat": routing.pathTemplate: label "team" is not set on the service',
        );

        const tooLong = await scenarioThrows((opts) => {
            llamaCluster(opts, { routing: { gateway: KAIWO_GATEWAY } });
            llamaChat(opts, { routing: { pathTemplate: `/${"a".repeat(200)}` } });
        });
        assert.strictEqual(
            tooLong.error.message,
            'AIMService "llama-chat": routing.pathTemplate: the rendered path is 201 characters, more than 200',
        );
    });

    it("4. default config missing: warning, no route, no pull secrets", async () => {
        const { resources, warnings } = await scenario((opts) => {
            llamaCluster(opts, null);
            llamaChat(opts, { routing: { gateway: KAIWO_GATEWAY } });
        });
        // One per dependent, each on itself: the image, the template, the service.
        const missingDefault =
            'DefaultConfigNotFound: AIMClusterConfig "default" not found, proceeding with defaults (no image pull ' +
            "secrets from config, no routing unless the service sets it, the cluster's default storage class)";
        assert.deepStrictEqual(warnings, [missingDefault, missingDefault, missingDefault]);
        assert.deepStrictEqual(ofType(resources, ROUTE), []);
        assert.strictEqual(podSpec(single(resources, DEPLOYMENT)).imagePullSecrets, undefined);

        // …unless the service enables routing itself, with a gateway.
        const enabled = await scenario((opts) => {
            llamaCluster(opts, null);
            llamaChat(opts, { routing: { enabled: true, gateway: KAIWO_GATEWAY } });
        });
        assert.strictEqual(ofType(enabled.resources, ROUTE).length, 1);
    });

    it("4. default config misspelled: each dependent's DefaultConfigNotFound names the declared config", async () => {
        const { resources, warnings } = await scenario((opts) => {
            new AIMClusterConfig("defualt", { imagePullSecrets: [{ name: "ghcr-pull" }], routing: { gateway: KAIWO_GATEWAY } }, opts);
            llamaCluster(opts, null);
            llamaChat(opts);
        });
        const misspelled =
            'DefaultConfigNotFound: AIMClusterConfig "default" not found, proceeding with defaults (no image pull ' +
            `secrets from config, no routing unless the service sets it, the cluster's default storage class; did you mean "defualt"?)`;
        // The image, the template and the service: each one that lost the config's pull secret and route says so.
        assert.deepStrictEqual(warnings, [misspelled, misspelled, misspelled]);
        assert.deepStrictEqual(ofType(resources, ROUTE), []);
        assert.strictEqual(podSpec(single(resources, DEPLOYMENT)).imagePullSecrets, undefined);
    });

    for (const preview of [false, true]) {
        it(`4. explicit config missing: the documented error and no child (preview: ${preview})`, async () => {
            const { error, resources } = await scenarioThrows((opts) => {
                llamaCluster(opts);
                llamaChat(opts, { configName: "production" });
            }, { preview });
            assert.ok(pulumi.ResourceError.isInstance(error));
            assert.match(error.message, /^AIMService "llama-chat": configName: failed to get AIMClusterConfig "production": not found/);
            assert.deepStrictEqual(childNames(resources), NO_CHILDREN);
        });
    }

    it("5. pull secrets: the service's first, then the config's, de-duplicated", async () => {
        const { resources } = await scenario((opts) => {
            llamaCluster(opts, { imagePullSecrets: [{ name: "a" }, { name: "c" }] });
            llamaChat(opts, { imagePullSecrets: [{ name: "b" }, { name: "a" }] });
        });
        assert.deepStrictEqual(podSpec(single(resources, DEPLOYMENT)).imagePullSecrets, [{ name: "b" }, { name: "a" }, { name: "c" }]);
    });

    it("uses the image's default template and fails on a missing or mismatched one", async () => {
        const { result } = await scenario((opts) => {
            llamaCluster(opts);
            return llamaChat(opts);
        });
        assert.strictEqual((await valueOf(result.resolvedTemplate)).name, "base");

        const missing = await scenarioThrows((opts) => {
            llamaCluster(opts);
            llamaChat(opts, { templateRef: "nope" });
        });
        assert.match(missing.error.message, /^AIMService "llama-chat": templateRef: Template "nope" not found\. Create the template or verify the template name/);

        const noDefault = await scenarioThrows((opts) => {
            new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
            llamaChat(opts);
        });
        assert.strictEqual(
            noDefault.error.message,
            'AIMService "llama-chat": templateRef: TemplateNotFound: no templateRef, no defaultServiceTemplate on image "llama", ' +
                'and no template of the image to select: declare an AIMServiceTemplate in namespace "ml-team" or an ' +
                'AIMClusterServiceTemplate with aimImageName "llama" before the service, or set templateRef',
        );

        const mismatch = await scenarioThrows((opts) => {
            llamaCluster(opts);
            new AIMClusterImage("qwen", { image: "ghcr.io/silogen/aim:0.4.0-qwen" }, opts);
            llamaChat(opts, { aimImageName: "qwen", templateRef: "base" });
        });
        assert.strictEqual(mismatch.error.message, 'AIMService "llama-chat": templateRef: template "base" runs image "llama", not "qwen"');
    });

    it("8. derives <base>-ovr-<8 hex> from overrides, stable across runs and shared by identical overrides", async () => {
        const run = () =>
            scenario((opts) => {
                llamaCluster(opts);
                discoveredTemplate(opts);
                return [
                    llamaChat(opts, { templateRef: "discovered", overrides: { metric: "throughput" } }, "chat-a"),
                    llamaChat(opts, { templateRef: "discovered", overrides: { metric: "throughput" } }, "chat-b"),
                ];
            });
        const first = await run();
        const derived = ofType(first.resources, TEMPLATE);
        assert.strictEqual(derived.length, 1);
        assert.strictEqual(derived[0].inputs.name, "discovered-ovr-99ad0cdb");
        assert.strictEqual(derived[0].inputs.metric, "throughput");
        assert.deepStrictEqual(derived[0].inputs.gpuSelector, { count: 2, model: "MI300X" });
        for (const service of first.result) {
            assert.deepStrictEqual(await valueOf(service.resolvedTemplate), {
                name: "discovered-ovr-99ad0cdb",
                scope: "Namespace",
                metric: "throughput",
                gpuModel: "MI300X",
                gpuCount: 2,
                chosenBy: "templateRef",
            });
        }
        // The derived template runs its own discovery, which both Deployments wait for.
        const job = single(first.resources.filter((r) => r.parent.includes("AIMServiceTemplate")), JOB);
        assert.deepStrictEqual(job.inputs.spec.template.spec.containers[0].env, [
            { name: "AIM_METRIC", value: "throughput" },
            { name: "AIM_GPU_MODEL", value: "MI300X" },
            { name: "AIM_GPU_COUNT", value: "2" },
        ]);
        for (const deployment of ofType(first.resources, DEPLOYMENT)) assert.deepStrictEqual(deployment.dependencies, [job.urn]);

        const second = await run();
        assert.deepStrictEqual(ofType(second.resources, TEMPLATE).map((t) => t.inputs.name), ["discovered-ovr-99ad0cdb"]);
    });

    it("9. keeps the token secret in every input and output that carries it", async () => {
        const token = "hf_plaintext_token_value";
        const { result, resources } = await scenario((opts) => {
            llamaCluster(opts);
            return llamaChat(opts, { hfToken: pulumi.secret(token) });
        });
        const secret = single(resources, SECRET);
        assert.strictEqual(secret.inputs.metadata.name, "llama-chat-hf-token");
        assert.ok(isSecretWrapper(secret.inputs.stringData), "stringData is secret");
        assert.deepStrictEqual((secret.inputs.stringData as { value: unknown }).value, { token });
        // The component's own inputs carry it as a secret too.
        const component = single(resources, "aim:index:AIMService");
        assert.ok(isSecretWrapper(component.inputs.hfToken));
        // Nowhere in plaintext: mask every secret and the token must be gone.
        for (const r of resources) assert.ok(!JSON.stringify(maskSecrets(r.inputs)).includes(token), `${r.name} leaks the token`);
        for (const output of [result.resolvedConfig, result.resolvedTemplate, result.routePath, result.routeGateway]) {
            assert.ok(!JSON.stringify(await valueOf(output as pulumi.Output<unknown>) ?? null).includes(token));
        }
        assert.deepStrictEqual(container(single(resources, DEPLOYMENT)).env.at(-1), {
            name: "HF_TOKEN",
            valueFrom: { secretKeyRef: { name: "llama-chat-hf-token", key: "token" } },
        });
        assert.ok(single(resources, DEPLOYMENT).dependencies.includes(secret.urn));
    });

    it("keeps a plain-string token secret as well, in the Secret and in the component's own inputs", async () => {
        const { resources } = await scenario((opts) => {
            llamaCluster(opts);
            llamaChat(opts, { hfToken: "hf_plain" });
        });
        assert.ok(isSecretWrapper(single(resources, SECRET).inputs.stringData));
        assert.ok(isSecretWrapper(single(resources, "aim:index:AIMService").inputs.hfToken));
    });

    it("rejects bad service fields with kind, name and field", async () => {
        const cases: [Partial<AIMServiceArgs> & { name?: string }, string][] = [
            [{ replicas: -1 }, 'AIMService "llama-chat": replicas: must be >= 0'],
            [{ overrides: { metric: "fast" as any } }, 'AIMService "llama-chat": overrides.metric: must be one of latency, throughput'],
            [{ resources: { limits: { "amd.com/gpu": "0.5" } } }, 'AIMService "llama-chat": resources.limits.amd.com/gpu: must be a whole number of GPUs, such as 0, 1 or 8'],
            [{ routing: { requestTimeout: "2 minutes" } }, 'AIMService "llama-chat": routing.requestTimeout: must be a Gateway API duration such as 30s or 1m30s'],
            [{ name: "1chat" }, "AIMService \"1chat\": name: must be a lowercase RFC 1035 label (a-z, 0-9, '-'; start with a letter, end alphanumeric)"],
        ];
        for (const [args, message] of cases) {
            const { error, resources } = await scenarioThrows((opts) => {
                llamaCluster(opts);
                llamaChat(opts, args);
            });
            assert.strictEqual(error.message, message);
            assert.deepStrictEqual(childNames(resources), NO_CHILDREN);
        }
    });

    it("10. renders objects that validate against the Kubernetes and Gateway API schemas", async () => {
        const { resources } = await scenario((opts) => {
            llamaCluster(opts, { imagePullSecrets: [{ name: "regcred" }], routing: { gateway: KAIWO_GATEWAY }, caching: { cacheAimImageBase: true } });
            llamaChat(opts, {
                cacheModel: true,
                hfToken: pulumi.secret("hf_x"),
                overrides: { precision: "fp8" },
                routing: { requestTimeout: "1m30s", annotations: { a: "b" } },
                env: [{ name: "HF_HOME", valueFrom: { configMapKeyRef: { name: "hf", key: "home" } } }],
            });
        });
        const manifests = children(resources);
        const kinds = [...new Set(manifests.map((r) => r.type))].sort();
        assert.deepStrictEqual(kinds, [
            "kubernetes:apps/v1:DaemonSet",
            DEPLOYMENT,
            JOB,
            NAMESPACE,
            "kubernetes:core/v1:PersistentVolumeClaim",
            SECRET,
            SERVICE,
            ROUTE,
        ].sort());
        for (const manifest of manifests) await validateManifest(manifest.inputs);
        await assert.rejects(validateManifest({ ...single(resources, ROUTE).inputs, spec: { parentRefs: [{ port: 70000 }] } }));
    });

    it("11. a new gateway on the config changes exactly the HTTPRoutes that use it", async () => {
        const render = async (gateway: string) => {
            const { resources } = await scenario((opts) => {
                llamaCluster(opts, { routing: { gateway: { name: gateway, namespace: "kaiwo-system" } } });
                new AIMClusterConfig("internal", { routing: { gateway: { name: "internal-gw" } } }, opts);
                llamaChat(opts, {}, "chat-a");
                llamaChat(opts, {}, "chat-b");
                llamaChat(opts, { configName: "internal" }, "chat-internal");
                llamaChat(opts, { routing: { gateway: { name: "own-gw" } } }, "chat-own");
            });
            return Object.fromEntries(children(resources).map((r) => [r.name, JSON.stringify(r.inputs)]));
        };
        const before = await render("kaiwo-gateway");
        const after = await render("kaiwo-gateway-v2");
        assert.deepStrictEqual(Object.keys(after).sort(), Object.keys(before).sort());
        const changed = Object.keys(before).filter((name) => before[name] !== after[name]);
        assert.deepStrictEqual(changed.sort(), ["chat-a-route", "chat-b-route"]);
    });

    it("renders the same children whatever order services sharing templates and caches are declared in", async () => {
        const render = async (order: string[]) => {
            const { resources } = await scenario((opts) => {
                llamaCluster(opts, { imagePullSecrets: [{ name: "default-cred" }], caching: { cacheAimImageBase: true } });
                discoveredTemplate(opts);
                new AIMClusterConfig("prod", { imagePullSecrets: [{ name: "prod-cred" }] }, opts);
                const services: Record<string, () => AIMService> = {
                    "chat-a": () => llamaChat(opts, { overrides: { metric: "throughput" }, cacheModel: true }, "chat-a"),
                    "chat-b": () => llamaChat(opts, { overrides: { metric: "throughput" }, cacheModel: true }, "chat-b"),
                    "chat-prod": () =>
                        llamaChat(opts, { templateRef: "discovered", overrides: { metric: "throughput" }, configName: "prod" }, "chat-prod"),
                    "chat-default": () => llamaChat(opts, { templateRef: "discovered", overrides: { metric: "throughput" } }, "chat-default"),
                };
                for (const name of order) services[name]();
            });
            // Each run has a provider of its own, whose name the system namespace's Pulumi name carries, and whose
            // key tags the names of shared objects.
            const sameCluster = (text: string) =>
                text.replace(/cluster-\d+-aim-system-namespace/g, "<cluster>-aim-system-namespace").replace(/::aim@[0-9a-f]{8}:/g, "::aim@<cluster>:");
            return Object.fromEntries(resources.map((r) => [sameCluster(r.urn), sameCluster(JSON.stringify([r.inputs, r.dependencies.sort()]))]));
        };
        const forward = await render(["chat-a", "chat-b", "chat-prod", "chat-default"]);
        const backward = await render(["chat-default", "chat-prod", "chat-b", "chat-a"]);
        assert.deepStrictEqual(forward, backward);
        // The prod service's derived template runs discovery with prod's pull secrets, under a name of its own.
        const derivedJobs = Object.entries(forward)
            .filter(([urn]) => urn.includes("AIMServiceTemplate$kubernetes:batch/v1:Job"))
            .map(([urn, json]) => [urn.split("::").pop(), JSON.parse(json)[0].spec.template.spec.imagePullSecrets]);
        assert.deepStrictEqual(derivedJobs.sort(), [
            ["discovered:ml-team/discovered-ovr-99ad0cdb-discovery", [{ name: "default-cred" }]],
            [`discovered:ml-team/${derivedTemplateName("discovered", { metric: "throughput" }, "prod")}-discovery`, [{ name: "prod-cred" }]],
        ].sort());
    });

    it("refuses to cache one template in one namespace with two configs", async () => {
        const { error } = await scenarioThrows((opts) => {
            llamaCluster(opts);
            new AIMClusterConfig("prod", {}, opts);
            llamaChat(opts, { cacheModel: true }, "chat-a");
            llamaChat(opts, { cacheModel: true, configName: "prod" }, "chat-prod");
        });
        assert.strictEqual(
            error.message,
            'AIMService "chat-prod": cacheModel: template "base" is already cached in namespace "ml-team" with config ' +
                '"default", not "prod": declare one AIMTemplateCache for it, or use the same configName',
        );
    });

    it("says when its token cannot reach the downloads of a shared cache", async () => {
        const { resources, warnings } = await scenario((opts) => {
            llamaCluster(opts);
            llamaChat(opts, { cacheModel: true, hfToken: pulumi.secret("hf_x") });
            // Once per cache: the second service's token is left out of the same downloads.
            llamaChat(opts, { cacheModel: true, hfToken: pulumi.secret("hf_y") }, "second");
        });
        assert.deepStrictEqual(warnings, [
            'hfToken reaches the inference container only: the model downloads of template cache "base" run without ' +
                "HF_TOKEN (a cache is shared by every service of its template, so it takes no service's token: declare " +
                "an AIMTemplateCache for the template with hfToken, or set HF_TOKEN in its caching.env; said for the first such " +
                "service of the cache only)",
        ]);
        const download = resources.find((r) => r.type === JOB && r.name.endsWith("-download"))!;
        assert.ok(!download.inputs.spec.template.spec.containers[0].env.some((e: { name: string }) => e.name === "HF_TOKEN"));

        const declared = await scenario((opts) => {
            llamaCluster(opts);
            new AIMTemplateCache("base-cache", { name: "base", namespace: "ml-team", templateRef: "base", hfToken: pulumi.secret("hf_y") }, opts);
            llamaChat(opts, { cacheModel: true, hfToken: pulumi.secret("hf_x") });
        });
        assert.deepStrictEqual(declared.warnings, []);
    });

    it("plans shared caches before creating anything: a failing service registers no child anywhere", async () => {
        const baseline = await scenario((opts) => {
            llamaCluster(opts);
            new AIMClusterConfig("prod", { caching: { storageClassName: "fast" } }, opts);
            new AIMTemplateCache("c1", { namespace: "ml-team", templateRef: "base" }, opts);
        });
        const { error, resources } = await scenarioThrows((opts) => {
            llamaCluster(opts);
            new AIMClusterConfig("prod", { caching: { storageClassName: "fast" } }, opts);
            new AIMTemplateCache("c1", { namespace: "ml-team", templateRef: "base" }, opts);
            llamaChat(opts, { cacheModel: true, configName: "prod", overrides: { metric: "throughput" }, hfToken: "hf_x" });
        });
        assert.strictEqual(
            error.message,
            'AIMService "llama-chat": cacheModel: model source hf://amd/Llama-3.1-8B-Instruct-FP8-KV storage class "fast" ' +
                'differs from AIMTemplateCache "c1"\'s the cluster default for the shared cache PVC "ml-team/amd-llama-3-1-8b-instruct-fp8-kv-cache"',
        );
        // (Each scenario's cluster tags the names of shared objects differently.)
        const urns = (rs: Registered[]) => rs.filter((r) => r.type !== "aim:index:AIMService").map((r) => r.urn.replace(/::aim@[0-9a-f]{8}:/, "::aim:")).sort();
        assert.deepStrictEqual(urns(resources), urns(baseline.resources));

        const nameTaken = await scenarioThrows((opts) => {
            llamaCluster(opts);
            new AIMClusterServiceTemplate("other", { aimImageName: "llama", modelSources: [LLAMA_SOURCE] }, opts);
            new AIMTemplateCache("base-named", { name: "base", namespace: "ml-team", templateRef: "other" }, opts);
            llamaChat(opts, { cacheModel: true });
        });
        assert.strictEqual(
            nameTaken.error.message,
            'AIMService "llama-chat": cacheModel: an AIMTemplateCache "base" in namespace "ml-team" caches another ' +
                'template, so the cache for template "base" cannot take its name',
        );
    });

    it("refuses a declared template of the derived name that is not the base with these overrides", async () => {
        const { error } = await scenarioThrows((opts) => {
            llamaCluster(opts);
            new AIMServiceTemplate("impostor", { name: "base-ovr-99ad0cdb", namespace: "ml-team", aimImageName: "llama", metric: "latency" }, opts);
            llamaChat(opts, { overrides: { metric: "throughput" } });
        });
        assert.strictEqual(
            error.message,
            'AIMService "llama-chat": overrides: the template "base-ovr-99ad0cdb" declared in namespace "ml-team" is not ' +
                '"base" with these overrides (metric, gpuSelector, modelSources differ)',
        );
    });

    it("accepts a declared template of the derived name that is the base with these overrides, whatever its key order", async () => {
        const { result, resources } = await scenario((opts) => {
            llamaCluster(opts);
            new AIMServiceTemplate(
                "declared",
                {
                    name: "base-ovr-99ad0cdb",
                    namespace: "ml-team",
                    aimImageName: "llama",
                    metric: "throughput",
                    gpuSelector: { model: "MI300X", count: 2 } as { count: number; model: string },
                    modelSources: [{ size: LLAMA_SOURCE.size, sourceUri: LLAMA_SOURCE.sourceUri, name: LLAMA_SOURCE.name }],
                    resources: {},
                },
                opts,
            );
            return llamaChat(opts, { overrides: { metric: "throughput" } });
        });
        assert.strictEqual((await valueOf(result.resolvedTemplate)).name, "base-ovr-99ad0cdb");
        assert.deepStrictEqual(ofType(resources, TEMPLATE).map((t) => t.name), ["declared"]);
    });

    it("shares a derived template between an explicit configName \"default\" and none", async () => {
        const { resources } = await scenario((opts) => {
            llamaCluster(opts);
            llamaChat(opts, { overrides: { metric: "throughput" } }, "chat-a");
            llamaChat(opts, { overrides: { metric: "throughput" }, configName: "default" }, "chat-b");
        });
        assert.deepStrictEqual(ofType(resources, TEMPLATE).map((t) => t.inputs.name), ["base-ovr-99ad0cdb"]);
    });
});
