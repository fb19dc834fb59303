// Upstream's end-to-end tests of references between AIM objects (images, templates), re-expressed with the
// package's components. Upstream applies the objects, then asserts a status (`resolvedTemplate`, a `Degraded` reason)
// or which Kubernetes objects exist; here the same inputs are declared in a program, the status is an output or the
// preview error, and the objects are the registered children. Where upstream asserts an InferenceService or a
// ServingRuntime, the stack runs the KServe backend (Pulumi config `aim:servingBackend: kserve`).

import * as assert from "assert";
import { AIMClusterConfig, AIMClusterImage, AIMClusterServiceTemplate, AIMImage, AIMService, AIMServiceArgs, AIMServiceTemplate } from "../../index";
import { ISVC, JOB, ofType, Opts, RUNTIME, scenario, scenarioThrows, single, TEMPLATE, valueOf, withStackConfig } from "../harness";
import { derivedTemplateName } from "../../resolve/template";

const MI300X = { count: 1, model: "MI300X" };

/** kaiwo service/_shared: the cluster model `default-testing-llama-3-8b` and its default template. */
function sharedDefaults(opts: Opts) {
    new AIMClusterImage(
        "default-testing-llama-3-8b",
        { image: "ghcr.io/silogen/aim-dummy:0.1.1", defaultServiceTemplate: "default-testing-llama-3-8b" },
        opts,
    );
    new AIMClusterServiceTemplate("default-testing-llama-3-8b", { aimImageName: "default-testing-llama-3-8b", gpuSelector: MI300X }, opts);
}

function service(opts: Opts, name: string, args: Partial<AIMServiceArgs> = {}) {
    return new AIMService(name, { namespace: "aim-e2e", aimImageName: "default-testing-llama-3-8b", ...args }, opts);
}

const kserve = <T>(body: () => Promise<T>) => withStackConfig({ "aim:servingBackend": "kserve" }, body);

