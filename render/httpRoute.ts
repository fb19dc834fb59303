// The Gateway API HTTPRoute of a routed AIMService (aim-reference §2.7), and its path.

import { GatewayParentReference } from "../components/types";
import { toDnsLabel } from "../resolve/names";
import { SERVICE_PORT } from "./inference";

export const MAX_PATH_LENGTH = 200;

/** What a path template may refer to: the AIMService's own metadata. */
export interface PathContext {
    name: string;
    namespace: string;
    labels: Record<string, string>;
}

function evaluate(expression: string, context: PathContext): string {
    if (expression === ".metadata.name") return context.name;
    if (expression === ".metadata.namespace") return context.namespace;
    const label = /^\.metadata\.labels\['([^']+)'\]$/.exec(expression);
    if (label) {
        const value = context.labels[label[1]];
        if (value === undefined) throw new Error(`label "${label[1]}" is not set on the service`);
        return value;
    }
    throw new Error(
        `unsupported placeholder {${expression}}: use {.metadata.name}, {.metadata.namespace} or {.metadata.labels['<key>']}`,
    );
}

/**
 * The route's path prefix: `/<namespace>/<service name>` (the V0 contract; upstream's later default uses the UID,
 * which is unknown at preview time), or the rendered `pathTemplate`. Empty segments are dropped, there is no
 * trailing slash, and the result is at most 200 characters. Throws an Error describing what is wrong.
 */
export function routePath(pathTemplate: string | undefined, context: PathContext): string {
    const template = pathTemplate ?? "/{.metadata.namespace}/{.metadata.name}";
    // Upstream normalises substituted values to RFC 1123 characters.
    const rendered = template.replace(/\{([^}]*)\}/g, (_, expression: string) =>
        toDnsLabel(evaluate(expression.trim(), context)),
    );
    const path = `/${rendered.split("/").filter((segment) => segment !== "").join("/")}`;
    if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(path)) throw new Error(`"${path}" is not a valid URL path`);
    if (path.length > MAX_PATH_LENGTH) throw new Error(`the rendered path is ${path.length} characters, more than ${MAX_PATH_LENGTH}`);
    return path;
}

export interface HttpRouteInput {
    serviceName: string;
    namespace: string;
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
                    backendRefs: [{ group: "", kind: "Service", name: input.serviceName, port: SERVICE_PORT }],
                    ...(input.requestTimeout && { timeouts: { request: input.requestTimeout } }),
                },
            ],
        },
    };
}
