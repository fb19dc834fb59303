// The reference benchmark's program (../shared/perf/README.md): the shape performance is judged by must plan
// whatever the order of its services. Its first run on this package failed: at N = 1,000 a plain service of a
// derived template came before a cacheModel service of the same template and namespace (here at N = 200,
// services 5 and 45).

import * as assert from "assert";
import { AIMClusterConfig, AIMClusterImage, AIMClusterServiceTemplate, AIMService, AIMServiceArgs, AIMTemplateCache } from "../index";
import { DEPLOYMENT, Opts, PVC, Registered, ROUTE, scenario } from "./harness";

const N = 200;
const namespaces = N / 10;
const CONFIGS = ["default", "prod", "staging"];
const MODELS = ["llama-8b", "llama-70b", "qwen-7b", "mistral-7b"];
const templateOf = (i: number) => `${MODELS[i % 4]}-${Math.floor(i / 4) % 2 ? "throughput" : "latency"}`;
const configOf = (team: number) => CONFIGS[team % CONFIGS.length];

function service(i: number): [string, AIMServiceArgs] {
    const team = i % namespaces;
    const cacheModel = i % 3 === 0;
    return [
        `chat-${i}`,
        {
            namespace: `team-${team}`,
            aimImageName: MODELS[i % 4],
            templateRef: templateOf(i),
            configName: configOf(team),
            replicas: 1 + (i % 3),
            imagePullSecrets: [{ name: "team-registry" }],
            labels: { team: `team-${team}`, app: `chat-${i}` },
            env: [{ name: "VLLM_LOGGING_LEVEL", value: "INFO" }],
            ...(cacheModel && { cacheModel: true }),
            ...(i % 4 === 1 && !cacheModel && { hfToken: "hf_benchtoken" }),
            ...(i % 10 === 5 && { overrides: { precision: "fp16" as const } }),
            ...(i % 5 === 0 && { routing: { requestTimeout: "120s" } }),
        },
    ];
}

function program(order: number[]) {
    return (opts: Opts) => {
        for (const [k, name] of CONFIGS.entries()) {
            new AIMClusterConfig(name, { imagePullSecrets: [{ name: "ghcr-pull" }], ...(k === 0 && { caching: { cacheAimImageBase: true } }), routing: { gateway: { name: `gw-${name}`, namespace: "gateways" } } }, opts);
        }
        for (const [m, key] of MODELS.entries()) {
            new AIMClusterImage(key, { image: `ghcr.io/silogen/aim:0.5.0-${key}`, defaultServiceTemplate: `${key}-latency` }, opts);
            for (const [metric, gpus] of [["latency", 1 + m], ["throughput", 2 + 2 * m]] as const) {
                new AIMClusterServiceTemplate(`${key}-${metric}`, {
                    aimImageName: key,
                    metric,
                    precision: "fp8",
                    gpuSelector: { count: gpus, model: "MI300X" },
                    modelSources: [{ name: `org/${key}`, sourceUri: `hf://org/${key}`, size: "16Gi" }],
                }, opts);
            }
        }
        for (let team = 0; team < namespaces; team++) {
            new AIMTemplateCache(`team-${team}-cache`, { namespace: `team-${team}`, templateRef: templateOf(team), configName: configOf(team) }, opts);
        }
        for (const i of order) new AIMService(...service(i), opts);
    };
}

describe("the reference benchmark's workload", function () {
    this.timeout(120_000);

    it(`plans at N = ${N}, and renders the same whichever order its services come in`, async () => {
        const indices = Array.from({ length: N }, (_, i) => i);
        const forward = await scenario(program(indices), { cluster: "perf" });
        const backward = await scenario(program([...indices].reverse()), { cluster: "perf" });
        const canonical = (resources: Registered[]) =>
            resources.map((r) => JSON.stringify([r.urn, r.inputs, [...r.dependencies].sort()])).sort();
        assert.deepStrictEqual(canonical(backward.resources), canonical(forward.resources));
        const count = (type: string) => forward.resources.filter((r) => r.type === type).length;
        assert.deepStrictEqual([count(DEPLOYMENT), count(ROUTE)], [N, N]);
        // Services 5 and 45 share a derived template in team-5: 45's cacheModel cache is 45's to mount, not 5's.
        const volumes = (name: string) =>
            forward.resources.find((r) => r.name === `${name}-deployment`)!.inputs.spec.template.spec.volumes.map((v: { name: string }) => v.name);
        assert.deepStrictEqual([volumes("chat-5"), volumes("chat-45")], [["dshm", "model-storage"], ["dshm", "org-llama-70b-cache"]]);
        assert.ok(count(PVC) > 0);
    });
});
