// The inference container contract: everything the AIM container needs to serve, whichever backend runs it (the
// plain Deployment of render/inference.ts, or a KServe ServingRuntime + InferenceService). Backends build their
// objects from these pieces only, so the container is the same under each of them.
//
// Stable API (other backends depend on it):
//   ContainerInput            what a backend passes in (resolved; no Pulumi resources)
//   AIM_PORT, MODEL_CACHE_ROOT, INFERENCE_CONTAINER_NAME, SHM_VOLUME, MODEL_STORAGE_VOLUME, API_KEY_ENV
//   inferenceEnv(input)        the container env, lowest precedence first, as upstream's buildMergedEnvVars
//   inferenceResources(input)  requests/limits: per-GPU defaults overlaid by image, template, service; GPU key = GPU count
//   inferencePorts()           container ports
//   inferenceProbes()          readiness and startup probes (TCP on AIM_PORT, as KServe's raw mode)
//   inferenceVolumes(input)    { volumes, volumeMounts }: /dev/shm, and the model caches or the scratch volume
//   inferenceContainer(input, name?)  one container from the pieces above
//   inferencePodSpec(input, name?)    pod-level fields (affinity, pull secrets, service account) + that container
//                                     + its volumes

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ContainerResources, EnvVar, LocalObjectReference, Metric, ModelSource, Precision, ServiceScratch } from "../types";
import { compareQuantities, pvcSize } from "../validate/quantity";
import { ENGINE_ARGS_ENV } from "../validate/engineArgs";
import { GPU_RESOURCE } from "../validate/resources";
import { withoutGpu } from "../resolve/resources";
import { gpuNodeAffinity } from "./gpu";
import { envValue, mergeEnv, podPullSecrets, renderEnv } from "./pod";
import { hfTokenEnv } from "./tokenSecret";

/** The AIM server's port: OpenAI-compatible API under `/v1`, health and Prometheus metrics. */
export const AIM_PORT = 8000;
/** Where AIM looks for model weights (`AIM_CACHE_PATH`); caches mount below it. */
export const MODEL_CACHE_ROOT = "/workspace/model-cache";
/** The container's name in the Deployment backend (KServe names its own `kserve-container`). */
export const INFERENCE_CONTAINER_NAME = "aim";
/** Name of the `/dev/shm` volume, as upstream's ServingRuntime. */
export const SHM_VOLUME = "dshm";
/** Name of the scratch volume at MODEL_CACHE_ROOT, as upstream's temporary PVC volume. */
export const MODEL_STORAGE_VOLUME = "model-storage";
/** vLLM's OpenAI server requires `Authorization: Bearer <value>` on `/v1/*` when this is set. */
export const API_KEY_ENV = "VLLM_API_KEY";

/**
 * The startup probe's budget: 10 s × 720 = 2 hours from container start for download and load, so that a large model
 * on a slow link is not restarted mid-download; only after it passes does readiness take over.
 */
export const STARTUP_PERIOD_SECONDS = 10;
export const STARTUP_FAILURE_THRESHOLD = 720;

/** A model cache PVC mounted into the workload. */
export interface CacheMount {
    claimName: string;
    /** Model name: the mount is `<MODEL_CACHE_ROOT>/<model name>`. */
    modelName: string;
}

/** What the inference container is made of, resolved. */
export interface ContainerInput {
    /** Container image URI of the resolved AIM image. */
    image: string;
    gpuCount: number;
    gpuModel?: string;
    metric?: Metric;
    precision?: Precision;
    /** A namespace template's env; the service's own env wins over it. */
    templateEnv?: EnvVar[];
    serviceEnv?: EnvVar[];
    /** `AIM_ENGINE_ARGS` of templateEnv and serviceEnv deep-merged (resolve/engineArgs.ts), when set: it replaces both. */
    engineArgs?: pulumi.Input<string>;
    /** Secret holding the Hugging Face token under key `token`, if one was given. */
    hfTokenSecretName?: string;
    /** Already merged: the service's own, then its template's, then the resolved config's. */
    imagePullSecrets: LocalObjectReference[];
    /** Resources over the per-GPU defaults, lowest precedence first (image, template, service); their GPU keys are ignored: `gpuCount` is resolved. */
    resources: ContainerResources[];
    /** Model caches, mounted under MODEL_CACHE_ROOT; when there are none, `scratch` backs MODEL_CACHE_ROOT. */
    caches: CacheMount[];
    scratch: ScratchVolume;
    /** The Secret key holding the API key, if the endpoint is protected. */
    apiKeySecret?: SecretKey;
    serviceAccountName?: string;
}

export interface SecretKey {
    name: string;
    key: string;
}

/**
 * What backs MODEL_CACHE_ROOT without caches: a per-pod volume claim (generic ephemeral volume) of `size`, or an
 * `emptyDir` on the node's ephemeral storage (limited to `sizeLimit` when known).
 */
