// aim-engine's end-to-end tests of a model's, a template's and a service's lifecycle (aim-engine 9223504,
// tests/e2e/aimmodel, aimservice/common, aimservice/frozen, aimservicetemplate), re-expressed with the package's
// components. Upstream's AIMModel / AIMClusterModel are our AIMImage / AIMClusterImage (`modelName`, `model.name` =
// `aimImageName`), its runtime configs our configs (`runtimeConfigName` = `configName`), `hardware.gpu` our
// `gpuSelector`, `template.name` our `templateRef`, its `caching.mode: Shared` our `cacheModel`. Upstream's statuses
// (`Ready`, `Failed`, condition reasons) are here a preview error or an output (`resolvedImage`, `resolvedTemplate`,
// `discoveryJobName`); its InferenceService is our KServe backend. The "frozen" tests apply objects with a
// hand-written `status: Ready` and paused reconciliation; here a declared object is usable as declared.

import * as assert from "assert";
import { AIMClusterConfig, AIMClusterImage, AIMClusterServiceTemplate, AIMImage, AIMService, AIMServiceArgs, AIMServiceTemplate } from "../../index";
import { ISVC, JOB, ofType, Opts, Registered, scenario, scenarioThrows, single, TEMPLATE, TEMPLATE_CACHE, valueOf, withStackConfig } from "../harness";
import { validateKubernetesObjects } from "../k8sSchemas";

const NAMESPACE = "aim-e2e";
const MI300X = { count: 1, model: "MI300X" };
const kserve = <T>(body: () => Promise<T>) => withStackConfig({ "aim:servingBackend": "kserve" }, body);

/** The frozen tests' namespace model `test-model` and, unless left out, its template `test-template` (no metric or precision). */
function frozenModel(opts: Opts, withTemplate = true) {
    new AIMImage("test-model", { namespace: NAMESPACE, image: "ghcr.io/example/model:v1" }, opts);
    if (withTemplate) new AIMServiceTemplate("test-template", { namespace: NAMESPACE, aimImageName: "test-model", gpuSelector: MI300X }, opts);
}

function service(opts: Opts, name: string, args: Partial<AIMServiceArgs>) {
    return new AIMService(name, { namespace: NAMESPACE, replicas: 1, ...args }, opts);
}

/** Env of a rendered container as name → value (valueFrom entries as their secret key reference). */
function envOf(container: { env: { name: string; value?: string }[] }): Record<string, string | undefined> {
    return Object.fromEntries(container.env.map((e) => [e.name, e.value]));
}

const imageNotFound = (service: string, image: string) =>
    `AIMService "${service}": aimImageName: No AIMImage or AIMClusterImage found for image name "${image}" ` +
    "(declare it before the objects that use it, for the same Kubernetes provider)";

describe("aim-engine aimmodel/error-recovery", () => {
    // Upstream applies a model naming a missing runtime config (Failed, ConfigValid=False ReferenceNotFound), then
    // creates the AIMClusterRuntimeConfig and asserts the model turns Ready. Here: the image fails the preview while
    // the config is undeclared, and resolves it once the program declares the config first.
    const model = (opts: Opts) =>
        new AIMImage("test-error-recovery", { namespace: NAMESPACE, image: "ghcr.io/silogen/aim-dummy:0.1.10", configName: "recovery-test-config" }, opts);

    it("fails the image while its config is missing", async () => {
        const { error, resources } = await scenarioThrows(model);
        assert.strictEqual(
            error.message,
            'AIMImage "test-error-recovery": configName: failed to get AIMClusterConfig "recovery-test-config": not found (declare the ' +
                'AIMClusterConfig or AIMNamespaceConfig in namespace "aim-e2e" before its dependents, for the same Kubernetes provider)',
        );
        assert.deepStrictEqual(resources, []);
    });

    it("resolves the cluster config once it is declared", async () => {
        const { result } = await scenario((opts) => {
            new AIMClusterConfig("recovery-test-config", {}, opts);
            return model(opts);
        });
        const config = await valueOf(result.resolvedConfig);
        assert.deepStrictEqual([config.name, config.source], ["recovery-test-config", "AIMClusterConfig"]);
    });
});

