// kaiwo's end-to-end tests of a service's basic creation, configuration and routing (kaiwo fa8a3e90,
// test/chainsaw/tests/aim/service/{basic,configuration,routing,runtime-config}, templates/template-cache),
// re-expressed with the package's components. Upstream's AIMClusterModel / AIMModel are our AIMClusterImage /
// AIMImage (`model.ref` = `aimImageName`), its runtime configs our configs (`runtimeConfigName` = `configName`),
// `routing.gatewayRef` our `routing.gateway`; its statuses and conditions are here a preview error or an output,
// its InferenceService our KServe backend (Pulumi config `aim:servingBackend: kserve`), and an owner reference our
// Pulumi parent.

import * as assert from "assert";
import { AIMClusterImage, AIMClusterServiceTemplate, AIMImage, AIMNamespaceConfig, AIMService, AIMServiceArgs, AIMServiceTemplate } from "../../index";
import { ISVC, JOB, ofType, Opts, PVC, ROUTE, scenario, scenarioThrows, single, TEMPLATE_CACHE, valueOf, withStackConfig } from "../harness";
import { validateKubernetesObjects } from "../k8sSchemas";

const NAMESPACE = "aim-e2e";
const kserve = <T>(body: () => Promise<T>) => withStackConfig({ "aim:servingBackend": "kserve" }, body);

/** kaiwo service/_shared: the cluster model `default-testing-llama-3-8b` (with its resources) and its default template. */
function sharedDefaults(opts: Opts) {
    new AIMClusterImage(
        "default-testing-llama-3-8b",
        {
            image: "ghcr.io/silogen/aim-dummy:0.1.1",
            defaultServiceTemplate: "default-testing-llama-3-8b",
            resources: { limits: { memory: "2Gi" }, requests: { cpu: "100m", memory: "1Gi" } },
        },
        opts,
    );
    const template = { aimImageName: "default-testing-llama-3-8b", gpuSelector: { count: 1, model: "MI300X" } };
    new AIMClusterServiceTemplate("default-testing-llama-3-8b", template, opts);
}

/** The shared defaults and `test-service` on them, with the KServe backend. */
function serviceOnDefaults(args: Partial<AIMServiceArgs>) {
    return kserve(() =>
        scenario((opts) => {
            sharedDefaults(opts);
            return new AIMService("test-service", { namespace: NAMESPACE, aimImageName: "default-testing-llama-3-8b", ...args }, opts);
        }),
    );
}

describe("kaiwo service/basic/creation/basic-creation", () => {
    // Upstream: a service with labels and annotations on the shared model: Resolved, then an InferenceService
    // `test-service` owned by the AIMService and carrying the service's labels and annotations; then Starting and
    // Running. Ours: the InferenceService is a child of the service component, with its labels and annotations.
    it("renders the InferenceService under the service, with the service's labels and annotations", async () => {
        const labels = { "app.kubernetes.io/part-of": "aim", "example.com/owner": "qa" };
        const annotations = { "example.com/note": "propagate to ISVC", "example.com/release": "canary" };
        const { result, resources } = await serviceOnDefaults({ labels, annotations });
        await validateKubernetesObjects(resources);
        const component = resources.find((r) => r.type === "aim:index:AIMService")!;
        const isvc = single(resources, ISVC);
        assert.strictEqual(isvc.parent, component.urn);
        assert.strictEqual(isvc.inputs.metadata.name, "test-service");
        assert.strictEqual(isvc.inputs.metadata.namespace, NAMESPACE);
        for (const [key, value] of Object.entries(labels)) assert.strictEqual(isvc.inputs.metadata.labels[key], value);
        for (const [key, value] of Object.entries(annotations)) assert.strictEqual(isvc.inputs.metadata.annotations[key], value);
        assert.strictEqual(await valueOf(result.inferenceServiceName), "test-service");
    });
});

describe("kaiwo service/configuration/env-vars", () => {
    // Upstream: a service with env HF_TOKEN and CUSTOM_VAR: the InferenceService's predictor.model.env has both.
    it("passes the service's env to the InferenceService's model container", async () => {
        const { resources } = await serviceOnDefaults({
            replicas: 1,
            env: [
                { name: "HF_TOKEN", value: "test-token-123" },
                { name: "CUSTOM_VAR", value: "custom-value" },
            ],
        });
        await validateKubernetesObjects(resources);
        const env: { name: string }[] = single(resources, ISVC).inputs.spec.predictor.model.env;
        assert.deepStrictEqual(
            env.filter((e) => e.name === "HF_TOKEN" || e.name === "CUSTOM_VAR"),
            [
                { name: "HF_TOKEN", value: "test-token-123" },
                { name: "CUSTOM_VAR", value: "custom-value" },
            ],
        );
    });
});

