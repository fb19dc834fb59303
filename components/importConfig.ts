// Configs managed outside the program — by another stack, or already in the cluster — enter the catalog through an
// explicit import; from then on they are looked up exactly like declared ones.

import * as pulumi from "@pulumi/pulumi";
import { catalogFor } from "../resolve/catalog";
import { clusterKeyOf } from "./internal";
import { AimError, fieldError, parseArgs } from "../validate/common";
import { inspectArgs } from "../validate/shape";
import { clusterConfigSchema, ConfigSpec, namespaceConfigSchema } from "../validate/config";
import { AIMClusterConfigArgs } from "./aimClusterConfig";
import { AIMNamespaceConfigArgs } from "./aimNamespaceConfig";

export interface ImportConfigOptions {
    /** Kubernetes provider (cluster) the config serves. Default: the default provider. */
    provider?: pulumi.ProviderResource;
}

/**
 * A config's settings as another stack exports them: its Args with the name, or its `spec` output (whose `source`
 * field is ignored).
 */
export type ImportedClusterConfig = AIMClusterConfigArgs & { name: string; source?: string };
export type ImportedNamespaceConfig = AIMNamespaceConfigArgs & { name: string; source?: string };

const SCHEMAS = { AIMClusterConfig: clusterConfigSchema, AIMNamespaceConfig: namespaceConfigSchema };

function importConfig(kind: keyof typeof SCHEMAS, config: ImportedNamespaceConfig | ImportedClusterConfig, options: ImportConfigOptions) {
    const given = typeof config === "object" && config !== null ? Object.getOwnPropertyDescriptor(config, "name")?.value : undefined;
    const displayName = typeof given === "string" ? given : "(imported)";
    try {
        if (pulumi.Output.isInstance(config)) {
            // Lookups are synchronous, so that a missing reference fails the preview on the dependent that has it.
            throw fieldError(
                kind,
                displayName,
                "args",
                `an import takes a plain value, not a Pulumi Output: await it first, e.g. ` +
                    `importClusterConfig(await stackReference.getOutputValue("aimConfig"))`,
            );
        }
        inspectArgs(kind, displayName, config);
        // `source` comes with an exported `spec` output; it says where that stack's config came from, not a setting.
        const { source, ...args } = config;
        const parsed: ConfigSpec & { name: string; namespace?: string } = parseArgs(kind, displayName, SCHEMAS[kind], args);
        const { name, namespace, ...spec } = parsed;
        const catalog = catalogFor(clusterKeyOf(options.provider));
        const registry = kind === "AIMClusterConfig" ? catalog.clusterConfigs : catalog.namespaceConfigs;
        registry.declare(namespace, name, { spec }, { kind: `imported ${kind}`, aimName: name });
    } catch (err) {
        // No resource to attribute it to, as for a component that fails before it registers.
        if (err instanceof AimError) throw new pulumi.ResourceError(err.message, undefined, true);
        throw err;
    }
}

/**
 * Makes an AIMClusterConfig managed elsewhere visible to the dependents declared after this call, e.g. from the
 * platform stack of the same environment:
 *
 *     const platform = new pulumi.StackReference(`acme/platform/${pulumi.getStack()}`);
 *     aim.importClusterConfig(await platform.getOutputValue("aimConfig"));  // exported there as `config.spec`
 */
export function importClusterConfig(config: ImportedClusterConfig, options: ImportConfigOptions = {}): void {
    importConfig("AIMClusterConfig", config, options);
}

/** Makes an AIMNamespaceConfig managed elsewhere visible to the dependents declared after this call. */
export function importNamespaceConfig(config: ImportedNamespaceConfig, options: ImportConfigOptions = {}): void {
    importConfig("AIMNamespaceConfig", config, options);
}
