// Upstream's template-selection and image-lookup end-to-end tests, re-expressed with the package's components.
//
// Upstream (../shared/upstream-e2e, kaiwo fa8a3e90 and aim-engine 9223504) applies AIMClusterModels (our
// AIMClusterImage), AIMClusterServiceTemplates and an AIMService without `templateRef`, waits for the templates to
// be Ready, and asserts the service's `status.resolvedTemplate` {name, scope} or its failure reason. Here the same
// inputs are declared in a program; `resolvedTemplate` is the service's output, the reason is in the preview error,
// and the workload runs the chosen template (its `aim.silogen.ai/template` label).

import * as assert from "assert";
import { AIMClusterImage, AIMClusterServiceTemplate, AIMImage, AIMService, AIMServiceArgs, AIMServiceTemplate } from "../../index";
import { AIMClusterServiceTemplateArgs } from "../../components/aimClusterServiceTemplate";
import { derivedTemplateName } from "../../resolve/template";
import { DEPLOYMENT, Opts, scenario, scenarioThrows, single, TEMPLATE, ofType, valueOf, withStackConfig } from "../harness";

const DUMMY_IMAGE = "ghcr.io/silogen/aim-dummy:0.1.1-2";
const MI300X = { count: 1, model: "MI300X" };

/** The upstream template files: a cluster template of `image` with a metric, precision and GPU. */
function clusterTemplate(opts: Opts, name: string, image: string, spec: Partial<AIMClusterServiceTemplateArgs> = {}) {
    return new AIMClusterServiceTemplate(name, { aimImageName: image, metric: "latency", precision: "fp8", gpuSelector: MI300X, ...spec }, opts);
}

function service(opts: Opts, name: string, args: Partial<AIMServiceArgs>) {
    return new AIMService(name, { namespace: "aim-e2e", ...args }, opts);
}

async function templateLabel(resources: Parameters<typeof single>[0]) {
    return single(resources, DEPLOYMENT).inputs.metadata.labels["aim.silogen.ai/template"];
}

