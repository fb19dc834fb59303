// The Deployment backend of an AIMService: a Deployment running the inference container of render/container.ts, and
// the Service in front.

import * as k8s from "@pulumi/kubernetes";
import { AIM_PORT, ContainerInput, inferencePodSpec } from "./container";
import { aimLabel, standardLabels } from "./labels";

export const SERVICE_PORT = 80;

export interface InferenceInput extends ContainerInput {
    serviceName: string;
    namespace: string;
    aimImageName: string;
    /** Effective template (after overrides). */
    templateName: string;
    replicas: number;
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
                spec: inferencePodSpec(input),
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
