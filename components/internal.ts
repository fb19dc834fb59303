// Helpers of the register layer, shared by every component. Not exported from the package.

import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { Catalog, catalogFor, DEFAULT_CLUSTER } from "../resolve/catalog";
import { ConfigRequest, ConfigResolution, resolveConfig } from "../resolve/config";
import { AimError, dnsLabel, parseArgs, parseStackServingBackend } from "../validate/common";
import { ServingBackend } from "./types";

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

/** The stack's default serving backend (Pulumi config `aim:servingBackend`); a template's own `servingBackend` wins. */
export function stackServingBackend(component: pulumi.Resource): ServingBackend {
    return orFail(component, () => parseStackServingBackend(new pulumi.Config("aim").get("servingBackend")));
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