describe("upstream: automatic template selection", () => {
    // Applies one cluster template; the service without templateRef resolves it.
    it("kaiwo templates/auto-selection/single-match", async () => {
        const { result, resources } = await scenario((opts) => {
            new AIMClusterImage("test-single", { image: DUMMY_IMAGE }, opts);
            clusterTemplate(opts, "test-single-latency-fp8", "test-single");
            return service(opts, "test-single-service", { aimImageName: "test-single" });
        });
        assert.deepStrictEqual(await valueOf(result.resolvedTemplate), {
            name: "test-single-latency-fp8",
            scope: "Cluster",
            metric: "latency",
            precision: "fp8",
            gpuModel: "MI300X",
            gpuCount: 1,
            chosenBy: "selected",
            candidates: [{ name: "test-single-latency-fp8", scope: "Cluster", status: "chosen", reason: "BestMatch" }],
        });
        assert.strictEqual(await templateLabel(resources), "test-single-latency-fp8");
    });

    // Latency and throughput templates, both Ready; the service without overrides gets latency.
    it("kaiwo templates/auto-selection/prefers-latency", async () => {
        const { result, resources } = await scenario((opts) => {
            new AIMClusterImage("test-prefers-latency", { image: "ghcr.io/silogen/aim-dummy:0.1.1" }, opts);
            clusterTemplate(opts, "test-latency-fp8", "test-prefers-latency");
            clusterTemplate(opts, "test-throughput-fp8", "test-prefers-latency", { metric: "throughput" });
            return service(opts, "test-prefers-latency-service", { aimImageName: "test-prefers-latency" });
        });
        const resolved = await valueOf(result.resolvedTemplate);
        assert.strictEqual(resolved.name, "test-latency-fp8");
        assert.strictEqual(resolved.scope, "Cluster");
        assert.deepStrictEqual(resolved.candidates, [
            { name: "test-latency-fp8", scope: "Cluster", status: "chosen", reason: "BestMatch" },
            { name: "test-throughput-fp8", scope: "Cluster", status: "rejected", reason: "LowerPreferenceRank" },
        ]);
        assert.strictEqual(await templateLabel(resources), "test-latency-fp8");
    });

    // overrides.metric: throughput filters the latency template out; the throughput one is used as it is.
    it("kaiwo templates/auto-selection/metric-override", async () => {
        const { result, resources } = await scenario((opts) => {
            new AIMClusterImage("test-metric-override", { image: DUMMY_IMAGE }, opts);
            clusterTemplate(opts, "test-metric-latency", "test-metric-override");
            clusterTemplate(opts, "test-metric-throughput", "test-metric-override", { metric: "throughput" });
            return service(opts, "test-metric-override-service", { aimImageName: "test-metric-override", overrides: { metric: "throughput" } });
        });
        const resolved = await valueOf(result.resolvedTemplate);
        assert.strictEqual(resolved.name, "test-metric-throughput");
        assert.deepStrictEqual(resolved.candidates, [
            { name: "test-metric-latency", scope: "Cluster", status: "rejected", reason: "ServiceOverridesNotMatched" },
            { name: "test-metric-throughput", scope: "Cluster", status: "chosen", reason: "BestMatch" },
        ]);
        // A selected template satisfies the overrides already: nothing is derived from it.
        assert.deepStrictEqual(ofType(resources, TEMPLATE), []);
        assert.strictEqual(await templateLabel(resources), "test-metric-throughput");
    });

    // overrides.precision: fp16 picks the fp16 template although fp8 ranks higher.
    it("kaiwo templates/auto-selection/precision-override", async () => {
        const { result } = await scenario((opts) => {
            new AIMClusterImage("test-precision-override", { image: DUMMY_IMAGE }, opts);
            clusterTemplate(opts, "test-precision-fp8", "test-precision-override");
            clusterTemplate(opts, "test-precision-fp16", "test-precision-override", { precision: "fp16" });
            return service(opts, "test-precision-override-service", { aimImageName: "test-precision-override", overrides: { precision: "fp16" } });
        });
        const resolved = await valueOf(result.resolvedTemplate);
        assert.strictEqual(resolved.name, "test-precision-fp16");
        assert.strictEqual(resolved.precision, "fp16");
    });

    // overrides.gpuSelector MI300X; the MI250X template is NotAvailable upstream (no such node). Both stages here:
    // the override alone, and the cluster's GPU models from Pulumi config.
    it("kaiwo templates/auto-selection/gpu-selector", async () => {
        const program = (overrides: AIMServiceArgs["overrides"]) => (opts: Opts) => {
            new AIMClusterImage("test-gpu-selector", { image: DUMMY_IMAGE }, opts);
            clusterTemplate(opts, "test-gpu-mi300x", "test-gpu-selector");
            clusterTemplate(opts, "test-gpu-mi250x", "test-gpu-selector", { gpuSelector: { count: 1, model: "MI250X" } });
            return service(opts, "test-gpu-selector-service", { aimImageName: "test-gpu-selector", overrides });
        };
        const byOverride = await scenario(program({ gpuSelector: { model: "MI300X", count: 1 } }));
        const resolved = await valueOf(byOverride.result.resolvedTemplate);
        assert.strictEqual(resolved.name, "test-gpu-mi300x");
        assert.deepStrictEqual(resolved.candidates, [
            { name: "test-gpu-mi250x", scope: "Cluster", status: "rejected", reason: "ServiceOverridesNotMatched" },
            { name: "test-gpu-mi300x", scope: "Cluster", status: "chosen", reason: "BestMatch" },
        ]);
        const byCluster = await withStackConfig({ "aim:availableGpuModels": '["MI250X"]' }, () => scenario(program(undefined)));
        const onlyMi250x = await valueOf(byCluster.result.resolvedTemplate);
        assert.strictEqual(onlyMi250x.name, "test-gpu-mi250x");
        assert.deepStrictEqual(onlyMi250x.candidates, [
            { name: "test-gpu-mi300x", scope: "Cluster", status: "rejected", reason: "RequiredGPUNotInCluster" },
            { name: "test-gpu-mi250x", scope: "Cluster", status: "chosen", reason: "BestMatch" },
        ]);
        // Without the config, the GPU stage cannot run at preview: MI300X outranks MI250X.
        assert.strictEqual((await valueOf((await scenario(program(undefined))).result.resolvedTemplate)).name, "test-gpu-mi300x");
    });

    // Two identical templates: upstream fails the service with TemplateSelectionAmbiguous; here the preview fails.
    it("kaiwo templates/auto-selection/ambiguous-identical", async () => {
        const { error, resources } = await scenarioThrows((opts) => {
            new AIMClusterImage("test-ambiguous", { image: DUMMY_IMAGE }, opts);
            clusterTemplate(opts, "test-ambiguous-template-1", "test-ambiguous");
            clusterTemplate(opts, "test-ambiguous-template-2", "test-ambiguous");
            service(opts, "test-ambiguous-service", { aimImageName: "test-ambiguous" });
        });
        assert.strictEqual(
            error.message,
            'AIMService "test-ambiguous-service": templateRef: TemplateSelectionAmbiguous: 2 templates of image "test-ambiguous" ' +
                'rank equally (GPU MI300X, metric latency, precision fp8): "test-ambiguous-template-1" (Cluster), ' +
                '"test-ambiguous-template-2" (Cluster); set templateRef or overrides to choose',
        );
        assert.deepStrictEqual(
            resources.filter((r) => r.type === "aim:index:AIMService"),
            [],
        );
    });

    // An explicit templateRef to the throughput template bypasses the latency preference.
    it("kaiwo templates/auto-selection/explicit-ref-bypasses", async () => {
        const { result } = await scenario((opts) => {
            new AIMClusterImage("test-explicit-ref", { image: DUMMY_IMAGE }, opts);
            clusterTemplate(opts, "test-explicit-latency", "test-explicit-ref");
            clusterTemplate(opts, "test-explicit-throughput", "test-explicit-ref", { metric: "throughput" });
            return service(opts, "test-explicit-ref-service", { aimImageName: "test-explicit-ref", templateRef: "test-explicit-throughput" });
        });
        const resolved = await valueOf(result.resolvedTemplate);
        assert.strictEqual(resolved.name, "test-explicit-throughput");
        assert.strictEqual(resolved.chosenBy, "templateRef");
        assert.strictEqual(resolved.candidates, undefined);
    });

    // Upstream: the service is Pending until the template is Ready, then resolves it. Readiness does not exist at
    // preview: the template is selected at once and the workload depends on its discovery Job, so `pulumi up` waits.
    it("kaiwo templates/auto-selection/no-available", async () => {
        const { result, resources } = await scenario((opts) => {
            new AIMClusterImage("test-no-available", { image: DUMMY_IMAGE }, opts);
            clusterTemplate(opts, "test-no-available-template", "test-no-available");
            return service(opts, "test-no-available-service", { aimImageName: "test-no-available" });
        });
        assert.strictEqual((await valueOf(result.resolvedTemplate)).name, "test-no-available-template");
        const discovery = resources.find((r) => r.name === "test-no-available-template-discovery")!;
        assert.ok(single(resources, DEPLOYMENT).dependencies.includes(discovery.urn));
    });

    // aim-engine's "auto-selection" test: the model names a defaultServiceTemplate, the service names only the
    // model; upstream asserts resolvedModel and resolvedTemplate (the model's resources are left to the resources tests).
    it("aim-engine aimservice/common/auto-template-selection", async () => {
        const { result } = await scenario((opts) => {
            new AIMImage(
                "test-auto-select-model",
                { namespace: "aim-e2e", image: "ghcr.io/silogen/aim-dummy:0.1.10", defaultServiceTemplate: "test-auto-select-template" },
                opts,
            );
            new AIMServiceTemplate("test-auto-select-template", { namespace: "aim-e2e", aimImageName: "test-auto-select-model", gpuSelector: MI300X }, opts);
            return service(opts, "test-auto-select-service", { aimImageName: "test-auto-select-model", replicas: 1 });
        });
        assert.strictEqual((await valueOf(result.resolvedImage)).name, "test-auto-select-model");
        const resolved = await valueOf(result.resolvedTemplate);
        assert.strictEqual(resolved.name, "test-auto-select-template");
        assert.strictEqual(resolved.scope, "Namespace");
        assert.strictEqual(resolved.chosenBy, "imageDefault");
    });
});

