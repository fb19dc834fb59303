// Helpers of the register layer, shared by every component. Not exported from the package.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { renderSystemNamespace, systemNamespacePulumiName } from "../render/namespace";
import { Catalog, catalogFor, DEFAULT_CLUSTER } from "../resolve/catalog";
import { ConfigRequest, ConfigResolution, resolveConfig } from "../resolve/config";
import { AimError, dnsLabel, parseArgs } from "../validate/common";

/** Type tokens are `aim:index:<Class>`: frozen once released, since every child URN embeds them. */
export function typeToken(className: string): string {
    return `aim:index:${className}`;
}

/** The catalog of the cluster this component deploys to: the Kubernetes provider it and its children use. */
export function catalogOf(component: pulumi.Resource): Catalog {
    return catalogFor(component.getProvider("kubernetes::") ?? DEFAULT_CLUSTER);
}

/**
 * Runs the pure validate/resolve/render steps of a component. An AimError becomes a ResourceError attributed to
 * the component, without a stack: the preview fails on it before anything is applied.
 */
export function orFail<T>(component: pulumi.Resource, step: () => T): T {
    try {
        return step();
    } catch (err) {
        if (err instanceof AimError) throw new pulumi.ResourceError(err.message, component, true);
        throw err;
    }
}

/** Validates Args; the AIM name is `args.name ?? <Pulumi name>` and is validated with them. */
export function validateArgs<S extends z.ZodType>(
    component: pulumi.Resource,
    kind: string,
    pulumiName: string,
    schema: S,
    args: object | undefined,
): z.output<S> {
    const aimName = (args as { name?: unknown } | undefined)?.name ?? pulumiName;
    // A non-string name (an Output, from another language) is reported by the schema; the message uses the Pulumi name.
    const displayName = typeof aimName === "string" ? aimName : pulumiName;
    return orFail(component, () => parseArgs(kind, displayName, schema, { ...args, name: aimName }));
}

/** Namespace of cluster-scoped workloads (cluster templates' discovery Jobs, the base-image DaemonSet). */
export function systemNamespace(component: pulumi.Resource): string {
    const value = new pulumi.Config("aim").get("systemNamespace") ?? "aim-system";
    return orFail(component, () => parseArgs("Pulumi config", "aim:systemNamespace", dnsLabel, value));
}

/**
 * The Namespace resource of the system namespace, for workloads there to depend on. The package creates it once per
 * cluster, with the cluster's provider passed explicitly and no parent, under a Pulumi name fixed per provider: its
 * URN does not depend on which component needed it first. Pulumi config `aim:createSystemNamespace: false` leaves
 * the namespace to whoever manages it (e.g. an AIM operator install); then there is nothing to depend on.
 * Call it only once the component can no longer fail.
 */
export function systemNamespaceResource(component: pulumi.Resource): pulumi.Resource | undefined {
    const catalog = catalogOf(component);
    if (catalog.systemNamespace) return catalog.systemNamespace.resource;
    const name = systemNamespace(component);
    const create = orFail(component, () =>
        parseArgs(
            "Pulumi config",
            "aim:createSystemNamespace",
            z.enum(["true", "false"], { error: 'must be "true" or "false"' }),
            new pulumi.Config("aim").get("createSystemNamespace") ?? "true",
        ),
    );
    const provider = component.getProvider("kubernetes::");
    // A provider passed by reference (multi-language programs) has no name here; it counts as the default one.
    const pulumiName = systemNamespacePulumiName(provider && pulumi.resourceName(provider));
    const resource = create === "true" ? new k8s.core.v1.Namespace(pulumiName, renderSystemNamespace(name), { provider }) : undefined;
    catalog.systemNamespace = { resource };
    return resource;
}

/** Resolves the config a component uses; a missing implicit default is a warning on the component. */
export function resolveConfigOf(component: pulumi.Resource, request: ConfigRequest): Omit<ConfigResolution, "warning"> {
    const { warning, ...resolution } = orFail(component, () => resolveConfig(catalogOf(component), request));
    if (warning) pulumi.log.warn(warning, component);
    return resolution;
}

/**
 * Args as the component registers them: the engine keeps a component's inputs in the state too, so a Hugging Face
 * token must be a secret there, however it was given. (Null args from JavaScript become {} and fail validation.)
 */
export function withSecretToken<A extends { hfToken?: pulumi.Input<string> }>(args: A | undefined): pulumi.Inputs {
    return args?.hfToken === undefined ? { ...args } : { ...args, hfToken: pulumi.secret(args.hfToken) };
}
