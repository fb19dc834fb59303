// The operator target (issue 16, Pulumi config `aim:target: operator`): the same program registers aim-engine's
// custom resources instead of the workloads, each valid for aim-engine's own v0.2.2 CRDs (schema and CEL rules), with
// every preview-time check, and the outputs, of the workloads target.

import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import {
    AIMClusterConfig,
    AIMClusterConfigArgs,
    AIMClusterImage,
    AIMClusterServiceTemplate,
    AIMImage,
    AIMNamespaceConfig,
    AIMService,
    AIMServiceArgs,
    AIMServiceTemplate,
    AIMTemplateCache,
} from "../index";
import { AIM_ENGINE_API_VERSION, DEFAULT_PATH_TEMPLATE, IMMUTABLE_FIELDS } from "../render/operator";
import { aimEngineProblems, CEL_RULES, celRulesOf, loadAimEngineKinds } from "./aimEngineCrds";
import { KAIWO_GATEWAY, LLAMA_IMAGE, LLAMA_SOURCE } from "./fixtures";
import { children, named, Opts, Registered, scenario, scenarioThrows, SECRET, unwrapSecrets, valueOf, withStackConfig } from "./harness";
import { validateKubernetesObjects } from "./k8sSchemas";

const OPERATOR = { "aim:target": "operator" };
const onOperator = <T>(body: () => Promise<T>, config: Record<string, string> = {}) => withStackConfig({ ...OPERATOR, ...config }, body);

const QWEN_IMAGE = "ghcr.io/silogen/aim:0.4.0-qwen-qwen2.5-7b-instruct-v20251006";
const QWEN_SOURCE = { name: "Qwen/Qwen2.5-7B-Instruct", sourceUri: "hf://Qwen/Qwen2.5-7B-Instruct", size: "15Gi" };
const TOKEN = "hf_plaintext_token_0123456789";
const GATEWAY_REF = { group: "gateway.networking.k8s.io", kind: "Gateway", ...KAIWO_GATEWAY };
const MANAGED = { "app.kubernetes.io/managed-by": "pulumi-aim" };
const DISCOVERY_OFF = { discovery: { createServiceTemplates: false } };
const secretRef = (name: string, key: string) => ({ secretKeyRef: { name, key } });

const BASE_CONFIG: AIMClusterConfigArgs = {
    imagePullSecrets: [{ name: "ghcr-pull" }],
    caching: { storageClassName: "standard" },
    routing: { gateway: KAIWO_GATEWAY, annotations: { "example.com/tier": "gold" }, requestTimeout: "300s" },
};

/** One of each component, with every arg that maps to a field set somewhere; returns the two services. */
function fullProgram(opts: Opts, config: AIMClusterConfigArgs = BASE_CONFIG) {
    new AIMClusterConfig("default", config, opts);
    new AIMNamespaceConfig("team", { name: "default", namespace: "ml", imagePullSecrets: [{ name: "team-pull" }], routing: { annotations: { team: "ml" } } }, opts);
    new AIMClusterImage("llama", { image: LLAMA_IMAGE, defaultServiceTemplate: "base", resources: { requests: { cpu: "8" } } }, opts);
    new AIMImage("qwen", { namespace: "ml", image: QWEN_IMAGE, configName: "default" }, opts);
    new AIMClusterServiceTemplate(
        "base",
        { aimImageName: "llama", metric: "latency", precision: "fp8", gpuSelector: { count: 2, model: "MI300X" }, modelSources: [LLAMA_SOURCE] },
        opts,
    );
    new AIMServiceTemplate(
        "qwen-fast",
        {
            namespace: "ml",
            aimImageName: "qwen",
            gpuSelector: { count: 1, model: "MI325X" },
            env: [{ name: "VLLM_LOGGING_LEVEL", value: "DEBUG" }],
            imagePullSecrets: [{ name: "qwen-pull" }],
            modelSources: [QWEN_SOURCE],
            caching: { enabled: true, env: [{ name: "HF_HUB_ENABLE_HF_TRANSFER", value: "1" }] },
        },
        opts,
    );
    new AIMTemplateCache("llama-cache", { namespace: "ml", templateRef: "base", storageClassName: "fast", downloadTimeoutSeconds: 7200, hfToken: pulumi.secret(TOKEN) }, opts);
    const chat = new AIMService(
        "chat",
        {
            namespace: "ml",
            aimImageName: "llama",
            templateRef: "base",
            replicas: 2,
            env: [{ name: "VLLM_LOG", value: "1" }],
            labels: { team: "ml" },
            annotations: { "example.com/owner": "ml" },
            routing: { requestTimeout: "120s" },
            hfToken: pulumi.secret(TOKEN),
            apiKey: { enabled: true },
            awaitTimeoutSeconds: 1800,
        },
        opts,
    );
    const batch = new AIMService("batch", { namespace: "ml", image: QWEN_IMAGE, routing: { enabled: false } }, opts);
    return { chat, batch };
}