describe("aim-engine aimservice/common/basic-lifecycle", () => {
    // Upstream applies a model, a template (latency, fp16, 1 MI300X) and a service naming both; it asserts the
    // template's discovery completes, the service's resolvedModel / resolvedTemplate, and an InferenceService
    // labelled with the service whose kserve-container has AIM_CACHE_PATH, AIM_METRIC and AIM_PRECISION.
    it("resolves the model and template and renders the InferenceService with the profile env", async () => {
        const { result, resources } = await kserve(() =>
            scenario((opts) => {
                new AIMImage(
                    "test-service-model",
                    {
                        namespace: NAMESPACE,
                        image: "ghcr.io/silogen/aim-dummy:0.1.10",
                        resources: { limits: { memory: "1Gi" }, requests: { memory: "100Mi", cpu: "100m" } },
                    },
                    opts,
                );
                new AIMServiceTemplate(
                    "test-service-template",
                    { namespace: NAMESPACE, aimImageName: "test-service-model", metric: "latency", precision: "fp16", gpuSelector: MI300X },
                    opts,
                );
                return service(opts, "test-service", { aimImageName: "test-service-model", templateRef: "test-service-template" });
            }),
        );
        await validateKubernetesObjects(resources);
        const [image, template] = [await valueOf(result.resolvedImage), await valueOf(result.resolvedTemplate)];
        assert.deepStrictEqual([image.name, image.scope, template.name, template.scope, template.chosenBy], [
            "test-service-model",
            "Namespace",
            "test-service-template",
            "Namespace",
            "templateRef",
        ]);
        const job = single(resources, JOB);
        assert.strictEqual(job.inputs.metadata.labels["aim.silogen.ai/template"], "test-service-template");
        const isvc = single(resources, ISVC);
        assert.strictEqual(isvc.inputs.metadata.name, "test-service");
        assert.strictEqual(isvc.inputs.metadata.labels["aim.silogen.ai/service-name"], "test-service");
        // The InferenceService waits for the discovery Job, as upstream's service waits for the template to be Ready.
        assert.ok(isvc.dependencies.includes(job.urn));
        const env = envOf(isvc.inputs.spec.predictor.model);
        assert.deepStrictEqual([env.AIM_CACHE_PATH, env.AIM_METRIC, env.AIM_PRECISION], ["/workspace/model-cache", "latency", "fp16"]);
    });
});

describe("aim-engine aimservice/common/model-not-found", () => {
    // Upstream: a service naming a model and a template that do not exist is Failed, ModelReady=False ModelNotFound.
    it("fails the service on the missing image, before the template", async () => {
        const { error, resources } = await scenarioThrows((opts) =>
            service(opts, "test-missing-model-service", { aimImageName: "nonexistent-model", templateRef: "some-template" }),
        );
        assert.strictEqual(error.message, imageNotFound("test-missing-model-service", "nonexistent-model"));
        assert.deepStrictEqual(resources, []);
    });
});

describe("aim-engine aimservice/common/template-not-found", () => {
    // Upstream: the model exists, the named template does not: Failed, TemplateReady=False TemplateNotFound.
    it("fails the service on the missing template", async () => {
        const { error, resources } = await scenarioThrows((opts) => {
            new AIMImage("test-missing-tpl-model", { namespace: NAMESPACE, image: "ghcr.io/silogen/aim-dummy:0.1.10" }, opts);
            service(opts, "test-missing-tpl-service", { aimImageName: "test-missing-tpl-model", templateRef: "nonexistent-template" });
        });
        assert.strictEqual(
            error.message,
            'AIMService "test-missing-tpl-service": templateRef: Template "nonexistent-template" not found. Create the template or verify ' +
                'the template name (an AIMServiceTemplate in namespace "aim-e2e" or an AIMClusterServiceTemplate, declared before its users)',
        );
        assert.deepStrictEqual(
            resources.map((r) => r.type),
            ["aim:index:AIMImage"],
        );
    });
});

