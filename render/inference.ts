// The Deployment backend of an AIMService: a Deployment running the inference container of render/container.ts, and
// the Service in front.

import * as k8s from "@pulumi/kubernetes";
import { AIM_PORT, inferencePodSpec } from "./container";
import { awaitAnnotations, InferenceInput, METRICS_PORT_NAME, selectorLabels, SERVICE_PORT, serviceLabels, workloadLabels } from "./serving";

/**
 * The in-cluster URL of a service: what clients in the cluster call, `/v1/...` below it. No cluster domain: the DNS
 * search path of a pod (default `ClusterFirst` policy) ends in the cluster's domain, so `<name>.<namespace>.svc`
 * resolves whatever that domain is, where `….svc.cluster.local` fails on clusters configured with another one.
 */
export function serviceEndpoint(serviceName: string, namespace: string): string {
    return `http://${serviceName}.${namespace}.svc`;
}

/** The Deployment's annotations: the service's, and the provider's await annotations over them. */
export function deploymentAnnotations(input: Pick<InferenceInput, "annotations" | "await">): Record<string, string> {
    return { ...input.annotations, ...awaitAnnotations(input.await) };
}

export function renderDeployment(input: InferenceInput) {
    const labels = workloadLabels(input);
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: {
            name: input.serviceName,
            namespace: input.namespace,
            labels,
            annotations: deploymentAnnotations(input),
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