const WORKLOAD_TYPES = ["kubernetes:batch/v1:Job", "kubernetes:apps/v1:Deployment", "kubernetes:core/v1:Service", "kubernetes:core/v1:PersistentVolumeClaim"];

/** The custom resources a scenario registered, by Pulumi name. */
function customResources(resources: Registered[]): Record<string, any> {
    return Object.fromEntries(resources.filter((r) => r.inputs.apiVersion === AIM_ENGINE_API_VERSION).map((r) => [r.name, unwrapSecrets(r.inputs)]));
}

/** Pulumi name → JSON of the inputs of every child: what a preview diffs. */
function childInputs(resources: Registered[]): Map<string, string> {
    return new Map(children(resources).map((r) => [r.name, JSON.stringify(unwrapSecrets(r.inputs))]));
}

/** Names of the children whose inputs differ between two runs of a program. */
function changed(before: Registered[], after: Registered[]): string[] {
    const a = childInputs(before);
    const b = childInputs(after);
    return [...new Set([...a.keys(), ...b.keys()])].filter((name) => a.get(name) !== b.get(name)).sort();
}

describe("operator target (aim:target: operator)", () => {
    before(function () {
        this.timeout(60_000);
        loadAimEngineKinds();
    });

    it("registers each component's aim-engine custom resource, valid for its CRD, and no workload", async () => {
        const { resources, warnings } = await onOperator(() => scenario((opts) => fullProgram(opts)));
        assert.deepStrictEqual(warnings, []);
        await validateKubernetesObjects(resources);
        assert.deepStrictEqual(resources.filter((r) => WORKLOAD_TYPES.includes(r.type) || r.type.includes("HTTPRoute")), []);
        const crs = customResources(resources);
        assert.deepStrictEqual(Object.keys(crs).sort(), [
            "base-template",
            "batch-aimservice",
            "chat-aimservice",
            "default-runtimeconfig",
            "llama-cache-templatecache",
            "llama-model",
            "qwen-fast-template",
            "qwen-model",
            "team-runtimeconfig",
        ]);
        assert.strictEqual(named(resources, "chat-aimservice").parent, named(resources, "chat").urn);
        assert.deepStrictEqual(crs["default-runtimeconfig"], {
            apiVersion: AIM_ENGINE_API_VERSION,
            kind: "AIMClusterRuntimeConfig",
            metadata: { name: "default", labels: MANAGED },
            spec: {
                storage: { defaultStorageClassName: "standard" },
                routing: { enabled: true, gatewayRef: GATEWAY_REF, pathTemplate: DEFAULT_PATH_TEMPLATE, annotations: { "example.com/tier": "gold" }, requestTimeout: "300s" },
            },
        });
        // The cluster config of its name supplies the defaults, as the operator merges the two.
        assert.deepStrictEqual(crs["team-runtimeconfig"], {
            apiVersion: AIM_ENGINE_API_VERSION,
            kind: "AIMRuntimeConfig",
            metadata: { name: "default", namespace: "ml", labels: MANAGED },
            spec: { routing: { annotations: { team: "ml" } } },
        });
        assert.deepStrictEqual(crs["llama-model"].spec, {
            image: LLAMA_IMAGE,
            defaultServiceTemplate: "base",
            resources: { requests: { cpu: "8" } },
            imagePullSecrets: [{ name: "ghcr-pull" }],
            ...DISCOVERY_OFF,
        });
        assert.deepStrictEqual([crs["llama-model"].kind, crs["llama-model"].metadata], ["AIMClusterModel", { name: "llama", labels: MANAGED }]);
        assert.deepStrictEqual(crs["qwen-model"], {
            apiVersion: AIM_ENGINE_API_VERSION,
            kind: "AIMModel",
            metadata: { name: "qwen", namespace: "ml", labels: MANAGED },
            spec: { image: QWEN_IMAGE, runtimeConfigName: "default", imagePullSecrets: [{ name: "team-pull" }], ...DISCOVERY_OFF },
        });
        assert.deepStrictEqual(crs["base-template"], {
            apiVersion: AIM_ENGINE_API_VERSION,
            kind: "AIMClusterServiceTemplate",
            metadata: { name: "base", labels: MANAGED },
            spec: {
                modelName: "llama",
                metric: "latency",
                precision: "fp8",
                hardware: { gpu: { requests: 2, model: "MI300X" } },
                imagePullSecrets: [{ name: "ghcr-pull" }],
                modelSources: [{ modelId: LLAMA_SOURCE.name, sourceUri: LLAMA_SOURCE.sourceUri, size: LLAMA_SOURCE.size }],
            },
        });
        assert.deepStrictEqual(crs["qwen-fast-template"], {
            apiVersion: AIM_ENGINE_API_VERSION,
            kind: "AIMServiceTemplate",
            metadata: { name: "qwen-fast", namespace: "ml", labels: MANAGED },
            spec: {
                modelName: "qwen",
                hardware: { gpu: { requests: 1, model: "MI325X" } },
                imagePullSecrets: [{ name: "qwen-pull" }, { name: "team-pull" }],
                env: [{ name: "VLLM_LOGGING_LEVEL", value: "DEBUG" }],
                modelSources: [{ modelId: QWEN_SOURCE.name, sourceUri: QWEN_SOURCE.sourceUri, size: QWEN_SOURCE.size }],
                caching: { enabled: true, env: [{ name: "HF_HUB_ENABLE_HF_TRANSFER", value: "1" }] },
            },
        });
        assert.deepStrictEqual(crs["llama-cache-templatecache"], {
            apiVersion: AIM_ENGINE_API_VERSION,
            kind: "AIMTemplateCache",
            metadata: {
                name: "llama-cache",
                namespace: "ml",
                labels: MANAGED,
                annotations: { "pulumi.com/waitFor": "jsonpath={.status.status}=Ready", "pulumi.com/timeoutSeconds": "7200" },
            },
            spec: {
                templateName: "base",
                templateScope: "Cluster",
                mode: "Shared",
                env: [{ name: "HF_TOKEN", valueFrom: secretRef("llama-cache-hf-token", "token") }],
                imagePullSecrets: [{ name: "team-pull" }],
                storageClassName: "fast",
            },
        });
        assert.deepStrictEqual(crs["chat-aimservice"], {
            apiVersion: AIM_ENGINE_API_VERSION,
            kind: "AIMService",
            metadata: {
                name: "chat",
                namespace: "ml",
                labels: { team: "ml", ...MANAGED },
                annotations: { "example.com/owner": "ml", "pulumi.com/waitFor": "jsonpath={.status.status}=Running", "pulumi.com/timeoutSeconds": "1800" },
            },
            spec: {
                model: { name: "llama" },
                template: { name: "base" },
                replicas: 2,
                env: [
                    { name: "VLLM_LOG", value: "1" },
                    { name: "HF_TOKEN", valueFrom: secretRef("chat-hf-token", "token") },
                    { name: "VLLM_API_KEY", valueFrom: secretRef("chat-api-key", "api-key") },
                ],
                imagePullSecrets: [{ name: "team-pull" }],
                routing: { enabled: true, requestTimeout: "120s" },
            },
        });
        // Found by its container image: the image entry is named; no templateRef, so the operator selects.
        assert.deepStrictEqual(crs["batch-aimservice"].spec, {
            model: { name: "qwen" },
            replicas: 1,
            imagePullSecrets: [{ name: "team-pull" }],
            routing: { enabled: false },
        });
        // The template's pre-warming cache is the operator's to make (from caching.enabled): its component has no child.
        assert.deepStrictEqual(resources.filter((r) => r.parent === named(resources, "qwen-fast-cache").urn), []);
    });

    it("keeps the Secrets of tokens and API keys: referenced through secretKeyRef, never in a custom resource", async () => {
        const { resources } = await onOperator(() => scenario((opts) => fullProgram(opts)));
        assert.deepStrictEqual(
            resources.filter((r) => r.type === SECRET).map((r) => [r.name, r.parent === named(resources, r.name.replace(/-(hf-token|api-key)$/, "")).urn]),
            [
                ["llama-cache-hf-token", true],
                ["chat-hf-token", true],
                ["chat-api-key", true],
            ],
        );
        for (const cr of Object.values(customResources(resources))) assert.doesNotMatch(JSON.stringify(cr), new RegExp(TOKEN));
        // The service's resource waits for the Secrets its env references, and for its template's declared cache.
        const secrets = resources.filter((r) => r.type === SECRET && r.name.startsWith("chat-")).map((r) => r.urn);
        assert.deepStrictEqual(named(resources, "chat-aimservice").dependencies, [...secrets, named(resources, "llama-cache-templatecache").urn]);
    });

    it("aim:target is workloads by default; an unknown value fails the first component, as aim:servingBackend does", async () => {
        const workloads = await scenario((opts) => fullProgram(opts));
        assert.deepStrictEqual(Object.keys(customResources(workloads.resources)), []);
        const { error, resources } = await withStackConfig({ "aim:target": "operater" }, () => scenarioThrows((opts) => fullProgram(opts)));
        assert.strictEqual(error.message, 'AIMClusterConfig "default": aim:target: Pulumi config must be one of workloads, operator, not "operater"');
        assert.deepStrictEqual(resources, []);
    });

    it("fails the preview on a missing explicit config, image or template exactly as the workloads target", async () => {
        const broken: [string, Partial<AIMServiceArgs>][] = [
            ["config", { configName: "production" }],
            ["image", { aimImageName: "lama" }],
            ["template", { templateRef: "bsae" }],
        ];
        for (const [what, args] of broken) {
            const program = (opts: Opts) => {
                fullProgram(opts);
                new AIMService("broken", { namespace: "ml", aimImageName: "llama", templateRef: "base", ...args }, opts);
            };
            const workloads = await scenarioThrows(program);
            const operator = await onOperator(() => scenarioThrows(program));
            assert.strictEqual(operator.error.message, workloads.error.message, what);
            assert.match(operator.error.message, /^AIMService "broken": (configName|aimImageName|templateRef): /);
            assert.ok(!operator.resources.some((r) => r.name.startsWith("broken")), `${what}: the broken service registered something`);
        }
    });

    it("has the outputs of the workloads target; a service's names and endpoint are those aim-engine gives its InferenceService", async () => {
        const outputs = async (run: { chat: AIMService; batch: AIMService }) => ({
            chat: await valueOf(pulumi.all([run.chat.resolvedConfig, run.chat.resolvedImage, run.chat.resolvedTemplate, run.chat.routePath, run.chat.routeGateway])),
            batch: await valueOf(pulumi.all([run.batch.resolvedConfig, run.batch.resolvedImage, run.batch.resolvedTemplate, run.batch.routePath, run.batch.routeGateway])),
        });
        const workloads = await outputs((await scenario((opts) => fullProgram(opts))).result);
        const { result } = await onOperator(() => scenario((opts) => fullProgram(opts)));
        const operator = await outputs(result);
        assert.deepStrictEqual(operator.chat, workloads.chat);
        // The batch service names no template: the package's selection is a prediction of the operator's.
        const [workloadsTemplate, operatorTemplate] = [workloads.batch[2], operator.batch[2]];
        assert.deepStrictEqual(operatorTemplate, { ...workloadsTemplate, predicted: true });
        assert.deepStrictEqual(operator.batch.filter((_, i) => i !== 2), workloads.batch.filter((_, i) => i !== 2));
        assert.strictEqual(operator.chat[3], "/ml/chat");
        // aim-engine's GenerateInferenceServiceName: the name, then 8 hex of SHA-256 of the namespace's JSON ("\"ml\"").
        assert.deepStrictEqual(
            await valueOf(pulumi.all([result.chat.inferenceServiceName, result.chat.deploymentName, result.chat.serviceName, result.chat.endpoint])),
            ["chat-e8fd49dd", "chat-e8fd49dd-predictor", "chat-e8fd49dd-predictor", "http://chat-e8fd49dd-predictor.ml.svc.cluster.local"],
        );
    });

    it("blast radius: a config change touches the config's resource; pull secrets and the route decision reach its dependents'", async () => {
        const program = (config: AIMClusterConfigArgs) => (opts: Opts) => {
            new AIMClusterConfig("default", config, opts);
            new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
            new AIMClusterServiceTemplate("base", { aimImageName: "llama", gpuSelector: { count: 2, model: "MI300X" }, modelSources: [LLAMA_SOURCE] }, opts);
            new AIMTemplateCache("llama-cache", { namespace: "ml", templateRef: "base" }, opts);
            new AIMService("chat", { namespace: "ml", aimImageName: "llama", templateRef: "base", apiKey: { enabled: false } }, opts);
        };
        const run = (config: AIMClusterConfigArgs) => onOperator(async () => (await scenario(program(config))).resources);
        const baseline = await run(BASE_CONFIG);
        const variants: [string, AIMClusterConfigArgs, string[]][] = [
            ["storage class", { ...BASE_CONFIG, caching: { storageClassName: "fast" } }, ["default-runtimeconfig"]],
            ["gateway", { ...BASE_CONFIG, routing: { ...BASE_CONFIG.routing, gateway: { name: "public" } } }, ["default-runtimeconfig"]],
            ["path template", { ...BASE_CONFIG, routing: { ...BASE_CONFIG.routing, pathTemplate: "/llm/{.metadata.name}" } }, ["default-runtimeconfig"]],
            ["route annotations and timeout", { ...BASE_CONFIG, routing: { gateway: KAIWO_GATEWAY } }, ["default-runtimeconfig"]],
            ["pull secrets", { ...BASE_CONFIG, imagePullSecrets: [{ name: "quay-pull" }] }, ["base-template", "chat-aimservice", "llama-cache-templatecache", "llama-model"]],
            ["autoCreateRoute", { ...BASE_CONFIG, routing: { ...BASE_CONFIG.routing, autoCreateRoute: false } }, ["chat-aimservice", "default-runtimeconfig"]],
        ];
        for (const [what, config, expected] of variants) assert.deepStrictEqual(changed(baseline, await run(config)), expected, what);
        // What the pull-secret change writes into a dependent, and what the route decision does.
        const pullSecrets = customResources(await run(variants[4][1]))["chat-aimservice"].spec.imagePullSecrets;
        assert.deepStrictEqual(pullSecrets, [{ name: "quay-pull" }]);
        assert.deepStrictEqual(customResources(await run(variants[5][1]))["chat-aimservice"].spec.routing, { enabled: false });
    });

    it("switching a stack between targets keeps the components and the Secrets, and replaces every other child", async () => {
        const workloads = (await scenario((opts) => fullProgram(opts))).resources;
        const operator = (await onOperator(() => scenario((opts) => fullProgram(opts)))).resources;
        const urns = (rs: Registered[]) => new Set(rs.map((r) => r.urn));
        const components = (rs: Registered[]) => rs.filter((r) => r.type.startsWith("aim:index:")).map((r) => r.urn);
        assert.deepStrictEqual(components(operator), components(workloads));
        const kept = children(operator).filter((r) => urns(workloads).has(r.urn)).map((r) => `${r.type} ${r.name}`);
        // The cache's token is not kept: on workloads it is the shared Secret of each model source's download, on the
        // operator target the cache's own Secret, which its resource references.
        assert.deepStrictEqual(kept, [
            "random:index/randomPassword:RandomPassword chat-api-key",
            "kubernetes:core/v1:Secret chat-hf-token",
            "kubernetes:core/v1:Secret chat-api-key",
        ]);
    });

    it("leaves derived templates and implicit caches to the operator: overrides and cacheModel go into the AIMService", async () => {
        const { resources, result } = await onOperator(() =>
            scenario((opts) => {
                new AIMClusterConfig("default", { routing: { gateway: KAIWO_GATEWAY } }, opts);
                new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
                new AIMClusterServiceTemplate("base", { aimImageName: "llama", gpuSelector: { count: 2, model: "MI300X" }, modelSources: [LLAMA_SOURCE] }, opts);
                return new AIMService(
                    "chat",
                    {
                        namespace: "ml",
                        aimImageName: "llama",
                        templateRef: "base",
                        cacheModel: true,
                        overrides: { precision: "fp8", gpuSelector: { count: 4, model: "MI325X" } },
                        apiKey: { enabled: false },
                        skipAwait: true,
                    },
                    opts,
                );
            }),
        );
        const crs = customResources(resources);
        assert.deepStrictEqual(Object.keys(crs).sort(), ["base-template", "chat-aimservice", "default-runtimeconfig", "llama-model"]);
        assert.deepStrictEqual(crs["chat-aimservice"].spec, {
            model: { name: "llama" },
            template: { name: "base" },
            replicas: 1,
            overrides: { precision: "fp8", hardware: { gpu: { requests: 4, model: "MI325X" } } },
            routing: { enabled: true },
        });
        assert.deepStrictEqual(crs["chat-aimservice"].metadata.annotations, { "pulumi.com/skipAwait": "true" });
        // The package still plans them (and checks them as on the workloads target): components that render nothing.
        const planned = resources.filter((r) => r.type === "aim:index:AIMServiceTemplate" || r.type === "aim:index:AIMTemplateCache");
        assert.deepStrictEqual(planned.map((r) => children(resources).filter((c) => c.parent === r.urn).length), [0, 0]);
        const template = await valueOf(result.resolvedTemplate);
        assert.deepStrictEqual([template.name.startsWith("base-ovr-"), template.predicted], [true, true]);
        await validateKubernetesObjects(resources);
    });

    it("models let the operator create no template the program did not declare, unless aim:operatorCreatesTemplates is true", async () => {
        const program = (opts: Opts) => new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
        const declared = customResources((await onOperator(() => scenario(program))).resources);
        assert.deepStrictEqual(declared["llama-model"].spec, { image: LLAMA_IMAGE, ...DISCOVERY_OFF });
        const discovered = customResources((await onOperator(() => scenario(program), { "aim:operatorCreatesTemplates": "true" })).resources);
        assert.deepStrictEqual(discovered["llama-model"].spec, { image: LLAMA_IMAGE });
        const { error } = await onOperator(() => scenarioThrows(program), { "aim:operatorCreatesTemplates": "yes" });
        assert.strictEqual(error.message, 'AIMClusterImage "llama": aim:operatorCreatesTemplates: Pulumi config must be "true" or "false", not "yes"');
    });

    it("a namespace config with no cluster config of its name states the defaults; one declared later is an error", async () => {
        const alone = (opts: Opts) => new AIMNamespaceConfig("team", { name: "default", namespace: "ml", routing: { gateway: KAIWO_GATEWAY } }, opts);
        const crs = customResources((await onOperator(() => scenario(alone))).resources);
        assert.deepStrictEqual(crs["team-runtimeconfig"].spec, { routing: { enabled: true, gatewayRef: GATEWAY_REF, pathTemplate: DEFAULT_PATH_TEMPLATE } });
        const late = (opts: Opts) => {
            alone(opts);
            new AIMClusterConfig("default", {}, opts);
        };
        const { error } = await onOperator(() => scenarioThrows(late));
        assert.strictEqual(
            error.message,
            'AIMClusterConfig "default": name: declared after AIMNamespaceConfig "default" (Pulumi resource "team"), which already resolved without it; declare configs before their dependents',
        );
        // On the workloads target the order of the two configs does not matter.
        await scenario(late);
    });

    it("a service without a config states the package's route path; a service's own routing fields are its own", async () => {
        const { resources } = await onOperator(() =>
            scenario((opts) => {
                new AIMClusterImage("llama", { image: LLAMA_IMAGE, defaultServiceTemplate: "base" }, opts);
                new AIMClusterServiceTemplate("base", { aimImageName: "llama", gpuSelector: { count: 2, model: "MI300X" }, modelSources: [LLAMA_SOURCE] }, opts);
                new AIMService("chat", { namespace: "ml", aimImageName: "llama", routing: { enabled: true, gateway: { name: "edge" }, annotations: { a: "b" } }, apiKey: { enabled: false } }, opts);
            }),
        );
        assert.deepStrictEqual(customResources(resources)["chat-aimservice"].spec, {
            model: { name: "llama" },
            replicas: 1,
            routing: { enabled: true, gatewayRef: { name: "edge", group: "gateway.networking.k8s.io", kind: "Gateway" }, pathTemplate: DEFAULT_PATH_TEMPLATE, annotations: { a: "b" } },
        });
    });

    it("warns about, or refuses, what aim-engine cannot express", async () => {
        const cluster = (opts: Opts, template: object = {}) => {
            new AIMClusterConfig("default", {}, opts);
            new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
            new AIMClusterServiceTemplate("base", { aimImageName: "llama", gpuSelector: { count: 2, model: "MI300X" }, modelSources: [LLAMA_SOURCE], ...template }, opts);
        };
        const service = (args: Partial<AIMServiceArgs>) => (opts: Opts) => {
            cluster(opts);
            new AIMService("chat", { namespace: "ml", aimImageName: "llama", templateRef: "base", ...args }, opts);
        };
        const warned = await onOperator(() => scenario((opts) => cluster(opts, { servingBackend: "deployment" })));
        assert.deepStrictEqual(warned.warnings, [
            'servingBackend "deployment" cannot be expressed on the operator target: the operator serves every template\'s services through KServe',
        ]);
        const uncached = await onOperator(() => scenario(service({ cacheModel: false, scratch: { size: "50Gi" } })));
        assert.deepStrictEqual(uncached.warnings, [
            "cacheModel: false cannot be expressed on the operator target: aim-engine caches every service's model (in a shared template cache)",
            "scratch cannot be expressed on the operator target: the model lands in the operator's template cache, not a scratch volume",
        ]);
        // The default is no request: no warning.
        assert.deepStrictEqual((await onOperator(() => scenario(service({})))).warnings, []);

        const refused: [string, (opts: Opts) => void, string][] = [
            [
                "a model source name that is no modelId",
                (opts) => cluster(opts, { modelSources: [{ ...LLAMA_SOURCE, name: "llama" }] }),
                'AIMClusterServiceTemplate "base": modelSources[0].name: must be <organisation>/<model> (^[a-zA-Z0-9_-]+\\/[a-zA-Z0-9._-]+$) on the operator target: it is aim-engine\'s modelId',
            ],
            [
                "a GPU model over aim-engine's 64 characters",
                service({ overrides: { gpuSelector: { count: 1, model: `MI300X-${"x".repeat(60)}` } } }),
                'AIMService "chat": overrides.gpuSelector.model: must be at most 64 characters on the operator target (aim-engine\'s hardware.gpu.model)',
            ],
            [
                "a namespace too long for aim-engine's InferenceService name",
                service({ namespace: "n".repeat(43) }),
                'AIMService "chat": namespace: must be at most 42 characters on the operator target: aim-engine names the InferenceService to fit KServe\'s host <isvc>-predictor-<namespace> (63 characters) and refuses a longer namespace',
            ],
            [
                "a route path template that reads the args' spec",
                service({ routing: { enabled: true, gateway: KAIWO_GATEWAY, pathTemplate: "/{.spec.aimImageName}/{.metadata.name}" } }),
                'AIMService "chat": routing.pathTemplate: "/{.spec.aimImageName}/{.metadata.name}" reads the AIMService\'s spec, which the operator renders against its own AIMService (model.name, template.name, …), not these args: use {.metadata.*} placeholders on the operator target',
            ],
            [
                "a config's path template that reads the spec",
                (opts) => new AIMClusterConfig("default", { routing: { pathTemplate: "/{.spec.templateRef}" } }, opts),
                'AIMClusterConfig "default": routing.pathTemplate: "/{.spec.templateRef}" reads the AIMService\'s spec, which the operator renders against its own AIMService (model.name, template.name, …), not these args: use {.metadata.*} placeholders on the operator target',
            ],
        ];
        for (const [what, program, message] of refused) {
            const { error } = await onOperator(() => scenarioThrows(program));
            assert.strictEqual(error.message, message, what);
            await scenario(program); // the workloads target takes it
        }
    });

    it("pulumi up waits for the statuses aim-engine's CRDs define, and replaces a resource whose immutable fields change", async () => {
        const kinds = loadAimEngineKinds();
        const statuses = (kind: string) => kinds.get(`aim.eai.amd.com/${kind}`)!.schema.properties.status.properties.status.enum;
        assert.ok(statuses("AIMService").includes("Running"));
        assert.ok(statuses("AIMTemplateCache").includes("Ready"));
        // Every transition rule on a spec field of a kind the package renders is answered by replaceOnChanges.
        for (const kind of ["AIMClusterRuntimeConfig", "AIMRuntimeConfig", "AIMClusterModel", "AIMModel", "AIMClusterServiceTemplate", "AIMServiceTemplate", "AIMTemplateCache", "AIMService"]) {
            const immutable = celRulesOf(kinds.get(`aim.eai.amd.com/${kind}`)!.schema)
                .filter((r) => r.rule.includes("oldSelf") && r.path.startsWith(".spec"))
                .map((r) => r.path.slice(1));
            const declared: readonly string[] = IMMUTABLE_FIELDS[kind as keyof typeof IMMUTABLE_FIELDS] ?? [];
            assert.deepStrictEqual(immutable.filter((p) => !declared.some((d) => p === d || p.startsWith(`${d}.`))), [], kind);
            assert.deepStrictEqual(declared.filter((d) => !immutable.some((p) => p === d || p.startsWith(`${d}.`))), [], kind);
        }
        const { resources } = await onOperator(() => scenario((opts) => fullProgram(opts)));
        assert.deepStrictEqual(named(resources, "base-template").replaceOnChanges, [...IMMUTABLE_FIELDS.AIMClusterServiceTemplate]);
        assert.deepStrictEqual(named(resources, "qwen-fast-template").replaceOnChanges, [...IMMUTABLE_FIELDS.AIMServiceTemplate]);
        assert.deepStrictEqual(named(resources, "chat-aimservice").replaceOnChanges, [...IMMUTABLE_FIELDS.AIMService]);
    });

    it("the base-image pre-pull stays the package's DaemonSet, in the system namespace (the operator's, with aim:createSystemNamespace false)", async () => {
        const { resources } = await onOperator(
            () =>
                scenario((opts) => {
                    new AIMClusterConfig("default", { imagePullSecrets: [{ name: "ghcr-pull" }], caching: { cacheAimImageBase: true } }, opts);
                    new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
                }),
            { "aim:createSystemNamespace": "false" },
        );
        assert.deepStrictEqual(
            children(resources).map((r) => [r.type, r.inputs.metadata.namespace, r.parent === named(resources, "default").urn]).sort(),
            [
                ["kubernetes:aim.eai.amd.com/v1alpha1:AIMClusterModel", undefined, false],
                ["kubernetes:aim.eai.amd.com/v1alpha1:AIMClusterRuntimeConfig", undefined, true],
                ["kubernetes:apps/v1:DaemonSet", "aim-system", false],
            ],
        );
    });
});

