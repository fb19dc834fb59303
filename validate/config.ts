import * as z from "zod/mini";
import { ConfigCaching, ConfigRouting, LocalObjectReference } from "../types";
import { dnsLabel, dnsSubdomain, gatewayDuration, gatewayRef, pathTemplate, pullSecrets, routeAnnotations } from "./common";

const configFields = {
    name: dnsSubdomain,
    imagePullSecrets: z.optional(pullSecrets),
    caching: z.optional(z.strictObject({ storageClassName: z.optional(dnsSubdomain), cacheAimImageBase: z.optional(z.boolean()) })),
    cacheStorageClassName: z.optional(dnsSubdomain),
    routing: z.optional(
        z.strictObject({
            autoCreateRoute: z.optional(z.boolean()),
            gateway: z.optional(gatewayRef),
            pathTemplate: z.optional(pathTemplate),
            annotations: z.optional(routeAnnotations),
            requestTimeout: z.optional(gatewayDuration),
        }),
    ),
};

/** A config's own settings, unset fields left unset so a namespace config can inherit them field by field. */
export interface ConfigSpec {
    imagePullSecrets?: LocalObjectReference[];
    caching?: ConfigCaching;
    routing?: ConfigRouting;
}

/** Upstream kept a legacy top-level `cacheStorageClassName`; fold it into `caching` so nothing else sees two fields. */
function foldLegacyStorageClass<T extends z.output<z.ZodMiniObject<typeof configFields>>>(
    parsed: T,
): Omit<T, "cacheStorageClassName"> & ConfigSpec {
    const { cacheStorageClassName, ...spec } = parsed;
    const storageClassName = spec.caching?.storageClassName ?? cacheStorageClassName;
    return storageClassName ? { ...spec, caching: { ...spec.caching, storageClassName } } : spec;
}

export const clusterConfigSchema = z.pipe(z.strictObject(configFields), z.transform(foldLegacyStorageClass));
export const namespaceConfigSchema = z.pipe(z.strictObject({ ...configFields, namespace: dnsLabel }), z.transform(foldLegacyStorageClass));
