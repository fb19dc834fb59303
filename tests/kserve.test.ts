// The KServe backend (issue 10): templates render a ServingRuntime / ClusterServingRuntime, services an
// InferenceService, field by field as the AIM operator does (aim-reference §2.4, §2.6, VF), each validated against
// KServe's own v0.15.2 CRDs.

import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import { createHash } from "crypto";
import * as fc from "fast-check";
import {
    AIMClusterConfig,
    AIMClusterConfigArgs,
    AIMClusterImage,
    AIMClusterServiceTemplate,
    AIMClusterServiceTemplateArgs,
    AIMServiceArgs,
    AIMServiceTemplate,
} from "../index";
import { inferenceServiceName } from "../resolve/names";
import { KAIWO_GATEWAY, LLAMA_IMAGE, LLAMA_SOURCE } from "./fixtures";
import {
    DEPLOYMENT,
    isSecretWrapper,
    JOB,
    named,
    ofType,
    Opts,
    Registered,
    ROUTE,
    scenario,
    scenarioThrows,
    SECRET,
    SERVICE,
    single,
    unwrapSecrets,
    valueOf,
    withStackConfig,
    ISVC,
    RUNTIME,
    CLUSTER_RUNTIME,
} from "./harness";
import { loadKinds, validateKServe } from "./kserveCrds";
import { llamaChat } from "./llamaCluster";

const KSERVE_TYPES = [ISVC, RUNTIME, CLUSTER_RUNTIME];

const MI300X_AFFINITY = {
    nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: "amd.com/gpu.device-id", operator: "In", values: ["74a1", "74a9", "74b5", "74bd"] }] }],
        },
    },
};

/** Every KServe object a scenario registered, validated against the CRDs; returns how many there were. */
function validateAll(resources: Registered[]): number {
    const objects = resources.filter((r) => KSERVE_TYPES.includes(r.type));
    for (const r of objects) validateKServe(unwrapSecrets(r.inputs));
    return objects.length;
}

/** tests/llamaCluster.ts's cluster, with the template's args open: the default config (unless null), the llama image and a MI300X × 2 cluster template `base`. */
function llamaCluster(opts: Opts, template: Partial<AIMClusterServiceTemplateArgs> = {}, config: AIMClusterConfigArgs | null = {}) {
    if (config) new AIMClusterConfig("default", config, opts);
    new AIMClusterImage("llama", { image: LLAMA_IMAGE, defaultServiceTemplate: "base" }, opts);
    new AIMClusterServiceTemplate(
        "base",
        { aimImageName: "llama", gpuSelector: { count: 2, model: "MI300X" }, modelSources: [LLAMA_SOURCE], ...template },
        opts,
    );
}


/** Runs `body` with Pulumi config `aim:servingBackend` set, as a stack's config would set it. */
const withStackBackend = <T>(value: string, body: () => Promise<T>) => withStackConfig({ "aim:servingBackend": value }, body);