describe("upstream: references between AIM objects", () => {
    // No templateRef: the image's defaultServiceTemplate is resolved (Cluster) and an InferenceService created.
    it("kaiwo service/templates/default", async () => {
        const { result, resources } = await kserve(() =>
            scenario((opts) => {
                sharedDefaults(opts);
                return service(opts, "default-template-service");
            }),
        );
        const resolved = await valueOf(result.resolvedTemplate);
        assert.deepStrictEqual([resolved.name, resolved.scope, resolved.chosenBy], ["default-testing-llama-3-8b", "Cluster", "imageDefault"]);
        assert.strictEqual(single(resources, ISVC).inputs.metadata.name, "default-template-service");
    });

    // Overrides on the default template derive `<default>-ovr-…` with the overridden metric and precision.
    it("kaiwo service/templates/default-overrides", async () => {
        const overrides = { metric: "throughput", precision: "fp8" } as const;
        const { result, resources } = await scenario((opts) => {
            sharedDefaults(opts);
            return service(opts, "default-template-overrides", { overrides });
        });
        const name = (await valueOf(result.resolvedTemplate)).name;
        assert.ok(name.startsWith("default-testing-llama-3-8b-ovr"));
        assert.strictEqual(name, derivedTemplateName("default-testing-llama-3-8b", overrides));
        const derived = single(resources, TEMPLATE).inputs;
        assert.deepStrictEqual([derived.name, derived.namespace, derived.metric, derived.precision], [name, "aim-e2e", "throughput", "fp8"]);
    });

    // A namespace and a cluster template of one name: the namespace one (fp8) is used, not the cluster one (fp16).
    it("kaiwo service/templates/namespace-priority", async () => {
        const { result, resources } = await kserve(() =>
            scenario((opts) => {
                sharedDefaults(opts);
                const spec = { aimImageName: "default-testing-llama-3-8b", metric: "latency", gpuSelector: MI300X } as const;
                new AIMClusterServiceTemplate("llama-3-8b-latency-ns-priority", { ...spec, precision: "fp16" }, opts);
                new AIMServiceTemplate("ns-template", { ...spec, name: "llama-3-8b-latency-ns-priority", namespace: "aim-e2e", precision: "fp8" }, opts);
                return service(opts, "test-service", { templateRef: "llama-3-8b-latency-ns-priority", replicas: 1 });
            }),
        );
        const resolved = await valueOf(result.resolvedTemplate);
        assert.deepStrictEqual([resolved.name, resolved.scope, resolved.precision], ["llama-3-8b-latency-ns-priority", "Namespace", "fp8"]);
        const isvc = single(resources, ISVC).inputs;
        assert.strictEqual(isvc.metadata.name, "test-service");
        assert.strictEqual(isvc.spec.predictor.model.runtime, "llama-3-8b-latency-ns-priority");
        assert.strictEqual(isvc.metadata.labels["aim.silogen.ai/template.precision"], "fp8");
        assert.strictEqual(isvc.metadata.labels["aim.silogen.ai/template.metric"], "latency");
    });

    // A templateRef to nothing: upstream Degraded/TemplateNotFound, no template auto-created, no InferenceService.
    it("kaiwo service/templates/not-found", async () => {
        const { error, resources } = await scenarioThrows((opts) => {
            sharedDefaults(opts);
            service(opts, "test-service", { templateRef: "non-existent-template" });
        });
        assert.strictEqual(
            error.message,
            'AIMService "test-service": templateRef: Template "non-existent-template" not found. Create the template or verify the ' +
                'template name (an AIMServiceTemplate in namespace "aim-e2e" or an AIMClusterServiceTemplate, declared before its users)',
        );
        assert.deepStrictEqual([...ofType(resources, TEMPLATE), ...ofType(resources, ISVC)], []);
    });

    // Overrides equal to a declared namespace template's spec reuse it (Namespace), rather than deriving a copy.
    it("kaiwo service/templates/reuse-namespace", async () => {
        const { result, resources } = await scenario((opts) => {
            // The template names runtimeConfigName "default", which the e2e cluster has; an explicit name must exist here.
            new AIMClusterConfig("default", {}, opts);
            sharedDefaults(opts);
            new AIMServiceTemplate(
                "reused-namespace-template",
                {
                    namespace: "aim-e2e",
                    aimImageName: "default-testing-llama-3-8b",
                    configName: "default",
                    metric: "throughput",
                    precision: "fp16",
                    gpuSelector: MI300X,
                },
                opts,
            );
            return service(opts, "reuse-namespace-template", { overrides: { metric: "throughput", precision: "fp16", gpuSelector: MI300X } });
        });
        const resolved = await valueOf(result.resolvedTemplate);
        assert.deepStrictEqual([resolved.name, resolved.scope], ["reused-namespace-template", "Namespace"]);
        assert.deepStrictEqual(ofType(resources, TEMPLATE).map((t) => t.name), ["reused-namespace-template"]);
    });

    // A service naming an image nobody declared: upstream Degraded/ImageNotFound.
    it("kaiwo service/images/not-found", async () => {
        const { error } = await scenarioThrows((opts) => service(opts, "test-service", { aimImageName: "non-existent-image" }));
        assert.strictEqual(
            error.message,
            'AIMService "test-service": aimImageName: No AIMImage or AIMClusterImage found for image name "non-existent-image" ' +
                "(declare it before the objects that use it, for the same Kubernetes provider)",
        );
    });

    // A cluster template naming an image nobody declared: upstream Degraded/ImageNotFound on the template.
    it("kaiwo templates/images/no-image", async () => {
        const { error, resources } = await scenarioThrows((opts) => {
            new AIMClusterServiceTemplate("llama-3-8b-latency-no-image", { aimImageName: "not-found", metric: "latency", gpuSelector: MI300X }, opts);
        });
        assert.strictEqual(
            error.message,
            'AIMClusterServiceTemplate "llama-3-8b-latency-no-image": aimImageName: No AIMClusterImage found for image name "not-found" ' +
                "(declare it before the objects that use it, for the same Kubernetes provider)",
        );
        assert.deepStrictEqual(ofType(resources, JOB), []);
    });

    // Inline model sources: no discovery Job; the ServingRuntime runs the model's image with model format `aim`.
    it("kaiwo templates/inline-model-sources", async () => {
        const { resources } = await kserve(() =>
            scenario((opts) => {
                new AIMImage("llama-3-8b-inline", { namespace: "aim-e2e", image: "ghcr.io/silogen/aim-dummy:0.1.1-2" }, opts);
                new AIMServiceTemplate(
                    "llama-3-8b-inline-modelsources",
                    {
                        namespace: "aim-e2e",
                        aimImageName: "llama-3-8b-inline",
                        gpuSelector: MI300X,
                        modelSources: [{ name: "amd/Llama-3.1-8B-Instruct-FP8-KV", sourceUri: "hf://amd/Llama-3.1-8B-Instruct-FP8-KV", size: "9094593249" }],
                    },
                    opts,
                );
            }),
        );
        assert.deepStrictEqual(ofType(resources, JOB), []);
        const runtime = single(resources, RUNTIME).inputs;
        assert.strictEqual(runtime.metadata.name, "llama-3-8b-inline-modelsources");
        assert.strictEqual(runtime.spec.containers[0].image, "ghcr.io/silogen/aim-dummy:0.1.1-2");
        assert.strictEqual(runtime.spec.supportedModelFormats[0].name, "aim");
    });

    // A namespace template naming the namespace model: its discovery Job runs the namespace model's image.
    it("kaiwo templates/priority/namespace-priority", async () => {
        const { resources } = await scenario((opts) => {
            new AIMClusterImage("llama-3-8b-cluster-priority", { image: "busybox:latest-aim-cluster" }, opts);
            new AIMImage("llama-3-8b-throughput-template-priority", { namespace: "aim-e2e", image: "busybox:latest-aim-namespace" }, opts);
            new AIMServiceTemplate(
                "llama-3-8b-throughput",
                { namespace: "aim-e2e", aimImageName: "llama-3-8b-throughput-template-priority", metric: "throughput", gpuSelector: MI300X },
                opts,
            );
        });
        const job = single(resources, JOB).inputs;
        assert.strictEqual(job.metadata.labels["aim.silogen.ai/template"], "llama-3-8b-throughput");
        assert.strictEqual(job.spec.template.spec.containers[0].image, "busybox:latest-aim-namespace");
    });
});
