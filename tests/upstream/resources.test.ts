// Container resources on images, templates and services (issue 11 part 3) and the profile labels of the workload
// (part 4), re-expressing kaiwo's chainsaw tests test/chainsaw/tests/aim/service/resources/* (kaiwo fa8a3e90): their
// AIMClusterModel is our AIMClusterImage, their `model.ref` our `aimImageName`, and their assertion on the
// InferenceService's `predictor.model.resources` is checked on the InferenceService our kserve backend renders.

import * as assert from "assert";
import { validateKubernetesObjects } from "../k8sSchemas";
import {
    AIMClusterImage,
    AIMClusterImageArgs,
    AIMClusterServiceTemplate,
    AIMClusterServiceTemplateArgs,
    AIMService,
    AIMServiceArgs,
    AIMServiceTemplate,
} from "../../index";
import { LLAMA_IMAGE, LLAMA_SOURCE } from "../fixtures";
import { CLUSTER_RUNTIME, DEPLOYMENT, ISVC, ofType, Opts, Registered, scenario, scenarioThrows, single, TEMPLATE, unwrapSecrets, valueOf } from "../harness";
import { validateKServe } from "../kserveCrds";
import { container } from "../llamaCluster";

const NAMESPACE = "aim-e2e";
const GPU = "amd.com/gpu";

/** An image, a cluster template of it and a service on it, as each kaiwo resources test applies them. */
function cluster(
    opts: Opts,
    image: Partial<AIMClusterImageArgs>,
    template: Partial<AIMClusterServiceTemplateArgs>,
    service: Partial<AIMServiceArgs> & { name: string },
) {
    new AIMClusterImage("image", { name: "image", image: "ghcr.io/silogen/aim-dummy:0.1.1", ...image }, opts);
    new AIMClusterServiceTemplate("template", { name: "template", aimImageName: "image", servingBackend: "kserve", ...template }, opts);
    return new AIMService(service.name, { namespace: NAMESPACE, aimImageName: "image", templateRef: "template", ...service }, opts);
}

const predictorResources = (resources: Registered[]) => {
    const isvc = single(resources, ISVC);
    validateKServe(unwrapSecrets(isvc.inputs));
    return isvc.inputs.spec.predictor.model.resources;
};

const MI300X = { count: 1, model: "MI300X" };

describe("kaiwo service/resources/image-fallback", () => {
    // Upstream: image resources (requests cpu 3, memory 20Gi, gpu 1; limits cpu 5, memory 30Gi, gpu 1), a template and
    // a service with none; asserts the InferenceService's container has the image's resources unchanged.
    it("gives the inference container the image's resources when neither template nor service has any", async () => {
        const { resources } = await scenario((opts) =>
            cluster(
                opts,
                {
                    defaultServiceTemplate: "template",
                    resources: { limits: { cpu: "5", memory: "30Gi", [GPU]: "1" }, requests: { cpu: "3", memory: "20Gi", [GPU]: "1" } },
                },
                { metric: "latency", gpuSelector: MI300X },
                { name: "image-fallback-service" },
            ),
        );
        assert.deepStrictEqual(predictorResources(resources), {
            requests: { [GPU]: "1", cpu: "3", memory: "20Gi" },
            limits: { [GPU]: "1", cpu: "5", memory: "30Gi" },
        });
    });
});

