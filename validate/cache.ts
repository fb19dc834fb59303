import * as z from "zod/mini";
import { Scope } from "../types";
import { containerImage, dnsLabel, dnsSubdomain, envList, int32, pullSecrets, stringInput } from "./common";

export const DEFAULT_DOWNLOAD_IMAGE = "kserve/storage-initializer:v0.16.0";

export const templateCacheSchema = z.strictObject({
    name: dnsSubdomain,
    namespace: dnsLabel,
    templateRef: dnsSubdomain,
    templateScope: z.optional(z.enum([Scope.Namespace, Scope.Cluster], { error: `must be one of ${Scope.Namespace}, ${Scope.Cluster}` })),
    env: z.optional(envList),
    imagePullSecrets: z.optional(pullSecrets),
    storageClassName: z.optional(dnsSubdomain),
    configName: z.optional(dnsSubdomain),
    downloadImage: z._default(containerImage, DEFAULT_DOWNLOAD_IMAGE),
    downloadTimeoutSeconds: z._default(int32(1), 3600),
    retainOnDelete: z._default(z.boolean(), false),
    protect: z._default(z.boolean(), false),
    hfToken: z.optional(stringInput),
});

export type TemplateCacheSpec = z.output<typeof templateCacheSchema>;