describe("KServe backend", () => {
    before(function () {
        this.timeout(120_000);
        loadKinds();
    });

    describe("the InferenceService name", () => {
        it("keeps a name while <isvc>-predictor-<namespace> fits 63 characters, else prefix + '-' + 8 hex of SHA-256", () => {
            const ns = "ml-team"; // 7 characters: names up to 52 − 7 = 45 are kept
            const fits = "a".repeat(45);
            assert.strictEqual(inferenceServiceName(fits, ns), fits);
            const long = "b".repeat(46);
            const hash = createHash("sha256").update(long).digest("hex").slice(0, 8);
            assert.strictEqual(inferenceServiceName(long, ns), `${"b".repeat(36)}-${hash}`); // 43 − 7 = 36
            // A cut that ends in '-' is cleaned as upstream's MakeRFC1123Compliant does (no '--').
            const dashed = `${"c".repeat(35)}-${"d".repeat(20)}`;
            const dashedHash = createHash("sha256").update(dashed).digest("hex").slice(0, 8);
            assert.strictEqual(inferenceServiceName(dashed, ns), `${"c".repeat(35)}-${dashedHash}`);
        });

        it("keeps <isvc>-predictor-<namespace> within 63 characters and distinct names distinct (property)", () => {
            const label = fc.stringMatching(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
            const namespace = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/); // ≤ 42: room for a 10-character name
            fc.assert(
                fc.property(label, label, namespace, (a, b, ns) => {
                    const [x, y] = [inferenceServiceName(a, ns), inferenceServiceName(b, ns)];
                    assert.ok(`${x}-predictor-${ns}`.length <= 63, `${x}-predictor-${ns}`);
                    assert.match(x, /^[a-z]([-a-z0-9]*[a-z0-9])?$/); // KServe's IsvcNameFmt
                    if (a !== b) assert.notStrictEqual(x, y);
                }),
                { numRuns: 300 },
            );
        });
    });

    describe("templates", () => {
        it("render a ClusterServingRuntime for a cluster template, as upstream's runtime (VF)", async () => {
            const { resources } = await scenario((opts) => llamaCluster(opts, { servingBackend: "kserve" }, { imagePullSecrets: [{ name: "ghcr" }] }));
            const runtime = single(resources, CLUSTER_RUNTIME);
            assert.strictEqual(runtime.name, "base-runtime");
            assert.strictEqual(runtime.parent, named(resources, "base").urn);
            assert.deepStrictEqual(runtime.inputs, {
                apiVersion: "serving.kserve.io/v1alpha1",
                kind: "ClusterServingRuntime",
                metadata: {
                    name: "base",
                    labels: {
                        "app.kubernetes.io/name": "aim-runtime",
                        "app.kubernetes.io/component": "serving-runtime",
                        "app.kubernetes.io/managed-by": "pulumi-aim",
                        "aim.silogen.ai/model-id": "llama",
                    },
                },
                spec: {
                    supportedModelFormats: [{ name: "aim", version: "1" }],
                    storageHelper: { disabled: true },
                    imagePullSecrets: [{ name: "ghcr" }],
                    containers: [
                        {
                            name: "kserve-container",
                            image: LLAMA_IMAGE,
                            env: [{ name: "VLLM_ENABLE_METRICS", value: "true" }],
                            ports: [{ name: "http", containerPort: 8000, protocol: "TCP" }],
                            resources: { requests: { "amd.com/gpu": "2" }, limits: { "amd.com/gpu": "2" } },
                            volumeMounts: [{ name: "dshm", mountPath: "/dev/shm" }],
                        },
                    ],
                    volumes: [{ name: "dshm", emptyDir: { medium: "Memory", sizeLimit: "8Gi" } }],
                },
            });
            assert.strictEqual(validateAll(resources), 1);
        });

        it("render a namespaced ServingRuntime for a namespace template, with its own pull secrets first", async () => {
            const { resources } = await scenario((opts) => {
                llamaCluster(opts, {}, { imagePullSecrets: [{ name: "ghcr" }] });
                new AIMServiceTemplate(
                    "team",
                    { namespace: "ml-team", aimImageName: "llama", servingBackend: "kserve", imagePullSecrets: [{ name: "team" }, { name: "ghcr" }] },
                    opts,
                );
            });
            const runtime = single(resources, RUNTIME);
            assert.deepStrictEqual([runtime.inputs.metadata.name, runtime.inputs.metadata.namespace], ["team", "ml-team"]);
            assert.deepStrictEqual(runtime.inputs.spec.imagePullSecrets, [{ name: "team" }, { name: "ghcr" }]);
            assert.deepStrictEqual(runtime.inputs.spec.containers[0].resources, { requests: { "amd.com/gpu": "1" }, limits: { "amd.com/gpu": "1" } });
            assert.deepStrictEqual(ofType(resources, CLUSTER_RUNTIME), [], "the deployment-backend cluster template has no runtime");
            assert.strictEqual(validateAll(resources), 1);
        });
    });

    describe("services", () => {
        it("render an InferenceService on the template's runtime, and no Deployment or Service of ours", async () => {
            const { result, resources } = await scenario((opts) => {
                llamaCluster(opts, { servingBackend: "kserve", metric: "latency", precision: "fp8" });
                return llamaChat(opts, { labels: { team: "nlp", "app.kubernetes.io/name": "mine" } });
            });
            assert.deepStrictEqual(ofType(resources, DEPLOYMENT), []);
            assert.deepStrictEqual(ofType(resources, SERVICE), []);
            const isvc = single(resources, ISVC);
            assert.strictEqual(isvc.name, "llama-chat-inferenceservice");
            assert.strictEqual(isvc.parent, named(resources, "llama-chat").urn);
            assert.deepStrictEqual(isvc.inputs.metadata, {
                name: "llama-chat",
                namespace: "ml-team",
                labels: {
                    team: "nlp",
                    "app.kubernetes.io/name": "aim-service", // the system label wins over the user's
                    "app.kubernetes.io/component": "inference-service",
                    "app.kubernetes.io/managed-by": "pulumi-aim",
                    "app.kubernetes.io/instance": "llama-chat",
                    "aim.silogen.ai/service-name": "llama-chat",
                    "aim.silogen.ai/template": "base",
                    "aim.silogen.ai/aim-image": "llama",
                    "aim.silogen.ai/template.metric": "latency",
                    "aim.silogen.ai/template.precision": "fp8",
                },
                annotations: {
                    "serving.kserve.io/autoscalerClass": "none",
                    "pulumi.com/waitFor": "condition=Ready",
                    "pulumi.com/timeoutSeconds": "3600",
                },
            });
            const { predictor } = isvc.inputs.spec;
            assert.deepStrictEqual(Object.keys(isvc.inputs.spec), ["predictor"]);
            assert.deepStrictEqual([predictor.minReplicas, predictor.maxReplicas], [1, 1]);
            assert.deepStrictEqual(predictor.affinity, MI300X_AFFINITY);
            assert.deepStrictEqual(predictor.model.modelFormat, { name: "aim", version: "1" });
            assert.strictEqual(predictor.model.runtime, "base");
            assert.deepStrictEqual(predictor.model.resources, {
                requests: { cpu: "8", memory: "64Gi", "amd.com/gpu": "2" },
                limits: { memory: "96Gi", "amd.com/gpu": "2" },
            });
            assert.deepStrictEqual(predictor.model.env, [
                { name: "AIM_CACHE_PATH", value: "/workspace/model-cache" },
                { name: "VLLM_ENABLE_METRICS", value: "true" },
                { name: "AIM_METRIC", value: "latency" },
                { name: "AIM_PRECISION", value: "fp8" },
            ]);
            // Without caches, a per-pod scratch claim sized from the model sources (+10 %) backs AIM_CACHE_PATH; the
            // runtime provides /dev/shm, so neither it nor a probe is repeated here (KServe adds its readiness probe).
            assert.deepStrictEqual(predictor.volumes, [
                {
                    name: "model-storage",
                    ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } } } },
                },
            ]);
            assert.deepStrictEqual(predictor.model.volumeMounts, [{ name: "model-storage", mountPath: "/workspace/model-cache" }]);
            assert.deepStrictEqual(
                Object.keys(predictor.model).sort(),
                ["env", "modelFormat", "resources", "runtime", "volumeMounts"],
            );
            // It waits for the runtime (the template's inline model sources make discovery unnecessary: no Job).
            assert.deepStrictEqual(ofType(resources, JOB), []);
            assert.deepStrictEqual(isvc.dependencies, [single(resources, CLUSTER_RUNTIME).urn]);

            assert.strictEqual(await valueOf(result.inferenceServiceName), "llama-chat");
            assert.strictEqual(await valueOf(result.serviceName), "llama-chat-predictor");
            assert.strictEqual(await valueOf(result.deploymentName), "llama-chat-predictor");
            assert.strictEqual(await valueOf(result.endpoint), "http://llama-chat-predictor.ml-team.svc");
            assert.strictEqual(validateAll(resources), 2);
        });

        it("wait for the template's discovery Job, and take the API key, service account and scratch option as Deployments do", async () => {
            const { result, resources } = await scenario((opts) => {
                llamaCluster(opts, { servingBackend: "kserve", modelSources: undefined });
                llamaChat(opts, { apiKey: { enabled: true }, serviceAccountName: "inference", scratch: { emptyDir: true } });
                return llamaChat(opts, { apiKey: { secretName: "team-key", secretKey: "key" } }, "other");
            });
            const isvc = named(resources, "llama-chat-inferenceservice");
            // The RandomPassword and the Secret share the Pulumi name `<service>-api-key`.
            const apiKeySecret = resources.find((r) => r.name === "llama-chat-api-key" && r.type === SECRET)!;
            assert.strictEqual(apiKeySecret.inputs.metadata.name, "llama-chat-api-key");
            assert.deepStrictEqual(
                isvc.dependencies.sort(),
                [single(resources, JOB).urn, single(resources, CLUSTER_RUNTIME).urn, apiKeySecret.urn].sort(),
            );
            const { predictor } = isvc.inputs.spec;
            assert.strictEqual(predictor.serviceAccountName, "inference");
            assert.deepStrictEqual(predictor.volumes, [{ name: "model-storage", emptyDir: {} }]);
            assert.deepStrictEqual(predictor.model.env.at(-1), {
                name: "VLLM_API_KEY",
                valueFrom: { secretKeyRef: { name: "llama-chat-api-key", key: "api-key" } },
            });
            const other = named(resources, "other-inferenceservice").inputs.spec.predictor.model.env;
            assert.deepStrictEqual(other.at(-1), { name: "VLLM_API_KEY", valueFrom: { secretKeyRef: { name: "team-key", key: "key" } } });
            assert.strictEqual(await valueOf(result.apiKey), undefined);
            assert.strictEqual(validateAll(resources), 3);
        });

        it("set min = max = replicas, pull secrets service-first de-duplicated, the token Secret, caches and AIM_CACHE_PATH", async () => {
            const { resources } = await scenario((opts) => {
                llamaCluster(opts, { servingBackend: "kserve" }, { imagePullSecrets: [{ name: "ghcr" }, { name: "shared" }] });
                llamaChat(opts, {
                    replicas: 3,
                    imagePullSecrets: [{ name: "shared" }, { name: "own" }],
                    hfToken: pulumi.secret("hf_abc"),
                    cacheModel: true,
                    env: [{ name: "LOG", value: "debug" }],
                    resources: { requests: { cpu: "6" } },
                });
            });
            const { predictor } = single(resources, ISVC).inputs.spec;
            assert.deepStrictEqual([predictor.minReplicas, predictor.maxReplicas], [3, 3]);
            assert.deepStrictEqual(predictor.imagePullSecrets, [{ name: "shared" }, { name: "own" }, { name: "ghcr" }]);
            assert.deepStrictEqual(predictor.model.env, [
                { name: "AIM_CACHE_PATH", value: "/workspace/model-cache" },
                { name: "VLLM_ENABLE_METRICS", value: "true" },
                { name: "LOG", value: "debug" },
                { name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: "llama-chat-hf-token", key: "token" } } },
            ]);
            const pvc = "amd-llama-3-1-8b-instruct-fp8-kv-cache";
            assert.deepStrictEqual(predictor.volumes, [{ name: pvc, persistentVolumeClaim: { claimName: pvc } }]);
            assert.deepStrictEqual(predictor.model.volumeMounts, [
                { name: pvc, mountPath: "/workspace/model-cache/amd/Llama-3.1-8B-Instruct-FP8-KV" },
            ]);
            assert.deepStrictEqual(predictor.model.resources.requests, { cpu: "6", memory: "64Gi", "amd.com/gpu": "2" });
            // The token is a secret in the Secret, and only a reference in the InferenceService.
            const secret = named(resources, "llama-chat-hf-token");
            assert.ok(isSecretWrapper(secret.inputs.stringData));
            assert.doesNotMatch(JSON.stringify(single(resources, ISVC).inputs), /hf_abc/);
            assert.ok(single(resources, ISVC).dependencies.includes(secret.urn));
            assert.strictEqual(validateAll(resources), 2);
        });

        it("route to KServe's predictor Service <isvc>-predictor on port 80, and shorten long names as upstream", async () => {
            const name = "a-very-long-service-name-for-the-llama-chat-model-v2"; // 52 > 52 − len("ml-team")
            const { resources } = await scenario((opts) => {
                llamaCluster(opts, { servingBackend: "kserve" }, { routing: { gateway: KAIWO_GATEWAY } });
                llamaChat(opts, {}, name);
            });
            const isvcName = `a-very-long-service-name-for-the-lla-${createHash("sha256").update(name).digest("hex").slice(0, 8)}`;
            assert.strictEqual(single(resources, ISVC).inputs.metadata.name, isvcName);
            const route = single(resources, ROUTE);
            assert.strictEqual(route.inputs.metadata.name, name, "the route keeps the service's name, as upstream");
            assert.deepStrictEqual(route.inputs.spec.rules[0].backendRefs, [{ group: "", kind: "Service", name: `${isvcName}-predictor`, port: 80 }]);
            assert.deepStrictEqual(route.dependencies, [single(resources, ISVC).urn]);
            assert.strictEqual(validateAll(resources), 2);
        });

        it("follow their effective template: the stack's aim:servingBackend, a template's own field winning, derived templates inheriting", async () => {
            const { resources } = await withStackBackend("kserve", () =>
                scenario((opts) => {
                    llamaCluster(opts);
                    new AIMClusterServiceTemplate("plain", { aimImageName: "llama", servingBackend: "deployment" }, opts);
                    llamaChat(opts); // base: kserve from the stack
                    llamaChat(opts, { templateRef: "plain" }, "plain-chat"); // its template says deployment
                    llamaChat(opts, { overrides: { metric: "throughput" } }, "fast-chat"); // derived from base: kserve
                }),
            );
            const derived = "base-ovr-99ad0cdb";
            assert.deepStrictEqual(
                ofType(resources, ISVC).map((r) => [r.inputs.metadata.name, r.inputs.spec.predictor.model.runtime]),
                [["llama-chat", "base"], ["fast-chat", derived]],
            );
            assert.deepStrictEqual(ofType(resources, DEPLOYMENT).map((r) => r.inputs.metadata.name), ["plain-chat"]);
            assert.deepStrictEqual(ofType(resources, CLUSTER_RUNTIME).map((r) => r.inputs.metadata.name), ["base"]);
            // The derived template is namespaced: its own ServingRuntime in the service's namespace.
            const runtime = single(resources, RUNTIME);
            assert.deepStrictEqual([runtime.inputs.metadata.name, runtime.inputs.metadata.namespace], [derived, "ml-team"]);
            assert.ok(named(resources, "fast-chat-inferenceservice").dependencies.includes(runtime.urn));
            assert.strictEqual(validateAll(resources), 4);
        });
    });

    it("waits for Ready within awaitTimeoutSeconds (default 3600), or not at all with skipAwait; user annotations first", async () => {
        const annotations = async (args: Partial<AIMServiceArgs>) => {
            const { resources } = await scenario((opts) => {
                llamaCluster(opts, { servingBackend: "kserve" });
                llamaChat(opts, args);
            });
            return single(resources, ISVC).inputs.metadata.annotations;
        };
        const system = { "serving.kserve.io/autoscalerClass": "none" };
        assert.deepStrictEqual(await annotations({}), { ...system, "pulumi.com/waitFor": "condition=Ready", "pulumi.com/timeoutSeconds": "3600" });
        assert.deepStrictEqual(
            await annotations({ awaitTimeoutSeconds: 5400, annotations: { "example.com/team": "nlp", "serving.kserve.io/autoscalerClass": "hpa" } }),
            { "example.com/team": "nlp", ...system, "pulumi.com/waitFor": "condition=Ready", "pulumi.com/timeoutSeconds": "5400" },
        );
        assert.deepStrictEqual(await annotations({ skipAwait: true }), { ...system, "pulumi.com/skipAwait": "true" });
    });

    describe("errors", () => {
        it("an unknown backend in a template or in aim:servingBackend, registering nothing", async () => {
            const template = await scenarioThrows((opts) => llamaCluster(opts, { servingBackend: "knative" as any }));
            assert.strictEqual(template.error.message, 'AIMClusterServiceTemplate "base": servingBackend: must be one of deployment, kserve, not "knative"');
            assert.ok(!template.resources.some((r) => r.name.startsWith("base")));

            const stack = await withStackBackend("KServe", () => scenarioThrows((opts) => llamaCluster(opts)));
            assert.strictEqual(stack.error.message, 'AIMClusterServiceTemplate "base": aim:servingBackend: Pulumi config must be one of deployment, kserve, not "KServe"');
            assert.ok(!stack.resources.some((r) => r.name.startsWith("base")));
        });

        it("a kserve template whose name is no valid label value for its InferenceServices", async () => {
            const name = `t${"x".repeat(63)}`;
            const { error, resources } = await scenarioThrows((opts) => {
                llamaCluster(opts);
                new AIMClusterServiceTemplate(name, { aimImageName: "llama", servingBackend: "kserve" }, opts);
            });
            assert.strictEqual(
                error.message,
                `AIMClusterServiceTemplate "${name}": name: must be at most 63 characters to be served by KServe (servingBackend ` +
                    `is "kserve"): it names the ServingRuntime and is the aim.silogen.ai/template label of its InferenceServices (got 64)`,
            );
            assert.ok(!resources.some((r) => r.name === name));
            // The same name is fine with the Deployment backend.
            const { resources: ok } = await scenario((opts) => {
                llamaCluster(opts);
                new AIMClusterServiceTemplate(name, { aimImageName: "llama" }, opts);
            });
            assert.ok(ok.some((r) => r.name === name));
        });

        it("a deployment-backend service whose objects KServe's predictor would also own", async () => {
            const { error } = await scenarioThrows((opts) => {
                llamaCluster(opts, { servingBackend: "kserve" });
                new AIMClusterServiceTemplate("plain", { aimImageName: "llama", servingBackend: "deployment" }, opts);
                llamaChat(opts, {}, "chat");
                llamaChat(opts, { templateRef: "plain" }, "chat-predictor");
            });
            assert.match(error.message, /^AIMService "chat-predictor": name: would render Deployment "ml-team\/chat-predictor", which AIMService "chat"/);
        });
    });
});