describe("aim-engine CRD validator (v0.2.2)", () => {
    before(function () {
        this.timeout(60_000);
        loadAimEngineKinds();
    });

    const service = (spec: object) => ({ apiVersion: AIM_ENGINE_API_VERSION, kind: "AIMService", metadata: { name: "chat", namespace: "ml" }, spec });
    const template = (spec: object) => ({ apiVersion: AIM_ENGINE_API_VERSION, kind: "AIMClusterServiceTemplate", metadata: { name: "base" }, spec: { modelName: "llama", ...spec } });
    const model = (spec: object) => ({ apiVersion: AIM_ENGINE_API_VERSION, kind: "AIMClusterModel", metadata: { name: "llama" }, spec: { image: LLAMA_IMAGE, ...spec } });

    it("knows every CEL rule of the CRDs: an equivalent for each, the transition rule left to replaceOnChanges", () => {
        const rules = new Set([...loadAimEngineKinds().values()].flatMap((kind) => celRulesOf(kind.schema).map((r) => r.rule)));
        assert.deepStrictEqual([...rules].sort(), Object.keys(CEL_RULES).sort());
        assert.deepStrictEqual(Object.entries(CEL_RULES).filter(([, check]) => check === "transition").map(([rule]) => rule), ["self == oldSelf"]);
    });

    it("rejects what each CEL rule rejects, where the object has the rule's field", () => {
        const gpu = { gpu: { requests: 1, model: "MI300X" } };
        assert.deepStrictEqual(aimEngineProblems(service({ model: { name: "llama" } })), []);
        assert.deepStrictEqual(aimEngineProblems(service({ model: { name: "llama", image: LLAMA_IMAGE } })), ["/spec/model: exactly one of name, image, or custom must be specified"]);
        assert.deepStrictEqual(aimEngineProblems(service({ model: {} })), ["/spec/model: exactly one of name, image, or custom must be specified"]);
        // The schema's minItems and the rule say the same here.
        assert.deepStrictEqual(aimEngineProblems(service({ model: { custom: { baseImage: LLAMA_IMAGE, hardware: gpu, modelSources: [] } } })), [
            "/spec/model/custom/modelSources: must NOT have fewer than 1 items",
            "/spec/model/custom: at least one model source must be specified",
        ]);
        assert.deepStrictEqual(aimEngineProblems(service({ model: { name: "llama" }, overrides: { hardware: {} } })), [
            "/spec/overrides/hardware: at least one of gpu or cpu must be specified",
        ]);
        assert.deepStrictEqual(aimEngineProblems(template({ hardware: { gpu: { model: "MI300X", minVram: "64Gi" } } })), [
            "/spec/hardware/gpu: model and minVram are mutually exclusive; specify either a specific GPU model OR a minimum VRAM requirement, not both",
        ]);
        assert.deepStrictEqual(aimEngineProblems(template({ customProfile: { envVars: {} }, aimId: "llama" })), [
            "/spec: when customProfile is set, aimId, modelId, hardware, metric, and precision are required",
        ]);
        const sources = [{ modelId: LLAMA_SOURCE.name, sourceUri: LLAMA_SOURCE.sourceUri }];
        assert.deepStrictEqual(aimEngineProblems(model({ modelSources: sources, customTemplates: [{ name: "t" }] })), [
            "/spec: when using modelSources, hardware must be specified: set custom.hardware (inherited by all templates) or set hardware on each template individually",
        ]);
        assert.deepStrictEqual(aimEngineProblems(model({ modelSources: sources, customTemplates: [{ name: "t", hardware: gpu }] })), []);
        assert.deepStrictEqual(aimEngineProblems(model({ customTemplates: [{ name: "t", customProfile: {}, hardware: gpu }] })), [
            "/spec/customTemplates/0: when customProfile is set, aimId, modelId, hardware, profile.metric, and profile.precision are required",
        ]);
    });

    it("checks the schema as for KServe's CRDs: unknown fields, types, enums and patterns, scope", () => {
        assert.deepStrictEqual(aimEngineProblems(service({ model: { name: "llama" }, replicas: "2", routing: { enabeld: true } })), [
            "/spec/replicas: must be integer",
            '/spec/routing: unknown field "enabeld"',
        ]);
        // The CRD states the metric enum twice (on the field and on its type): both report.
        assert.deepStrictEqual(aimEngineProblems(template({ metric: "fastest", modelSources: [{ modelId: "llama", sourceUri: "hf://x" }] })), [
            "/spec/metric: must be equal to one of the allowed values",
            "/spec/metric: must be equal to one of the allowed values",
            '/spec/modelSources/0/modelId: must match pattern "^[a-zA-Z0-9_-]+/[a-zA-Z0-9._-]+$"',
        ]);
        assert.deepStrictEqual(aimEngineProblems({ ...model({}), metadata: { name: "llama", namespace: "ml" } }), ["/metadata/namespace: must be absent: the kind is cluster-scoped"]);
    });
});
