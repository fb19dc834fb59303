import * as z from "zod";
import { Scope } from "../types";
import { dnsLabel, dnsSubdomain, envList, int32, nonEmpty, pullSecrets, stringInput } from "./common";

export const DEFAULT_DOWNLOAD_IMAGE = "kserve/storage-initializer:v0.16.0";

export const templateCacheSchema = z.strictObject({
    name: dnsSubdomain,
    namespace: dnsLabel,
    templateRef: dnsSubdomain,
    templateScope: z
        .enum([Scope.Namespace, Scope.Cluster], { error: `must be one of ${Scope.Namespace}, ${Scope.Cluster}` })
        .optional(),
    env: envList.optional(),
    imagePullSecrets: pullSecrets.optional(),
    storageClassName: dnsSubdomain.optional(),
    configName: dnsSubdomain.optional(),
    downloadImage: nonEmpty.regex(/^\S+$/, "must not contain whitespace").default(DEFAULT_DOWNLOAD_IMAGE),
    downloadTimeoutSeconds: int32(1).default(3600),
    retainOnDelete: z.boolean().default(false),
    protect: z.boolean().default(false),
    hfToken: stringInput.optional(),
});

export type TemplateCacheSpec = z.output<typeof templateCacheSchema>;
