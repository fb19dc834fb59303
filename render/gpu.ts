// AMD GPU placement (aim-reference §2.10): the PCI device ids the GPU operator labels nodes with.

import { normalizeGpuModel } from "../resolve/names";

export const GPU_DEVICE_ID_LABEL = "amd.com/gpu.device-id";

const DEVICE_IDS: Record<string, string[]> = {
    MI300X: ["74a1", "74a9", "74b5", "74bd"],
    MI325X: ["74a5", "74b9"],
    MI308X: ["74a2", "74a8", "74b6"],
    MI300A: ["74a0"],
    MI350X: ["75a0", "75b0"],
    MI355X: ["75a3", "75b3"],
    MI250X: ["7408", "740c"],
    MI210: ["740f", "7410"],
    MI100: ["738c", "738e"],
};

/**
 * Sorted device ids of a GPU model, however it is written (`mi300x`, `Instinct-MI300X`: upstream's normalisation);
 * none for an unknown model, which then gets no affinity.
 */
export function deviceIds(model: string | undefined): string[] {
    const normalized = model && normalizeGpuModel(model);
    return normalized ? [...(DEVICE_IDS[normalized] ?? [])].sort() : [];
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