// ---------------------------------------------------------------- blast radius

interface World {
    templates: { backend: "deployment" | "kserve"; configName?: string }[];
    services: { template: 0 | 1; configName?: string; overrides: boolean }[];
    prodPullSecret: string;
}

const TEMPLATE_NAMES = ["base", "team"];

/** Two configs (default and prod, both routed), the llama image, a cluster and a namespace template, and services. */
function world(w: World) {
    return (opts: Opts) => {
        new AIMClusterConfig("default", { routing: { gateway: KAIWO_GATEWAY } }, opts);
        new AIMClusterConfig("prod", { imagePullSecrets: [{ name: w.prodPullSecret }], routing: { gateway: KAIWO_GATEWAY } }, opts);
        new AIMClusterImage("llama", { image: LLAMA_IMAGE, defaultServiceTemplate: "base" }, opts);
        const [base, team] = w.templates;
        new AIMClusterServiceTemplate("base", { aimImageName: "llama", servingBackend: base.backend, configName: base.configName, modelSources: [LLAMA_SOURCE] }, opts);
        new AIMServiceTemplate("team", { namespace: "ml-team", aimImageName: "llama", servingBackend: team.backend, configName: team.configName }, opts);
        w.services.forEach((s, i) =>
            llamaChat(
                opts,
                { templateRef: TEMPLATE_NAMES[s.template], configName: s.configName, ...(s.overrides && { overrides: { metric: "throughput" as const } }) },
                `chat-${i}`,
            ),
        );
    };
}

