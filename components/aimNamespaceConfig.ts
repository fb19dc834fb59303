import * as pulumi from "@pulumi/pulumi";
import { planComponent, typeToken } from "./internal";
import { planRuntimeConfig, registerOperatorObject } from "./operator";
import { AIMClusterConfigArgs } from "./aimClusterConfig";
import { ConfigSource, ResolvedConfig } from "../types";
import { configWithDefaults } from "../resolve/config";
import { namespaceConfigSchema } from "../validate/config";

export interface AIMNamespaceConfigArgs extends AIMClusterConfigArgs {
    /** Namespace whose dependents it applies to; each field it sets replaces the same-named cluster config's. */
    namespace: string;
}

/**
 * Namespace-level AIM configuration: for dependents in its namespace it overrides the AIMClusterConfig of the same
 * name field by field (fields it leaves unset are inherited), or stands alone when no cluster config exists.
 */
export class AIMNamespaceConfig extends pulumi.ComponentResource {
    /** The AIM name dependents reference. */
    public readonly aimName: pulumi.Output<string>;
    /** The config's own settings with every default filled in (before merging with a cluster config). */
    public readonly spec: pulumi.Output<ResolvedConfig>;

    constructor(name: string, args: AIMNamespaceConfigArgs, opts?: pulumi.ComponentResourceOptions) {
        const kind = "AIMNamespaceConfig";
        const { spec, catalog, declarer, plan: runtimeConfig } = planComponent(kind, name, namespaceConfigSchema, args, opts, (spec, catalog) => {
            catalog.namespaceConfigs.ensureDeclarable(spec.namespace, spec.name);
            return planRuntimeConfig(kind, spec, catalog);
        });
        super(typeToken(kind), name, spec, opts);
        const { name: aimName, namespace, ...settings } = spec;
        catalog.namespaceConfigs.declare(namespace, aimName, { spec: settings }, declarer);

        if (runtimeConfig) registerOperatorObject(this, name, "runtimeconfig", runtimeConfig);

        this.aimName = pulumi.output(aimName);
        this.spec = pulumi.output(configWithDefaults(aimName, ConfigSource.NamespaceConfig, settings));
        this.registerOutputs({ aimName: this.aimName, spec: this.spec });
    }
}
