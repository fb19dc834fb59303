import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { renderCachePvc, renderDownloadJob, renderDownloadTokenSecret } from "../render/modelCache";
import { aimLabel, standardLabels } from "../render/labels";
import { mergeEnv } from "../render/pod";
import { hfTokenEnv, renderTokenSecret } from "../render/tokenSecret";
import { downloadJobName, downloadTokenSecretName, tokenSecretName } from "../resolve/names";
import { downloadSettings, hasDownloadToken, planModelCaches, PlannedModelCache, requireModelSources } from "../resolve/cache";
import { Catalog, ClusterKey, Declarer, indexKey, ModelCacheEntry, ObjectIdentity, TemplateCacheEntry, templateKey } from "../resolve/catalog";
import { findTemplate } from "../resolve/template";
import { resolveConfig } from "../resolve/config";
import { DEFAULT_DOWNLOAD_IMAGE, templateCacheSchema, TemplateCacheSpec } from "../validate/cache";
import { alsoAfter, lazyOutputs, namespaceDependencies, planComponent, Planned, sharedObjectName, systemNamespaceSettings, typeToken, warnAll, withSecretToken } from "./internal";
import { planOperatorTemplateCache, registerOperatorObject } from "./operator";
import { EnvVar, LocalObjectReference, ResolvedConfig, Scope } from "../types";

export interface AIMTemplateCacheArgs {
    /** AIM name. Default: the Pulumi resource name. @default the Pulumi resource name */
    name?: string;
    /** Namespace of the cache: its PVCs are usable by services there. */
    namespace: string;
    /** Template whose model sources to cache: an AIMServiceTemplate in the namespace first, then an AIMClusterServiceTemplate (see `templateScope`). */
    templateRef: string;
    /** Where `templateRef` is looked up: `Namespace` (an AIMServiceTemplate in the namespace) or `Cluster` (an AIMClusterServiceTemplate) only. Default: the namespace first, then the cluster. @default the namespace first, then the cluster */
    templateScope?: Scope;
    /** Environment of the download Jobs (e.g. `HF_TOKEN` from a Secret). */
    env?: EnvVar[];
    /** Pull secrets of the download Jobs, before the resolved config's. */
    imagePullSecrets?: LocalObjectReference[];
    /** Storage class of the PVCs. Default: the resolved config's `caching.storageClassName`, else the cluster default. @default the resolved config's `caching.storageClassName`, else the cluster default */
    storageClassName?: string;
    /** Config to use. Default: "default". @default "default" */
    configName?: string;
    /** Image of the download Jobs (a KServe storage-initializer). Default: "kserve/storage-initializer:v0.16.0". @default "kserve/storage-initializer:v0.16.0" */
    downloadImage?: string;
    /** How long Pulumi waits for a download Job to complete. Default: 3600 (seconds). @default 3600 */
    downloadTimeoutSeconds?: number;
    /** Leave the PVCs in the cluster when they are deleted from the program or replaced. Default: false. @default false */
    retainOnDelete?: boolean;
    /** Refuse to delete or replace the PVCs (Pulumi `protect`). Default: false. @default false */
    protect?: boolean;
    /** Hugging Face token for gated models: stored in a Kubernetes Secret beside each PVC and passed to the downloads as `HF_TOKEN`. Caches sharing a source must pass the same token (the same string, or the same Output). */
    hfToken?: pulumi.Input<string>;
}

