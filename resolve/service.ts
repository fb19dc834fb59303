// Planning an AIMService (design §4.3, §5): everything that can fail is decided here, before the component creates
// its first child — which template it runs (deriving one from overrides), which caches it mounts, its route.

import * as pulumi from "@pulumi/pulumi";
import { ResolvedConfig, Scope, ServingBackend, TemplateCandidate, TemplateChoice } from "../types";
import { fieldError } from "../validate/common";
import { DEFAULT_API_KEY_KEY, ServiceSpec } from "../validate/service";
import { namespaceFields, TemplateSpec } from "../validate/template";
import { mergeEngineArgs } from "./engineArgs";
import { hasDownloadToken, implicitCacheArgs, planImplicitCache, templateCachePulumiName } from "./cache";
import { Catalog, ImageEntry, ObjectIdentity, TemplateCacheEntry, TemplateEntry, templateKey } from "./catalog";
import { selectTemplate } from "./selection";
import { inferenceServiceName, predictorName, tokenSecretName } from "./names";
import { EffectiveRouting, resolveRouting } from "./routing";
import { COMMON_SPEC_FIELDS, DerivedTemplate, deriveTemplate, findMatchingTemplate, findTemplate, hasOverrides, sameSpecValue } from "./template";

/** A template cache the service will create for its template (none was declared for it in the namespace). */
export interface NewTemplateCache {
    /** Pulumi name: after the template that parents it, not after the first service that asked for it. */
    pulumiName: string;
    /**
     * Named after the template, as upstream names a service's template cache, with the template's download env
     * (`env` under `caching.env`); services' env never reaches a shared cache (it would depend on order).
     */
    args: ReturnType<typeof implicitCacheArgs>;
}

export interface ServicePlan {
    /** The template named by `templateRef` or the image's default, or the one selected. */
    base: TemplateEntry;
    /** How the base was chosen, and with `selected` every template considered. */
    chosenBy: TemplateChoice;
    candidates?: TemplateCandidate[];
    /** The template to run when it exists already: the base, or a derived template declared earlier. */
    template?: TemplateEntry;
    /** The derived template to create, when overrides derive one that does not exist yet. */
    newTemplate?: DerivedTemplate;
    /** The template cache of the template in the namespace, to mount whatever `cacheModel` says; or with it, the one to create. */
    cache?: { reuse: TemplateCacheEntry } | { create: NewTemplateCache };
    routing?: EffectiveRouting;
    apiKey?: ApiKeyPlan;
    /** Preview warnings: an `hfToken` that will not reach the model downloads; a route open to anyone. */
    warnings: string[];
    /** The Kubernetes objects the service renders itself. */
    objects: ObjectIdentity[];
    /** The backend of the template it runs (a derived template inherits its base's). */
    backend: ServingBackend;
    /** `AIM_ENGINE_ARGS` of the template's and the service's env deep-merged, when the env merge by name would not do. */
    engineArgs?: pulumi.Input<string>;
}

/** The Secret key the container reads `VLLM_API_KEY` from; `generate` when the package makes the key and Secret. */
export interface ApiKeyPlan {
    secretName: string;
    key: string;
    generate: boolean;
}

/** `<service>-api-key`: the Secret of a generated API key. */
export function apiKeySecretName(serviceName: string): string {
    return `${serviceName}-api-key`;
}

function planApiKey(spec: ServiceSpec): ApiKeyPlan | undefined {
    const { apiKey } = spec;
    if (!apiKey || !(apiKey.enabled ?? apiKey.secretName !== undefined)) return undefined;
    if (apiKey.secretName) return { secretName: apiKey.secretName, key: apiKey.secretKey ?? DEFAULT_API_KEY_KEY, generate: false };
    return { secretName: apiKeySecretName(spec.name), key: DEFAULT_API_KEY_KEY, generate: true };
}


/** The service's template before overrides: the one it names, its image's default, or the best of its image's. */
function chooseBase(
    catalog: Catalog,
    spec: ServiceSpec,
    image: ImageEntry,
    availableGpuModels: string[] | undefined,
): Pick<ServicePlan, "base" | "chosenBy" | "candidates"> {
    const { namespace, name } = spec;
    const served = { name: image.spec.name, scope: image.scope };
    const named = spec.templateRef ?? (image.spec.defaultServiceTemplate || undefined);
    if (!named) {
        const selection = selectTemplate(catalog, { kind: "AIMService", aimName: name, namespace, image: served, overrides: spec.overrides, availableGpuModels });
        return { base: selection.template, chosenBy: TemplateChoice.Selected, candidates: selection.candidates };
    }
    const base = findTemplate(catalog, { kind: "AIMService", aimName: name }, namespace, named);
    const fail = (problem: string) => fieldError("AIMService", name, "templateRef", problem);
    if (base.spec.aimImageName !== served.name) throw fail(`template "${named}" runs image "${base.spec.aimImageName}", not "${served.name}"`);
    if (base.image.scope !== served.scope) {
        // Same name, other entry: a namespace AIMImage hides the AIMClusterImage a cluster template runs.
        const entry = (scope: string) => (scope === "Namespace" ? `the AIMImage in namespace "${namespace}"` : "the AIMClusterImage");
        throw fail(
            `template "${named}" runs ${entry(base.image.scope)} "${served.name}" (${base.image.image}), not ${entry(served.scope)} ` +
                `"${served.name}" (${image.spec.image}) that the service resolved: name a template of that image entry`,
        );
    }
    return { base, chosenBy: spec.templateRef ? TemplateChoice.TemplateRef : TemplateChoice.ImageDefault };
}

