// Cache planning (design §5): which model sources a template cache needs, which are already cached in the
// namespace (shared by sourceUri, on the same settings), and the storage class they get.

import * as z from "zod/mini";
import { EnvVar, ModelSource, ResolvedConfig, Scope } from "../types";
import { cachePvcName, modelCacheName } from "./names";
import { AimError, fieldError } from "../validate/common";
import { templateCacheSchema } from "../validate/cache";
import { compareQuantities } from "../validate/quantity";
import { templateDownloadEnv, TemplateSpec } from "../validate/template";
import { Catalog, DownloadSettings, ModelCacheEntry, templateKey } from "./catalog";
import { mergePullSecrets } from "./config";
import { sameSpecValue } from "./template";

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

/** A template cache as validated. */
export type TemplateCacheSpec = z.output<typeof templateCacheSchema>;

/** What a template cache puts into the PVCs and download Jobs of its sources: its own fields, then its config's. */
export function downloadSettings(spec: TemplateCacheSpec, config: ResolvedConfig): DownloadSettings {
    return {
        storageClassName: cacheStorageClass(spec.storageClassName, config),
        protect: spec.protect,
        retainOnDelete: spec.retainOnDelete,
        downloadImage: spec.downloadImage,
        timeoutSeconds: spec.downloadTimeoutSeconds,
        imagePullSecrets: mergePullSecrets(spec.imagePullSecrets, config.imagePullSecrets),
        env: spec.env ?? [],
        ...(spec.hfToken !== undefined && { hfToken: spec.hfToken }),
    };
}

/** Whether downloads with these settings get `HF_TOKEN`. */
export function hasDownloadToken(settings: DownloadSettings): boolean {
    return settings.hfToken !== undefined || settings.env.some((e) => e.name === "HF_TOKEN");
}

/** Who asks for model caches, and what their PVCs and download Jobs get. */
export interface CacheRequest {
    kind: string;
    aimName: string;
    namespace: string;
    settings: DownloadSettings;
    /** The field every error names (a service's `cacheModel`); else the AIMTemplateCache field at fault. */
    field?: string;
}

/** A setting that differs from an earlier cache's, the AIMTemplateCache field it comes from, and what to do. */
interface Difference {
    field: string;
    problem: string;
    hint?: string;
}

// An Output (or a promise) is known only at the update: before it, only the same object is known to be equal.
const UNCOMPARABLE = "an Output equals only itself before the update: pass the same Input to every cache of the source";

const names = (list: { name: string }[]) => `(${list.length > 0 ? list.map((e) => e.name).join(", ") : "none"})`;
const sameNames = (a: { name: string }[], b: { name: string }[]) => a.length === b.length && a.every((e, i) => e.name === b[i].name);
const sameEnvVar = (a: EnvVar, b: EnvVar) => a.value === b.value && sameSpecValue(a.valueFrom, b.valueFrom);
const isOutput = (value: unknown) => value !== undefined && typeof value !== "string";

/**
 * The first setting in which a cache of `source` differs from the earlier cache whose PVC and download Job it would
 * share: the model name (it names the PVC and the mount path), the size, each of the download settings. Values
 * that are Outputs (a token, an env value) cannot be read before the update, so only the same Output agrees.
 */
function firstDifference(source: ModelSource, mine: DownloadSettings, existing: ModelCacheEntry): Difference | undefined {
    const theirs = existing.settings;
    const earlier = `AIMTemplateCache "${existing.templateCacheName}"'s`;
    const differs = (field: string, what: string, a: unknown, b: unknown): Difference => ({ field, problem: `${what} ${a} differs from ${earlier} ${b}` });
    if (source.name !== existing.modelName) return differs("templateRef", "model name", `"${source.name}"`, `"${existing.modelName}"`);
    if (compareQuantities(source.size, existing.size) !== 0) return differs("templateRef", "size", source.size, existing.size);
    if (mine.storageClassName !== theirs.storageClassName) {
        return differs("storageClassName", "storage class", describeStorageClass(mine.storageClassName), describeStorageClass(theirs.storageClassName));
    }
    if (mine.protect !== theirs.protect) return differs("protect", "protect", mine.protect, theirs.protect);
    if (mine.retainOnDelete !== theirs.retainOnDelete) return differs("retainOnDelete", "retainOnDelete", mine.retainOnDelete, theirs.retainOnDelete);
    if (mine.downloadImage !== theirs.downloadImage) return differs("downloadImage", "download image", `"${mine.downloadImage}"`, `"${theirs.downloadImage}"`);
    if (mine.timeoutSeconds !== theirs.timeoutSeconds) return differs("downloadTimeoutSeconds", "download timeout", `${mine.timeoutSeconds}s`, `${theirs.timeoutSeconds}s`);
    if (!sameNames(mine.imagePullSecrets, theirs.imagePullSecrets)) {
        return differs("imagePullSecrets", "download pull secrets", names(mine.imagePullSecrets), names(theirs.imagePullSecrets));
    }
    if (!sameNames(mine.env, theirs.env)) return differs("env", "download env", names(mine.env), names(theirs.env));
    const i = mine.env.findIndex((e, j) => !sameEnvVar(e, theirs.env[j]));
    if (i >= 0) {
        const uncomparable = isOutput(mine.env[i].value) || isOutput(theirs.env[i].value);
        return { field: "env", problem: `the value of download env ${mine.env[i].name} differs from ${earlier}`, ...(uncomparable && { hint: UNCOMPARABLE }) };
    }
    const token = (s: DownloadSettings) => (s.hfToken === undefined ? "unset" : "set");
    if (token(mine) !== token(theirs)) return differs("hfToken", "hfToken", token(mine), token(theirs));
    if (mine.hfToken !== theirs.hfToken) {
        const uncomparable = isOutput(mine.hfToken) || isOutput(theirs.hfToken);
        return { field: "hfToken", problem: `hfToken differs from ${earlier}`, ...(uncomparable && { hint: UNCOMPARABLE }) };
    }
    return undefined;
}

