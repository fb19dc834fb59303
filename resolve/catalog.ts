// The in-program catalog of declared AIM objects, one per cluster.
//
// Every component records itself here when it is constructed, so a dependent sees exactly what the program
// declared before it (like variables) and a reference can be checked synchronously, during preview.

import * as pulumi from "@pulumi/pulumi";
import { EnvVar, ResolvedConfig, ResolvedImage, Scope, ServingBackend } from "../types";
import { fieldError } from "../validate/common";
import { ConfigSpec } from "../validate/config";
import { ImageSpec } from "../validate/image";
import { TemplateSpec } from "../validate/template";

/** Namespaced kinds are declared with a namespace; cluster-scoped ones without. */
export function scopeOf(namespace: string | undefined): Scope {
    return namespace === undefined ? Scope.Cluster : Scope.Namespace;
}

/**
 * Identifies a cluster: `default` for the default Kubernetes provider, else the provider's Pulumi name. A name, not
 * the provider object, because in a multi-language program each component is built by its own `Construct` call,
 * which hands it a fresh provider object rehydrated from the same URN.
 */
export type ClusterKey = string;
export const DEFAULT_CLUSTER: ClusterKey = "default";

/** Who looks something up: errors name its kind, AIM name and the field at fault. */
export interface Dependent {
    kind: string;
    aimName: string;
}

/** A component that declares or looks something up: `AIMService "chat"` (Pulumi resource "chat-a"). */
export interface Declarer extends Dependent {
    pulumiName?: string;
}

/** How a message names another component: its kind and AIM name, and its Pulumi name where that differs. */
export function describe(who: Declarer): string {
    const pulumi = who.pulumiName !== undefined && who.pulumiName !== who.aimName ? ` (Pulumi resource "${who.pulumiName}")` : "";
    return `${who.kind} "${who.aimName}"${pulumi}`;
}

/**
 * The component being planned. Lookups that miss are recorded only when its planning succeeds: a component that
 * fails registers nothing, so it cannot have resolved anything a later declaration would change.
 */
class PlanningSession {
    reader?: Declarer;
    misses: (() => void)[] = [];
}

/** Declared objects of one kind, keyed by namespace (none for cluster-scoped kinds) and AIM name. */
export class Registry<T> {
    private readonly entries = new Map<string, { value: T; declarer: string }>();
    /** The same entries per namespace, in declaration order: dependents look in their namespace only. */
    private readonly byNamespace = new Map<string, T[]>();
    /** Names looked up and not found, with the first dependent that then resolved something else. */
    private readonly missedBy = new Map<string, string>();

    constructor(
        readonly kind: string,
        /** How messages name the kind in plural: "configs". */
        private readonly plural: string,
        private readonly session: PlanningSession,
    ) {}

    private static key(namespace: string | undefined, name: string): string {
        return `${namespace ?? ""}/${name}`;
    }

    /**
     * Throws unless `name` can be declared in that scope: not taken, and not looked up before by a dependent that
     * then resolved without it (declare-before-use, never silently). A component checks this before it registers.
     */
    ensureDeclarable(namespace: string | undefined, name: string, as?: Dependent & { field: string }): void {
        const key = Registry.key(namespace, name);
        const where = namespace ? ` in namespace "${namespace}"` : "";
        const who = as ?? { kind: this.kind, aimName: name, field: "name" };
        const taken = this.entries.get(key);
        if (taken) {
            const subject = as ? `a ${this.kind} of ${name} is ` : "";
            throw fieldError(who.kind, who.aimName, who.field, `${subject}already declared${where} for this cluster, by ${taken.declarer}`);
        }
        const reader = this.missedBy.get(key);
        if (reader) {
            const subject = as ? `the ${this.kind} "${name}" it declares would be ` : "";
            throw fieldError(
                who.kind,
                who.aimName,
                who.field,
                `${subject}declared after ${reader}, which already resolved without it; declare ${this.plural} before their dependents`,
            );
        }
    }

    /** Records an object; it must be declarable (see ensureDeclarable). */
    declare(namespace: string | undefined, name: string, value: T, declarer: Declarer = { kind: this.kind, aimName: name }): void {
        this.ensureDeclarable(namespace, name);
        this.entries.set(Registry.key(namespace, name), { value, declarer: describe(declarer) });
        const scope = namespace ?? "";
        const inScope = this.byNamespace.get(scope);
        if (inScope) inScope.push(value);
        else this.byNamespace.set(scope, [value]);
    }

    /** The entry if declared; a miss is remembered for the component being planned. */
    lookup(namespace: string | undefined, name: string): T | undefined {
        const key = Registry.key(namespace, name);
        const found = this.entries.get(key);
        const reader = this.session.reader;
        if (!found && reader && !this.missedBy.has(key)) this.session.misses.push(() => this.missedBy.set(key, describe(reader)));
        return found?.value;
    }

    /** The entry if declared, without recording a miss: for the package's own bookkeeping. */
    get(namespace: string | undefined, name: string): T | undefined {
        return this.entries.get(Registry.key(namespace, name))?.value;
    }

