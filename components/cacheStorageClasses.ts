// Warns in the preview when a cache PVC is about to be replaced because its storage class changed.
//
// `storageClassName` of a PVC is immutable: a change replaces the claim and deletes the cached models. The program
// cannot see a resource's previous inputs, so the record of what each cache used is kept where Pulumi keeps
// previous values a program may read: the stack's own outputs, read back through a StackReference to the stack
// itself. Exporting the record is the opt-in; the comparison needs no cluster access and runs in preview.

import * as pulumi from "@pulumi/pulumi";
import { describeStorageClass } from "../resolve/cache";
import { catalogFor } from "../resolve/catalog";
import { clusterKeyOf } from "./internal";

export interface CacheStorageClassesOptions {
    /** Kubernetes provider of the caches to record. Default: the default provider. @default the default provider */
    provider?: pulumi.ProviderResource;
    /** Stack output the record is exported as (one per cluster). Default: "aimCacheStorageClasses". @default "aimCacheStorageClasses" */
    outputName?: string;
}

/** The record's value for a PVC on the cluster's default storage class. */
const CLUSTER_DEFAULT = "";

/** This stack as of its last deployment. */
function previousDeployment(outputName: string): pulumi.StackReference {
    const name = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
    return new pulumi.StackReference(`aim-previous-deployment-${outputName}`, { name });
}

/**
 * The storage class of every cache PVC declared so far, as `{ "<namespace>/<pvc>": "<class>" }` ("" for the
 * cluster default). Call it after declaring the caches and export the result under `outputName`:
 *
 *     export const aimCacheStorageClasses = aim.cacheStorageClasses();
 *
 * From the next preview on, a cache whose storage class differs from the exported record of the previous
 * deployment gets a warning on its PVC saying that the PVC will be replaced and its data deleted.
 */
export function cacheStorageClasses(options: CacheStorageClassesOptions = {}): pulumi.Output<Record<string, string>> {
    const outputName = options.outputName ?? "aimCacheStorageClasses";
    const caches = catalogFor(clusterKeyOf(options.provider)).modelCaches.values();
    const current = Object.fromEntries(caches.map((c) => [`${c.namespace}/${c.pvcName}`, c.settings.storageClassName ?? CLUSTER_DEFAULT]));
    return previousDeployment(outputName)
        .getOutput(outputName)
        .apply((previous: Record<string, string> | undefined) => {
            for (const cache of caches) {
                const key = `${cache.namespace}/${cache.pvcName}`;
                const before = previous?.[key];
                if (before === undefined || before === current[key]) continue;
                pulumi.log.warn(
                    `PVC ${key} of AIMTemplateCache "${cache.templateCacheName}" changes storage class from ` +
                        `${describeStorageClass(before || undefined)} to ${describeStorageClass(cache.settings.storageClassName)}: ` +
                        `Pulumi will replace the PVC, deleting its cached models (protect the cache to stop the ` +
                        `replacement; with retainOnDelete the old PVC stays and blocks the new one of the same name)`,
                    cache.resources[0],
                );
            }
            return current;
        });
}