describe("aim-engine aimservice/frozen/all-ready", () => {
    // Upstream: a Ready model and its one Ready namespace template, a service naming only the model: Starting,
    // ModelReady (ModelResolved), TemplateReady (Resolved), resolvedTemplate test-template / Namespace.
    it("selects the model's only template and renders the workload", async () => {
        const { result, resources } = await kserve(() =>
            scenario((opts) => {
                frozenModel(opts);
                return service(opts, "test-service", { aimImageName: "test-model" });
            }),
        );
        await validateKubernetesObjects(resources);
        const [image, template] = [await valueOf(result.resolvedImage), await valueOf(result.resolvedTemplate)];
        assert.deepStrictEqual([image.name, image.scope, image.image], ["test-model", "Namespace", "ghcr.io/example/model:v1"]);
        assert.deepStrictEqual([template.name, template.scope, template.chosenBy], ["test-template", "Namespace", "selected"]);
        assert.strictEqual(single(resources, ISVC).inputs.spec.predictor.model.runtime, "test-template");
    });
});

describe("aim-engine aimservice/frozen/cluster-model-ready", () => {
    // Upstream: a Ready cluster model and cluster template; the service resolves test-cluster-template / Cluster.
    it("selects the cluster model's cluster template", async () => {
        const { result, resources } = await kserve(() =>
            scenario((opts) => {
                new AIMClusterImage("test-cluster-model", { image: "ghcr.io/example/model:v1" }, opts);
                new AIMClusterServiceTemplate("test-cluster-template", { aimImageName: "test-cluster-model", gpuSelector: MI300X }, opts);
                return service(opts, "test-service", { aimImageName: "test-cluster-model" });
            }),
        );
        await validateKubernetesObjects(resources);
        const [image, template] = [await valueOf(result.resolvedImage), await valueOf(result.resolvedTemplate)];
        assert.deepStrictEqual([image.name, image.scope], ["test-cluster-model", "Cluster"]);
        assert.deepStrictEqual([template.name, template.scope, template.chosenBy], ["test-cluster-template", "Cluster", "selected"]);
        assert.strictEqual(single(resources, ISVC).inputs.spec.predictor.model.runtime, "test-cluster-template");
    });
});

describe("aim-engine aimservice/frozen/env-propagation-to-cache", () => {
    // Upstream: a template with caching.env (HF_TOKEN, HTTP_PROXY) and model sources, a service with env (HF_TOKEN,
    // HTTPS_PROXY) and caching mode Shared: the AIMTemplateCache it creates (test-template, Namespace) has the
    // merged env, the service's HF_TOKEN winning. Ours: the created cache takes the template's caching.env only
    // (docs/components/AIMService.md, cacheModel), since one cache serves every service of the template.
    it("creates the template's cache with the template's caching env, not the service's", async () => {
        const { resources } = await scenario((opts) => {
            new AIMImage("test-model", { namespace: NAMESPACE, image: "ghcr.io/example/model:v1" }, opts);
            new AIMServiceTemplate(
                "test-template",
                {
                    namespace: NAMESPACE,
                    aimImageName: "test-model",
                    gpuSelector: MI300X,
                    caching: {
                        enabled: false,
                        env: [
                            { name: "HF_TOKEN", value: "template-token-value" },
                            { name: "HTTP_PROXY", value: "http://template-proxy:8080" },
                        ],
                    },
                    modelSources: [{ name: "test-org/test-model", sourceUri: "hf://test-org/test-model", size: "5Gi" }],
                },
                opts,
            );
            service(opts, "test-env-propagation", {
                aimImageName: "test-model",
                templateRef: "test-template",
                cacheModel: true,
                env: [
                    { name: "HF_TOKEN", value: "service-token-value" },
                    { name: "HTTPS_PROXY", value: "https://proxy.example.com:8080" },
                ],
            });
        });
        await validateKubernetesObjects(resources);
        const cache = single(resources, TEMPLATE_CACHE).inputs;
        assert.deepStrictEqual([cache.name, cache.templateRef, cache.templateScope], ["test-template", "test-template", "Namespace"]);
        assert.deepStrictEqual(cache.env, [
            { name: "HF_TOKEN", value: "template-token-value" },
            { name: "HTTP_PROXY", value: "http://template-proxy:8080" },
        ]);
        const download = envOf(single(resources, JOB).inputs.spec.template.spec.containers[0]);
        assert.deepStrictEqual(
            [download.HF_TOKEN, download.HTTP_PROXY, download.HTTPS_PROXY],
            ["template-token-value", "http://template-proxy:8080", undefined],
        );
    });
});