describe("kaiwo service/resources/template-override", () => {
    // Upstream: image resources (cpu 2/4, memory 2Gi/4Gi), template resources (cpu 1/2, memory 1Gi/2Gi, gpu "0"),
    // gpuSelector count 1; asserts the template's cpu and memory win (the GPU assertions are commented out upstream).
    // A template states its GPU count once here, so its gpuSelector says 0 too (the validation cases show the error).
    it("lets the template's resources win key by key over the image's, with zero GPUs: no GPU key, no GPU affinity", async () => {
        const { resources } = await scenario((opts) =>
            cluster(
                opts,
                { defaultServiceTemplate: "template", resources: { limits: { cpu: "4", memory: "4Gi" }, requests: { cpu: "2", memory: "2Gi" } } },
                {
                    metric: "throughput",
                    gpuSelector: { count: 0, model: "MI300X" },
                    resources: { limits: { cpu: "2", memory: "2Gi", [GPU]: "0" }, requests: { cpu: "1", memory: "1Gi", [GPU]: "0" } },
                },
                { name: "template-override-service" },
            ),
        );
        assert.deepStrictEqual(predictorResources(resources), {
            requests: { cpu: "1", memory: "1Gi" },
            limits: { cpu: "2", memory: "2Gi" },
        });
        assert.strictEqual(single(resources, ISVC).inputs.spec.predictor.affinity, undefined);
        await validateKubernetesObjects(resources);
    });
});

describe("kaiwo service/resources/service-override", () => {
    // Upstream: image (cpu 1/2, memory 8Gi/16Gi, gpu 1), template (cpu 4/6, memory 32Gi/48Gi, gpu 1, gpuSelector 1)
    // and service resources (cpu 7/9, memory 56Gi/72Gi, gpu 2); asserts the service's, GPU count 2 included. Ours
    // also reports the 2 GPUs the pods request as `resolvedTemplate.gpuCount`, the template keeping its gpuSelector.
    it("lets the service's resources win over the template's and the image's, GPU count included", async () => {
        const { result, resources } = await scenario((opts) =>
            cluster(
                opts,
                {
                    defaultServiceTemplate: "template",
                    resources: { limits: { cpu: "2", memory: "16Gi", [GPU]: "1" }, requests: { cpu: "1", memory: "8Gi", [GPU]: "1" } },
                },
                {
                    metric: "latency",
                    gpuSelector: MI300X,
                    resources: { limits: { cpu: "6", memory: "48Gi", [GPU]: "1" }, requests: { cpu: "4", memory: "32Gi", [GPU]: "1" } },
                },
                {
                    name: "service-override-service",
                    resources: { limits: { cpu: "9", memory: "72Gi", [GPU]: "2" }, requests: { cpu: "7", memory: "56Gi", [GPU]: "2" } },
                },
            ),
        );
        assert.deepStrictEqual(predictorResources(resources), {
            requests: { [GPU]: "2", cpu: "7", memory: "56Gi" },
            limits: { [GPU]: "2", cpu: "9", memory: "72Gi" },
        });
        assert.deepStrictEqual(await valueOf(result.resolvedTemplate), {
            name: "template",
            scope: "Cluster",
            metric: "latency",
            gpuModel: "MI300X",
            gpuCount: 2,
            chosenBy: "templateRef",
        });
        // The runtime is the template's: its GPU count, which the InferenceService's resources override.
        assert.deepStrictEqual(single(resources, CLUSTER_RUNTIME).inputs.spec.containers[0].resources, {
            requests: { [GPU]: "1" },
            limits: { [GPU]: "1" },
        });
    });
});

describe("kaiwo service/resources/gpu-defaults", () => {
    // Upstream: no resources anywhere, template gpuSelector MI300X × 1, metric latency; asserts the per-GPU defaults
    // (requests gpu 1, cpu 4, memory 32Gi; limits gpu 1, memory 48Gi). Ours also checks the profile label.
    it("derives cpu and memory from the template's GPU count when nothing states resources", async () => {
        const { resources } = await scenario((opts) => cluster(opts, {}, { metric: "latency", gpuSelector: MI300X }, { name: "gpu-defaults-service" }));
        assert.deepStrictEqual(predictorResources(resources), {
            requests: { [GPU]: "1", cpu: "4", memory: "32Gi" },
            limits: { [GPU]: "1", memory: "48Gi" },
        });
        const labels = single(resources, ISVC).inputs.metadata.labels;
        assert.strictEqual(labels["aim.silogen.ai/template.metric"], "latency");
        assert.strictEqual(labels["aim.silogen.ai/template.precision"], undefined);
    });
});

