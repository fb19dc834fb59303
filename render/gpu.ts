// AMD GPU placement (aim-reference §2.10): the PCI device ids the GPU operator labels nodes with.

import { didYouMean, normalizeGpuModel } from "../resolve/names";

export const GPU_DEVICE_ID_LABEL = "amd.com/gpu.device-id";

// Every AMD model upstream knows, Instinct, Radeon Pro and Radeon: kaiwo `KnownAmdGpuDevices`
// (internal/controller/aim/shared/gpu_resources.go at fa8a3e90), the same as aim-engine's `KnownAmdDevices`
// (internal/utils/resources.go at 9223504). Upstream maps id → model; here model → ids, as affinity needs them.
const DEVICE_IDS: Record<string, string[]> = {
    // AMD Instinct
    MI300X: ["74a1", "74a9", "74b5", "74bd"],
    MI325X: ["74a5", "74b9"],
    MI308X: ["74a2", "74a8", "74b6"],
    MI300A: ["74a0"],
    MI350X: ["75a0", "75b0"],
    MI355X: ["75a3", "75b3"],
    MI250X: ["7408", "740c"],
    MI210: ["740f", "7410"],
    MI100: ["738c", "738e"],
    // AMD Radeon Pro
    V710: ["7460", "7461"],
    W7900: ["7448", "744a"],
    W7800: ["7449", "745e"],
    W6900X: ["73a2"],
    W6800: ["73a3"],
    W6800X: ["73ab"],
    V620: ["73a1", "73ae"],
    // AMD Radeon (upstream files the RX 6900 XT's id 73bf under RX6800)
    RX9070: ["7550"],
    RX7900: ["744c"],
    RX6900: ["73af"],
    RX6800: ["73bf"],
};

/**
 * Sorted device ids of a GPU model, however it is written (`mi300x`, `Instinct-MI300X`: upstream's normalisation);
 * none for an unknown model, which then gets no affinity.
 */
export function deviceIds(model: string | undefined): string[] {
    const normalized = model && normalizeGpuModel(model);
    return normalized ? [...(DEVICE_IDS[normalized] ?? [])].sort() : [];
}

/** The GPU models the package knows the device ids of, as `normalizeGpuModel` writes them. */
export const KNOWN_GPU_MODELS: readonly string[] = Object.keys(DEVICE_IDS);

/** Pulumi config `aim:extraGpuModels`: GPU models a stack uses deliberately although the package does not know them. */
export const EXTRA_GPU_MODELS_KEY = "extraGpuModels";

const comparable = (model: string) => normalizeGpuModel(model) ?? model.trim().toUpperCase();

/**
 * What a GPU model the user wrote means for placement. Known (the device-id table, or `extraModels` from
 * `aim:extraGpuModels`): nothing to say. Within edit distance 2 of a known model after normalisation: a typo, an
 * error (`MI300XX`), since an unknown model silently loses its node affinity. Anything else: a warning.
 */
export function gpuModelProblem(model: string, extraModels: readonly string[]): { error: string } | { warning: string } | undefined {
    const known = [...KNOWN_GPU_MODELS, ...extraModels.map(comparable)];
    const given = comparable(model);
    if (known.includes(given)) return undefined;
    const closest = didYouMean(given, known);
    if (closest) {
        return { error: `${JSON.stringify(model)} is not a GPU model this package knows${closest} (to use a new model deliberately, list it in Pulumi config aim:${EXTRA_GPU_MODELS_KEY})` };
    }
    return {
        warning:
            `${JSON.stringify(model)} is not a GPU model this package knows (${[...new Set(known)].sort().join(", ")}): without ` +
            `its device ids, pods for it get no node affinity on ${GPU_DEVICE_ID_LABEL} and may land on any GPU node; if you ` +
            `mean this model, list it in Pulumi config aim:${EXTRA_GPU_MODELS_KEY} to silence this warning`,
    };
}

/** The GPU model that has every one of these device ids (read back from a node affinity); undefined when none has. */
export function gpuModelOfDeviceIds(ids: readonly string[]): string | undefined {
    if (ids.length === 0) return undefined;
    return Object.keys(DEVICE_IDS).find((model) => ids.every((id) => DEVICE_IDS[model].includes(id)));
}

/** Required node affinity on the device ids, or nothing when there are none. */
export function gpuNodeAffinity(model: string | undefined) {
    const values = deviceIds(model);
    if (values.length === 0) return {};
    return {
        affinity: {
            nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [{ matchExpressions: [{ key: GPU_DEVICE_ID_LABEL, operator: "In", values }] }],
                },
            },
        },
    };
}