describe("template selection beyond the upstream tests", () => {
    it("prefers a namespace template over a better-ranked cluster template, and says so", async () => {
        const { result } = await scenario((opts) => {
            new AIMClusterImage("llama", { image: DUMMY_IMAGE }, opts);
            clusterTemplate(opts, "cluster-latency", "llama", { gpuSelector: { count: 1, model: "MI325X" } });
            new AIMServiceTemplate("team-throughput", { namespace: "aim-e2e", aimImageName: "llama", metric: "throughput", gpuSelector: MI300X }, opts);
            return service(opts, "chat", { aimImageName: "llama" });
        });
        assert.deepStrictEqual((await valueOf(result.resolvedTemplate)).candidates, [
            { name: "cluster-latency", scope: "Cluster", status: "rejected", reason: "NamespaceTemplatePreferred" },
            { name: "team-throughput", scope: "Namespace", status: "chosen", reason: "BestMatch" },
        ]);
    });

    it("ranks GPU tier first, then metric, then precision, as upstream's preference orders", async () => {
        const { result } = await scenario((opts) => {
            new AIMClusterImage("llama", { image: DUMMY_IMAGE }, opts);
            clusterTemplate(opts, "mi300x-latency-fp8", "llama");
            clusterTemplate(opts, "mi325x-throughput-fp16", "llama", { metric: "throughput", precision: "fp16", gpuSelector: { count: 1, model: "MI325X" } });
            clusterTemplate(opts, "mi325x-throughput-fp8", "llama", { metric: "throughput", gpuSelector: { count: 1, model: "mi325x" } });
            return service(opts, "chat", { aimImageName: "llama" });
        });
        assert.deepStrictEqual(
            (await valueOf(result.resolvedTemplate)).candidates!.map((c) => `${c.name}:${c.reason}`),
            ["mi325x-throughput-fp8:BestMatch", "mi325x-throughput-fp16:LowerPreferenceRank", "mi300x-latency-fp8:LowerPreferenceRank"],
        );
    });

    it("filters on the GPU count a template states in its resources as in its gpuSelector", async () => {
        const { result } = await scenario((opts) => {
            new AIMClusterImage("llama", { image: DUMMY_IMAGE }, opts);
            clusterTemplate(opts, "one-gpu", "llama", { gpuSelector: undefined, resources: { limits: { "amd.com/gpu": "1" } } });
            clusterTemplate(opts, "two-gpus", "llama", { metric: "throughput", gpuSelector: { count: 2, model: "MI300X" } });
            return service(opts, "chat", { aimImageName: "llama", overrides: { gpuSelector: { count: 2, model: "MI300X" } } });
        });
        assert.deepStrictEqual((await valueOf(result.resolvedTemplate)).candidates, [
            { name: "one-gpu", scope: "Cluster", status: "rejected", reason: "ServiceOverridesNotMatched" },
            { name: "two-gpus", scope: "Cluster", status: "chosen", reason: "BestMatch" },
        ]);
    });

    it("names every template the filters dropped, and why, when none is left", async () => {
        const { error } = await withStackConfig({ "aim:availableGpuModels": "MI300X, MI325X" }, () =>
            scenarioThrows((opts) => {
                new AIMClusterImage("llama", { image: DUMMY_IMAGE }, opts);
                clusterTemplate(opts, "latency", "llama");
                clusterTemplate(opts, "mi250x", "llama", { metric: "throughput", gpuSelector: { count: 1, model: "MI250X" } });
                service(opts, "chat", { aimImageName: "llama", overrides: { metric: "throughput" } });
            }),
        );
        assert.strictEqual(
            error.message,
            'AIMService "chat": templateRef: TemplateNotFound: no template of image "llama" matches the service: ' +
                '"latency" (ServiceOverridesNotMatched: metric latency ≠ throughput); ' +
                '"mi250x" (RequiredGPUNotInCluster: MI250X is not in aim:availableGpuModels [MI300X, MI325X])',
        );
    });

    it("rejects an aim:availableGpuModels that lists nothing", async () => {
        for (const value of ["[]", "[1]", "MI300X,,", "[\"MI300X\""]) {
            const { error } = await withStackConfig({ "aim:availableGpuModels": value }, () =>
                scenarioThrows((opts) => {
                    new AIMClusterImage("llama", { image: DUMMY_IMAGE }, opts);
                    clusterTemplate(opts, "latency", "llama");
                    service(opts, "chat", { aimImageName: "llama" });
                }),
            );
            assert.strictEqual(
                error.message,
                `AIMService "chat": aim:availableGpuModels: Pulumi config must list GPU models, as ["MI300X"] or MI300X,MI325X, not ${JSON.stringify(value)}`,
            );
        }
    });

    it("refuses a template declared after a service that selected without it, when it would have counted", async () => {
        const late = (spec: Partial<AIMClusterServiceTemplateArgs>, overrides?: AIMServiceArgs["overrides"]) =>
            scenario((opts) => {
                new AIMClusterImage("llama", { image: DUMMY_IMAGE }, opts);
                clusterTemplate(opts, "throughput", "llama", { metric: "throughput" });
                service(opts, "chat", { aimImageName: "llama", overrides });
                try {
                    clusterTemplate(opts, "late", "llama", spec);
                    return undefined;
                } catch (err) {
                    return (err as Error).message;
                }
            });
        assert.strictEqual(
            (await late({})).result,
            'AIMClusterServiceTemplate "late": aimImageName: declared after AIMService "chat", which already chose its template ' +
                'among the templates of image "llama" without it; declare it before its dependents',
        );
        // A template the service's overrides would have filtered out changes nothing, and is accepted.
        assert.strictEqual((await late({}, { metric: "throughput" })).result, undefined);
    });

    it("refuses a template declared after a service whose overrides it would have matched (no derived copy then)", async () => {
        const { result } = await scenario((opts) => {
            new AIMClusterImage("llama", { image: DUMMY_IMAGE }, opts);
            clusterTemplate(opts, "base", "llama");
            service(opts, "chat", { aimImageName: "llama", templateRef: "base", overrides: { metric: "throughput" } });
            try {
                clusterTemplate(opts, "throughput", "llama", { metric: "throughput" });
                return undefined;
            } catch (err) {
                return (err as Error).message;
            }
        });
        assert.strictEqual(
            result,
            'AIMClusterServiceTemplate "throughput": aimImageName: declared after AIMService "chat", which already chose its ' +
                'template among the templates of image "llama" without it; declare it before its dependents',
        );
    });

    it("never selects a template another service derived from overrides, in either order", async () => {
        const program = (selectorFirst: boolean) => (opts: Opts) => {
            new AIMClusterImage("llama", { image: DUMMY_IMAGE }, opts);
            clusterTemplate(opts, "t1", "llama");
            clusterTemplate(opts, "t2", "llama", { metric: "throughput" });
            const selects = () => service(opts, "selects", { aimImageName: "llama" });
            const derives = () => service(opts, "derives", { aimImageName: "llama", templateRef: "t2", overrides: { precision: "fp16" } });
            return selectorFirst ? [selects(), derives()][0] : [derives(), selects()][1];
        };
        for (const selectorFirst of [true, false]) {
            const { result, resources } = await scenario(program(selectorFirst));
            assert.strictEqual((await valueOf(result.resolvedTemplate)).name, "t1");
            assert.deepStrictEqual(ofType(resources, TEMPLATE).map((t) => t.inputs.name), [derivedTemplateName("t2", { precision: "fp16" })]);
        }
    });

    it("derives from a selected template the overrides it leaves open, so a GPU override is never dropped", async () => {
        const { result, resources } = await scenario((opts) => {
            new AIMClusterImage("llama", { image: DUMMY_IMAGE }, opts);
            clusterTemplate(opts, "any-gpu", "llama", { gpuSelector: undefined });
            return service(opts, "chat", { aimImageName: "llama", overrides: { metric: "latency", gpuSelector: { count: 4, model: "MI325X" } } });
        });
        const resolved = await valueOf(result.resolvedTemplate);
        const name = derivedTemplateName("any-gpu", { metric: "latency", gpuSelector: { count: 4, model: "MI325X" } });
        assert.deepStrictEqual([resolved.name, resolved.chosenBy, resolved.gpuModel, resolved.gpuCount], [name, "selected", "MI325X", 4]);
        assert.deepStrictEqual(resolved.candidates, [{ name: "any-gpu", scope: "Cluster", status: "chosen", reason: "BestMatch" }]);
        const deployment = single(resources, DEPLOYMENT).inputs;
        assert.strictEqual(deployment.spec.template.spec.containers[0].resources.limits["amd.com/gpu"], "4");
        assert.deepStrictEqual(
            deployment.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values,
            ["74a5", "74b9"],
        );
    });

    it("lists candidates by scope and name, whatever the order they were declared in", async () => {
        const names = ["zeta", "alpha", "mid"];
        for (const order of [names, [...names].reverse()]) {
            const { result } = await scenario((opts) => {
                new AIMClusterImage("llama", { image: DUMMY_IMAGE }, opts);
                for (const name of order) clusterTemplate(opts, name, "llama", name === "mid" ? {} : { metric: "throughput" });
                return service(opts, "chat", { aimImageName: "llama" });
            });
            assert.deepStrictEqual(
                (await valueOf(result.resolvedTemplate)).candidates!.map((c) => `${c.name}:${c.reason}`),
                ["mid:BestMatch", "alpha:LowerPreferenceRank", "zeta:LowerPreferenceRank"],
            );
        }
    });

    it("matches GPU models as upstream normalises them, and refuses a GPU list that names none", async () => {
        const { result } = await withStackConfig({ "aim:availableGpuModels": '["AMD Instinct-MI300X"]' }, () =>
            scenario((opts) => {
                new AIMClusterImage("llama", { image: DUMMY_IMAGE }, opts);
                clusterTemplate(opts, "instinct", "llama", { gpuSelector: { count: 1, model: "Instinct_MI300X" } });
                clusterTemplate(opts, "mi325x", "llama", { gpuSelector: { count: 1, model: "MI325X" } });
                return service(opts, "chat", { aimImageName: "llama", overrides: { gpuSelector: { count: 1, model: "mi300x" } } });
            }),
        );
        assert.strictEqual((await valueOf(result.resolvedTemplate)).name, "instinct");
        for (const value of ["{}", "MI300X MI325X"]) {
            const { error } = await withStackConfig({ "aim:availableGpuModels": value }, () =>
                scenarioThrows((opts) => {
                    new AIMClusterImage("llama", { image: DUMMY_IMAGE }, opts);
                    service(opts, "chat", { aimImageName: "llama" });
                }),
            );
            assert.match(error.message, /^AIMService "chat": aim:availableGpuModels: Pulumi config must list GPU models/);
        }
    });

    it("runs only templates of the image entry the service resolved, not a cluster template a namespace image hides", async () => {
        const hidden = (args: Partial<AIMServiceArgs>) => (opts: Opts) => {
            new AIMClusterImage("llama", { image: "reg/llama:B" }, opts);
            new AIMImage("llama", { namespace: "aim-e2e", image: "reg/llama:A" }, opts);
            clusterTemplate(opts, "t", "llama");
            service(opts, "chat", args);
        };
        const named = await scenarioThrows(hidden({ aimImageName: "llama", templateRef: "t" }));
        assert.strictEqual(
            named.error.message,
            'AIMService "chat": templateRef: template "t" runs the AIMClusterImage "llama" (reg/llama:B), not the AIMImage in ' +
                'namespace "aim-e2e" "llama" (reg/llama:A) that the service resolved: name a template of that image entry',
        );
        const selected = await scenarioThrows(hidden({ image: "reg/llama:A" }));
        assert.match(selected.error.message, /^AIMService "chat": templateRef: TemplateNotFound: no templateRef, no defaultServiceTemplate on image "llama"/);
    });
});