/** The llama image and a MI300X × 1 cluster template `base` (inline sources) on `backend`, and a service. */
function llama(opts: Opts, backend: "deployment" | "kserve", template: Partial<AIMClusterServiceTemplateArgs> = {}, service: Partial<AIMServiceArgs> = {}, image: Partial<AIMClusterImageArgs> = {}) {
    new AIMClusterImage("llama", { image: LLAMA_IMAGE, defaultServiceTemplate: "base", ...image }, opts);
    new AIMClusterServiceTemplate(
        "base",
        { aimImageName: "llama", gpuSelector: { count: 1, model: "MI300X" }, modelSources: [LLAMA_SOURCE], servingBackend: backend, ...template },
        opts,
    );
    return new AIMService("chat", { namespace: NAMESPACE, aimImageName: "llama", ...service }, opts);
}

/** The inference container's resources, whichever backend rendered them. */
function inferenceResources(resources: Registered[], backend: "deployment" | "kserve") {
    return backend === "kserve" ? predictorResources(resources) : container(single(resources, DEPLOYMENT)).resources;
}

describe("ours: a GPU count in a service's resources (amd.com/gpu), as upstream accepts it", () => {
    for (const backend of ["deployment", "kserve"] as const) {
        it(`drives the per-GPU defaults and the GPU request of the ${backend} workload; the template keeps its gpuSelector`, async () => {
            const { result, resources } = await scenario((opts) => llama(opts, backend, {}, { resources: { limits: { [GPU]: "4" } } }));
            // Only the limit was given: the request is the same count, as the API server requires of an extended resource.
            assert.deepStrictEqual(inferenceResources(resources, backend), {
                requests: { cpu: "16", memory: "128Gi", [GPU]: "4" },
                limits: { memory: "192Gi", [GPU]: "4" },
            });
            assert.strictEqual((await valueOf(result.resolvedTemplate)).gpuCount, 4);
            // No derived template: the service runs `base` with more GPUs, placed on MI300X nodes as `base` says.
            assert.deepStrictEqual(ofType(resources, TEMPLATE), []);
            assert.strictEqual((await valueOf(result.resolvedTemplate)).name, "base");
            const pod = backend === "kserve" ? single(resources, ISVC).inputs.spec.predictor : single(resources, DEPLOYMENT).inputs.spec.template.spec;
            assert.deepStrictEqual(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values, [
                "74a1",
                "74a9",
                "74b5",
                "74bd",
            ]);
        });
    }

    it("takes the count from the image when the template states none, and from the template over the image", async () => {
        const noSelector = await scenario((opts) => llama(opts, "deployment", { gpuSelector: undefined }, {}, { resources: { requests: { [GPU]: "2" } } }));
        assert.deepStrictEqual(container(single(noSelector.resources, DEPLOYMENT)).resources, {
            requests: { cpu: "8", memory: "64Gi", [GPU]: "2" },
            limits: { memory: "96Gi", [GPU]: "2" },
        });
        assert.strictEqual((await valueOf(noSelector.result.resolvedTemplate)).gpuCount, 2);
        const selector = await scenario((opts) => llama(opts, "deployment", {}, {}, { resources: { requests: { [GPU]: "2" } } }));
        assert.strictEqual(container(single(selector.resources, DEPLOYMENT)).resources.requests[GPU], "1");
    });

    it("derives a template from overrides.gpuSelector that keeps the base's resources but not its GPU count", async () => {
        const { result, resources } = await scenario((opts) =>
            llama(opts, "deployment", { resources: { requests: { cpu: "6", [GPU]: "1" } } }, { overrides: { gpuSelector: { count: 2, model: "MI300X" } } }),
        );
        const derived = single(resources, TEMPLATE);
        assert.deepStrictEqual(derived.inputs.resources, { requests: { cpu: "6" } });
        assert.deepStrictEqual(container(single(resources, DEPLOYMENT)).resources, {
            requests: { cpu: "6", memory: "64Gi", [GPU]: "2" },
            limits: { memory: "96Gi", [GPU]: "2" },
        });
        assert.strictEqual((await valueOf(result.resolvedTemplate)).gpuCount, 2);
    });

    it("never renders a request above its limit when levels disagree: a lower level's value yields", async () => {
        const { resources } = await scenario((opts) =>
            llama(opts, "deployment", { resources: { limits: { cpu: "8" } } }, { resources: { requests: { memory: "40Gi", cpu: "10" } } }, {
                resources: { limits: { memory: "30Gi" } },
            }),
        );
        assert.deepStrictEqual(container(single(resources, DEPLOYMENT)).resources, {
            requests: { cpu: "10", memory: "40Gi", [GPU]: "1" },
            limits: { cpu: "10", memory: "40Gi", [GPU]: "1" },
        });
    });
});