    values(): T[] {
        return [...this.entries.values()].map((e) => e.value);
    }

    /**
     * The entries declared in a namespace, in declaration order, without scanning the others: every service and
     * cache looks here, so a scan of all namespaces would make a program quadratic in its size.
     */
    inNamespace(namespace: string): readonly T[] {
        return this.byNamespace.get(namespace) ?? [];
    }

    /** AIM names declared in that scope, for `did you mean` hints. */
    names(namespace: string | undefined): string[] {
        const prefix = `${namespace ?? ""}/`;
        return [...this.entries.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
    }
}

/**
 * Declared objects grouped by a property other than their name (the templates of an image, the images of a URI),
 * for dependents that search rather than name what they use. A search is a reference too: a later declaration that
 * would have changed its result is an error naming the dependent, as for a name looked up and missed.
 */
export class Index<T extends Later, Later = T> {
    private readonly groups = new Map<string, T[]>();
    /** Per key, who searched it and which later entries would have changed what they found. */
    private readonly watchers = new Map<string, { reader: string; matters: (later: Later) => boolean }[]>();

    constructor(
        /** How messages say what the dependent did: "selected its template among the templates of". */
        private readonly searched: string,
        private readonly session: PlanningSession,
    ) {}

    /**
     * The entries under `key`, in declaration order. If the component being planned succeeds, a later entry under
     * `key` for which `matters` holds becomes an error (see ensureAddable).
     */
    find(key: string, matters: (later: Later) => boolean = () => true): readonly T[] {
        const reader = this.session.reader;
        if (reader) {
            this.session.misses.push(() => {
                const watching = this.watchers.get(key);
                const watcher = { reader: describe(reader), matters };
                if (watching) watching.push(watcher);
                else this.watchers.set(key, [watcher]);
            });
        }
        return this.groups.get(key) ?? [];
    }

    /** Throws if a dependent already searched `key` and `value` would have changed what it found. */
    ensureAddable(key: string, label: string, value: Later, as: Dependent & { field: string }): void {
        const reader = this.watchers.get(key)?.find((w) => w.matters(value))?.reader;
        if (reader) {
            throw fieldError(
                as.kind,
                as.aimName,
                as.field,
                `declared after ${reader}, which already ${this.searched} ${label} without it; declare it before its dependents`,
            );
        }
    }

