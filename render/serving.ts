// What every serving backend of an AIMService shares above the container contract: the service's inputs, labels,
// port and await annotations. The Deployment backend (inference.ts), the KServe backend (kserve.ts) and the route
// (httpRoute.ts) import it; no backend imports another.

import { ContainerInput } from "./container";
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
 * Labels of the workload (Deployment or InferenceService) and its pods: the service's, plus the profile the template
 * states (after overrides), as upstream labels its InferenceService with the profile's metric and precision. Not in
 * the Deployment's selector, which is immutable: a template change must not orphan the running pods.
 */
export function workloadLabels(input: Pick<InferenceInput, "serviceName" | "templateName" | "aimImageName" | "labels" | "metric" | "precision">) {
    return {
        ...serviceLabels(input),
        ...(input.metric && aimLabel("template.metric", input.metric)),
        ...(input.precision && aimLabel("template.precision", input.precision)),
    };
}
