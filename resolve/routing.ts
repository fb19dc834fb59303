// Routing for a service (design §5, aim-reference §3.2): the service's `routing` wins field by field over the
// resolved config.

import { GatewayParentReference, ResolvedConfig, ServiceRouting } from "../types";
import { fieldError } from "../validate/common";
import { withGatewayDefaults } from "./config";
import { toDnsLabel } from "./names";

export interface EffectiveRouting {
    /** The parent reference with `group`, `kind` and `namespace` filled in. */
    gateway: GatewayParentReference;
    /** The route's path prefix. */
    path: string;
    annotations: Record<string, string>;
    requestTimeout?: string;
}

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
        // Own labels only: `labels['constructor']` must not find Object.prototype.constructor.
        if (!Object.hasOwn(context.labels, label[1])) throw new Error(`label "${label[1]}" is not set on the service`);
        return context.labels[label[1]];
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
    // The HTTPRoute CRD's own rules for a PathPrefix (CEL in gateway-api v1.2.1): no dot segments, no encoded
    // slash, and `%` only as a percent-encoding.
    if (/(^|\/)\.\.?(\/|$)/.test(path) || /%2f/i.test(path) || /%(?![0-9A-Fa-f]{2})/.test(path)) {
        throw new Error(`"${path}" is not a path the Gateway API accepts (no "." or ".." segments, no %2F, "%" only before two hex digits)`);
    }
    if (path.length > MAX_PATH_LENGTH) throw new Error(`the rendered path is ${path.length} characters, more than ${MAX_PATH_LENGTH}`);
    return path;
}

/**
 * Whether the service gets a route, and how. With no `routing.enabled` on the service, the config's
 * `autoCreateRoute` decides, but only a config that exists and a known gateway create a route implicitly: a missing
 * default config never routes on its own, and there is nothing to attach a route to without a gateway. A route
 * enabled explicitly without a gateway anywhere is an error.
 */
export function resolveRouting(
    service: { aimName: string; namespace: string; labels?: Record<string, string>; routing?: ServiceRouting },
    config: ResolvedConfig,
): EffectiveRouting | undefined {
    // The path template is checked whether or not a route is made now: a config change must not reveal a bad one.
    let path: string;
    try {
        path = routePath(service.routing?.pathTemplate, { name: service.aimName, namespace: service.namespace, labels: service.labels ?? {} });
    } catch (err) {
        throw fieldError("AIMService", service.aimName, "routing.pathTemplate", (err as Error).message);
    }
    const gateway = service.routing?.gateway ?? config.routing.gateway;
    const implicitlyEnabled = config.source !== "none" && config.routing.autoCreateRoute && gateway !== undefined;
    if (!(service.routing?.enabled ?? implicitlyEnabled)) return undefined;
    if (!gateway) {
        throw fieldError(
            "AIMService",
            service.aimName,
            "routing.gateway",
            `routing is enabled but no gateway is set on the service or in the resolved config "${config.name}"`,
        );
    }
    return {
        gateway: { ...withGatewayDefaults(gateway), namespace: gateway.namespace || service.namespace },
        path,
        annotations: service.routing?.annotations ?? {},
        requestTimeout: service.routing?.requestTimeout,
    };
}
