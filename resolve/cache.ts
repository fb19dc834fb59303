// Cache planning (design §5): which model sources a template cache needs, which are already cached in the
// namespace (shared by sourceUri), and the storage class they get.

import { ModelSource, ResolvedConfig } from "../types";
import { cachePvcName, modelCacheName } from "./names";
import { AimError, fieldError } from "../validate/common";
import { TemplateSpec } from "../validate/template";
import { Catalog, ModelCacheEntry } from "./catalog";

/** Storage class precedence: the cache's own, else the resolved config's; absent means the cluster default. */
export function cacheStorageClass(own: string | undefined, config: ResolvedConfig): string | undefined {
    return own ?? config.caching.storageClassName;
}

/** A template's model sources; caching a template without them is an error that says why. */
export function requireModelSources(kind: string, aimName: string, field: string, template: TemplateSpec): ModelSource[] {
    const sources = template.modelSources ?? [];
    if (sources.length > 0) return sources;
    throw new AimError(
        `${kind} "${aimName}": ${field}: template "${template.name}" has no modelSources, so it cannot be cached: ` +
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

/** How messages name a storage class; absent means the cluster default. */
export function describeStorageClass(storageClassName: string | undefined): string {
    return storageClassName ? `"${storageClassName}"` : "the cluster default";
}

/** Who asks for model caches, and how their PVCs must be made. */
export interface CacheRequest {
    kind: string;
    aimName: string;
    namespace: string;
    storageClassName?: string;
    protect: boolean;
    retainOnDelete: boolean;
    /** Fields errors name: the cache's own fields, or the service's `cacheModel`. */
    fields: { storageClassName: string; protection: string; sources: string };
}

/**
 * Plans one model cache per source. A source already cached in the namespace is shared, as upstream shares caches
 * by `sourceUri`. A shared PVC was made by the first cache of the source, so a later one cannot change it: another
 * storage class, or protection the PVC lacks, is an error (declare the cache that needs it first). Two sources
 * whose model names give the same cache name are an error too. All of it before anything is created.
 */
export function planModelCaches(catalog: Catalog, request: CacheRequest, sources: ModelSource[]): PlannedModelCache[] {
    const fail = (field: string, problem: string) => fieldError(request.kind, request.aimName, field, problem);
    const inNamespace = catalog.modelCaches.values().filter((c) => c.namespace === request.namespace);
    const planned: PlannedModelCache[] = [];
    for (const source of sources) {
        const existing = inNamespace.find((c) => c.sourceUri === source.sourceUri);
        if (existing && existing.storageClassName !== request.storageClassName) {
            throw fail(
                request.fields.storageClassName,
                `${source.sourceUri} is already cached in namespace "${request.namespace}" by AIMTemplateCache ` +
                    `"${existing.templateCacheName}" on storage class ${describeStorageClass(existing.storageClassName)}, ` +
                    `not ${describeStorageClass(request.storageClassName)}`,
            );
        }
        if (existing && ((request.protect && !existing.protect) || (request.retainOnDelete && !existing.retainOnDelete))) {
            throw fail(
                request.fields.protection,
                `${source.sourceUri} is already cached in namespace "${request.namespace}" by AIMTemplateCache ` +
                    `"${existing.templateCacheName}", whose PVC has protect ${existing.protect} and retainOnDelete ` +
                    `${existing.retainOnDelete}; declare the cache that asks for more protection first, so that it creates the PVC`,
            );
        }
        if (existing) {
            planned.push({ source, cacheName: existing.cacheName, pvcName: existing.pvcName, existing });
            continue;
        }
        const cacheName = modelCacheName(source.name);
        const clash = inNamespace.find((c) => c.cacheName === cacheName) ?? planned.find((p) => p.cacheName === cacheName);
        if (clash) {
            const clashUri = "sourceUri" in clash ? clash.sourceUri : clash.source.sourceUri;
            throw fail(
                request.fields.sources,
                `model "${source.name}" (${source.sourceUri}) would be cached as "${cacheName}" in namespace ` +
                    `"${request.namespace}", which already holds ${clashUri}; give the model sources distinct names`,
            );
        }
        planned.push({ source, cacheName, pvcName: cachePvcName(cacheName) });
    }
    return planned;
}

/**
 * Plans the template cache a dependent makes on its template's behalf — a template's pre-warming, a service's
 * `cacheModel` — named after the template, with the resolved config's storage class and no extra protection. It
 * checks everything that could fail, before anything is created; errors name the dependent's field.
 */
export function planImplicitCache(
    catalog: Catalog,
    dependent: { kind: string; aimName: string; field: string },
    namespace: string,
    config: ResolvedConfig,
    template: TemplateSpec,
): void {
    const { kind, aimName, field } = dependent;
    const sources = requireModelSources(kind, aimName, field, template);
    if (catalog.templateCaches.get(namespace, template.name)) {
        throw fieldError(
            kind,
            aimName,
            field,
            `an AIMTemplateCache "${template.name}" in namespace "${namespace}" caches another template, ` +
                `so the cache for template "${template.name}" cannot take its name`,
        );
    }
    const request = {
        kind,
        aimName,
        namespace,
        storageClassName: cacheStorageClass(undefined, config),
        protect: false,
        retainOnDelete: false,
        fields: { storageClassName: field, protection: field, sources: field },
    };
    planModelCaches(catalog, request, sources);
}
