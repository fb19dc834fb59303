// The in-program catalog of declared AIM objects, one per cluster.
//
// Every component records itself here when it is constructed, so a dependent sees exactly what the program
// declared before it (like variables) and a reference can be checked synchronously, during preview.

import * as pulumi from "@pulumi/pulumi";
import { EnvVar, ResolvedConfig, ResolvedImage, Scope } from "../components/types";
import { AimError } from "../validate/common";
import { ConfigSpec } from "../validate/config";
import { ImageSpec } from "../validate/image";
import { TemplateSpec } from "../validate/template";

/** Namespaced kinds are declared with a namespace; cluster-scoped ones without. */
export function scopeOf(namespace: string | undefined): Scope {
    return namespace === undefined ? Scope.Cluster : Scope.Namespace;
}

/** Identifies a cluster: the Kubernetes provider resource a component uses, or the default provider. */
export type ClusterKey = object;
export const DEFAULT_CLUSTER: ClusterKey = Object.freeze({ cluster: "default Kubernetes provider" });

/** Declared objects of one kind, keyed by namespace (none for cluster-scoped kinds) and AIM name. */
export class Registry<T> {
    private readonly entries = new Map<string, T>();

    constructor(readonly kind: string) {}

    private static key(namespace: string | undefined, name: string): string {
        return `${namespace ?? ""}/${name}`;
    }

    /** Throws if the name is taken in that scope: a component checks this before it registers any child. */
    ensureFree(namespace: string | undefined, name: string): void {
        if (this.entries.has(Registry.key(namespace, name))) {
            const where = namespace ? ` in namespace "${namespace}"` : "";
            throw new AimError(`${this.kind} "${name}"${where} is already declared for this cluster`);
        }
    }

    /** Records an object; a second declaration of the same name in the same scope and cluster is an error. */
    declare(namespace: string | undefined, name: string, value: T): void {
        this.ensureFree(namespace, name);
        this.entries.set(Registry.key(namespace, name), value);
    }

    get(namespace: string | undefined, name: string): T | undefined {
        return this.entries.get(Registry.key(namespace, name));
    }

    values(): T[] {
        return [...this.entries.values()];
    }
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
}

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

/** Everything declared for one cluster. */
export class Catalog {
    readonly clusterConfigs = new Registry<ConfigEntry>("AIMClusterConfig");
    readonly namespaceConfigs = new Registry<ConfigEntry>("AIMNamespaceConfig");
    readonly images = new Registry<ImageEntry>("AIMImage");
    readonly clusterImages = new Registry<ImageEntry>("AIMClusterImage");
    readonly templates = new Registry<TemplateEntry>("AIMServiceTemplate");
    readonly clusterTemplates = new Registry<TemplateEntry>("AIMClusterServiceTemplate");
    readonly templateCaches = new Registry<TemplateCacheEntry>("AIMTemplateCache");
    /** Keyed by namespace and model-cache name. */
    readonly modelCaches = new Registry<ModelCacheEntry>("model cache");
    /** Base-image pre-pull DaemonSets, keyed by their Kubernetes name. */
    readonly baseImageCachers = new Registry<pulumi.Resource>("base-image cacher");
    /**
     * Set once the first cluster-scoped workload needed the system namespace: the Namespace the package created for
     * this cluster, or none when Pulumi config `aim:createSystemNamespace` is false.
     */
    systemNamespace?: { resource?: pulumi.Resource };
}

const catalogs = new WeakMap<ClusterKey, Catalog>();

/** The catalog of a cluster; a config declared for cluster A never serves a dependent on cluster B. */
export function catalogFor(cluster: ClusterKey): Catalog {
    let catalog = catalogs.get(cluster);
    if (!catalog) {
        catalog = new Catalog();
        catalogs.set(cluster, catalog);
    }
    return catalog;
}
