// Routing for a service (design §5, aim-reference §3.2): the service's `routing` wins field by field over the
// resolved config (itself the namespace config over the cluster config, field by field).

import { GatewayParentReference, ResolvedConfig, ServiceRouting } from "../types";
import { fieldError } from "../validate/common";
import { checkRenderedPath, normalizePath, parsePathTemplate, Placeholder } from "../validate/pathTemplate";
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

/** What a path template may refer to: the AIMService's own metadata. */
export interface PathContext {
    name: string;
    namespace: string;
    labels: Record<string, string>;
}

function valueFor(placeholder: Placeholder, context: PathContext): string {
    if (placeholder.field === "name") return context.name;
    if (placeholder.field === "namespace") return context.namespace;
    // Own labels only: `labels['constructor']` must not find Object.prototype.constructor.
    if (!Object.hasOwn(context.labels, placeholder.key)) throw new Error(`label "${placeholder.key}" is not set on the service`);
    return context.labels[placeholder.key];
}

/**
 * The route's path prefix: `/<namespace>/<service name>` (the V0 contract; upstream's later default uses the UID,
 * which is unknown at preview time), or the rendered `pathTemplate`. Empty segments are dropped, there is no
 * trailing slash, and the result is at most 200 characters. Throws an Error describing what is wrong.
 */
export function routePath(pathTemplate: string | undefined, context: PathContext): string {
    const parts = parsePathTemplate(pathTemplate ?? "/{.metadata.namespace}/{.metadata.name}");
    // Upstream normalises substituted values to RFC 1123 characters.
    const path = normalizePath(parts.map((p) => (typeof p === "string" ? p : toDnsLabel(valueFor(p, context)))).join(""));
    checkRenderedPath(path);
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
    /** The config that set `config.routing.pathTemplate` (`ConfigResolution.pathTemplateFrom`). */
    pathTemplateFrom?: string,
): EffectiveRouting | undefined {
    // The path template is checked whether or not a route is made now: a config change must not reveal a bad one.
    const inherited = service.routing?.pathTemplate === undefined && config.routing.pathTemplate !== undefined;
    let path: string;
    try {
        path = routePath(service.routing?.pathTemplate ?? config.routing.pathTemplate, {
            name: service.aimName,
            namespace: service.namespace,
            labels: service.labels ?? {},
        });
    } catch (err) {
        // A config's template passed the config's own checks: what fails is this service's values in it.
        const problem = inherited
            ? `the path template "${config.routing.pathTemplate}" of ${pathTemplateFrom ?? `the resolved config "${config.name}"`} ` +
              `does not render for this service: ${(err as Error).message} (a service's own routing.pathTemplate replaces it)`
            : (err as Error).message;
        throw fieldError("AIMService", service.aimName, "routing.pathTemplate", problem);
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
        requestTimeout: service.routing?.requestTimeout ?? config.routing.requestTimeout,
    };
}
