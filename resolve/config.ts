// Config resolution (design §4.2): which AIMNamespaceConfig / AIMClusterConfig applies to a dependent, merged how.

import { ConfigSource, GatewayParentReference, LocalObjectReference, ResolvedConfig } from "../types";
import { fieldError } from "../validate/common";
import { ConfigSpec } from "../validate/config";
import { Catalog, Dependent } from "./catalog";
import { didYouMean } from "./names";

export const DEFAULT_CONFIG_NAME = "default";
export const GATEWAY_API_GROUP = "gateway.networking.k8s.io";

/** Who is asking: used in hints and to find the namespace config. */
export interface ConfigRequest extends Dependent {
    /** The dependent's namespace; cluster-scoped dependents have none and see only cluster configs. */
    namespace?: string;
    /** `configName` exactly as given; undefined means the implicit `default`. */
    configName?: string;
}

export interface ConfigResolution {
    config: ResolvedConfig;
    /** Set when the implicit default config is missing: the caller logs it as a warning on the dependent. */
    warning?: string;
    /**
     * The config that set `routing.pathTemplate`, as messages name it (`AIMNamespaceConfig "default"`): a template
     * that fails for one service is that config's to fix.
     */
    pathTemplateFrom?: string;
}

/** Fills the documented defaults of a gateway reference (structural defaults upstream, applied here). */
export function withGatewayDefaults(gateway: GatewayParentReference): GatewayParentReference {
    return { ...gateway, group: gateway.group || GATEWAY_API_GROUP, kind: gateway.kind || "Gateway" };
}

/** A config's settings with every default filled in. */
export function configWithDefaults(name: string, source: ConfigSource, spec: ConfigSpec): ResolvedConfig {
    const { gateway, pathTemplate, annotations, requestTimeout } = spec.routing ?? {};
    return {
        name,
        source,
        imagePullSecrets: spec.imagePullSecrets ?? [],
        caching: {
            ...(spec.caching?.storageClassName && { storageClassName: spec.caching.storageClassName }),
            cacheAimImageBase: spec.caching?.cacheAimImageBase ?? false,
        },
        routing: {
            autoCreateRoute: spec.routing?.autoCreateRoute ?? true,
            ...(gateway && { gateway: withGatewayDefaults(gateway) }),
            ...(pathTemplate !== undefined && { pathTemplate }),
            ...(annotations !== undefined && { annotations }),
            ...(requestTimeout !== undefined && { requestTimeout }),
        },
    };
}

/** The namespace config wins field by field; fields it leaves unset inherit from the cluster config. */
export function mergeConfigs(cluster: ConfigSpec, namespaced: ConfigSpec): ConfigSpec {
    return {
        imagePullSecrets: namespaced.imagePullSecrets ?? cluster.imagePullSecrets,
        caching: {
            storageClassName: namespaced.caching?.storageClassName ?? cluster.caching?.storageClassName,
            cacheAimImageBase: namespaced.caching?.cacheAimImageBase ?? cluster.caching?.cacheAimImageBase,
        },
        routing: {
            autoCreateRoute: namespaced.routing?.autoCreateRoute ?? cluster.routing?.autoCreateRoute,
            gateway: namespaced.routing?.gateway ?? cluster.routing?.gateway,
            pathTemplate: namespaced.routing?.pathTemplate ?? cluster.routing?.pathTemplate,
            // Key by key, as a service's annotations over its config's: one key set in the namespace keeps the others.
            annotations:
                namespaced.routing?.annotations || cluster.routing?.annotations
                    ? { ...cluster.routing?.annotations, ...namespaced.routing?.annotations }
                    : undefined,
            requestTimeout: namespaced.routing?.requestTimeout ?? cluster.routing?.requestTimeout,
        },
    };
}

/**
 * Pull secrets in precedence order, de-duplicated by name (first occurrence wins): the object's own first, then
 * the resolved config's, as upstream's `mergePullSecretRefs`.
 */
export function mergePullSecrets(...lists: (LocalObjectReference[] | undefined)[]): LocalObjectReference[] {
    const seen = new Set<string>();
    const merged: LocalObjectReference[] = [];
    for (const secret of lists.flatMap((list) => list ?? [])) {
        if (!seen.has(secret.name)) {
            seen.add(secret.name);
            merged.push({ name: secret.name });
        }
    }
    return merged;
}

/**
 * Resolves the config a dependent uses. A missing explicit config is an error; a missing implicit `default`
 * proceeds with built-in defaults and a `DefaultConfigNotFound` warning.
 */
export function resolveConfig(catalog: Catalog, request: ConfigRequest): ConfigResolution {
    const name = request.configName ?? DEFAULT_CONFIG_NAME;
    const cluster = catalog.clusterConfigs.lookup(undefined, name);
    const namespaced = request.namespace ? catalog.namespaceConfigs.lookup(request.namespace, name) : undefined;
    // The namespace config's template wins, as in mergeConfigs.
    const setsTemplate = (kind: string, entry?: { spec: ConfigSpec }) =>
        entry?.spec.routing?.pathTemplate !== undefined ? `${kind} "${name}"` : undefined;
    const pathTemplateFrom = setsTemplate("AIMNamespaceConfig", namespaced) ?? setsTemplate("AIMClusterConfig", cluster);
    const found = (source: ConfigSource, spec: ConfigSpec) => ({ config: configWithDefaults(name, source, spec), pathTemplateFrom });

    if (cluster && namespaced) return found(ConfigSource.Merged, mergeConfigs(cluster.spec, namespaced.spec));
    if (namespaced) return found(ConfigSource.NamespaceConfig, namespaced.spec);
    if (cluster) return found(ConfigSource.ClusterConfig, cluster.spec);

    // Names for the hint. A misspelled `AIMClusterConfig("defualt")` leaves every dependent without configName on the
    // defaults, and the warning below is the only place the user sees it: it names the config they probably meant.
    const declared = [...catalog.clusterConfigs.names(undefined), ...(request.namespace ? catalog.namespaceConfigs.names(request.namespace) : [])];
    if (request.configName !== undefined) {
        const namespaceHint = request.namespace ? ` or AIMNamespaceConfig in namespace "${request.namespace}"` : "";
        throw fieldError(
            request.kind,
            request.aimName,
            "configName",
            `failed to get AIMClusterConfig "${name}": not found ` +
                `(declare the AIMClusterConfig${namespaceHint} before its dependents, for the same Kubernetes provider` +
                `${didYouMean(name, declared)})`,
        );
    }
    return {
        config: configWithDefaults(name, ConfigSource.None, {}),
        warning:
            `DefaultConfigNotFound: AIMClusterConfig "default" not found, proceeding with defaults ` +
            `(no image pull secrets from config, no routing unless the service sets it, the cluster's default storage class` +
            `${didYouMean(name, declared)})`,
    };
}
