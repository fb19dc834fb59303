import * as pulumi from "@pulumi/pulumi";
import { planComponent, typeToken } from "./internal";
import { planRuntimeConfig, registerOperatorObject } from "./operator";
import { ConfigCaching, ConfigRouting, ConfigSource, LocalObjectReference, ResolvedConfig } from "../types";
import { configWithDefaults } from "../resolve/config";
import { clusterConfigSchema } from "../validate/config";

export interface AIMClusterConfigArgs {
    /** AIM name that dependents reference through `configName`. Default: the Pulumi resource name. @default the Pulumi resource name */
    name?: string;
    /** Pull secrets added to every pod of the dependents (after their own). */
    imagePullSecrets?: LocalObjectReference[];
    /** Model-cache settings. */
    caching?: ConfigCaching;
    /** Legacy spelling of `caching.storageClassName`; `caching.storageClassName` wins when both are set. */
    cacheStorageClassName?: string;
    /** Routing of AIMServices through a Gateway. */
    routing?: ConfigRouting;
}

/**
 * Cluster-wide AIM configuration that images, templates, caches and services reference by name (`configName`,
 * default `default`). It renders nothing itself: it is looked up by its dependents while the program runs (on the
 * operator target, `aim:target: operator`, it registers its AIMClusterRuntimeConfig).
 */
export class AIMClusterConfig extends pulumi.ComponentResource {
    /** The AIM name dependents reference. */
    public readonly aimName: pulumi.Output<string>;
    /** The config's settings with every default filled in. */
    public readonly spec: pulumi.Output<ResolvedConfig>;

    constructor(name: string, args: AIMClusterConfigArgs, opts?: pulumi.ComponentResourceOptions) {
        const kind = "AIMClusterConfig";
        const { spec, catalog, declarer, plan: runtimeConfig } = planComponent(kind, name, clusterConfigSchema, args, opts, (spec, catalog) => {
            catalog.clusterConfigs.ensureDeclarable(undefined, spec.name);
            return planRuntimeConfig(kind, spec, catalog);
        });
        super(typeToken(kind), name, spec, opts);
        const { name: aimName, ...settings } = spec;
        catalog.clusterConfigs.declare(undefined, aimName, { spec: settings }, declarer);

        if (runtimeConfig) registerOperatorObject(this, name, "runtimeconfig", runtimeConfig);

        this.aimName = pulumi.output(aimName);
        this.spec = pulumi.output(configWithDefaults(aimName, ConfigSource.ClusterConfig, settings));
        this.registerOutputs({ aimName: this.aimName, spec: this.spec });
    }
}
