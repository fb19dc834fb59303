// GPU models the user writes (issue 17): a model the package has no device ids for renders pods without node affinity,
// so a typo of a known model is an error and any other unknown model a warning, unless the stack lists it in
// Pulumi config aim:extraGpuModels. Checked wherever a model is written: templates, service overrides,
// aim:availableGpuModels.

import * as assert from "assert";
import { AIMClusterServiceTemplate, AIMServiceTemplate } from "../index";
import { deviceIds, gpuModelProblem, KNOWN_GPU_MODELS } from "../render/gpu";
import { children, DEPLOYMENT, JOB, Opts, scenario, scenarioThrows, single, withStackConfig } from "./harness";
import { llamaChat, llamaCluster, podSpec } from "./llamaCluster";

const KNOWN = [...KNOWN_GPU_MODELS].sort().join(", ");
const NEW_MODEL_HINT = "(to use a new model deliberately, list it in Pulumi config aim:extraGpuModels)";
const unknownModel = (model: string, known = KNOWN) =>
    `${JSON.stringify(model)} is not a GPU model this package knows (${known}): without its device ids, pods for it ` +
    "get no node affinity on amd.com/gpu.device-id and may land on any GPU node; if you mean this model, list it in " +
    "Pulumi config aim:extraGpuModels to silence this warning";

function template(opts: Opts, model: string) {
    return new AIMServiceTemplate("chat", { namespace: "ml-team", aimImageName: "llama", gpuSelector: { count: 1, model } }, opts);
}