/** URNs whose registration differs between two runs: added, removed, or other inputs or dependencies. */
function touched(before: Registered[], after: Registered[]): Set<string> {
    const state = (rs: Registered[]) => new Map(rs.map((r) => [r.urn, JSON.stringify([unwrapSecrets(r.inputs), [...r.dependencies].sort()])]));
    const [a, b] = [state(before), state(after)];
    return new Set([...a.keys(), ...b.keys()].filter((urn) => a.get(urn) !== b.get(urn)));
}

/** The resource and everything below it in the tree. */
function descendants(resources: Registered[], roots: Registered[]): Set<string> {
    const out = new Set(roots.map((r) => r.urn));
    for (let grew = true; grew; ) {
        grew = false;
        for (const r of resources) if (!out.has(r.urn) && out.has(r.parent)) grew = out.add(r.urn).size > 0;
    }
    return out;
}

const arbWorld: fc.Arbitrary<World> = fc.record({
    templates: fc.tuple(
        ...[0, 1].map(() => fc.record({ backend: fc.constantFrom("deployment" as const, "kserve" as const), configName: fc.constantFrom(undefined, "prod") })),
    ),
    services: fc.array(fc.record({ template: fc.constantFrom(0 as const, 1 as const), configName: fc.constantFrom(undefined, "prod"), overrides: fc.boolean() }), {
        minLength: 1,
        maxLength: 3,
    }),
    prodPullSecret: fc.constant("prod-pull"),
});

