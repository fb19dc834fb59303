// What a revision asks of the cluster: GPUs by model and persistent storage by storage class.

import { gpuModelOfDeviceIds, GPU_DEVICE_ID_LABEL } from "../render/gpu";
import { GPU_RESOURCE } from "../validate/resources";
import { quantityToBytes } from "../validate/quantity";
import type { Registration } from "./offline";

export interface Capacity {
    /** GPUs the serving workloads request (replicas × GPUs per pod), by model; `unknown` for a model not named by a known device-id affinity. */
    gpus: Record<string, number>;
    /** Requested storage of the PersistentVolumeClaims, by storage class (`default` when none is set). */
    storage: Record<string, string>;
}

export const UNKNOWN_GPU = "unknown";
export const DEFAULT_STORAGE_CLASS = "default";

/** A pod template, however the workload kind nests it, and how many pods run it. */
interface Pods {
    replicas: number;
    containers: any[];
    affinity?: any;
    nodeSelector?: Record<string, unknown>;
}

function replicas(value: unknown): number {
    return typeof value === "number" ? value : 1;
}

/** The pods a serving workload runs: Deployments and StatefulSets, and KServe's InferenceService predictor. */
export function podsOf(r: Registration): Pods | undefined {
    const kind = r.inputs.kind;
    const spec = r.inputs.spec ?? {};
    if (kind === "Deployment" || kind === "StatefulSet") {
        const pod = spec.template?.spec ?? {};
        return { replicas: replicas(spec.replicas), containers: pod.containers ?? [], affinity: pod.affinity, nodeSelector: pod.nodeSelector };
    }
    if (kind === "InferenceService" && spec.predictor) {
        const predictor = spec.predictor;
        return {
            replicas: replicas(predictor.minReplicas),
            containers: [predictor.model, ...(predictor.containers ?? [])].filter(Boolean),
            affinity: predictor.affinity,
            nodeSelector: predictor.nodeSelector,
        };
    }
    return undefined;
}

export function gpusPerPod(pods: Pods): number {
    return pods.containers.reduce((sum, c) => {
        const count = Number(c?.resources?.limits?.[GPU_RESOURCE] ?? c?.resources?.requests?.[GPU_RESOURCE] ?? 0);
        return sum + (Number.isFinite(count) ? count : 0);
    }, 0);
}

/** The GPU model the pods are placed on: from a required device-id affinity or node selector. */
export function gpuModelOf(pods: Pods): string {
    const terms: any[] = pods.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
    const ids = terms.flatMap((t) => t.matchExpressions ?? []).filter((e) => e.key === GPU_DEVICE_ID_LABEL && e.operator === "In").flatMap((e) => e.values ?? []);
    const selected = pods.nodeSelector?.[GPU_DEVICE_ID_LABEL];
    return gpuModelOfDeviceIds(typeof selected === "string" ? [...ids, selected] : ids) ?? UNKNOWN_GPU;
}

const UNITS: [string, number][] = [
    ["Ti", 2 ** 40],
    ["Gi", 2 ** 30],
    ["Mi", 2 ** 20],
    ["Ki", 2 ** 10],
];

/** A byte count as Kubernetes writes it, in the largest binary unit that divides it (`154Gi`). */
export function formatBytes(bytes: number): string {
    const [unit, size] = UNITS.find(([, size]) => bytes !== 0 && bytes % size === 0) ?? ["", 1];
    return `${bytes / size}${unit}`;
}

function sortedRecord<T>(entries: Map<string, T>): Record<string, T> {
    return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function capacityOf(resources: readonly Registration[]): Capacity {
    const gpus = new Map<string, number>();
    const bytes = new Map<string, number>();
    for (const r of resources) {
        if (!r.custom) continue;
        const pods = podsOf(r);
        const perPod = pods ? gpusPerPod(pods) : 0;
        if (pods && perPod > 0) {
            const model = gpuModelOf(pods);
            gpus.set(model, (gpus.get(model) ?? 0) + pods.replicas * perPod);
        }
        if (r.inputs.kind === "PersistentVolumeClaim") {
            const size = quantityToBytes(String(r.inputs.spec?.resources?.requests?.storage ?? "0"));
            const storageClass = r.inputs.spec?.storageClassName ?? DEFAULT_STORAGE_CLASS;
            if (Number.isFinite(size)) bytes.set(storageClass, (bytes.get(storageClass) ?? 0) + size);
        }
    }
    return { gpus: sortedRecord(gpus), storage: sortedRecord(new Map([...bytes].map(([k, v]) => [k, formatBytes(v)]))) };
}