describe("ours: profile labels on the workload and its pods (aim-reference item 45)", () => {
    it("labels the Deployment and its pod template, not its selector, with the template's metric and precision after overrides", async () => {
        const { resources } = await scenario((opts) => llama(opts, "deployment", { metric: "latency", precision: "fp8" }, { overrides: { metric: "throughput" } }));
        const deployment = single(resources, DEPLOYMENT);
        for (const labels of [deployment.inputs.metadata.labels, deployment.inputs.spec.template.metadata.labels]) {
            assert.strictEqual(labels["aim.silogen.ai/template.metric"], "throughput");
            assert.strictEqual(labels["aim.silogen.ai/template.precision"], "fp8");
        }
        assert.deepStrictEqual(deployment.inputs.spec.selector.matchLabels, { "app.kubernetes.io/name": "aim-service", "app.kubernetes.io/instance": "chat" });
    });

    it("labels the InferenceService (KServe copies its labels to the predictor pods) and leaves them out when the template states none", async () => {
        const stated = await scenario((opts) => llama(opts, "kserve", { precision: "bf16" }));
        const labels = single(stated.resources, ISVC).inputs.metadata.labels;
        assert.strictEqual(labels["aim.silogen.ai/template.precision"], "bf16");
        assert.ok(!("aim.silogen.ai/template.metric" in labels));
        const none = await scenario((opts) => llama(opts, "deployment"));
        const keys = Object.keys(single(none.resources, DEPLOYMENT).inputs.metadata.labels);
        assert.deepStrictEqual(keys.filter((k) => k.startsWith("aim.silogen.ai/template.")), []);
    });
});

describe("ours: resources that cannot be overcommitted (hugepages, extended resources)", () => {
    it("get a request equal to their limit whichever side a level states, and a higher level replaces both", async () => {
        const { resources } = await scenario((opts) =>
            llama(
                opts,
                "deployment",
                { resources: { limits: { "example.com/fpga": "1", "hugepages-2Mi": "1Gi" } } },
                { resources: { requests: { "example.com/fpga": "2" } } },
            ),
        );
        const { requests, limits } = inferenceResources(resources, "deployment");
        assert.deepStrictEqual([requests["example.com/fpga"], limits["example.com/fpga"]], ["2", "2"]);
        assert.deepStrictEqual([requests["hugepages-2Mi"], limits["hugepages-2Mi"]], ["1Gi", "1Gi"]);
        await validateKubernetesObjects(resources);
    });
});