describe("KServe backend: blast radius (property)", () => {
    before(function () {
        this.timeout(120_000);
        loadKinds();
    });

    it("a config change touches only that config and the children of the resources that use it", async function () {
        this.timeout(120_000);
        await fc.assert(
            fc.asyncProperty(arbWorld, async (w) => {
                const before = (await scenario(world(w))).resources;
                const after = (await scenario(world({ ...w, prodPullSecret: "prod-pull-2" }))).resources;
                const users = after.filter((r) => r.type.startsWith("aim:index:") && (r.inputs.configName === "prod" || r.name === "prod"));
                const allowed = descendants(after, users);
                const changed = touched(before, after);
                for (const urn of changed) assert.ok(allowed.has(urn), `${urn} changed, but uses no resource of config "prod"`);
                assert.ok(changed.has(named(after, "prod").urn));
                validateAll(after);
            }),
            { numRuns: 12 },
        );
    });

    it("switching one template's backend touches only it, its runtime, and its services' workloads and routes", async function () {
        this.timeout(120_000);
        await fc.assert(
            fc.asyncProperty(arbWorld, fc.constantFrom(0, 1), async (w, k) => {
                const flipped = w.templates.map((t, i) => (i === k ? { ...t, backend: t.backend === "kserve" ? ("deployment" as const) : ("kserve" as const) } : t));
                const before = (await scenario(world(w))).resources;
                const after = (await scenario(world({ ...w, templates: flipped }))).resources;
                const all = [...before, ...after];
                const template = named(after, TEMPLATE_NAMES[k]);
                const workloads = [ISVC, DEPLOYMENT, SERVICE, ROUTE];
                const services = all.filter((r) => r.type === "aim:index:AIMService" && (r.inputs.templateRef ?? "base") === TEMPLATE_NAMES[k]);
                const allowed = descendants(all, [template]);
                for (const r of all) if (workloads.includes(r.type) && services.some((s) => s.urn === r.parent)) allowed.add(r.urn);
                const changed = touched(before, after);
                for (const urn of changed) assert.ok(allowed.has(urn), `${urn} changed, but is not of template "${TEMPLATE_NAMES[k]}"`);
                assert.ok(changed.has(template.urn));
                for (const s of services) {
                    // Each of its services swapped its workload: an InferenceService for a Deployment and Service, or back.
                    const kinds = (rs: Registered[]) => rs.filter((r) => r.parent === s.urn && workloads.slice(0, 3).includes(r.type)).map((r) => r.type);
                    assert.notDeepStrictEqual(kinds(before), kinds(after));
                }
            }),
            { numRuns: 12 },
        );
    });
});
