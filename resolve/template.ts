// Template lookup (design §4.3) and templates derived from service overrides (aim-reference §4.2).

import { EnvVar, Scope, ServiceOverrides } from "../types";
import { fieldError } from "../validate/common";
import { namespaceFields, TemplateSpec } from "../validate/template";
import { didYouMean, shortenName, shortHash } from "./names";
import { Catalog, Dependent, indexKey, TemplateDeclaration, TemplateEntry } from "./catalog";
import { DEFAULT_CONFIG_NAME } from "./config";
import { withoutGpu } from "./resources";

/**
 * The namespaced template of that name first, then the cluster template; with `scope`, only the template of that
 * scope (an AIMTemplateCache's `templateScope`, as aim-engine's template cache fetches only that kind).
 */
export function findTemplate(catalog: Catalog, dependent: Dependent, namespace: string, templateRef: string, scope?: Scope): TemplateEntry {
    const entry =
        (scope !== Scope.Cluster ? catalog.templates.lookup(namespace, templateRef) : undefined) ??
        (scope !== Scope.Namespace ? catalog.clusterTemplates.lookup(undefined, templateRef) : undefined);
    if (entry) return entry;
    const fail = (problem: string) => fieldError(dependent.kind, dependent.aimName, "templateRef", problem);
    if (scope !== undefined) {
        const namespaced = scope === Scope.Namespace;
        const searched = namespaced ? `no AIMServiceTemplate "${templateRef}" in namespace "${namespace}"` : `no AIMClusterServiceTemplate "${templateRef}"`;
        const other = namespaced ? catalog.clusterTemplates.get(undefined, templateRef) : catalog.templates.get(namespace, templateRef);
        const hint = other
            ? `; the ${other.scope} scope has one: set templateScope to ${other.scope}, or leave it unset`
            : didYouMean(templateRef, namespaced ? catalog.templates.names(namespace) : catalog.clusterTemplates.names(undefined));
        throw fail(`Template "${templateRef}" not found in scope ${scope} (${searched} is declared before its users${hint})`);
    }
    const declared = [...catalog.templates.names(namespace), ...catalog.clusterTemplates.names(undefined)];
    throw fail(
        `Template "${templateRef}" not found. Create the template or verify the template name ` +
            `(an AIMServiceTemplate in namespace "${namespace}" or an AIMClusterServiceTemplate, declared before its users` +
            `${didYouMean(templateRef, declared)})`,
    );
}

/**
 * Upstream's derived-template name: `<base>-ovr-<first 8 hex of SHA-256(JSON(overrides))>`, keys in the order
 * metric, precision, gpuSelector{count, model}, empty ones omitted. A base too long for the whole to be ≤ 63 is cut
 * and given 8 hex of its own hash (upstream only cuts it): two long bases with the same start stay apart.
 * `configName` is hashed too, last, when the derived template uses another config than its base: services that
 * share overrides but not configs then get templates of their own (upstream shares one, whichever came first).
 */
export function derivedTemplateName(base: string, overrides: ServiceOverrides, configName?: string): string {
    const canonical = {
        ...(overrides.metric && { metric: overrides.metric }),
        ...(overrides.precision && { precision: overrides.precision }),
        ...(overrides.gpuSelector && {
            gpuSelector: { count: overrides.gpuSelector.count, model: overrides.gpuSelector.model },
        }),
        ...(configName && { configName }),
    };
    const suffix = `-ovr-${shortHash(JSON.stringify(canonical))}`;
    return shortenName(base, 63 - suffix.length) + suffix;
}

/** Whether overrides change anything at all (an empty block derives nothing). */
export function hasOverrides(overrides: ServiceOverrides | undefined): overrides is ServiceOverrides {
    return !!overrides && (!!overrides.metric || !!overrides.precision || !!overrides.gpuSelector);
}

/** A template derived from a base by a service's overrides, in the service's namespace. */
export interface DerivedTemplate {
    spec: TemplateSpec & { namespace: string };
    /**
     * Pulumi name: `<base's Pulumi name>:<namespace>/<name>`, parented to the base, so it keeps its URN whichever
     * service uses it. The namespace and name cannot contain `:` or `/`, so the base's name is all that precedes
     * them: bases `llama` and `llama-prod` never give one name (a duplicate URN).
     */
    pulumiName: string;
}

/**
 * The base template's spec with the overrides applied. It uses the service's config if the service names one,
 * else the base's (whose pull secrets already served discovery of the same image).
 */