/** Resolves what the cache caches and claims the objects it will create, before anything is registered. */
function planAIMTemplateCache(spec: TemplateCacheSpec, catalog: Catalog, declarer: Declarer) {
    const kind = declarer.kind;
    const { namespace, name: aimName } = spec;
    catalog.templateCaches.ensureDeclarable(namespace, aimName);
    const template = findTemplate(catalog, { kind, aimName }, namespace, spec.templateRef, spec.templateScope);
    const implicitFor = catalog.implicitTemplateCaches.get(indexKey(namespace, aimName));
    const forCacheModel = implicitFor === "AIMService";
    catalog.templateCachesByTemplate.ensureDeclarable(namespace, templateKey(template), { kind, aimName, field: "templateRef" }, forCacheModel);
    const sources = requireModelSources(kind, aimName, "templateRef", template.spec);
    const { config, warning } = resolveConfig(catalog, { kind, aimName, namespace, configName: spec.configName });
    const settings = downloadSettings(spec, config);
    const caches = planModelCaches(catalog, { kind, aimName, namespace, settings }, sources);
    // On the operator target the operator downloads: the token reaches its resource from a Secret of this cache.
    const operatorToken = settings.hfToken !== undefined ? [hfTokenEnv(tokenSecretName(aimName))] : [];
    const operator = planOperatorTemplateCache(kind, {
        name: aimName,
        namespace,
        templateName: template.spec.name,
        templateScope: template.scope,
        env: mergeEnv(settings.env, operatorToken),
        imagePullSecrets: settings.imagePullSecrets,
        storageClassName: spec.storageClassName,
        configName: spec.configName,
        downloadImage: spec.downloadImage === DEFAULT_DOWNLOAD_IMAGE ? undefined : spec.downloadImage,
        await: { awaitTimeoutSeconds: spec.downloadTimeoutSeconds, skipAwait: false },
    });
    const objects: ObjectIdentity[] = operator
        ? operatorToken.map(() => ({ kind: "Secret", namespace, name: tokenSecretName(aimName) }))
        : caches
              .filter((planned) => !planned.existing)
              .flatMap((planned) => [
                  { kind: "PersistentVolumeClaim", namespace, name: planned.pvcName },
                  { kind: "Job", namespace, name: downloadJobName(planned.cacheName) },
                  ...(settings.hfToken !== undefined ? [{ kind: "Secret", namespace, name: downloadTokenSecretName(planned.cacheName) }] : []),
              ]);
    catalog.claimObjects(declarer, objects);
    const system = systemNamespaceSettings(kind, aimName);
    return { template, config, warning, settings, caches, system, operator, implicitFor, forCacheModel };
}

type PlannedTemplateCache = ReturnType<typeof planAIMTemplateCache>;

/** What registering a cache's children needs, planned and registered. */
interface CacheRegistration {
    component: AIMTemplateCache;
    name: string;
    spec: TemplateCacheSpec;
    cluster: ClusterKey;
    catalog: Catalog;
    declarer: Declarer;
    plan: PlannedTemplateCache;
    inNamespace: pulumi.Resource[];
    opts: pulumi.ComponentResourceOptions | undefined;
    /** Of the shared objects: the cluster's provider, and what they wait for. */
    provider: pulumi.ProviderResource | undefined;
    sharedDependsOn: pulumi.Input<pulumi.Input<pulumi.Resource>[]>;
}

/**
 * A model cache of this namespace, declared in the catalog; on the workloads target its PVC, download Job and token
 * Secret are shared objects: the cluster's provider, no parent, a name of their own (see sharedObjectName).
 */
function newModelCache({ spec, cluster, catalog, declarer, plan, inNamespace, opts, provider, sharedDependsOn: dependsOn }: CacheRegistration, planned: PlannedModelCache): ModelCacheEntry {
    const { namespace } = spec;
    const { settings } = plan;
    const cache: ModelCacheEntry = {
        namespace,
        cacheName: planned.cacheName,
        modelName: planned.source.name,
        size: planned.source.size,
        pvcName: planned.pvcName,
        sourceUri: planned.source.sourceUri,
        settings,
        templateCacheName: spec.name,
        resources: [],
    };
    catalog.modelCaches.declare(namespace, planned.cacheName, cache, declarer);
    // On the operator target the operator makes the PVCs and downloads: the package keeps the catalog entry.
    if (plan.operator) return cache;
    const named = (objectName: string) => sharedObjectName(cluster, namespace, objectName);
    const input = { cacheName: planned.cacheName, namespace, source: planned.source, storageClassName: settings.storageClassName };
    const pvc = new k8s.core.v1.PersistentVolumeClaim(named(planned.pvcName), renderCachePvc(input), {
        provider,
        retainOnDelete: settings.retainOnDelete,
        protect: settings.protect,
        dependsOn,
    });
    const secret =
        settings.hfToken !== undefined
            ? new k8s.core.v1.Secret(named(downloadTokenSecretName(planned.cacheName)), renderDownloadTokenSecret(input, settings.hfToken), { provider, dependsOn })
            : undefined;
    const download = new k8s.batch.v1.Job(
        named(downloadJobName(planned.cacheName)),
        renderDownloadJob({
            ...input,
            downloadImage: settings.downloadImage,
            env: settings.env,
            tokenSecretName: secret && downloadTokenSecretName(planned.cacheName),
            imagePullSecrets: settings.imagePullSecrets,
            timeoutSeconds: settings.timeoutSeconds,
        }),
        { provider, dependsOn: alsoAfter([pvc, ...(secret ? [secret] : []), ...inNamespace], opts?.dependsOn) },
    );
    cache.resources.push(pvc, download);
    return cache;
}

