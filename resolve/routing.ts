// Routing for a service (design §5, aim-reference §3.2): the service's `routing` wins field by field over the
// resolved config (itself the namespace config over the cluster config, field by field).

import { GatewayParentReference, ResolvedConfig, ServiceRouting } from "../types";
import { annotationBytes, fieldError, MAX_ANNOTATION_BYTES } from "../validate/common";
import { makeRfc1123Compliant, parsePathTemplate, Placeholder, servicePath, trimSpace } from "../validate/pathTemplate";
import { withGatewayDefaults } from "./config";

export interface EffectiveRouting {
    /** The parent reference with `group`, `kind` and `namespace` filled in. */
    gateway: GatewayParentReference;
    /** The route's path prefix. */
    path: string;
    annotations: Record<string, string>;
    requestTimeout?: string;
}

/** What a path template may refer to: the AIMService's metadata and its args. */
export interface PathContext {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    /** The service's validated args, with the resolved image name as `aimImageName`. */
    spec: object;
}


function specValue(path: string[], spec: object): string {
    const shown = `.spec.${path.join(".")}`;
    let value: unknown = spec;
    for (const key of path) {
        // Own properties of plain objects only: `.spec.env.length` or `.spec.constructor` are no fields of the service.
        if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) {
            const hint = path[0] === "model" ? ` (upstream's spec.model.ref is aimImageName here: {.spec.aimImageName})` : "";
            throw new Error(`${shown} is not set on the service${hint}`);
        }
        value = (value as Record<string, unknown>)[key];
    }
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
    throw new Error(`${shown} is not a single value (a string, number or boolean)`);
}

/** A placeholder's raw value (upstream evaluates the same expressions; a missing key is an error there too). */
function rawValue(placeholder: Placeholder, context: PathContext): string {
    switch (placeholder.field) {
        case "name":
            return context.name;
        case "namespace":
            return context.namespace;
        case "spec":
            return specValue(placeholder.path, context.spec);
        case "label":
        case "annotation": {
            const [map, what] = placeholder.field === "label" ? [context.labels, "label"] : [context.annotations, "annotation"];
            // Own keys only: `labels['constructor']` must not find Object.prototype.constructor.
            if (!Object.hasOwn(map, placeholder.key)) throw new Error(`${what} "${placeholder.key}" is not set on the service`);
            return map[placeholder.key];
        }
    }
}

/**
 * A placeholder's value as upstream's `applyTemplateValueModifiers` inserts it: trimmed, then RFC 1123-normalised,
 * except an annotation's value (its segments are still normalised with the rest of the path).
 */
function valueFor(placeholder: Placeholder, context: PathContext): string {
    const value = trimSpace(rawValue(placeholder, context));
    return placeholder.field === "annotation" ? value : makeRfc1123Compliant(value);
}

/**
 * The route's path prefix: `/<namespace>/<service name>` (the V0 contract; upstream's later default uses the UID,
 * which is unknown at preview time), or the rendered `pathTemplate`, normalised as upstream does: every segment is
 * RFC 1123-normalised (`/API/V1.2` → `/api/v1-2`), empty ones dropped, no trailing slash. Throws an Error if the
 * rendered text is empty or over 200 characters, normalises to the catch-all `/`, or a placeholder has no value.
 */
export function routePath(pathTemplate: string | undefined, context: PathContext): string {
    const parts = parsePathTemplate(pathTemplate ?? "/{.metadata.namespace}/{.metadata.name}");
    return servicePath(parts.map((p) => (typeof p === "string" ? p : valueFor(p, context))).join(""));
}

/**
 * Whether the service gets a route, and how. With no `routing.enabled` on the service, the config's
 * `autoCreateRoute` decides, but only a config that exists and a known gateway create a route implicitly: a missing
 * default config never routes on its own, and there is nothing to attach a route to without a gateway. A route
 * enabled explicitly without a gateway anywhere is an error.
 */
export function resolveRouting(
    service: {
        aimName: string;
        namespace: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        routing?: ServiceRouting;
        /** The service's validated args, as `{.spec.…}` placeholders read them. */
        spec: object;
    },
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
            annotations: service.annotations ?? {},
            spec: service.spec,
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
            config.source === "none"
                ? `routing is enabled but no gateway is set on the service, and no config "${config.name}" exists to supply one`
                : `routing is enabled but no gateway is set on the service or in the resolved config "${config.name}"`,
        );
    }
    const annotations = { ...config.routing.annotations, ...service.routing?.annotations };
    if (annotationBytes(annotations) > MAX_ANNOTATION_BYTES) {
        throw fieldError(
            "AIMService",
            service.aimName,
            "routing.annotations",
            `with the config's, the route's annotations total more than 256 KiB (keys and values), the API server's limit for an object's annotations`,
        );
    }
    return {
        gateway: { ...withGatewayDefaults(gateway), namespace: gateway.namespace || service.namespace },
        path,
        annotations,
        requestTimeout: service.routing?.requestTimeout ?? config.routing.requestTimeout,
    };
}