describe("kaiwo service/configuration/replicas-override", () => {
    // Upstream: replicas 3: the InferenceService's predictor.minReplicas is 3.
    it("sets the predictor's replica bounds to the service's replicas", async () => {
        const { resources } = await serviceOnDefaults({ replicas: 3 });
        await validateKubernetesObjects(resources);
        const predictor = single(resources, ISVC).inputs.spec.predictor;
        assert.deepStrictEqual([predictor.minReplicas, predictor.maxReplicas], [3, 3]);
    });
});

describe("kaiwo service/routing/disabled", () => {
    // Upstream: routing.enabled false: the service resolves, the InferenceService exists, no HTTPRoute.
    it("renders the InferenceService and no route", async () => {
        const { result, resources } = await serviceOnDefaults({ replicas: 1, routing: { enabled: false } });
        await validateKubernetesObjects(resources);
        assert.strictEqual(single(resources, ISVC).inputs.metadata.name, "test-service");
        assert.deepStrictEqual(ofType(resources, ROUTE), []);
        assert.deepStrictEqual([await valueOf(result.routePath), await valueOf(result.routeGateway)], [undefined, undefined]);
    });
});

describe("kaiwo service/routing/enabled-with-annotations", () => {
    // Upstream: routing enabled with a gatewayRef and annotations: status.routing.path set, and an HTTPRoute
    // `test-service` with the annotations. Ours: routePath / routeGateway outputs and the route's annotations.
    it("renders the route with the service's annotations and reports its path", async () => {
        const annotations = { "auth.example.com/groups": "admin,developer", "custom.example.com/policy": "strict" };
        const { result, resources } = await serviceOnDefaults({
            replicas: 1,
            routing: { enabled: true, gateway: { name: "kserve-ingress-gateway", namespace: "kgateway-system" }, annotations },
        });
        await validateKubernetesObjects(resources);
        const route = single(resources, ROUTE).inputs;
        assert.strictEqual(route.metadata.name, "test-service");
        assert.deepStrictEqual(route.metadata.annotations, annotations);
        assert.strictEqual(await valueOf(result.routePath), "/aim-e2e/test-service");
        assert.deepStrictEqual(await valueOf(result.routeGateway), {
            group: "gateway.networking.k8s.io",
            kind: "Gateway",
            name: "kserve-ingress-gateway",
            namespace: "kgateway-system",
        });
    });
});

describe("kaiwo service/routing/gateway-not-exists", () => {
    // Upstream: a gatewayRef to a Gateway that does not exist: the HTTPRoute is created anyway, with that parentRef
    // (the Gateway API reports the missing parent). Ours: the same; nothing checks the Gateway at preview.
    it("renders the route with the given parentRef", async () => {
        const { resources } = await serviceOnDefaults({
            routing: { enabled: true, gateway: { name: "non-existent-gateway", namespace: "non-existent-namespace" } },
        });
        await validateKubernetesObjects(resources);
        const route = single(resources, ROUTE).inputs;
        assert.strictEqual(route.metadata.name, "test-service");
        assert.deepStrictEqual(route.spec.parentRefs, [
            { group: "gateway.networking.k8s.io", kind: "Gateway", name: "non-existent-gateway", namespace: "non-existent-namespace" },
        ]);
    });
});

describe("kaiwo service/routing/without-gateway-ref", () => {
    // Upstream: routing enabled with no gatewayRef (and no runtime config giving one): RoutingReady=False
    // RouteFailed, no HTTPRoute, while the InferenceService is still created. Ours: the preview fails on the service.
    it("fails the service", async () => {
        const { error, resources } = await kserve(() =>
            scenarioThrows((opts) => {
                sharedDefaults(opts);
                new AIMService("test-service", { namespace: NAMESPACE, aimImageName: "default-testing-llama-3-8b", routing: { enabled: true } }, opts);
            }),
        );
        await validateKubernetesObjects(resources);
        assert.strictEqual(
            error.message,
            'AIMService "test-service": routing.gateway: routing is enabled but no gateway is set on the service, and no config "default" exists to supply one',
        );
        assert.deepStrictEqual([...ofType(resources, ROUTE), ...ofType(resources, ISVC)], []);
    });
});

