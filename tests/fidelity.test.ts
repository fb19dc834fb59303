// Issue 15: the rendered objects field by field against what the operator (kaiwo fa8a3e90, aim-engine 9223504) and
// KServe make of the same input, one describe per finding.

import * as assert from "assert";
import { AIMClusterImage, AIMClusterServiceTemplate } from "../index";
import { deviceIds } from "../render/gpu";
import { LLAMA_IMAGE, LLAMA_SOURCE } from "./fixtures";
import { DEPLOYMENT, Opts, scenario, single } from "./harness";
import { validateKubernetesObjects } from "./k8sSchemas";
import { llamaChat, podSpec } from "./llamaCluster";

/** The llama image and one cluster template `base` with inline sources (no discovery), with `template` over it. */
function cluster(opts: Opts, template: Partial<ConstructorParameters<typeof AIMClusterServiceTemplate>[1]> = {}) {
    new AIMClusterImage("llama", { image: LLAMA_IMAGE, defaultServiceTemplate: "base" }, opts);
    new AIMClusterServiceTemplate("base", { aimImageName: "llama", modelSources: [LLAMA_SOURCE], ...template }, opts);
}

describe("fidelity with the operator (issue 15)", () => {
    describe("6. GPU node affinity for every AMD model upstream knows", () => {
        it("maps the Radeon Pro and Radeon models to kaiwo's device ids", () => {
            const table = Object.fromEntries(
                ["V710", "W7900", "W7800", "W6900X", "W6800", "W6800X", "V620", "RX9070", "RX7900", "RX6900", "RX6800"].map((m) => [m, deviceIds(m)]),
            );
            assert.deepStrictEqual(table, {
                V710: ["7460", "7461"],
                W7900: ["7448", "744a"],
                W7800: ["7449", "745e"],
                W6900X: ["73a2"],
                W6800: ["73a3"],
                W6800X: ["73ab"],
                V620: ["73a1", "73ae"],
                RX9070: ["7550"],
                RX7900: ["744c"],
                RX6900: ["73af"],
                RX6800: ["73bf"],
            });
            // Written as vendors write them, normalised as upstream does.
            assert.deepStrictEqual(deviceIds("AMD Radeon Pro W7900"), ["7448", "744a"]);
            assert.deepStrictEqual(deviceIds("rx7900"), ["744c"]);
        });

        it("places a Radeon Pro W7900 template's pods on W7900 nodes", async () => {
            const { resources } = await scenario((opts) => {
                cluster(opts, { gpuSelector: { count: 1, model: "W7900" } });
                llamaChat(opts);
            });
            const deployment = single(resources, DEPLOYMENT);
            assert.deepStrictEqual(podSpec(deployment).affinity, {
                nodeAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: {
                        nodeSelectorTerms: [{ matchExpressions: [{ key: "amd.com/gpu.device-id", operator: "In", values: ["7448", "744a"] }] }],
                    },
                },
            });
            await validateKubernetesObjects(resources);
        });
    });
});