describe("ours: validation of resources on every level", () => {
    const cases: [string, (opts: Opts) => unknown, string][] = [
        [
            "a GPU request unequal to its limit",
            (opts) => llama(opts, "deployment", {}, { resources: { requests: { [GPU]: "2" }, limits: { [GPU]: "3" } } }),
            'AIMService "chat": resources.requests.amd.com/gpu: must equal limits.amd.com/gpu (3): it cannot be overcommitted',
        ],
        [
            "a GPU count of 0 under a gpuSelector of 1 (upstream's template-override template states both)",
            (opts) => llama(opts, "deployment", { resources: { limits: { cpu: "2", [GPU]: "0" } } }),
            'AIMClusterServiceTemplate "base": resources: amd.com/gpu (0) contradicts gpuSelector.count (1): state the GPU count once, or the same in both',
        ],
        [
            "a fractional GPU count on an image",
            (opts) => llama(opts, "deployment", {}, {}, { resources: { requests: { [GPU]: "500m" } } }),
            'AIMClusterImage "llama": resources.requests.amd.com/gpu: must be a whole number of GPUs, such as 0, 1 or 8',
        ],
        [
            "a service GPU count contradicting its overrides",
            (opts) => llama(opts, "deployment", {}, { resources: { requests: { [GPU]: "4" } }, overrides: { gpuSelector: { count: 2, model: "MI300X" } } }),
            'AIMService "chat": resources: amd.com/gpu (4) contradicts overrides.gpuSelector.count (2): state the GPU count once, or the same in both',
        ],
        [
            "a template GPU count contradicting its gpuSelector",
            (opts) => llama(opts, "deployment", { resources: { requests: { [GPU]: "2" } } }),
            'AIMClusterServiceTemplate "base": resources: amd.com/gpu (2) contradicts gpuSelector.count (1): state the GPU count once, or the same in both',
        ],
        [
            "an image request above its limit",
            (opts) => llama(opts, "deployment", {}, {}, { resources: { requests: { memory: "64Gi" }, limits: { memory: "32Gi" } } }),
            'AIMClusterImage "llama": resources.requests.memory: must not exceed limits.memory (32Gi)',
        ],
        [
            "a namespace template's resource name the API server rejects",
            (opts) => {
                new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
                new AIMServiceTemplate("mine", { namespace: NAMESPACE, aimImageName: "llama", resources: { limits: { gpu: "1" } } }, opts);
            },
            'AIMServiceTemplate "mine": resources.limits.gpu: is not a valid key: must be cpu, memory, ephemeral-storage, hugepages-<size> or a domain-qualified extended resource outside kubernetes.io',
        ],
        [
            "a GPU count whose per-GPU memory would pass 8Ei",
            (opts) => llama(opts, "deployment", {}, { resources: { limits: { [GPU]: "99999999999" } } }),
            'AIMService "chat": resources.limits.amd.com/gpu: must be at most 178956970 (48Gi of memory per GPU must stay below 8Ei)',
        ],
        [
            "a gpuSelector count whose per-GPU memory would pass 8Ei",
            (opts) => llama(opts, "deployment", { gpuSelector: { count: 178956971, model: "MI300X" } }),
            'AIMClusterServiceTemplate "base": gpuSelector.count: must be <= 178956970 (48Gi of memory per GPU must stay below 8Ei)',
        ],
        [
            "hugepages requested below their limit",
            (opts) => llama(opts, "deployment", {}, { resources: { requests: { "hugepages-2Mi": "1Gi" }, limits: { "hugepages-2Mi": "2Gi" } } }),
            'AIMService "chat": resources.requests.hugepages-2Mi: must equal limits.hugepages-2Mi (2Gi): it cannot be overcommitted',
        ],
        [
            "a resource name under kubernetes.io",
            (opts) => llama(opts, "deployment", {}, { resources: { limits: { "kubernetes.io/fpga": "1" } } }),
            'AIMService "chat": resources.limits.kubernetes.io/fpga: is not a valid key: must be cpu, memory, ephemeral-storage, hugepages-<size> or a domain-qualified extended resource outside kubernetes.io',
        ],
        [
            "an unknown field in an image's resources",
            (opts) => llama(opts, "deployment", {}, {}, { resources: { claims: [] } as any }),
            'AIMClusterImage "llama": resources: unknown field(s) claims',
        ],
    ];
    for (const [what, program, message] of cases) {
        it(`rejects ${what}`, async () => {
            const { error, resources } = await scenarioThrows(program);
            assert.strictEqual(error.message, message);
            // The faulty component registered nothing: the service never renders a workload.
            assert.deepStrictEqual(ofType(resources, DEPLOYMENT), []);
        });
    }
});