/** What the service's surroundings decided before it is planned. */
export interface ServiceContext {
    /** The config the service resolved. */
    config: ResolvedConfig;
    /** The config that set `config.routing.pathTemplate` (`ConfigResolution.pathTemplateFrom`), for messages. */
    pathTemplateFrom?: string;
    /** The cluster's GPU models (Pulumi config `aim:availableGpuModels`): selection drops templates for others. */
    availableGpuModels?: string[];
}

/** Plans the service; throws an AimError naming the field at fault. */
export function planService(catalog: Catalog, spec: ServiceSpec, image: ImageEntry, context: ServiceContext): ServicePlan {
    const { config, pathTemplateFrom, availableGpuModels } = context;
    const { namespace, name } = spec;
    const fail = (field: string, problem: string) => fieldError("AIMService", name, field, problem);
    const { base, chosenBy, candidates } = chooseBase(catalog, spec, image, availableGpuModels);
    const baseName = base.spec.name;

    // A named template is derived from. A selected one passed the overrides' filter, which (as upstream's) requires
    // the metric and precision asked for but lets a template without a gpuSelector through: derive the GPU onto it,
    // so that `overrides.gpuSelector` is never silently dropped.
    const gpuLeftOpen = !!spec.overrides?.gpuSelector && !base.spec.gpuSelector;
    const derives = hasOverrides(spec.overrides) && (chosenBy !== TemplateChoice.Selected || gpuLeftOpen);
    const derived = derives ? deriveTemplate(base, namespace, spec.overrides!, spec.configName) : undefined;
    const sameName = derived && catalog.templates.get(namespace, derived.spec.name);
    // Overrides that describe a template already declared reuse it instead of deriving a copy with its own discovery.
    const existing = derived ? (sameName ?? findMatchingTemplate(catalog, namespace, derived.spec, image.scope)) : base;
    if (derived && sameName) {
        const differs: string[] = COMMON_SPEC_FIELDS.filter((f) => !sameSpecValue(sameName.spec[f], derived.spec[f]));
        // Same image name, other entry: in the namespace a user's AIMImage of that name hides the service's AIMClusterImage.
        if (sameName.image.scope !== image.scope) differs.push("image entry");
        if (differs.length > 0) {
            throw fail(
                "overrides",
                `the template "${derived.spec.name}" declared in namespace "${namespace}" is not "${baseName}" with these ` +
                    `overrides (${differs.join(", ")} differ)`,
            );
        }
    }
    const templateSpec: TemplateSpec = existing?.spec ?? derived!.spec;
    if (!existing) {
        // The derived template is this service's to declare: checked here, so that the service fails before it
        // registers anything rather than its template after it.
        const as = { kind: "AIMService", aimName: name, field: "overrides" };
        catalog.templates.ensureDeclarable(namespace, templateSpec.name, as);
        // In the namespace, its image name resolves an AIMImage there first: it must be the entry the service serves.
        if (image.scope === "Cluster" && catalog.images.lookup(namespace, image.spec.name)) {
            throw fail(
                "overrides",
                `the template "${templateSpec.name}" derived in namespace "${namespace}" would run the AIMImage "${image.spec.name}" ` +
                    `of the namespace, not the AIMClusterImage "${image.spec.name}" (${image.spec.image}) the service resolved`,
            );
        }
    }

    // Every service of a template mounts a declared cache of the template in the namespace, as upstream does ("Always
    // check for template caches … even if cacheModel=false", kaiwo aimservice_controller.go; aim-engine's default
    // Shared caching): `cacheModel` decides whether the service creates one when there is none. A cache created that
    // way is mounted by the services that set `cacheModel` only: upstream's services find it whenever they reconcile,
    // but here a service renders once, so one declared before it would mount it and one after would not.
    const key = templateKey(existing ?? { scope: Scope.Namespace, spec: templateSpec });
    // Without `cacheModel` a miss is remembered: a cache declared after the service would have been mounted by it. With
    // it none is: the service creates the cache, and any later one is a duplicate.
    const found = spec.cacheModel ? catalog.templateCachesByTemplate.get(namespace, key) : catalog.templateCachesByTemplate.lookup(namespace, key);
    const declared = found && (spec.cacheModel || !found.forCacheModel) ? found : undefined;
    let cache: ServicePlan["cache"];
    let downloadToken = false;
    const warnings: string[] = [];
    if (declared) {
        if (spec.cacheModel && declared.forCacheModel && declared.configName !== config.name) {
            throw fail(
                "cacheModel",
                `template "${templateSpec.name}" is already cached in namespace "${namespace}" with config ` +
                    `"${declared.configName}", not "${config.name}": declare one AIMTemplateCache for it, or use the same configName`,
            );
        }
        if (spec.scratch !== undefined) {
            throw fail(
                "scratch",
                `has no effect: the service mounts template cache "${declared.name}" of template "${templateSpec.name}", which ` +
                    `holds the model (a template's cache in the namespace serves every service of the template)`,
            );
        }
        cache = { reuse: declared };
        downloadToken = declared.downloadToken;
    } else if (spec.cacheModel) {
        // The scope of the template the service resolved, as aim-engine sets it (internal/aimservice/caching.go l.124).
        const template = existing ? { scope: existing.scope, pulumiName: existing.declaredBy.pulumiName } : { scope: Scope.Namespace, pulumiName: derived!.pulumiName };
        const args = implicitCacheArgs(templateSpec, template.scope, namespace, spec.configName);
        const settings = planImplicitCache(catalog, { kind: "AIMService", aimName: name, field: "cacheModel" }, args, config, templateSpec);
        cache = { create: { pulumiName: templateCachePulumiName(template, namespace), args } };
        downloadToken = hasDownloadToken(settings);
    }
    const cacheName = cache && ("reuse" in cache ? cache.reuse.name : cache.create.args.name);
    if (cacheName !== undefined && spec.hfToken !== undefined && !downloadToken && catalog.firstWarning(`hfToken:${namespace}/${cacheName}`)) {
        warnings.push(
            `hfToken reaches the inference container only: the model downloads of template cache "${cacheName}" ` +
            `run without HF_TOKEN (a cache is shared by every service of its template, so it takes no service's ` +
            `token: declare an AIMTemplateCache for the template with hfToken, or set HF_TOKEN in its caching.env; ` +
            `said for the first such service of the cache only)`,
        );
    }

    // No config level: configs carry no env in this package (upstream's runtime config does).
    const engineArgs = mergeEngineArgs([
        { kind: "AIMServiceTemplate", aimName: templateSpec.name, env: namespaceFields(templateSpec).env },
        { kind: "AIMService", aimName: name, env: spec.env },
    ]);

    const routing = resolveRouting(
        // `{.spec.aimImageName}` names the image entry, whether the service named it or its container image.
        { aimName: name, namespace, labels: spec.labels, annotations: spec.annotations, routing: spec.routing, spec: { ...spec, aimImageName: image.spec.name } },
        config,
        pathTemplateFrom,
    );
    const backend = (existing ?? base).backend;
    // KServe's predictor host `<isvc>-predictor-<namespace>` is a DNS label: a long service name is shortened to a
    // prefix and a hash (resolve/names.ts inferenceServiceName), which needs room for 10 characters.
    const room = 63 - "-predictor-".length - namespace.length;
    const shortest = `${name.slice(0, 1)}-${"0".repeat(8)}`;
    if (backend === ServingBackend.KServe && name.length > room && shortest.length > room) {
        const host = `KServe's predictor host <isvc>-predictor-${namespace} would exceed 63 characters`;
        throw fail(
            "namespace",
            room < 1
                ? `is too long for the kserve backend (${namespace.length} characters): ${host} whatever the service's name; serve it from a namespace of at most ${63 - "-predictor-".length - 1} characters`
                : `is too long for the kserve backend with this service name: ${host}; use a service name of at most ${room} characters, or a shorter namespace`,
        );
    }
    const workload: ObjectIdentity[] =
        backend === ServingBackend.KServe
            ? [
                  { kind: "InferenceService", namespace, name: inferenceServiceName(name, namespace) },
                  // What KServe creates for it in raw deployment mode: no service of ours may render the same.
                  { kind: "Deployment", namespace, name: predictorName(inferenceServiceName(name, namespace)) },
                  { kind: "Service", namespace, name: predictorName(inferenceServiceName(name, namespace)) },
              ]
            : [
                  { kind: "Deployment", namespace, name },
                  { kind: "Service", namespace, name },
              ];
    const apiKey = planApiKey(spec);
    const gateway = routing && `${routing.gateway.namespace ?? namespace}/${routing.gateway.name}`;
    if (gateway && !apiKey && spec.apiKey?.enabled !== false && catalog.firstWarning(`open route:${gateway}`)) {
        warnings.push(
            `route ${routing!.path} is open to anyone who can reach Gateway ${gateway}: set apiKey.enabled to true to ` +
                `require a key, or to false to confirm an open endpoint (said for the first open route on the Gateway only)`,
        );
    }
    const objects: ObjectIdentity[] = [
        // The AIM object itself: one name per namespace, whichever backend each would use.
        { kind: "AIMService", namespace, name },
        ...workload,
        ...(routing ? [{ kind: "HTTPRoute", namespace, name }] : []),
        ...(spec.hfToken !== undefined ? [{ kind: "Secret", namespace, name: tokenSecretName(name) }] : []),
        ...(apiKey?.generate ? [{ kind: "Secret", namespace, name: apiKey.secretName }] : []),
    ];
    return { base, chosenBy, candidates, template: existing, newTemplate: existing ? undefined : derived, cache, routing, apiKey, warnings, objects, backend, engineArgs };
}
