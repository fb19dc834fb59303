import * as z from "zod";
import { ConfigCaching, ConfigRouting, LocalObjectReference } from "../types";
import { dnsLabel, dnsSubdomain, gatewayDuration, gatewayRef, pathTemplate, pullSecrets, routeAnnotations } from "./common";

const configFields = {
    name: dnsSubdomain,
    imagePullSecrets: pullSecrets.optional(),
    caching: z
        .strictObject({ storageClassName: dnsSubdomain.optional(), cacheAimImageBase: z.boolean().optional() })
        .optional(),
    cacheStorageClassName: dnsSubdomain.optional(),
    routing: z
        .strictObject({
            autoCreateRoute: z.boolean().optional(),
            gateway: gatewayRef.optional(),
            pathTemplate: pathTemplate.optional(),
            annotations: routeAnnotations.optional(),
            requestTimeout: gatewayDuration.optional(),
        })
        .optional(),
};

/** A config's own settings, unset fields left unset so a namespace config can inherit them field by field. */
export interface ConfigSpec {
    imagePullSecrets?: LocalObjectReference[];
    caching?: ConfigCaching;
    routing?: ConfigRouting;
}

/** Upstream kept a legacy top-level `cacheStorageClassName`; fold it into `caching` so nothing else sees two fields. */
function foldLegacyStorageClass<T extends z.output<z.ZodObject<typeof configFields>>>(
    parsed: T,
): Omit<T, "cacheStorageClassName"> & ConfigSpec {
    const { cacheStorageClassName, ...spec } = parsed;
    const storageClassName = spec.caching?.storageClassName ?? cacheStorageClassName;
    return storageClassName ? { ...spec, caching: { ...spec.caching, storageClassName } } : spec;
}

export const clusterConfigSchema = z.strictObject(configFields).transform(foldLegacyStorageClass);
export const namespaceConfigSchema = z
    .strictObject({ ...configFields, namespace: dnsLabel })
    .transform(foldLegacyStorageClass);