describe("a service's template always runs the image entry the service resolved", () => {
    /** A namespace AIMImage `llama` hiding the AIMClusterImage `llama` the service finds by URI. */
    const hidden = (opts: Opts) => {
        new AIMClusterImage("cimg", { name: "llama", image: "reg/llama:cluster" }, opts);
        new AIMImage("nimg", { name: "llama", namespace: "aim-e2e", image: "reg/llama:namespace" }, opts);
        clusterTemplate(opts, "ct", "llama");
    };

    it("refuses to derive a template the namespace's own image entry would run", async () => {
        const { error, resources } = await scenarioThrows((opts) => {
            hidden(opts);
            service(opts, "svc", { image: "reg/llama:cluster", templateRef: "ct", overrides: { gpuSelector: { model: "MI300X", count: 2 } } });
        });
        assert.strictEqual(
            error.message,
            `AIMService "svc": overrides: the template "${derivedTemplateName("ct", { gpuSelector: { model: "MI300X", count: 2 } })}" ` +
                'derived in namespace "aim-e2e" would run the AIMImage "llama" of the namespace, not the AIMClusterImage "llama" ' +
                "(reg/llama:cluster) the service resolved",
        );
        assert.deepStrictEqual(ofType(resources, "aim:index:AIMService"), []);
    });

    it("reuses a template matching the overrides only if it runs the same image entry", async () => {
        const { result, resources } = await scenario((opts) => {
            new AIMClusterImage("cimg", { name: "llama", image: "reg/llama:cluster" }, opts);
            new AIMImage("nimg", { name: "llama", namespace: "aim-e2e", image: "reg/llama:namespace" }, opts);
            // Equal to nbase with metric throughput, but a cluster template: it runs the AIMClusterImage.
            clusterTemplate(opts, "cluster-throughput", "llama", { metric: "throughput" });
            new AIMServiceTemplate("nbase", { namespace: "aim-e2e", aimImageName: "llama", metric: "latency", precision: "fp8", gpuSelector: MI300X }, opts);
            return service(opts, "svc", { aimImageName: "llama", templateRef: "nbase", overrides: { metric: "throughput" } });
        });
        assert.strictEqual((await valueOf(result.resolvedTemplate)).name, derivedTemplateName("nbase", { metric: "throughput" }));
        assert.strictEqual(single(resources, DEPLOYMENT).inputs.spec.template.spec.containers[0].image, "reg/llama:namespace");
    });

    it("refuses a declared template of the derived name that runs another image entry", async () => {
        const name = derivedTemplateName("ct", { metric: "throughput" });
        const { error } = await scenarioThrows((opts) => {
            new AIMClusterImage("cimg", { name: "llama", image: "reg/llama:cluster" }, opts);
            clusterTemplate(opts, "ct", "llama");
            new AIMImage("nimg", { name: "llama", namespace: "aim-e2e", image: "reg/llama:namespace" }, opts);
            new AIMServiceTemplate("nt", { name, namespace: "aim-e2e", aimImageName: "llama", metric: "throughput", precision: "fp8", gpuSelector: MI300X }, opts);
            service(opts, "svc", { image: "reg/llama:cluster", templateRef: "ct", overrides: { metric: "throughput" } });
        });
        assert.strictEqual(
            error.message,
            `AIMService "svc": overrides: the template "${name}" declared in namespace "aim-e2e" is not "ct" with these overrides (image entry differ)`,
        );
    });

    it("fails a service whose derived template a template reference already missed, before it registers", async () => {
        const name = derivedTemplateName("t", { metric: "throughput" });
        const { error, resources } = await scenarioThrows((opts) => {
            new AIMClusterImage("llama", { image: DUMMY_IMAGE }, opts);
            clusterTemplate(opts, "t", "llama");
            clusterTemplate(opts, name, "llama", { precision: "fp16" });
            service(opts, "a", { aimImageName: "llama", templateRef: name });
            service(opts, "b", { aimImageName: "llama", templateRef: "t", overrides: { metric: "throughput" } });
        });
        assert.strictEqual(
            error.message,
            `AIMService "b": overrides: the AIMServiceTemplate "${name}" it declares would be declared after AIMService "a", ` +
                "which already resolved without it; declare templates before their dependents",
        );
        assert.deepStrictEqual(
            ofType(resources, "aim:index:AIMService").map((r) => r.name),
            ["a"],
        );
    });

    it("ranks a GPU model as written, as upstream: an unnormalised name ranks after the known tiers", async () => {
        const { result } = await scenario((opts) => {
            new AIMClusterImage("llama", { image: DUMMY_IMAGE }, opts);
            clusterTemplate(opts, "a", "llama");
            clusterTemplate(opts, "b", "llama", { gpuSelector: { count: 1, model: "AMD Instinct MI300X" } });
            return service(opts, "chat", { aimImageName: "llama" });
        });
        assert.strictEqual((await valueOf(result.resolvedTemplate)).name, "a");
    });
});

