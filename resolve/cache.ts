// Cache planning (design §5): which model sources a template cache needs, which are already cached in the
// namespace (shared by sourceUri), and the storage class they get.

import { ModelSource, ResolvedConfig } from "../components/types";
import { cachePvcName, modelCacheName } from "./names";
import { AimError } from "../validate/common";
import { Catalog, ModelCacheEntry, TemplateEntry } from "./catalog";

/** Storage class precedence: the cache's own, else the resolved config's; absent means the cluster default. */
export function cacheStorageClass(own: string | undefined, config: ResolvedConfig): string | undefined {
    return own ?? config.caching.storageClassName;
}

/** A template's model sources; caching a template without them is an error that says why. */
export function requireModelSources(kind: string, aimName: string, field: string, template: TemplateEntry): ModelSource[] {
    const sources = template.spec.modelSources ?? [];
    if (sources.length > 0) return sources;
    throw new AimError(
        `${kind} "${aimName}": ${field}: template "${template.spec.name}" has no modelSources, so it cannot be cached: ` +
            `cache sizes must be known at preview time, and discovery results exist only after its discovery Job has ` +
            `run. Set modelSources on the template.`,
    );
}

/** A model source of a template cache: new (this cache renders its PVC and Job) or already cached. */
export interface PlannedModelCache {
    source: ModelSource;
    cacheName: string;
    pvcName: string;
    existing?: ModelCacheEntry;
}

/**
 * Plans one model cache per source. A source already cached in the namespace is shared, as upstream shares caches
 * by `sourceUri`, unless the storage classes differ: that would need a second PVC of the same name, so it is an error.
 */
export function planModelCaches(
    catalog: Catalog,
    request: { kind: string; aimName: string; namespace: string; storageClassName?: string },
    sources: ModelSource[],
): PlannedModelCache[] {
    return sources.map((source) => {
        const cacheName = modelCacheName(source.name);
        const existing = catalog.modelCaches.get(request.namespace, cacheName);
        const planned = { source, cacheName, pvcName: cachePvcName(cacheName) };
        if (!existing) return planned;
        const owner = `AIMTemplateCache "${existing.templateCacheName}"`;
        if (existing.sourceUri !== source.sourceUri) {
            throw new AimError(
                `${request.kind} "${request.aimName}": model "${source.name}" (${source.sourceUri}) would use the cache ` +
                    `name "${cacheName}", which ${owner} already uses for ${existing.sourceUri} in namespace "${request.namespace}"`,
            );
        }
        if (existing.storageClassName !== request.storageClassName) {
            const describe = (sc: string | undefined) => (sc ? `"${sc}"` : "the cluster default");
            throw new AimError(
                `${request.kind} "${request.aimName}": storageClassName: ${source.sourceUri} is already cached in namespace ` +
                    `"${request.namespace}" by ${owner} on storage class ${describe(existing.storageClassName)}, ` +
                    `not ${describe(request.storageClassName)}`,
            );
        }
        return { ...planned, existing };
    });
}