export type ScratchVolume =
    | { type: "ephemeral"; size: string; storageClassName?: string }
    | { type: "emptyDir"; sizeLimit?: string };

/**
 * The scratch volume of a service without caches. Its size: the service's `scratch.size`, else the template's model
 * sources with upstream's 10 % headroom (as upstream sizes its temporary PVC). With a size it is a per-pod claim
 * (upstream mounts a PVC there so the model does not fill the node's ephemeral storage); with no size known, or
 * `emptyDir: true`, an emptyDir. Storage class: the service's, else the config's caching class, else the default.
 */
export function scratchVolumeFor(
    scratch: ServiceScratch | undefined,
    modelSources: ModelSource[] | undefined,
    configStorageClassName: string | undefined,
): ScratchVolume {
    const sources = modelSources ?? [];
    const size = scratch?.size ?? (sources.length > 0 ? pvcSize(sources.map((s) => s.size)) : undefined);
    if (scratch?.emptyDir || size === undefined) return { type: "emptyDir", ...(size && { sizeLimit: size }) };
    const storageClassName = scratch?.storageClassName ?? configStorageClassName;
    return { type: "ephemeral", size, ...(storageClassName && { storageClassName }) };
}

/**
 * Overlays `over` on `base` key by key, requests and limits separately, as upstream's `mergeResourceRequirements`.
 * The API server rejects a request above its limit, so a lower level never crosses a value a higher one set: its
 * limit rises to the higher level's request, its request drops to the higher level's limit (upstream would render
 * the pod and have it rejected). Each level is valid on its own, so the result is too.
 */
function overlay(base: Required<ContainerResources>, over: ContainerResources): Required<ContainerResources> {
    const requests = { ...base.requests };
    const limits = { ...base.limits };
    const exceeds = (a: string, b: string) => compareQuantities(a, b) > 0;
    for (const [key, limit] of Object.entries(over.limits ?? {})) {
        if (requests[key] !== undefined && exceeds(requests[key], limit)) requests[key] = limit;
    }
    for (const [key, request] of Object.entries(over.requests ?? {})) {
        if (limits[key] !== undefined && exceeds(request, limits[key])) limits[key] = request;
    }
    return { requests: { ...requests, ...over.requests }, limits: { ...limits, ...over.limits } };
}

/**
 * Upstream's per-GPU defaults (4 CPUs, 32Gi requested and 48Gi limit of memory per GPU), overlaid by the image's,
 * the template's and the service's resources in turn; `amd.com/gpu` request and limit = the resolved GPU count. With
 * zero GPUs neither defaults nor a GPU key, only what the levels state, as aim-engine's `resolveResources` and
 * `defaultResourceRequirementsForGPU` (internal/aimservice/kserve.go l.408–458 at 9223504); empty lists are left out.
 */
export function inferenceResources(input: Pick<ContainerInput, "gpuCount" | "resources">): ContainerResources {
    const gpus = input.gpuCount;
    const defaults: Required<ContainerResources> =
        gpus > 0 ? { requests: { cpu: String(4 * gpus), memory: `${32 * gpus}Gi` }, limits: { memory: `${48 * gpus}Gi` } } : { requests: {}, limits: {} };
    // The GPU key is the resolved count, whichever level stated it.
    const { requests, limits } = input.resources.reduce<Required<ContainerResources>>((merged, level) => overlay(merged, withoutGpu(level) ?? {}), defaults);
    const gpu: Record<string, string> = gpus > 0 ? { [GPU_RESOURCE]: String(gpus) } : {};
    const nonEmpty = (list: Record<string, string>) => (Object.keys(list).length > 0 ? list : undefined);
    const merged = { requests: nonEmpty({ ...requests, ...gpu }), limits: nonEmpty({ ...limits, ...gpu }) };
    return { ...(merged.requests && { requests: merged.requests }), ...(merged.limits && { limits: merged.limits }) };
}

/**
 * The container env, lowest precedence first: package defaults, template, service (`AIM_ENGINE_ARGS` of both merged),
 * then the secret references.
 */
export function inferenceEnv(input: ContainerInput): EnvVar[] {
    return mergeEnv(
        // Always set, and always backed by a volume (inferenceVolumes): the model never lands in the writable layer.
        [envValue("AIM_CACHE_PATH", MODEL_CACHE_ROOT), envValue("VLLM_ENABLE_METRICS", "true")],
        input.metric ? [envValue("AIM_METRIC", input.metric)] : [],
        input.precision ? [envValue("AIM_PRECISION", input.precision)] : [],
        input.templateEnv,
        input.serviceEnv,
        input.engineArgs !== undefined ? [{ name: ENGINE_ARGS_ENV, value: input.engineArgs }] : [],
        input.hfTokenSecretName ? [hfTokenEnv(input.hfTokenSecretName)] : [],
        input.apiKeySecret ? [{ name: API_KEY_ENV, valueFrom: { secretKeyRef: { ...input.apiKeySecret } } }] : [],
    );
}