describe("template download env, as aim-engine builds a template cache's (caching.go l.130–146)", () => {
    it("puts the template's env under its caching.env, by name, in the cache a service creates", async () => {
        const { resources } = await scenario((opts) => {
            new AIMImage("test-model", { namespace: NAMESPACE, image: "ghcr.io/example/model:v1" }, opts);
            new AIMServiceTemplate(
                "test-template",
                {
                    namespace: NAMESPACE,
                    aimImageName: "test-model",
                    gpuSelector: MI300X,
                    env: [
                        { name: "HTTP_PROXY", value: "http://env-proxy:3128" },
                        { name: "NO_PROXY", value: "cluster.local" },
                    ],
                    caching: { env: [{ name: "HTTP_PROXY", value: "http://template-proxy:8080" }] },
                    modelSources: [{ name: "test-org/test-model", sourceUri: "hf://test-org/test-model", size: "5Gi" }],
                },
                opts,
            );
            service(opts, "svc", { aimImageName: "test-model", templateRef: "test-template", cacheModel: true });
        });
        assert.deepStrictEqual(single(resources, TEMPLATE_CACHE).inputs.env, [
            { name: "NO_PROXY", value: "cluster.local" },
            { name: "HTTP_PROXY", value: "http://template-proxy:8080" },
        ]);
    });
});

describe("a template derived from overrides keeps its base's download env (aim-engine buildDerivedTemplate copies caching)", () => {
    it("passes the base's caching.env to the cache a service creates for the derived template", async () => {
        const { resources } = await scenario((opts) => {
            new AIMImage("test-model", { namespace: NAMESPACE, image: "ghcr.io/example/model:v1" }, opts);
            new AIMServiceTemplate(
                "test-template",
                {
                    namespace: NAMESPACE,
                    aimImageName: "test-model",
                    gpuSelector: MI300X,
                    caching: { enabled: false, env: [{ name: "HF_TOKEN", value: "template-token-value" }] },
                    modelSources: [{ name: "test-org/test-model", sourceUri: "hf://test-org/test-model", size: "5Gi" }],
                },
                opts,
            );
            service(opts, "svc", { aimImageName: "test-model", templateRef: "test-template", cacheModel: true, overrides: { metric: "throughput" } });
        });
        const derived = ofType(resources, TEMPLATE).find((t) => t.inputs.name !== "test-template")!;
        assert.deepStrictEqual(derived.inputs.caching, { env: [{ name: "HF_TOKEN", value: "template-token-value" }] });
        assert.deepStrictEqual(single(resources, TEMPLATE_CACHE).inputs.env, [{ name: "HF_TOKEN", value: "template-token-value" }]);
    });
});

describe("aim-engine aimservice/frozen/model-not-found", () => {
    // Upstream: a service naming a model nobody created, no template: Failed, ModelReady=False ModelNotFound.
    it("fails the service on the missing image", async () => {
        const { error, resources } = await scenarioThrows((opts) => service(opts, "test-service", { aimImageName: "nonexistent-model" }));
        assert.strictEqual(error.message, imageNotFound("test-service", "nonexistent-model"));
        assert.deepStrictEqual(resources, []);
    });
});