describe("kaiwo service/runtime-config/not-found", () => {
    // Upstream: runtimeConfigName naming no runtime config: the service is Degraded, Failure=True
    // RuntimeConfigMissing. Ours: the preview fails on the service, naming the config.
    it("fails the service on the missing config", async () => {
        const { error, resources } = await scenarioThrows((opts) => {
            sharedDefaults(opts);
            new AIMService("test-service", { namespace: NAMESPACE, aimImageName: "default-testing-llama-3-8b", configName: "non-existent-config" }, opts);
        });
        assert.strictEqual(
            error.message,
            'AIMService "test-service": configName: failed to get AIMClusterConfig "non-existent-config": not found (declare the ' +
                'AIMClusterConfig or AIMNamespaceConfig in namespace "aim-e2e" before its dependents, for the same Kubernetes provider)',
        );
        assert.deepStrictEqual(
            resources.filter((r) => r.type === "aim:index:AIMService"),
            [],
        );
    });

    // Upstream's description says a missing runtime config "is handled gracefully (uses defaults)": true only of the
    // config used by default (aim-engine internal/aimruntimeconfig/observe.go, DefaultConfigNotFound). Ours: without
    // configName and no config "default", the service resolves with defaults and the preview warns.
    it("proceeds with defaults and warns when no configName is given and no default config exists", async () => {
        const { result, warnings } = await serviceOnDefaults({});
        const config = await valueOf(result.resolvedConfig);
        assert.deepStrictEqual([config.name, config.source, config.imagePullSecrets], ["default", "none", []]);
        const expected = 'DefaultConfigNotFound: AIMClusterConfig "default" not found, proceeding with defaults';
        assert.ok(warnings.some((w) => w.includes(expected)), warnings.join("\n"));
    });
});

describe("kaiwo templates/template-cache", () => {
    // Upstream: a runtime config `default` (defaultStorageClassName rwx-nfs), a model with its default template
    // (latency, caching.enabled) and a service `smollm-chat` (label team: red) with cacheModel and a path template:
    // an AIMTemplateCache `aimdummy-template` owned by the template (templateRef aimdummy-template) becomes
    // Available and the model is mounted at /workspace/model-cache/HuggingFaceTB/SmolLM2-135M in kserve-container.
    // Upstream's template gets its model sources from discovery; ours states them (SmolLM2-135M, as discovered),
    // since caching needs them at preview.
    it("creates the template's cache under the template and mounts its model into the inference container", async () => {
        const { result, resources } = await kserve(() =>
            scenario((opts) => {
                new AIMNamespaceConfig("default", { namespace: NAMESPACE, caching: { storageClassName: "rwx-nfs" } }, opts);
                new AIMImage(
                    "aimdummy-model",
                    {
                        namespace: NAMESPACE,
                        image: "ghcr.io/silogen/aim-dummy:0.1.3",
                        defaultServiceTemplate: "aimdummy-template",
                        resources: { limits: { cpu: "2", memory: "512M" }, requests: { cpu: "100m", memory: "128M" } },
                    },
                    opts,
                );
                const template = new AIMServiceTemplate(
                    "aimdummy-template",
                    {
                        namespace: NAMESPACE,
                        aimImageName: "aimdummy-model",
                        metric: "latency",
                        caching: { enabled: true },
                        modelSources: [{ name: "HuggingFaceTB/SmolLM2-135M", sourceUri: "hf://HuggingFaceTB/SmolLM2-135M", size: "512Mi" }],
                    },
                    opts,
                );
                const service = new AIMService(
                    "smollm-chat",
                    {
                        namespace: NAMESPACE,
                        aimImageName: "aimdummy-model",
                        templateRef: "aimdummy-template",
                        labels: { team: "red" },
                        cacheModel: true,
                        replicas: 1,
                        routing: {
                            enabled: true,
                            gateway: { name: "inference-gateway", namespace: "gateways" },
                            pathTemplate: "/{.metadata.namespace}/{.metadata.labels['team']}/chat",
                        },
                    },
                    opts,
                );
                return { template, service };
            }),
        );
        await validateKubernetesObjects(resources);
        const templateUrn = resources.find((r) => r.type === "aim:index:AIMServiceTemplate")!.urn;
        const cache = single(resources, TEMPLATE_CACHE);
        assert.strictEqual(cache.parent, templateUrn);
        assert.deepStrictEqual([cache.inputs.name, cache.inputs.templateRef], ["aimdummy-template", "aimdummy-template"]);
        const pvc = single(resources, PVC).inputs;
        // 512Mi plus 10 %, rounded up to whole Gi, on the default config's storage class.
        assert.deepStrictEqual(
            [pvc.metadata.name, pvc.spec.storageClassName, pvc.spec.resources.requests.storage],
            ["huggingfacetb-smollm2-135m-cache", "rwx-nfs", "1Gi"],
        );
        assert.strictEqual(single(resources, JOB).inputs.metadata.name, "huggingfacetb-smollm2-135m-cache-download");
        const isvc = single(resources, ISVC).inputs;
        assert.strictEqual(isvc.metadata.name, "smollm-chat");
        assert.deepStrictEqual(isvc.spec.predictor.model.volumeMounts, [
            { name: "huggingfacetb-smollm2-135m-cache", mountPath: "/workspace/model-cache/HuggingFaceTB/SmolLM2-135M" },
        ]);
        assert.deepStrictEqual(isvc.spec.predictor.volumes, [
            { name: "huggingfacetb-smollm2-135m-cache", persistentVolumeClaim: { claimName: "huggingfacetb-smollm2-135m-cache" } },
        ]);
        assert.strictEqual(await valueOf(result.service.routePath), "/aim-e2e/red/chat");
    });
});
