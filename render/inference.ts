// The Deployment backend of an AIMService: a Deployment running the inference container of render/container.ts, and
// the Service in front.

import * as k8s from "@pulumi/kubernetes";
import { AIM_PORT, ContainerInput, inferencePodSpec } from "./container";
import { aimLabel, standardLabels } from "./labels";

export const SERVICE_PORT = 80;
/** The Service port a ServiceMonitor scrapes (`/metrics` on the server port); PodMonitors use the pod port `http`. */
export const METRICS_PORT_NAME = "metrics";

/** How `pulumi up` waits for a service's Deployment and Service (pulumi-kubernetes provider/pkg/metadata/annotations.go). */
export interface AwaitInput {
    awaitTimeoutSeconds: number;
    skipAwait: boolean;
}

export interface InferenceInput extends ContainerInput {
    serviceName: string;
    namespace: string;
    aimImageName: string;
    /** Effective template (after overrides). */
    templateName: string;
    replicas: number;
    /** The service's own labels; the package's labels win over them. */
    labels?: Record<string, string>;
    /** The service's annotations: on the Deployment and its pod template, as KServe propagates them from the ISVC. */
    annotations?: Record<string, string>;
    await: AwaitInput;
}

/**
 * The provider's await annotations. Both the Deployment (ready replicas) and the Service (endpoints with pods) are
 * awaited, with a 10-minute default each, so both get the same budget.
 */
export function awaitAnnotations({ awaitTimeoutSeconds, skipAwait }: AwaitInput): Record<string, string> {
    return skipAwait ? { "pulumi.com/skipAwait": "true" } : { "pulumi.com/timeoutSeconds": String(awaitTimeoutSeconds) };
}

/** The in-cluster URL of a service: what clients in the cluster call, `/v1/...` below it. */
export function serviceEndpoint(serviceName: string, namespace: string): string {
    return `http://${serviceName}.${namespace}.svc.cluster.local`;
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

export function renderDeployment(input: InferenceInput) {
    const labels = serviceLabels(input);
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: {
            name: input.serviceName,
            namespace: input.namespace,
            labels,
            annotations: { ...input.annotations, ...awaitAnnotations(input.await) },
        },
        spec: {
            replicas: input.replicas,
            selector: { matchLabels: selectorLabels(input.serviceName) },
            // A new pod must be ready before an old one goes: the service never drops below its replicas while a new
            // pod loads its model (this needs room for one more pod's GPUs while it rolls).
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
            // Loading a model makes no rollout progress for tens of minutes; the default 600 s deadline would mark
            // the Deployment failed (Progressing=False, ProgressDeadlineExceeded) while it loads.
            progressDeadlineSeconds: input.await.awaitTimeoutSeconds,
            template: {
                metadata: { labels, ...(input.annotations && { annotations: input.annotations }) },
                spec: inferencePodSpec(input),
            },
        },
    } satisfies k8s.apps.v1.DeploymentArgs;
}

export function renderService(
    input: Pick<InferenceInput, "serviceName" | "namespace" | "templateName" | "aimImageName" | "labels" | "await">,
) {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: {
            name: input.serviceName,
            namespace: input.namespace,
            labels: serviceLabels(input),
            annotations: awaitAnnotations(input.await),
        },
        spec: {
            selector: selectorLabels(input.serviceName),
            ports: [
                { name: "http", port: SERVICE_PORT, targetPort: AIM_PORT, protocol: "TCP" },
                { name: METRICS_PORT_NAME, port: AIM_PORT, targetPort: AIM_PORT, protocol: "TCP" },
            ],
        },
    } satisfies k8s.core.v1.ServiceArgs;
}