describe("aim-engine aimservice/frozen/model-ready", () => {
    // Upstream: a Ready model and template; the service is Starting with ModelReady (ModelResolved) and
    // TemplateReady (Resolved). Ours: resolvedImage names the namespace image, and the workload runs its container.
    it("resolves the namespace image and runs its container", async () => {
        const { result, resources } = await scenario((opts) => {
            frozenModel(opts);
            return service(opts, "test-service", { aimImageName: "test-model" });
        });
        await validateKubernetesObjects(resources);
        const image = await valueOf(result.resolvedImage);
        assert.deepStrictEqual(image, { name: "test-model", scope: "Namespace", image: "ghcr.io/example/model:v1" });
        const deployment = resources.find((r) => r.type === "kubernetes:apps/v1:Deployment")!.inputs;
        assert.strictEqual(deployment.metadata.name, "test-service");
        assert.strictEqual(deployment.spec.template.spec.containers[0].image, "ghcr.io/example/model:v1");
        assert.strictEqual(deployment.metadata.labels["aim.silogen.ai/aim-image"], "test-model");
    });
});

describe("aim-engine aimservice/frozen/template-not-found", () => {
    // Upstream: a Ready model with no template at all, a service naming only the model: Pending, ModelReady
    // (ModelResolved), TemplateReady=False TemplateNotFound. Ours: selection finds no candidate; the preview fails.
    it("fails the service when the image has no template to select", async () => {
        const { error, resources } = await scenarioThrows((opts) => {
            frozenModel(opts, false);
            service(opts, "test-service", { aimImageName: "test-model" });
        });
        assert.strictEqual(
            error.message,
            'AIMService "test-service": templateRef: TemplateNotFound: no templateRef, no defaultServiceTemplate on image "test-model", ' +
                'and no template of the image to select: declare an AIMServiceTemplate in namespace "aim-e2e" or an AIMClusterServiceTemplate ' +
                'with aimImageName "test-model" before the service, or set templateRef',
        );
        assert.deepStrictEqual(
            resources.map((r) => r.type),
            ["aim:index:AIMImage"],
        );
    });
});

describe("aim-engine aimservice/frozen/template-ready", () => {
    // Upstream: the service's TemplateReady=True (Resolved) and resolvedTemplate test-template / Namespace.
    // Ours: resolvedTemplate, with the one candidate and the GPU it states.
    it("reports the selected namespace template and its candidates", async () => {
        const { result } = await scenario((opts) => {
            frozenModel(opts);
            return service(opts, "test-service", { aimImageName: "test-model" });
        });
        const template = await valueOf(result.resolvedTemplate);
        assert.deepStrictEqual(template, {
            name: "test-template",
            scope: "Namespace",
            gpuModel: "MI300X",
            gpuCount: 1,
            chosenBy: "selected",
            candidates: [{ name: "test-template", scope: "Namespace", status: "chosen", reason: "BestMatch" }],
        });
    });
});

/** A discovery Job's name, namespace, template label, image and env. */
function discoveryJob(resources: Registered[]) {
    const job = single(resources, JOB).inputs;
    const container = job.spec.template.spec.containers[0];
    return {
        name: job.metadata.name,
        namespace: job.metadata.namespace,
        template: job.metadata.labels["aim.silogen.ai/template"],
        image: container.image,
        args: container.args,
        env: envOf(container),
    };
}

/** A template's discovery Job as upstream's discovery tests check it, and the template's image outputs. */
async function assertDiscovery(
    run: Awaited<ReturnType<typeof scenario<AIMServiceTemplate | AIMClusterServiceTemplate>>>,
    expected: { name: string; namespace: string; template: string; image: string; imageName: string; scope: string },
) {
    await validateKubernetesObjects(run.resources);
    const job = discoveryJob(run.resources);
    assert.deepStrictEqual(job, {
        name: expected.name,
        namespace: expected.namespace,
        template: expected.template,
        image: expected.image,
        args: ["dry-run", "--format=json"],
        env: { AIM_GPU_MODEL: "MI300X", AIM_GPU_COUNT: "1" },
    });
    assert.strictEqual(await valueOf(run.result.discoveryJobName), job.name);
    const image = await valueOf(run.result.resolvedImage);
    assert.deepStrictEqual([image.name, image.scope], [expected.imageName, expected.scope]);
}

