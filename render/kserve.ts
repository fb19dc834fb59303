// The KServe backend (aim-reference §2.4, §2.6, VF column): a template becomes a ServingRuntime (namespaced) or a
// ClusterServingRuntime (cluster), a service an InferenceService that runs on it. Both are built from the inference
// container contract of render/container.ts, like the Deployment backend. KServe merges the InferenceService's
// `predictor.model` container and pod fields over the runtime's (strategic merge: env by name, volumes by name, mounts
// by path; kserve v0.15.2 `MergeRuntimeContainers`, `MergePodSpec`), so the runtime holds what every service of the
// template shares and the InferenceService what is the service's own.

import { LocalObjectReference } from "../types";
import { inferenceServiceName, predictorName } from "../resolve/names";
import { inferenceEnv, inferencePorts, inferenceResources, inferenceVolumes, podPlacement, SHM_VOLUME } from "./container";
import { awaitAnnotations, InferenceInput, workloadLabels } from "./serving";
import { aimLabel, standardLabels } from "./labels";
import { envValue, podPullSecrets, renderEnv } from "./pod";
import { GPU_RESOURCE } from "../validate/resources";
import { KServeDeploymentMode } from "../validate/common";

/** The container KServe fills from the runtime and overlays with the InferenceService's `predictor.model`. */
const KSERVE_CONTAINER = "kserve-container";
/** The model format AIM runtimes declare and AIM InferenceServices ask for. */
const AIM_MODEL_FORMAT = { name: "aim", version: "1" };

export interface RuntimeInput {
    /** The template's name: the runtime's name. */
    templateName: string;
    /** The template's namespace; absent for a cluster template (a ClusterServingRuntime). */
    namespace?: string;
    aimImageName: string;
    image: string;
    gpuCount: number;
    /** Already merged: the template's own, then the resolved config's. */
    imagePullSecrets: LocalObjectReference[];
}

const isShm = (v: { name: unknown }) => v.name === SHM_VOLUME;

export function renderServingRuntime(input: RuntimeInput) {
    const gpus = { [GPU_RESOURCE]: String(input.gpuCount) };
    // Only /dev/shm: the model storage (caches or scratch) is each service's own, in its InferenceService.
    const shm = inferenceVolumes({ caches: [], scratch: { type: "emptyDir" } });
    return {
        apiVersion: "serving.kserve.io/v1alpha1",
        kind: input.namespace === undefined ? "ClusterServingRuntime" : "ServingRuntime",
        metadata: {
            name: input.templateName,
            ...(input.namespace !== undefined && { namespace: input.namespace }),
            labels: { ...standardLabels("aim-runtime", "serving-runtime"), ...aimLabel("model-id", input.aimImageName) },
        },
        spec: {
            supportedModelFormats: [AIM_MODEL_FORMAT],
            // The AIM container downloads its model itself; KServe's storage initializer has nothing to fetch.
            storageHelper: { disabled: true },
            ...podPullSecrets(input.imagePullSecrets),
            containers: [
                {
                    name: KSERVE_CONTAINER,
                    image: input.image,
                    env: renderEnv([envValue("VLLM_ENABLE_METRICS", "true")]),
                    ports: inferencePorts(),
                    ...(input.gpuCount > 0 && { resources: { requests: gpus, limits: gpus } }),
                    volumeMounts: shm.volumeMounts.filter(isShm),
                },
            ],
            volumes: shm.volumes.filter(isShm),
        },
    };
}

/**
 * The provider's await annotations (pulumi-kubernetes `94977969`, the provider of SDK 4.34.2) for an InferenceService:
 * a custom resource has no built-in await logic, so `pulumi.com/waitFor: condition=Ready` makes create and update wait
 * for its `Ready` condition to be `True` (`provider/pkg/metadata/overrides.go` `ReadyCondition` l.100–160, called from
 * `provider/pkg/await/await.go` l.321 (create) and l.504 (update); `condition/custom.go` `NewCustom` l.30), bounded
 * by `pulumi.com/timeoutSeconds` (`overrides.go` `TimeoutDuration` l.53–66; else 10 minutes, `await.go` l.306, l.491).
 * With `skipAwait`, `pulumi.com/skipAwait: "true"` returns at once (`overrides.go` l.108) and no waitFor is written.
 */
function inferenceServiceAwait(input: Pick<InferenceInput, "await">): Record<string, string> {
    return { ...(!input.await.skipAwait && { "pulumi.com/waitFor": "condition=Ready" }), ...awaitAnnotations(input.await) };
}

export interface InferenceServiceInput extends InferenceInput {
    /** Pulumi config `aim:kserveDeploymentMode`; absent: no annotation, KServe's configured default mode. */
    deploymentMode?: KServeDeploymentMode;
}

/** The InferenceService's annotations: the service's, and the package's own over them. */
export function inferenceServiceAnnotations(input: Pick<InferenceServiceInput, "annotations" | "await" | "deploymentMode">): Record<string, string> {
    return {
        ...input.annotations,
        // Replicas are fixed (min = max); upstream turns KServe's autoscaler off unless autoscaling is asked for.
        "serving.kserve.io/autoscalerClass": "none",
        // Only when asked for (components/internal.ts stackKServeDeploymentMode says why): KServe honours it
        // over its configured default (v0.16.0 `GetDeploymentMode`,
        // pkg/controller/v1beta1/inferenceservice/utils/utils.go l.221–245).
        ...(input.deploymentMode && { "serving.kserve.io/deploymentMode": input.deploymentMode }),
        ...inferenceServiceAwait(input),
    };
}

export function renderInferenceService(input: InferenceServiceInput) {
    const { volumes, volumeMounts } = inferenceVolumes(input);
    return {
        apiVersion: "serving.kserve.io/v1beta1",
        kind: "InferenceService",
        metadata: {
            name: inferenceServiceName(input.serviceName, input.namespace),
            namespace: input.namespace,
            // KServe copies the InferenceService's labels onto the predictor Deployment and its pods.
            labels: workloadLabels(input),
            annotations: inferenceServiceAnnotations(input),
        },
        spec: {
            predictor: {
                minReplicas: input.replicas,
                maxReplicas: input.replicas,
                ...podPlacement(input),
                // The runtime provides /dev/shm; the service adds its caches.
                ...(volumes.some((v) => !isShm(v)) && { volumes: volumes.filter((v) => !isShm(v)) }),
                model: {
                    modelFormat: AIM_MODEL_FORMAT,
                    runtime: input.templateName,
                    env: renderEnv(inferenceEnv(input)),
                    resources: inferenceResources(input),
                    ...(volumeMounts.some((m) => !isShm(m)) && { volumeMounts: volumeMounts.filter((m) => !isShm(m)) }),
                },
            },
        },
    };
}

/** In-cluster URL of a service served by KServe: its predictor Service (no cluster domain, as serviceEndpoint). */
export function kserveEndpoint(serviceName: string, namespace: string): string {
    return `http://${predictorName(inferenceServiceName(serviceName, namespace))}.${namespace}.svc`;
}
