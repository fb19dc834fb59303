// The in-program catalog of declared AIM objects, one per cluster.
//
// Every component records itself here when it is constructed, so a dependent sees exactly what the program
// declared before it (like variables) and a reference can be checked synchronously, during preview.

import * as pulumi from "@pulumi/pulumi";
import { EnvVar, GatewayParentReference, LocalObjectReference, ResolvedConfig, ResolvedImage, Scope, ServingBackend } from "../types";
import { fieldError } from "../validate/common";
import { ConfigSpec } from "../validate/config";
import { ImageSpec } from "../validate/image";
import { TemplateSpec } from "../validate/template";

/** Namespaced kinds are declared with a namespace; cluster-scoped ones without. */
export function scopeOf(namespace: string | undefined): Scope {
    return namespace === undefined ? Scope.Cluster : Scope.Namespace;
}

/**
 * Identifies a cluster: `default` for the default Kubernetes provider, else the provider's URN. Not the provider
 * object, because in a multi-language program each component is built by its own `Construct` call, which hands it a
 * fresh provider object rehydrated from the same URN.
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
 * The component being planned. Lookups that miss (and warnings given once) are recorded only when its planning
 * succeeds: a component that fails registers nothing, so it cannot have resolved anything a later declaration would
 * change, nor warned about anything.
 */