describe("upstream: finding the image entry by its container image", () => {
    // Two AIMModels with the same image; a service naming that image fails with MultipleModelsFound.
    it("kaiwo service/models/ambiguous-multiple-matches", async () => {
        const { error } = await scenarioThrows((opts) => {
            new AIMImage("gemma-model-1", { namespace: "aim-e2e", image: "ghcr.io/amd/gemma-2b:latest" }, opts);
            new AIMImage("gemma-model-2", { namespace: "aim-e2e", image: "ghcr.io/amd/gemma-2b:latest" }, opts);
            service(opts, "ambiguous-service", { image: "ghcr.io/amd/gemma-2b:latest" });
        });
        assert.strictEqual(
            error.message,
            'AIMService "ambiguous-service": image: MultipleModelsFound: 2 image entries have image "ghcr.io/amd/gemma-2b:latest": ' +
                'AIMImage "gemma-model-1", AIMImage "gemma-model-2"; name one with aimImageName instead',
        );
    });

    it("pools namespace and cluster entries as upstream: one of each is ambiguous; one alone labels the workload", async () => {
        const { error } = await scenarioThrows((opts) => {
            new AIMClusterImage("llama-cluster", { image: DUMMY_IMAGE }, opts);
            new AIMImage("llama-team", { namespace: "aim-e2e", image: DUMMY_IMAGE }, opts);
            service(opts, "chat", { image: DUMMY_IMAGE });
        });
        assert.strictEqual(
            error.message,
            `AIMService "chat": image: MultipleModelsFound: 2 image entries have image "${DUMMY_IMAGE}": AIMImage "llama-team", ` +
                'AIMClusterImage "llama-cluster"; name one with aimImageName instead',
        );
        const { result, resources } = await scenario((opts) => {
            new AIMImage("llama-team", { namespace: "aim-e2e", image: DUMMY_IMAGE }, opts);
            new AIMServiceTemplate("team", { namespace: "aim-e2e", aimImageName: "llama-team", gpuSelector: MI300X }, opts);
            return service(opts, "chat", { image: DUMMY_IMAGE });
        });
        assert.deepStrictEqual(await valueOf(result.resolvedImage), { name: "llama-team", scope: "Namespace", image: DUMMY_IMAGE });
        assert.strictEqual(single(resources, DEPLOYMENT).inputs.metadata.labels["aim.silogen.ai/aim-image"], "llama-team");
        assert.strictEqual((await valueOf(result.resolvedTemplate)).name, "team");
    });

    it("falls back to the cluster's image entry, and refuses an image that has none or a later entry that would change it", async () => {
        const { result } = await scenario((opts) => {
            new AIMClusterImage("llama", { image: DUMMY_IMAGE, defaultServiceTemplate: "base" }, opts);
            clusterTemplate(opts, "base", "llama");
            const chat = service(opts, "chat", { image: DUMMY_IMAGE });
            try {
                new AIMImage("llama-late", { namespace: "aim-e2e", image: DUMMY_IMAGE }, opts);
                return { chat, late: undefined };
            } catch (err) {
                return { chat, late: (err as Error).message };
            }
        });
        assert.deepStrictEqual(await valueOf(result.chat.resolvedImage), { name: "llama", scope: "Cluster", image: DUMMY_IMAGE });
        assert.strictEqual(
            result.late,
            'AIMImage "llama-late": image: declared after AIMService "chat", which already looked up the image entries of ' +
                `image "${DUMMY_IMAGE}" without it; declare it before its dependents`,
        );
        const { error } = await scenarioThrows((opts) => service(opts, "chat", { image: DUMMY_IMAGE }));
        assert.strictEqual(
            error.message,
            `AIMService "chat": image: No AIMImage in namespace "aim-e2e" or AIMClusterImage found with image "${DUMMY_IMAGE}" ` +
                "(declare one before the service, for the same Kubernetes provider: the package does not create image entries as the operator does)",
        );
    });

    it("takes exactly one of aimImageName and image", async () => {
        const neither = await scenarioThrows((opts) => service(opts, "chat", {}));
        assert.strictEqual(neither.error.message, 'AIMService "chat": aimImageName: is required (or image, the container image of a declared image entry)');
        const both = await scenarioThrows((opts) => service(opts, "chat", { aimImageName: "llama", image: DUMMY_IMAGE }));
        assert.strictEqual(both.error.message, 'AIMService "chat": image: must not be set together with aimImageName: name the image entry or its container image');
    });
});