    /** Records an entry; it must be addable (see ensureAddable). */
    add(key: string, value: T): void {
        const group = this.groups.get(key);
        if (group) group.push(value);
        else this.groups.set(key, [value]);
    }
}

/** A Kubernetes object a component renders: no two components may render the same one. */
export interface ObjectIdentity {
    kind: string;
    namespace?: string;
    name: string;
}

/** The component that declared a catalog entry: children shared by its dependents are parented to it. */
export interface DeclaredBy {
    resource: pulumi.Resource;
    /** Its Pulumi name: shared children are named after it, so they keep their URN whoever uses them. */
    pulumiName: string;
}

/** A config as declared. */
export interface ConfigEntry {
    spec: ConfigSpec;
    declaredBy?: DeclaredBy;
}

/** An image catalog entry as declared. */
export interface ImageEntry {
    scope: Scope;
    spec: ImageSpec;
}

/** A declared service template, with what it resolved when it was declared. */
export interface TemplateEntry {
    scope: Scope;
    spec: TemplateSpec;
    image: ResolvedImage;
    config: ResolvedConfig;
    /** The template component: what services share through the template is parented to it. */
    declaredBy: DeclaredBy;
    /**
     * Workloads of the template depend on its discovery Job (not on the component, which parents shared children);
     * none when the template's inline model sources make discovery unnecessary.
     */
    discoveryJob?: pulumi.Resource;
    /** What serves the template's services; with KServe, their InferenceServices depend on its runtime. */
    backend: ServingBackend;
    runtime?: pulumi.Resource;
}

/** What a template is before it is registered: enough to tell whether it would have changed a selection. */
export type TemplateDeclaration = Pick<TemplateEntry, "scope" | "spec" | "image">;

/** A model source cached in a namespace: its PVC and download Job, shared by every cache of that source. */
export interface ModelCacheEntry {
    namespace: string;
    cacheName: string;
    /** Model name of the source: caches are mounted at `/workspace/model-cache/<model name>`. */
    modelName: string;
    pvcName: string;
    sourceUri: string;
    storageClassName?: string;
    /** The template cache that created the PVC. */
    templateCacheName: string;
    /** Resource options of the PVC, set by the cache that created it. */
    protect: boolean;
    retainOnDelete: boolean;
    /** The PVC and its download Job: workloads mounting the cache depend on them. */
    resources: pulumi.Resource[];
}

/** A declared template cache. */
export interface TemplateCacheEntry {
    namespace: string;
    template: TemplateEntry;
    /** Name of the config the cache resolved. */
    configName: string;
    /** Environment of its downloads. */
    env: EnvVar[];
    caches: ModelCacheEntry[];
}

/** Key of an Index group: the namespace (none for cluster-scoped entries) and the grouping value. */
export function indexKey(namespace: string | undefined, value: string): string {
    return `${namespace ?? ""}/${value}`;
}

/** A template as the cache index keys it: a namespaced and a cluster template may share a name. */
export function templateKey(template: TemplateEntry): string {
    return `template "${template.spec.name}" (${template.scope})`;
}

/** Everything declared for one cluster. */
export class Catalog {
    private readonly session = new PlanningSession();
    readonly clusterConfigs = new Registry<ConfigEntry>("AIMClusterConfig", "configs", this.session);
    readonly namespaceConfigs = new Registry<ConfigEntry>("AIMNamespaceConfig", "configs", this.session);
    readonly images = new Registry<ImageEntry>("AIMImage", "images", this.session);
    readonly clusterImages = new Registry<ImageEntry>("AIMClusterImage", "images", this.session);
    readonly templates = new Registry<TemplateEntry>("AIMServiceTemplate", "templates", this.session);
    readonly clusterTemplates = new Registry<TemplateEntry>("AIMClusterServiceTemplate", "templates", this.session);
    readonly templateCaches = new Registry<TemplateCacheEntry>("AIMTemplateCache", "template caches", this.session);
    /**
     * The template cache of each template in a namespace (keyed by `templateKey`): `cacheModel` mounts it, so there
     * is one, whichever was declared first, and a second is an error rather than a cache services silently ignore.
     */
    readonly templateCachesByTemplate = new Registry<TemplateCacheEntry>("template cache", "template caches", this.session);
    /** Templates by the AIM name of their image, under `indexKey(namespace, aimImageName)`: what a service selects or matches overrides among. */
    readonly templatesByImage = new Index<TemplateEntry, TemplateDeclaration>("chose its template among the templates of", this.session);
    /**
     * Templates that services derive from overrides, under `indexKey(namespace, name)`: a service's private variant of
     * its base, so never a candidate for another service's selection or override matching.
     */
    readonly derivedTemplates = new Set<string>();
    /** Image entries by container image URI, under `indexKey(namespace, image)`: what a service naming an `image` finds. */
    readonly imagesByUri = new Index<ImageEntry>("looked up the image entries of", this.session);
    /** Keyed by namespace and model-cache name. */
    readonly modelCaches = new Registry<ModelCacheEntry>("model cache", "model caches", this.session);
    /** Base-image pre-pull DaemonSets, keyed by their Kubernetes name. */
    readonly baseImageCachers = new Registry<pulumi.Resource>("base-image cacher", "base-image cachers", this.session);
    /**
     * Set once the first cluster-scoped workload needed the system namespace: the Namespace the package created for
     * this cluster, or none when Pulumi config `aim:createSystemNamespace` is false.
     */
    systemNamespace?: { resource?: pulumi.Resource };
    /** Every Kubernetes object rendered for this cluster, with the component that renders it. */
    private readonly objects = new Map<string, string>();

    /**
     * Runs the planning of one component (`declarer`): what its lookups miss is remembered only if it succeeds,
     * so that a late declaration of what it missed is an error naming it.
     */
    plan<T>(declarer: Declarer, step: () => T): T {
        const outer = this.session.reader;
        const outerMisses = this.session.misses;
        this.session.reader = declarer;
        this.session.misses = [];
        try {
            const result = step();
            this.session.misses.forEach((remember) => remember());
            return result;
        } finally {
            this.session.reader = outer;
            this.session.misses = outerMisses;
        }
    }

    /**
     * Claims the Kubernetes objects a component will render: none may be rendered by another component (two
     * `AIMService`s named `chat` in one namespace would both apply Deployment `ns/chat`). Checks all, then claims all.
     */
    claimObjects(declarer: Declarer, objects: ObjectIdentity[]): void {
        const keys = objects.map((o) => `${o.kind} "${o.namespace ? `${o.namespace}/` : ""}${o.name}"`);
        for (const key of keys) {
            const owner = this.objects.get(key);
            if (owner) throw fieldError(declarer.kind, declarer.aimName, "name", `would render ${key}, which ${owner} renders already`);
        }
        keys.forEach((key) => this.objects.set(key, describe(declarer)));
    }
}

const catalogs = new Map<ClusterKey, Catalog>();

/** The catalog of a cluster; a config declared for cluster A never serves a dependent on cluster B. */
export function catalogFor(cluster: ClusterKey): Catalog {
    let catalog = catalogs.get(cluster);
    if (!catalog) {
        catalog = new Catalog();
        catalogs.set(cluster, catalog);
    }
    return catalog;
}

/**
 * Forgets every cluster's catalog. For tests only: each `pulumi up` runs the program in a fresh process, so a test
 * that runs two revisions against one cluster (one provider URN) must start each from empty catalogs too.
 */
export function resetCatalogs(): void {
    catalogs.clear();
}
