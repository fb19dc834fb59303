// The inference container contract: everything the AIM container needs to serve, whichever backend runs it (the
// plain Deployment of render/inference.ts, or a KServe ServingRuntime + InferenceService). Backends build their
// objects from these pieces only, so the container is the same under each of them.
//
// Stable API (other backends depend on it):
//   ContainerInput            what a backend passes in (resolved; no Pulumi resources)
//   AIM_PORT, MODEL_CACHE_ROOT, INFERENCE_CONTAINER_NAME, SHM_VOLUME
//   inferenceEnv(input)        the container env, lowest precedence first, as upstream's buildMergedEnvVars
//   inferenceResources(input)  requests/limits: per-GPU defaults overlaid by the service's, GPU key = GPU count
//   inferencePorts()           container ports
//   inferenceVolumes(input)    { volumes, volumeMounts }: /dev/shm and the model caches
//   inferenceContainer(input, name?)  one container from the pieces above
//   inferencePodSpec(input, name?)    pod-level fields (affinity, pull secrets) + that container + its volumes

import * as k8s from "@pulumi/kubernetes";
import { EnvVar, LocalObjectReference, Metric, Precision } from "../types";
import { quantityToBytes } from "../validate/quantity";
import { GPU_RESOURCE } from "../validate/service";
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
    /** Secret holding the Hugging Face token under key `token`, if one was given. */
    hfTokenSecretName?: string;
    /** Already merged: the service's own, then the resolved config's. */
    imagePullSecrets: LocalObjectReference[];
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    caches: CacheMount[];
}

/**
 * Upstream's per-GPU defaults (4 CPUs, 32Gi requested and 48Gi limit of memory per GPU), overlaid key by key by the
 * service's own. The API server rejects a request above its limit, so a default never crosses a value the service
 * set: a default limit rises to the service's request, a default request drops to the service's limit.
 */
export function inferenceResources(input: Pick<ContainerInput, "gpuCount" | "resources">) {
    const gpus = input.gpuCount;
    const own = { requests: input.resources?.requests ?? {}, limits: input.resources?.limits ?? {} };
    const requests: Record<string, string> = { cpu: String(4 * gpus), memory: `${32 * gpus}Gi` };
    const limits: Record<string, string> = { memory: `${48 * gpus}Gi` };
    const exceeds = (a: string, b: string) => quantityToBytes(a) > quantityToBytes(b);
    for (const [key, limit] of Object.entries(own.limits)) {
        if (requests[key] !== undefined && exceeds(requests[key], limit)) requests[key] = limit;
    }
    for (const [key, request] of Object.entries(own.requests)) {
        if (limits[key] !== undefined && exceeds(request, limits[key])) limits[key] = request;
    }
    return {
        requests: { ...requests, ...own.requests, [GPU_RESOURCE]: String(gpus) },
        limits: { ...limits, ...own.limits, [GPU_RESOURCE]: String(gpus) },
    };
}

/** The container env, lowest precedence first: package defaults, template, service, then the secret references. */
export function inferenceEnv(input: ContainerInput): EnvVar[] {
    return mergeEnv(
        input.caches.length > 0 ? [envValue("AIM_CACHE_PATH", MODEL_CACHE_ROOT)] : [],
        input.metric ? [envValue("AIM_METRIC", input.metric)] : [],
        input.precision ? [envValue("AIM_PRECISION", input.precision)] : [],
        input.templateEnv,
        input.serviceEnv,
        input.hfTokenSecretName ? [hfTokenEnv(input.hfTokenSecretName)] : [],
    );
}

export function inferencePorts(): k8s.types.input.core.v1.ContainerPort[] {
    return [{ name: "http", containerPort: AIM_PORT, protocol: "TCP" }];
}

export function inferenceVolumes(input: Pick<ContainerInput, "caches">) {
    return {
        volumes: [
            // vLLM's tensor-parallel workers share memory through /dev/shm; the container default is 64Mi.
            { name: SHM_VOLUME, emptyDir: { medium: "Memory", sizeLimit: "8Gi" } },
            ...input.caches.map((c) => ({ name: c.claimName, persistentVolumeClaim: { claimName: c.claimName } })),
        ],
        volumeMounts: [
            { name: SHM_VOLUME, mountPath: "/dev/shm" },
            ...input.caches.map((c) => ({ name: c.claimName, mountPath: `${MODEL_CACHE_ROOT}/${c.modelName}` })),
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
        volumeMounts: inferenceVolumes(input).volumeMounts,
    } satisfies k8s.types.input.core.v1.Container;
}

/** Pod-level fields of an inference pod: GPU placement, pull secrets, the one container and its volumes. */
export function inferencePodSpec(input: ContainerInput, containerName = INFERENCE_CONTAINER_NAME) {
    return {
        ...gpuNodeAffinity(input.gpuModel),
        ...podPullSecrets(input.imagePullSecrets),
        containers: [inferenceContainer(input, containerName)],
        volumes: inferenceVolumes(input).volumes,
    } satisfies k8s.types.input.core.v1.PodSpec;
}