describe("aim-engine aimservicetemplate/discovery/happy-path-cluster", () => {
    // Upstream: a cluster model (its default template named) and a cluster template on 1 MI300X: the template
    // becomes Ready with the profile and model sources the dry-run reported, and resolvedModel the cluster model.
    // Ours: the discovery Job in the system namespace running the model's image with the template's GPU knobs.
    it("runs the template's discovery Job in the system namespace", async () => {
        const run = await scenario((opts) => {
            const image = { image: "ghcr.io/silogen/aim-dummy:0.1.8", defaultServiceTemplate: "test-template-discovery-cluster" };
            new AIMClusterImage("test-model-discovery-cluster", image, opts);
            const template = { aimImageName: "test-model-discovery-cluster", gpuSelector: MI300X };
            return new AIMClusterServiceTemplate("test-template-discovery-cluster", template, opts);
        });
        await assertDiscovery(run, {
            name: "discover-test-template-discovery-cluster-101c77b5",
            namespace: "aim-system",
            template: "test-template-discovery-cluster",
            image: "ghcr.io/silogen/aim-dummy:0.1.8",
            imageName: "test-model-discovery-cluster",
            scope: "Cluster",
        });
    });
});

describe("aim-engine aimservicetemplate/discovery/happy-path-namespace", () => {
    // Upstream: as happy-path-cluster, namespaced; it also asserts a Job labelled aim.eai.amd.com/template exists.
    it("runs the template's discovery Job in the template's namespace", async () => {
        const run = await scenario((opts) => {
            new AIMImage("test-model-discovery-namespace", { namespace: NAMESPACE, image: "ghcr.io/silogen/aim-dummy:0.1.8" }, opts);
            const template = { namespace: NAMESPACE, aimImageName: "test-model-discovery-namespace", gpuSelector: MI300X };
            return new AIMServiceTemplate("test-template-discovery-namespace", template, opts);
        });
        await assertDiscovery(run, {
            name: "discover-test-template-discovery-namespace-59bedb17",
            namespace: "aim-e2e",
            template: "test-template-discovery-namespace",
            image: "ghcr.io/silogen/aim-dummy:0.1.8",
            imageName: "test-model-discovery-namespace",
            scope: "Namespace",
        });
    });
});

describe("aim-engine aimservicetemplate/inline-model-sources", () => {
    // Upstream: a template with spec.modelSources is Ready at once, Discovered=True InlineModelSources, its sources
    // copied to status, resolvedModel test-model-inline, and no Job labelled with the template.
    it("runs no discovery Job and resolves the namespace image", async () => {
        const { result, resources } = await scenario((opts) => {
            new AIMImage("test-model-inline", { namespace: NAMESPACE, image: "ghcr.io/silogen/aim-dummy:0.1.10" }, opts);
            return new AIMServiceTemplate(
                "test-template-inline-modelsources",
                {
                    namespace: NAMESPACE,
                    aimImageName: "test-model-inline",
                    gpuSelector: MI300X,
                    modelSources: [{ name: "amd/Llama-3.1-8B-Instruct-FP8-KV", sourceUri: "hf://amd/Llama-3.1-8B-Instruct-FP8-KV", size: "9094593249" }],
                },
                opts,
            );
        });
        await validateKubernetesObjects(resources);
        assert.deepStrictEqual(ofType(resources, JOB), []);
        assert.strictEqual(await valueOf(result.discoveryJobName), undefined);
        const image = await valueOf(result.resolvedImage);
        assert.deepStrictEqual([image.name, image.scope], ["test-model-inline", "Namespace"]);
    });
});