class PlanningSession {
    reader?: Declarer;
    onSuccess: (() => void)[] = [];
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
        /** How messages name the entry of a key: `AIMServiceTemplate "x"`, or what a key that is no AIM name stands for. */
        private readonly describeEntry: (name: string) => string = (name) => `${kind} "${name}"`,
    ) {}

    private static key(namespace: string | undefined, name: string): string {
        return `${namespace ?? ""}/${name}`;
    }

    /**
     * Throws unless `name` can be declared in that scope: not taken, and not looked up before by a dependent that
     * then resolved without it (declare-before-use, never silently). A component checks this before it registers.
     * `optIn`: the entry serves only dependents that ask for it by name (a service's `cacheModel` cache), so the
     * misses of those that did not ask do not bar it: they would resolve the same after it.
     */
    ensureDeclarable(namespace: string | undefined, name: string, as?: Dependent & { field: string }, optIn = false): void {
        const key = Registry.key(namespace, name);
        const where = namespace ? ` in namespace "${namespace}"` : "";
        const who = as ?? { kind: this.kind, aimName: name, field: "name" };
        const taken = this.entries.get(key);
        if (taken) {
            const subject = as ? `a ${this.describeEntry(name)} is ` : "";
            throw fieldError(who.kind, who.aimName, who.field, `${subject}already declared${where} for this cluster, by ${taken.declarer}`);
        }
        const reader = optIn ? undefined : this.missedBy.get(key);
        if (reader) {
            const subject = as ? `the ${this.describeEntry(name)} it declares would be ` : "";
            throw fieldError(
                who.kind,
                who.aimName,
                who.field,
                `${subject}declared after ${reader}, which already resolved without it; declare ${this.plural} before their dependents`,
            );
        }
    }

    /** Records an object; it must be declarable (see ensureDeclarable). */
    declare(namespace: string | undefined, name: string, value: T, declarer: Declarer = { kind: this.kind, aimName: name }, optIn = false): void {
        this.ensureDeclarable(namespace, name, undefined, optIn);
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
        if (!found && reader && !this.missedBy.has(key)) this.session.onSuccess.push(() => this.missedBy.set(key, describe(reader)));
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
            this.session.onSuccess.push(() => {
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

/** An HTTPRoute's path on a gateway: its parentRef (defaults filled in), its PathPrefix and its own namespace. */
export interface RouteClaim {
    gateway: GatewayParentReference;
    path: string;
    namespace: string;
}

/** How a message names a gateway: `namespace/name`, with its kind and group when they are not the Gateway API's Gateway. */
function describeGateway({ group, kind, namespace, name }: GatewayParentReference): string {
    const other = kind === "Gateway" && group === "gateway.networking.k8s.io" ? "" : ` (${kind}.${group})`;
    return `gateway "${namespace}/${name}"${other}`;
}

/** The gateway and path of a route; its listeners are compared separately (listenersOverlap). */
function routeKey({ gateway: { group, kind, namespace, name }, path }: RouteClaim): string {
    return JSON.stringify([group, kind, namespace, name, path]);
}

/** How a message names the listeners a parentRef selects. */
function describeListeners({ sectionName, port }: GatewayParentReference): string {
    if (sectionName === undefined && port === undefined) return "every listener";
    return [sectionName !== undefined && `listener "${sectionName}"`, port !== undefined && `port ${port}`].filter(Boolean).join(" on ");
}

/**
 * Whether two parentRefs of one gateway can select a common listener. A listener has one name and one port, so refs
 * naming different sectionNames, or different ports, select none in common; an unset one selects every listener
 * (Gateway API ParentReference `sectionName`, `port`). Which listener has which port is the Gateway's, unknown here:
 * a sectionName and a port may be the same listener.
 */
function listenersOverlap(a: GatewayParentReference, b: GatewayParentReference): boolean {
    const differ = <T>(x: T | undefined, y: T | undefined) => x !== undefined && y !== undefined && x !== y;
    return !differ(a.sectionName, b.sectionName) && !differ(a.port, b.port);
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

/**
 * What a template cache puts into the PVC and download Job of each source it caches, the source aside. Caches of one
 * source in a namespace share them, so each must bring the same settings.
 */
export interface DownloadSettings {
    /** Absent: the cluster's default storage class. */
    storageClassName?: string;
    /** Resource options of the PVC. */
    protect: boolean;
    retainOnDelete: boolean;
    downloadImage: string;
    timeoutSeconds: number;
    /** The cache's own, then its config's. */
    imagePullSecrets: LocalObjectReference[];
    /** The cache's env, before `HF_TOKEN` from `hfToken`. */
    env: EnvVar[];
    hfToken?: pulumi.Input<string>;
}

/** A model source cached in a namespace: its PVC and download Job, shared by every cache of that source. */
export interface ModelCacheEntry {
    namespace: string;
    cacheName: string;
    /** Model name of the source: caches are mounted at `/workspace/model-cache/<model name>`. */
    modelName: string;
    /** Size of the source, as its template declares it. */
    size: string;
    pvcName: string;
    sourceUri: string;
    /** What reached the PVC and Job; every later cache of the source brought the same. */
    settings: DownloadSettings;
    /** The template cache that declared the source first, as messages name it. */
    templateCacheName: string;
    /** The PVC and its download Job: workloads mounting the cache depend on them. */
    resources: pulumi.Resource[];
}

/** A declared template cache. */
export interface TemplateCacheEntry {
    /** Its AIM name. */
    name: string;
    namespace: string;
    template: TemplateEntry;
    /** Name of the config the cache resolved. */
    configName: string;
    /**
     * Made for a service's `cacheModel`: the first such service of the template in the namespace made it with its
     * config, so another's `cacheModel` must bring the same config, or the declaration order would choose it. Only
     * services that set `cacheModel` mount it: whether another service mounts a cache must not depend on whether a
     * `cacheModel` service was declared before or after it.
     */
    forCacheModel: boolean;
    /** Whether its downloads get `HF_TOKEN` (from `hfToken` or `env`). */
    downloadToken: boolean;
    caches: ModelCacheEntry[];
    /**
     * Its AIMTemplateCache resource on the operator target: the operator finds a template's cache when it reconciles
     * a service, so the services using it wait for it, as their workloads wait for the downloads on the other target.
     */
    resource?: pulumi.Resource;
}

/** Key of an Index group: the namespace (none for cluster-scoped entries) and the grouping value. */
export function indexKey(namespace: string | undefined, value: string): string {
    return `${namespace ?? ""}/${value}`;
}

/** A template as the cache index keys it: a namespaced and a cluster template may share a name. */
export function templateKey(template: { scope: Scope; spec: { name: string } }): string {
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
     * The template cache of each template in a namespace (keyed by `templateKey`): one, whichever was declared first,
     * and a second is an error rather than a cache services silently ignore. Every service of the template there
     * mounts a declared one; one a service's `cacheModel` made only the services that set `cacheModel` (opt-in
     * entries). A service that found none looked it up: a declared one after it is an error naming it.
     */
    readonly templateCachesByTemplate = new Registry<TemplateCacheEntry>(
        "template cache",
        "template caches",
        this.session,
        (key) => `template cache of ${key}`,
    );
    /** Templates by the AIM name of their image, under `indexKey(namespace, aimImageName)`: what a service selects or matches overrides among. */
    readonly templatesByImage = new Index<TemplateEntry, TemplateDeclaration>("chose its template among the templates of", this.session);
    /**
     * Templates that services derive from overrides, under `indexKey(namespace, name)`: a service's private variant of
     * its base, so never a candidate for another service's selection or override matching.
     */
    readonly derivedTemplates = new Set<string>();
    /**
     * Template caches the package makes on a template's behalf, under `indexKey(namespace, name)`, with the kind that
     * asked for each: `AIMServiceTemplate` (its `caching.enabled`) or `AIMService` (its `cacheModel`). On the operator
     * target the operator makes them itself.
     */
    readonly implicitTemplateCaches = new Map<string, "AIMServiceTemplate" | "AIMService">();
    /** Image entries by container image URI, under `indexKey(namespace, image)`: what a service naming an `image` finds. */
    readonly imagesByUri = new Index<ImageEntry>("looked up the image entries of", this.session);
    /** Keyed by namespace and model-cache name. */
    readonly modelCaches = new Registry<ModelCacheEntry>("model cache", "model caches", this.session);
    /** Base-image pre-pull DaemonSets, keyed by their Kubernetes name. */
    readonly baseImageCachers = new Registry<pulumi.Resource>("base-image cacher", "base-image cachers", this.session);
    /** The system Namespace the package created for this cluster, once something was rendered into it. */
    systemNamespace?: pulumi.Resource;
    /** Every Kubernetes object rendered for this cluster, with the component that renders it. */
    private readonly objects = new Map<string, string>();
    /** The HTTPRoutes of each path of each gateway, with the component that renders each. */
    private readonly routes = new Map<string, { gateway: GatewayParentReference; owner: string }[]>();

    /** Subjects already warned about in this program, for this cluster (see firstWarning). */
    private readonly warned = new Set<string>();

    /**
     * Whether the warning about `subject` is still to be given: a program of a thousand services on one Gateway gets
     * one warning about its open routes, not a thousand. A successful plan records it as given.
     */
    firstWarning(subject: string): boolean {
        if (this.warned.has(subject)) return false;
        this.session.onSuccess.push(() => this.warned.add(subject));
        return true;
    }

    /**
     * Runs the planning of one component (`declarer`): what its lookups miss is remembered only if it succeeds,
     * so that a late declaration of what it missed is an error naming it.
     */
    plan<T>(declarer: Declarer, step: () => T): T {
        const outer = this.session.reader;
        const outerOnSuccess = this.session.onSuccess;
        this.session.reader = declarer;
        this.session.onSuccess = [];
        try {
            const result = step();
            this.session.onSuccess.forEach((record) => record());
            return result;
        } finally {
            this.session.reader = outer;
            this.session.onSuccess = outerOnSuccess;
        }
    }

    /**
     * Claims the Kubernetes objects a component will render: none may be rendered by another component (two
     * `AIMService`s named `chat` in one namespace would both apply Deployment `ns/chat`). Checks all, then claims all.
     *
     * With `route`, also the path of its HTTPRoute on the gateway's listeners. Of two routes with the same PathPrefix
     * on one listener, the Gateway API serves only the older (HTTPRoute `spec.rules[].matches`: "If ties still exist
     * across multiple Routes, matching precedence MUST be determined in order of ... The oldest Route based on
     * creation timestamp"): the other service would silently get no traffic. A prefix that is a path-segment prefix of
     * another's (`/a`, `/a/b`) is no conflict: "Prefix" path match with largest number of characters takes precedence.
     */
    claimObjects(declarer: Declarer, objects: ObjectIdentity[], route?: RouteClaim): void {
        const keys = objects.map((o) => `${o.kind} "${o.namespace ? `${o.namespace}/` : ""}${o.name}"`);
        for (const key of keys) {
            const owner = this.objects.get(key);
            if (owner) throw fieldError(declarer.kind, declarer.aimName, "name", `would render ${key}, which ${owner} renders already`);
        }
        const sharing = route && this.routes.get(routeKey(route));
        const taken = route && sharing?.find((other) => listenersOverlap(other.gateway, route.gateway));
        if (route && taken) {
            const listeners = [taken.gateway, route.gateway].map(describeListeners);
            const where = listeners.every((l) => l === "every listener") ? "" : ` (${listeners.join(" and ")})`;
            throw fieldError(
                declarer.kind,
                declarer.aimName,
                "routing.pathTemplate",
                `path "${route.path}" on ${describeGateway(route.gateway)}${where} is already routed to ${taken.owner}: the Gateway ` +
                    `API serves only the oldest route of a path on a listener, so one of the two would get no traffic; give ` +
                    `each service its own path (routing.pathTemplate) or listener (routing.gateway.sectionName)`,
            );
        }
        keys.forEach((key) => this.objects.set(key, describe(declarer)));
        if (route) {
            const claim = { gateway: route.gateway, owner: `${describe(declarer)} in namespace "${route.namespace}"` };
            if (sharing) sharing.push(claim);
            else this.routes.set(routeKey(route), [claim]);
        }
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
