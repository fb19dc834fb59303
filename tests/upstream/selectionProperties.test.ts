// Template selection on generated inputs: random templates of one image (either scope, with or without metric,
// precision and GPU), random overrides and cluster GPU models. Two properties hold for any of them:
// - the outcome (the chosen template and the candidates, or the error) does not depend on declaration order;
// - a chosen template is one upstream's selectBestTemplate could choose: it passes the overrides and GPU filters, it
//   is a namespace template when any namespace template passes, and no passing template of its scope ranks higher.

import * as assert from "assert";
import * as fc from "fast-check";
import { AIMClusterImage, AIMClusterServiceTemplate, AIMService, AIMServiceTemplate, Metric, Precision, ServiceOverrides, TemplateCandidate } from "../../index";
import { Opts, scenario, valueOf, withStackConfig } from "../harness";

const SEED = 20261130;
const RUNS = 100;

interface TemplateCase {
    name: string;
    namespaced: boolean;
    metric?: Metric;
    precision?: Precision;
    gpu?: string;
}

const template: fc.Arbitrary<Omit<TemplateCase, "name">> = fc.record(
    {
        namespaced: fc.boolean(),
        metric: fc.constantFrom<Metric>("latency", "throughput"),
        precision: fc.constantFrom<Precision>("fp8", "fp16", "bf16"),
        gpu: fc.constantFrom("MI300X", "MI325X", "MI250X", "mi300x", "A100"),
    },
    // Mostly full profiles, so that ranking decides more often than the filters.
    { requiredKeys: ["namespaced", "metric", "precision"] },
);
const templates = fc.array(template, { minLength: 1, maxLength: 5 }).map((ts) => ts.map((t, i) => ({ ...t, name: `t${i}` })));
const overrides: fc.Arbitrary<ServiceOverrides | undefined> = fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom<Metric>("latency", "throughput").map((metric) => ({ metric })) },
    { weight: 1, arbitrary: fc.constantFrom<Precision>("fp8", "fp16").map((precision) => ({ precision })) },
    { weight: 1, arbitrary: fc.constantFrom("MI300X", "MI325X").map((model) => ({ gpuSelector: { count: 1, model } })) },
);
const gpuModels = fc.option(fc.subarray(["MI300X", "MI325X", "MI250X"], { minLength: 1 }), { nil: undefined });

type Outcome = { template: string; candidates?: TemplateCandidate[] } | { error: string };

async function select(cases: TemplateCase[], asked: ServiceOverrides | undefined, models: string[] | undefined): Promise<Outcome> {
    const run = () =>
        scenario((opts: Opts) => {
            new AIMClusterImage("llama", { image: "ghcr.io/silogen/aim-dummy:0.1.1" }, opts);
            for (const t of cases) {
                const spec = { aimImageName: "llama", metric: t.metric, precision: t.precision, ...(t.gpu && { gpuSelector: { count: 1, model: t.gpu } }) };
                if (t.namespaced) new AIMServiceTemplate(t.name, { ...spec, namespace: "ml" }, opts);
                else new AIMClusterServiceTemplate(t.name, spec, opts);
            }
            try {
                return new AIMService("chat", { namespace: "ml", aimImageName: "llama", overrides: asked }, opts);
            } catch (err) {
                return (err as Error).message;
            }
        });
    // A100 stands for a model outside AMD's table, which a stack must name in aim:extraGpuModels to use.
    const config = { "aim:extraGpuModels": "A100", ...(models && { "aim:availableGpuModels": JSON.stringify(models) }) };
    const { result } = await withStackConfig(config, run);
    if (typeof result === "string") return { error: result };
    const resolved = await valueOf(result.resolvedTemplate);
    return { template: resolved.name, candidates: resolved.candidates };
}

// The specification, written from upstream's selection.go rather than from the package's code.
const GPU_ORDER = ["MI325X", "MI300X", "MI250X", "MI210"];
const METRIC_ORDER = ["LATENCY", "THROUGHPUT"];
const PRECISION_ORDER = ["FP4", "INT4", "FP8", "INT8", "FP16", "BF16", "FP32"];
/** Lower is preferred; a value not in the order ranks after all of it. */
function score(order: string[], value?: string): number {
    const index = order.indexOf((value ?? "").toUpperCase());
    return index === -1 ? order.length : index;
}
const rankOf = (t: TemplateCase) => [score(GPU_ORDER, t.gpu), score(METRIC_ORDER, t.metric), score(PRECISION_ORDER, t.precision)];
function better(a: number[], b: number[]): boolean {
    const first = a.findIndex((value, i) => value !== b[i]);
    return first !== -1 && a[first] < b[first];
}
function passes(t: TemplateCase, asked: ServiceOverrides | undefined, models: string[] | undefined): boolean {
    if (asked?.metric && asked.metric !== t.metric) return false;
    if (asked?.precision && asked.precision !== t.precision) return false;
    if (asked?.gpuSelector && t.gpu && asked.gpuSelector.model !== t.gpu.toUpperCase()) return false;
    return !(models && t.gpu && !models.includes(t.gpu.toUpperCase()));
}

describe("template selection on generated inputs", function () {
    this.timeout(300_000);

    it(`${RUNS} cases (seed ${SEED}): independent of declaration order, and a choice upstream could make`, async () => {
        await fc.assert(
            fc.asyncProperty(templates, overrides, gpuModels, fc.context(), async (cases, asked, models, ctx) => {
                const forward = await select(cases, asked, models);
                const backward = await select([...cases].reverse(), asked, models);
                ctx.log(JSON.stringify(forward));
                assert.deepStrictEqual(backward, forward);
                if ("error" in forward) {
                    const passing = cases.filter((t) => passes(t, asked, models));
                    // An error means no candidate passed, or a tie at the top.
                    assert.ok(passing.length === 0 || /TemplateSelectionAmbiguous/.test(forward.error), forward.error);
                    return;
                }
                // A selected template may have been derived from (an open GPU): its base is the chosen candidate.
                const chosenName = forward.candidates!.find((c) => c.status === "chosen")!.name;
                const chosen = cases.find((t) => t.name === chosenName)!;
                assert.ok(passes(chosen, asked, models));
                const passing = cases.filter((t) => passes(t, asked, models));
                const scope = passing.some((t) => t.namespaced) ? passing.filter((t) => t.namespaced) : passing;
                assert.ok(scope.includes(chosen), "a namespace template wins when one passes");
                assert.ok(!scope.some((t) => better(rankOf(t), rankOf(chosen))), "no passing template ranks higher");
            }),
            { seed: SEED, numRuns: RUNS },
        );
    });
});