export function deriveTemplate(
    base: TemplateEntry,
    namespace: string,
    overrides: ServiceOverrides,
    serviceConfigName: string | undefined,
): DerivedTemplate {
    const configName = serviceConfigName ?? base.spec.configName;
    // An explicit "default" is the same config as none: it must not split the derived template.
    const sameConfig = (configName ?? DEFAULT_CONFIG_NAME) === (base.spec.configName ?? DEFAULT_CONFIG_NAME);
    const name = derivedTemplateName(base.spec.name, overrides, sameConfig ? undefined : configName);
    const { metric, precision, gpuSelector } = overrides;
    // A derived template serves services, which cache through their own `cacheModel`: it pre-warms nothing itself,
    // but keeps its base's download env (upstream's buildDerivedTemplate copies the caching block).
    const { caching, ...baseSpec } = base.spec as TemplateSpec & { caching?: { env?: EnvVar[] } };
    const spec = {
        ...baseSpec,
        ...(caching?.env && { caching: { env: caching.env } }),
        name,
        namespace,
        configName: sameConfig ? base.spec.configName : configName,
        ...(metric && { metric }),
        ...(precision && { precision }),
        // The override restates the GPU count, so the base's `amd.com/gpu` (which equals the base's count) goes.
        ...(gpuSelector && { gpuSelector, resources: withoutGpu(base.spec.resources) }),
    };
    return { spec, pulumiName: `${base.declaredBy.pulumiName}:${namespace}/${name}` };
}

/** Fields every template has; namespace templates add env and pull secrets. */
export const COMMON_SPEC_FIELDS = ["aimImageName", "metric", "precision", "gpuSelector", "modelSources", "configName", "servingBackend", "resources"] as const;
const NAMESPACE_SPEC_FIELDS = [...COMMON_SPEC_FIELDS, "env", "imagePullSecrets"] as const;

/** JSON with sorted keys, so equal specs compare equal whatever order their fields were written in. */
function canonicalJson(value: unknown): string {
    return JSON.stringify(value, (_key, v) =>
        v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
    );
}

/** Whether a spec value says nothing: absent, or an empty list or object (`resources: {}`). */
const isEmpty = (value: unknown) => value === undefined || value === null || (typeof value === "object" && Object.keys(value).length === 0);

/** Whether two values of one spec field say the same: key order aside, and an empty list or object counting as absent. */
export function sameSpecValue(a: unknown, b: unknown): boolean {
    return canonicalJson(isEmpty(a) ? null : a) === canonicalJson(isEmpty(b) ? null : b);
}

/** The compared part of a spec: empty lists and objects count as absent, an absent config as "default". */
function comparable(spec: TemplateSpec, fields: readonly string[]): string {
    const values = spec as unknown as Record<string, unknown>;
    return canonicalJson(
        fields.map((field) => {
            const value = field === "configName" ? (values[field] ?? DEFAULT_CONFIG_NAME) : values[field];
            return isEmpty(value) ? null : value;
        }),
    );
}

/**
 * An existing template whose spec equals a derived one, as upstream's `findMatchingTemplateForDerivedSpec`:
 * namespace templates of the service's namespace first (the whole spec but caching, which only pre-warms), then
 * cluster templates (the common spec, and only when the derived spec has no env or pull secrets of its own).
 * Only templates declared before the service are seen; one declared later that would have matched is an error
 * (the derived template itself, which the service creates, excepted).
 */
export function findMatchingTemplate(catalog: Catalog, namespace: string, derived: TemplateSpec, imageScope: Scope): TemplateEntry | undefined {
    const matcher = (fields: readonly string[]) => {
        const wanted = comparable(derived, fields);
        // Only templates of the service's own image entry: the same image name may name a namespace AIMImage too.
        return (t: TemplateDeclaration) => t.image.scope === imageScope && t.spec.name !== derived.name && comparable(t.spec, fields) === wanted;
    };
    const sameSpec = matcher(NAMESPACE_SPEC_FIELDS);
    const match = catalog.templatesByImage.find(indexKey(namespace, derived.aimImageName), sameSpec).find(sameSpec);
    if (match) return match;
    const own = namespaceFields(derived);
    if (own.env?.length || own.imagePullSecrets?.length) return undefined;
    const sameCommonSpec = matcher(COMMON_SPEC_FIELDS);
    return catalog.templatesByImage.find(indexKey(undefined, derived.aimImageName), sameCommonSpec).find(sameCommonSpec);
}