/** The operator's AIMTemplateCache object (and its token Secret), for a cache the program declared itself. */
function registerOperatorCache({ component, name, spec, plan, inNamespace }: CacheRegistration, operator: NonNullable<PlannedTemplateCache["operator"]>): pulumi.Resource {
    const labels = { ...standardLabels("aim-model-cache", "credentials"), ...aimLabel("template-cache", spec.name) };
    const secret =
        plan.settings.hfToken !== undefined
            ? new k8s.core.v1.Secret(`${name}-hf-token`, renderTokenSecret(tokenSecretName(spec.name), spec.namespace, labels, plan.settings.hfToken), {
                  parent: component,
                  dependsOn: inNamespace,
              })
            : undefined;
    return registerOperatorObject(component, name, "templatecache", operator, {
        dependsOn: [...(secret ? [secret] : []), ...inNamespace],
        retainOnDelete: spec.retainOnDelete,
        protect: spec.protect,
    });
}

/** Declares the cache in the catalog and registers its children; returns the names of the PVCs it uses. */
function registerTemplateCacheChildren(component: AIMTemplateCache, name: string, spec: TemplateCacheSpec, planned: Planned<TemplateCacheSpec, PlannedTemplateCache>, opts: pulumi.ComponentResourceOptions | undefined): string[] {
    const { cluster, catalog, declarer, plan } = planned;
    const { namespace } = spec;
    // A cache renders something into its namespace or shares what an earlier cache rendered there.
    const inNamespace = namespaceDependencies(component, catalog, plan.system, namespace);
    const entry: TemplateCacheEntry = {
        name: spec.name,
        namespace,
        template: plan.template,
        configName: plan.config.name,
        forCacheModel: plan.forCacheModel,
        downloadToken: hasDownloadToken(plan.settings),
        caches: [],
    };
    catalog.templateCaches.declare(namespace, spec.name, entry, declarer);
    catalog.templateCachesByTemplate.declare(namespace, templateKey(plan.template), entry, declarer, plan.forCacheModel);
    const provider = component.getProvider("kubernetes::");
    const sharedDependsOn = alsoAfter(inNamespace, opts?.dependsOn);
    const registration: CacheRegistration = { component, name, spec, cluster, catalog, declarer, plan, inNamespace, opts, provider, sharedDependsOn };
    entry.caches = plan.caches.map((cache) => cache.existing ?? newModelCache(registration, cache));
    // A cache made on a template's behalf is the operator's to make too (from the template or the service).
    if (plan.operator && plan.implicitFor === undefined) entry.resource = registerOperatorCache(registration, plan.operator);
    // The operator's PVCs are named after its artifacts' UIDs, known only once applied.
    return plan.operator ? [] : entry.caches.map((c) => c.pvcName);
}

/**
 * Caches a template's model sources in a namespace: per source, a `ReadWriteMany` PVC (`<model>-cache`, model size
 * plus 10 % headroom) and the Job that downloads the model into it (with `hfToken`, a Secret for the token). Caches of
 * the same source in one namespace share them, so they must agree on everything that reaches them (model name, size
 * and every download setting); they are registered with the cluster's provider rather than under the cache, under
 * the name `aim:<namespace>/<Kubernetes name>`, so that they keep their URN whichever cache declares them first.
 *
 * The PVCs are not retained or protected by default: they hold re-downloadable copies of public artifacts, and a
 * retained PVC silently outlives `pulumi destroy`. Set `retainOnDelete` or `protect` where a re-download is costly.
 */
export class AIMTemplateCache extends pulumi.ComponentResource {
    /** The AIM name. */
    declare public readonly aimName: pulumi.Output<string>;
    /** The config this cache resolved, with every default filled in. */
    declare public readonly resolvedConfig: pulumi.Output<ResolvedConfig>;
    /** Names of the PVCs holding the template's models (shared ones included), in model-source order. */
    declare public readonly persistentVolumeClaims: pulumi.Output<string[]>;

    constructor(name: string, args: AIMTemplateCacheArgs, opts?: pulumi.ComponentResourceOptions) {
        const kind = "AIMTemplateCache";
        const planned = planComponent(kind, name, templateCacheSchema, args, opts, planAIMTemplateCache);
        const { spec, plan } = planned;
        super(typeToken(kind), name, withSecretToken(spec), opts);
        warnAll(this, [plan.warning]);
        const persistentVolumeClaims = registerTemplateCacheChildren(this, name, spec, planned, opts);
        const { config } = plan;
        lazyOutputs<AIMTemplateCache>(this, {
            aimName: () => pulumi.output(spec.name),
            resolvedConfig: () => pulumi.output(config),
            persistentVolumeClaims: () => pulumi.output(persistentVolumeClaims),
        });
        // Plain values, as in AIMService: the same bytes reach the engine without serializing an Output each.
        this.registerOutputs({ aimName: spec.name, resolvedConfig: config, persistentVolumeClaims });
    }
}
