// The Gateway API HTTPRoute of a routed AIMService (aim-reference §2.7).

import { GatewayParentReference } from "../types";
import { SERVICE_PORT } from "./serving";

export interface HttpRouteInput {
    serviceName: string;
    namespace: string;
    /** The Kubernetes Service traffic goes to (port 80): ours, or KServe's `<isvc>-predictor`. */
    backendName: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    gateway: GatewayParentReference;
    path: string;
    requestTimeout?: string;
}

export function renderHttpRoute(input: HttpRouteInput) {
    return {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: {
            name: input.serviceName,
            namespace: input.namespace,
            labels: input.labels,
            ...(Object.keys(input.annotations).length > 0 && { annotations: input.annotations }),
        },
        spec: {
            parentRefs: [input.gateway],
            rules: [
                {
                    matches: [{ path: { type: "PathPrefix", value: input.path } }],
                    // The AIM server serves /v1/…; strip the service's prefix before it reaches the backend.
                    filters: [
                        { type: "URLRewrite", urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/" } } },
                    ],
                    backendRefs: [{ group: "", kind: "Service", name: input.backendName, port: SERVICE_PORT }],
                    ...(input.requestTimeout && { timeouts: { request: input.requestTimeout } }),
                },
            ],
        },
    };
}
