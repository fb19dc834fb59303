// The GPU inference workload of an AIMService: a Deployment running the AIM container and the Service in front.

import * as k8s from "@pulumi/kubernetes";
import { EnvVar, LocalObjectReference, Metric, Precision } from "../types";
import { quantityToBytes } from "../validate/quantity";
import { GPU_RESOURCE } from "../validate/service";
import { gpuNodeAffinity } from "./gpu";
import { aimLabel, standardLabels } from "./labels";
import { envValue, mergeEnv, podPullSecrets, renderEnv } from "./pod";
import { hfTokenEnv } from "./tokenSecret";

export const AIM_PORT = 8000;
export const SERVICE_PORT = 80;
export const MODEL_CACHE_ROOT = "/workspace/model-cache";

/** A model cache PVC mounted into the workload. */
export interface CacheMount {
    claimName: string;
    /** Model name: the mount is `<MODEL_CACHE_ROOT>/<model name>`. */
    modelName: string;
}

export interface InferenceInput {
    serviceName: string;
    namespace: string;
    /** Container image URI of the resolved AIM image. */
    image: string;
    aimImageName: string;
    /** Effective template (after overrides). */
    templateName: string;
    replicas: number;
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
    /** The service's own labels; the package's labels win over them. */
    labels?: Record<string, string>;
}


/** Pods of one service: stable across template changes, since a Deployment's selector is immutable. */
export function selectorLabels(serviceName: string): Record<string, string> {
    return { "app.kubernetes.io/name": "aim-service", "app.kubernetes.io/instance": serviceName };
}

export function serviceLabels(input: Pick<InferenceInput, "serviceName" | "templateName" | "aimImageName" | "labels">) {
    return {
        ...input.labels,
        ...standardLabels("aim-service", "inference-service"),
        ...selectorLabels(input.serviceName),
        ...aimLabel("service-name", input.serviceName),
        ...aimLabel("template", input.templateName),
        ...aimLabel("aim-image", input.aimImageName),
    };
}

/**
 * Upstream's per-GPU defaults (4 CPUs, 32Gi requested and 48Gi limit of memory per GPU), overlaid key by key by the
 * service's own. The API server rejects a request above its limit, so a default never crosses a value the service
 * set: a default limit rises to the service's request, a default request drops to the service's limit.
 */
function containerResources(input: InferenceInput) {
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

function inferenceEnv(input: InferenceInput): EnvVar[] {
    return mergeEnv(
        input.caches.length > 0 ? [envValue("AIM_CACHE_PATH", MODEL_CACHE_ROOT)] : [],
        input.metric ? [envValue("AIM_METRIC", input.metric)] : [],
        input.precision ? [envValue("AIM_PRECISION", input.precision)] : [],
        input.templateEnv,
        input.serviceEnv,
        input.hfTokenSecretName ? [hfTokenEnv(input.hfTokenSecretName)] : [],
    );
}

export function renderDeployment(input: InferenceInput) {
    const labels = serviceLabels(input);
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: input.serviceName, namespace: input.namespace, labels },
        spec: {
            replicas: input.replicas,
            selector: { matchLabels: selectorLabels(input.serviceName) },
            template: {
                metadata: { labels },
                spec: {
                    ...gpuNodeAffinity(input.gpuModel),
                    ...podPullSecrets(input.imagePullSecrets),
                    containers: [
                        {
                            name: "aim",
                            image: input.image,
                            ports: [{ name: "http", containerPort: AIM_PORT, protocol: "TCP" }],
                            env: renderEnv(inferenceEnv(input)),
                            resources: containerResources(input),
                            volumeMounts: [
                                { name: "dshm", mountPath: "/dev/shm" },
                                ...input.caches.map((c) => ({ name: c.claimName, mountPath: `${MODEL_CACHE_ROOT}/${c.modelName}` })),
                            ],
                        },
                    ],
                    volumes: [
                        // vLLM's tensor-parallel workers share memory through /dev/shm; the container default is 64Mi.
                        { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: "8Gi" } },
                        ...input.caches.map((c) => ({ name: c.claimName, persistentVolumeClaim: { claimName: c.claimName } })),
                    ],
                },
            },
        },
    } satisfies k8s.apps.v1.DeploymentArgs;
}

export function renderService(input: Pick<InferenceInput, "serviceName" | "namespace" | "templateName" | "aimImageName" | "labels">) {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: input.serviceName, namespace: input.namespace, labels: serviceLabels(input) },
        spec: {
            selector: selectorLabels(input.serviceName),
            ports: [{ name: "http", port: SERVICE_PORT, targetPort: AIM_PORT, protocol: "TCP" }],
        },
    } satisfies k8s.core.v1.ServiceArgs;
}