describe("GPU models", () => {
    describe("gpuModelProblem", () => {
        it("knows exactly the models of the device-id table, however they are written", () => {
            assert.ok(KNOWN_GPU_MODELS.includes("MI300X"));
            for (const model of KNOWN_GPU_MODELS) assert.notDeepStrictEqual(deviceIds(model), [], model);
            for (const model of ["MI300X", "mi325x", "AMD Instinct_MI325X", "Instinct-MI355X"]) {
                assert.strictEqual(gpuModelProblem(model, []), undefined, model);
            }
        });

        it("rejects a near-miss of a known model (edit distance <= 2 after normalisation), with did-you-mean", () => {
            assert.deepStrictEqual(gpuModelProblem("MI300XX", []), { error: `"MI300XX" is not a GPU model this package knows; did you mean "MI300X"? ${NEW_MODEL_HINT}` });
            assert.deepStrictEqual(gpuModelProblem("amd mi32x", []), { error: `"amd mi32x" is not a GPU model this package knows; did you mean "MI325X"? ${NEW_MODEL_HINT}` });
            assert.deepStrictEqual(gpuModelProblem("MI400X", []), { error: `"MI400X" is not a GPU model this package knows; did you mean "MI300X"? ${NEW_MODEL_HINT}` });
        });

        it("warns about a model far from every known one", () => {
            assert.deepStrictEqual(gpuModelProblem("Gaudi3", []), { warning: unknownModel("Gaudi3") });
        });

        it("accepts the models of aim:extraGpuModels, and checks near-misses against them too", () => {
            assert.strictEqual(gpuModelProblem("MI400X", ["mi400x"]), undefined);
            assert.strictEqual(gpuModelProblem("Gaudi3", ["GAUDI3"]), undefined);
            assert.deepStrictEqual(gpuModelProblem("Gaudi33", ["Gaudi3"]), {
                error: `"Gaudi33" is not a GPU model this package knows; did you mean "GAUDI3"? ${NEW_MODEL_HINT}`,
            });
        });
    });

    describe("templates", () => {
        const near = { aimImageName: "llama", gpuSelector: { count: 1, model: "MI300XX" } };
        for (const [kind, declare] of [
            ["AIMServiceTemplate", (opts: Opts) => new AIMServiceTemplate("chat", { namespace: "ml-team", ...near }, opts)],
            ["AIMClusterServiceTemplate", (opts: Opts) => new AIMClusterServiceTemplate("chat", near, opts)],
        ] as const) {
            it(`${kind}: a near-miss is an error, and nothing of the template is registered`, async () => {
                const { error, resources } = await scenarioThrows((opts) => {
                    llamaCluster(opts);
                    declare(opts);
                });
                assert.strictEqual(error.message, `${kind} "chat": gpuSelector.model: "MI300XX" is not a GPU model this package knows; did you mean "MI300X"? ${NEW_MODEL_HINT}`);
                assert.deepStrictEqual(resources.filter((r) => r.name.startsWith("chat")), []);
            });
        }

        it("warns on the template about an unknown model, and still renders its discovery Job", async () => {
            const { resources, warnings } = await scenario((opts) => {
                llamaCluster(opts);
                template(opts, "Gaudi3");
            });
            assert.deepStrictEqual(warnings, [`gpuSelector.model: ${unknownModel("Gaudi3")}`]);
            const env = podSpec(single(resources, JOB)).containers[0].env;
            assert.deepStrictEqual(env.find((e: { name: string }) => e.name === "AIM_GPU_MODEL"), { name: "AIM_GPU_MODEL", value: "Gaudi3" });
        });

        it("takes a model listed in aim:extraGpuModels deliberately: no warning, no affinity", async () => {
            const { resources, warnings } = await withStackConfig({ "aim:extraGpuModels": '["Gaudi3", "MI400X"]' }, () =>
                scenario((opts) => {
                    llamaCluster(opts);
                    template(opts, "MI400X");
                    llamaChat(opts, { templateRef: "chat" });
                }),
            );
            assert.deepStrictEqual(warnings, []);
            assert.strictEqual(podSpec(single(resources, DEPLOYMENT)).affinity, undefined);
        });

        it("rejects an aim:extraGpuModels that lists no GPU models", async () => {
            const { error } = await withStackConfig({ "aim:extraGpuModels": "MI400X MI450X" }, () =>
                scenarioThrows((opts) => {
                    llamaCluster(opts);
                    template(opts, "MI400X");
                }),
            );
            // The first component that writes a GPU model reads the config: the fixtures' cluster template.
            assert.strictEqual(
                error.message,
                'AIMClusterServiceTemplate "base": aim:extraGpuModels: Pulumi config must list GPU models, as ["MI300X"] or MI300X,MI325X, not "MI400X MI450X"',
            );
        });
    });

    describe("services", () => {
        it("rejects a near-miss in overrides.gpuSelector.model before registering anything", async () => {
            const { error, resources } = await scenarioThrows((opts) => {
                llamaCluster(opts);
                llamaChat(opts, { overrides: { gpuSelector: { count: 1, model: "MI325XX" } } });
            });
            assert.strictEqual(
                error.message,
                `AIMService "llama-chat": overrides.gpuSelector.model: "MI325XX" is not a GPU model this package knows; did you mean "MI325X"? ${NEW_MODEL_HINT}`,
            );
            assert.deepStrictEqual(children(resources).map((r) => r.name), []);
        });

        it("warns once, on the service, about an unknown override model (not again on its derived template)", async () => {
            const { resources, warnings } = await scenario((opts) => {
                llamaCluster(opts);
                llamaChat(opts, { overrides: { gpuSelector: { count: 1, model: "Gaudi3" } } });
            });
            assert.deepStrictEqual(warnings.filter((w) => w.includes("Gaudi3")), [`overrides.gpuSelector.model: ${unknownModel("Gaudi3")}`]);
            assert.strictEqual(podSpec(single(resources, DEPLOYMENT)).affinity, undefined);
        });

        it("checks aim:availableGpuModels: a near-miss is an error, an unknown model a warning", async () => {
            const typo = await withStackConfig({ "aim:availableGpuModels": "MI300X, MI32X" }, () =>
                scenarioThrows((opts) => {
                    llamaCluster(opts);
                    llamaChat(opts);
                }),
            );
            assert.strictEqual(
                typo.error.message,
                `AIMService "llama-chat": aim:availableGpuModels: "MI32X" is not a GPU model this package knows; did you mean "MI325X"? ${NEW_MODEL_HINT}`,
            );
            const unknown = await withStackConfig({ "aim:availableGpuModels": '["MI300X", "Gaudi3"]' }, () =>
                scenario((opts) => {
                    llamaCluster(opts);
                    llamaChat(opts);
                }),
            );
            assert.deepStrictEqual(unknown.warnings.filter((w) => w.includes("Gaudi3")), [`aim:availableGpuModels: ${unknownModel("Gaudi3")}`]);
        });
    });
});