export function inferencePorts(): k8s.types.input.core.v1.ContainerPort[] {
    return [{ name: "http", containerPort: AIM_PORT, protocol: "TCP" }];
}

/**
 * TCP on the server port, as KServe's raw mode puts on the first container port: vLLM accepts connections only once
 * the model is loaded, so no traffic reaches a loading pod, and a rolling update keeps the old pod until then.
 */
export function inferenceProbes() {
    const tcpSocket = { port: AIM_PORT };
    return {
        readinessProbe: { tcpSocket, periodSeconds: 10, failureThreshold: 3 },
        startupProbe: { tcpSocket, periodSeconds: STARTUP_PERIOD_SECONDS, failureThreshold: STARTUP_FAILURE_THRESHOLD },
    } satisfies Pick<k8s.types.input.core.v1.Container, "readinessProbe" | "startupProbe">;
}

function scratchVolume(scratch: ScratchVolume): k8s.types.input.core.v1.Volume {
    if (scratch.type === "emptyDir") {
        return { name: MODEL_STORAGE_VOLUME, emptyDir: scratch.sizeLimit ? { sizeLimit: scratch.sizeLimit } : {} };
    }
    return {
        name: MODEL_STORAGE_VOLUME,
        ephemeral: {
            volumeClaimTemplate: {
                spec: {
                    // One claim per pod, created and deleted with it: ReadWriteOnce suffices and every storage class has it.
                    accessModes: ["ReadWriteOnce"],
                    ...(scratch.storageClassName && { storageClassName: scratch.storageClassName }),
                    resources: { requests: { storage: scratch.size } },
                },
            },
        },
    };
}

export function inferenceVolumes(input: Pick<ContainerInput, "caches" | "scratch">) {
    const useScratch = input.caches.length === 0;
    return {
        volumes: [
            // vLLM's tensor-parallel workers share memory through /dev/shm; the container default is 64Mi.
            { name: SHM_VOLUME, emptyDir: { medium: "Memory", sizeLimit: "8Gi" } },
            ...input.caches.map((c) => ({ name: c.claimName, persistentVolumeClaim: { claimName: c.claimName } })),
            ...(useScratch ? [scratchVolume(input.scratch)] : []),
        ],
        volumeMounts: [
            { name: SHM_VOLUME, mountPath: "/dev/shm" },
            ...input.caches.map((c) => ({ name: c.claimName, mountPath: `${MODEL_CACHE_ROOT}/${c.modelName}` })),
            ...(useScratch ? [{ name: MODEL_STORAGE_VOLUME, mountPath: MODEL_CACHE_ROOT }] : []),
        ],
    };
}

export function inferenceContainer(input: ContainerInput, name = INFERENCE_CONTAINER_NAME) {
    return {
        name,
        image: input.image,
        ports: inferencePorts(),
        env: renderEnv(inferenceEnv(input)),
        resources: inferenceResources(input),
        ...inferenceProbes(),
        volumeMounts: inferenceVolumes(input).volumeMounts,
    } satisfies k8s.types.input.core.v1.Container;
}

/**
 * Where and as whom an inference pod runs: GPU node affinity, pull secrets, service account. Every backend's pod. A
 * pod without GPUs needs no GPU node: it runs anywhere, a laptop cluster included.
 *
 * No security context, as upstream's InferenceService and ServingRuntime have none (aim-engine
 * internal/aimservice/kserve.go at 9223504): the pod passes Pod Security `baseline`, not `restricted`. Upstream only
 * ever serves the AIM image as the image's own user, and what vLLM writes outside the mounted volumes (its home,
 * compile caches) is not known to be writable by another; a non-root process reaches /dev/kfd and /dev/dri only
 * through the node's `video` / `render` groups, whose ids differ between hosts, so no supplementalGroups fit every
 * node; and ROCm's container guidance runs GPU workloads with seccomp unconfined, where the runtime's default profile
 * allows NUMA memory-policy calls (mbind, set_mempolicy) only with CAP_SYS_NICE, which `restricted` drops.
 */
export function podPlacement(input: ContainerInput) {
    return {
        ...gpuNodeAffinity(input.gpuCount > 0 ? input.gpuModel : undefined),
        ...podPullSecrets(input.imagePullSecrets),
        ...(input.serviceAccountName && { serviceAccountName: input.serviceAccountName }),
    };
}

export function inferencePodSpec(input: ContainerInput, containerName = INFERENCE_CONTAINER_NAME) {
    return {
        ...podPlacement(input),
        containers: [inferenceContainer(input, containerName)],
        volumes: inferenceVolumes(input).volumes,
    } satisfies k8s.types.input.core.v1.PodSpec;
}