/**
 * Plans one model cache per source. A source already cached in the namespace is shared, as upstream shares caches
 * by `sourceUri`: its PVC and download Job exist once, so every cache of the source must bring the same model name,
 * size and download settings, whatever the declaration order; the first difference is an error naming the earlier
 * cache. Two sources whose model names give the same cache name are an error too. All of it before anything is
 * created.
 */
export function planModelCaches(catalog: Catalog, request: CacheRequest, sources: ModelSource[]): PlannedModelCache[] {
    const fail = (field: string, problem: string) => fieldError(request.kind, request.aimName, request.field ?? field, problem);
    const inNamespace = catalog.modelCaches.inNamespace(request.namespace);
    const planned: PlannedModelCache[] = [];
    for (const source of sources) {
        const existing = inNamespace.find((c) => c.sourceUri === source.sourceUri);
        if (existing) {
            const difference = firstDifference(source, request.settings, existing);
            if (difference) {
                const pvc = `the shared cache PVC "${request.namespace}/${existing.pvcName}"`;
                throw fail(difference.field, `model source ${source.sourceUri} ${difference.problem} for ${pvc}${difference.hint ? ` (${difference.hint})` : ""}`);
            }
            planned.push({ source, cacheName: existing.cacheName, pvcName: existing.pvcName, existing });
            continue;
        }
        const cacheName = modelCacheName(source.name);
        const clash = inNamespace.find((c) => c.cacheName === cacheName) ?? planned.find((p) => p.cacheName === cacheName);
        if (clash) {
            const clashUri = "sourceUri" in clash ? clash.sourceUri : clash.source.sourceUri;
            throw fail(
                "templateRef",
                `model "${source.name}" (${source.sourceUri}) would be cached as "${cacheName}" in namespace ` +
                    `"${request.namespace}", which already holds ${clashUri}; give the model sources distinct names`,
            );
        }
        planned.push({ source, cacheName, pvcName: cachePvcName(cacheName) });
    }
    return planned;
}

/**
 * The AIMTemplateCache a dependent makes on its template's behalf — a template's pre-warming, a service's
 * `cacheModel` — named after the template, with the template's download env and the dependent's config.
 */
export function implicitCacheArgs(template: TemplateSpec, templateScope: Scope, namespace: string, configName: string | undefined) {
    return { name: template.name, namespace, templateRef: template.name, templateScope, configName, env: templateDownloadEnv(template) };
}

/**
 * Pulumi name of a template's implicit cache, a child of the template: `<template>-cache` for a namespace template
 * (its one cache, in its namespace), `<template>-cache:<namespace>` for a cluster template (one per namespace; a
 * namespace has no `:`, so templates `llama` and `llama-prod` never give two caches one name).
 */
export function templateCachePulumiName(template: { pulumiName: string; scope: Scope }, namespace: string): string {
    return template.scope === Scope.Namespace ? `${template.pulumiName}-cache` : `${template.pulumiName}-cache:${namespace}`;
}

/**
 * Plans an implicit cache (see implicitCacheArgs) as the AIMTemplateCache will plan itself, so that everything
 * that could fail fails the dependent, naming its field, before anything is created. Returns its settings.
 */
export function planImplicitCache(
    catalog: Catalog,
    dependent: { kind: string; aimName: string; field: string },
    args: ReturnType<typeof implicitCacheArgs>,
    config: ResolvedConfig,
    template: TemplateSpec,
): DownloadSettings {
    const { kind, aimName, field } = dependent;
    const { namespace } = args;
    const sources = requireModelSources(kind, aimName, field, template);
    // A service's cache serves the services that set `cacheModel` only (opt-in); a template's pre-warming serves every
    // service of the template, so one that found no cache here resolved without it.
    const optIn = kind === "AIMService";
    catalog.templateCachesByTemplate.ensureDeclarable(namespace, templateKey({ scope: args.templateScope, spec: template }), dependent, optIn);
    if (catalog.templateCaches.get(namespace, template.name)) {
        throw fieldError(
            kind,
            aimName,
            field,
            `an AIMTemplateCache "${template.name}" in namespace "${namespace}" caches another template, ` +
                `so the cache for template "${template.name}" cannot take its name`,
        );
    }
    const settings = downloadSettings(templateCacheSchema.parse(args), config);
    planModelCaches(catalog, { kind, aimName, namespace, settings, field }, sources);
    return settings;
}
