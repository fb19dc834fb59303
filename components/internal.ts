// Helpers of the register layer, shared by every component. Not exported from the package.
//
// Every component runs validate → resolve → plan through `planComponent` *before* it calls `super()`: a component
// that fails registers nothing, not even itself, and only the validated copy of its args reaches the engine.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { EXTRA_GPU_MODELS_KEY, gpuModelProblem } from "../render/gpu";
import { renderSystemNamespace, systemNamespacePulumiName } from "../render/namespace";
import { Catalog, catalogFor, ClusterKey, DEFAULT_CLUSTER, Declarer } from "../resolve/catalog";
import { gpuModelTokens } from "../resolve/names";
import { ServingBackend } from "../types";
import { AimError, dnsLabel, fieldError, parseArgs, servingBackend } from "../validate/common";
import { inspectArgs } from "../validate/shape";

/** Type tokens are `aim:index:<Class>`: frozen once released, since every child URN embeds them. */
export function typeToken(className: string): string {
    return `aim:index:${className}`;
}

/**
 * The cluster of a Kubernetes provider: its Pulumi name, under the names of its parents (two providers may share a
 * name under different parents, never under the same ones: their URNs would clash). A name, not the object,
 * because a Construct call rehydrates the provider from its URN as a new object of the same name.
 */
export function clusterKeyOf(provider: pulumi.ProviderResource | undefined): ClusterKey {
    if (!provider) return DEFAULT_CLUSTER;
    const names: string[] = [];
    // `__parentResource` is the SDK's own (resource.js); nothing public exposes a resource's parent synchronously.
    for (let r: pulumi.Resource | undefined = provider; r; r = (r as unknown as { __parentResource?: pulumi.Resource }).__parentResource) {
        names.unshift(pulumi.resourceName(r));
    }
    return `kubernetes provider "${names.join("/")}"`;
}

/** The Kubernetes provider the component's children will use, found as the SDK finds it (`resource.js`). */
function kubernetesProvider(opts: pulumi.ComponentResourceOptions | undefined): pulumi.ProviderResource | undefined {
    const isKubernetes = (p: pulumi.ProviderResource | undefined) => k8s.Provider.isInstance(p);
    if (isKubernetes(opts?.provider)) return opts!.provider;
    const providers = opts?.providers;
    const listed = Array.isArray(providers) ? providers.find(isKubernetes) : providers?.kubernetes;
    return listed ?? opts?.parent?.getProvider("kubernetes::");
}

/** Everything a component decided before it exists: only registration is left. */
export interface Planned<S, P> {
    /** The validated args, defaults applied. */
    spec: S;
    catalog: Catalog;
    /** The component, as messages name it. */
    declarer: Declarer;
    plan: P;
}

/**
 * Validates `args` with `schema` (the AIM name is `args.name ?? <Pulumi name>`), then runs `plan` on the cluster's
 * catalog. Any failure is a ResourceError without a resource — nothing was registered to attribute it to — whose
 * message names the kind, the AIM name and the field. Lookups `plan` misses are remembered only if it succeeds.
 */
export function planComponent<S extends z.ZodType, P>(
    kind: string,
    pulumiName: string,
    schema: S,
    args: unknown,
    opts: pulumi.ComponentResourceOptions | undefined,
    plan: (spec: z.output<S>, catalog: Catalog, declarer: Declarer) => P,
): Planned<z.output<S>, P> {
    try {
        // Read through the descriptor: a getter of the caller's must not run before inspectArgs rejects it.
        const given = typeof args === "object" && args !== null ? Object.getOwnPropertyDescriptor(args, "name")?.value : undefined;
        // A non-string name (an Output, from another language) is reported by the schema; messages use the Pulumi name.
        const aimName = typeof given === "string" ? given : pulumiName;
        // Pulumi checks the name only in super(), after planning, with a message that names neither kind nor field.
        if (pulumiName === "") throw fieldError(kind, aimName, "resource name", "the Pulumi resource name (first constructor argument) must not be empty");
        inspectArgs(kind, aimName, args);
        const spec = parseArgs(kind, aimName, schema, { ...(args as object), name: given ?? pulumiName });
        const catalog = catalogFor(clusterKeyOf(kubernetesProvider(opts)));
        const declarer: Declarer = { kind, aimName, pulumiName };
        return { spec, catalog, declarer, plan: catalog.plan(declarer, () => plan(spec, catalog, declarer)) };
    } catch (err) {
        if (err instanceof AimError) throw new pulumi.ResourceError(err.message, undefined, true);
        throw err;
    }
}

/** Logs what planning found worth a warning, attributed to the component now that it exists. */
export function warnAll(component: pulumi.Resource, warnings: (string | undefined)[]): void {
    for (const warning of warnings) if (warning) pulumi.log.warn(warning, component);
}

/** A Pulumi config value `aim:<key>` checked by `schema`; a bad value is an error of the component that reads it. */
function stackConfig<T>(kind: string, aimName: string, key: string, schema: z.ZodType<T>, fallback: string): T {
    const parsed = schema.safeParse(new pulumi.Config("aim").get(key) ?? fallback);
    if (!parsed.success) throw fieldError(kind, aimName, `aim:${key}`, `Pulumi config ${parsed.error.issues[0].message}`);
    return parsed.data;
}

/** Namespace of cluster-scoped workloads (cluster templates' discovery Jobs, the base-image DaemonSet). */
export function systemNamespace(kind: string, aimName: string): string {
    return stackConfig(kind, aimName, "systemNamespace", dnsLabel, "aim-system");
}

/** The stack's default serving backend (Pulumi config `aim:servingBackend`); a template's own `servingBackend` wins. */
export function stackServingBackend(kind: string, aimName: string): ServingBackend {
    return stackConfig(kind, aimName, "servingBackend", servingBackend, ServingBackend.Deployment);
}

/**
 * A Pulumi config value `aim:<key>` that lists GPU models: a JSON list such as `["MI300X","MI325X"]`, or the models
 * separated by commas; undefined when not set.
 */
function gpuModelList(kind: string, aimName: string, key: string): string[] | undefined {
    const value = new pulumi.Config("aim").get(key);
    if (value === undefined) return undefined;
    let models: unknown;
    try {
        models = value.trim().startsWith("[") ? JSON.parse(value) : value.split(",").map((model) => model.trim());
    } catch {
        models = undefined;
    }
    // One GPU model per entry, however it is written ("AMD Instinct-MI300X"); "MI300X MI325X" names two.
    const isModel = (model: unknown) => typeof model === "string" && gpuModelTokens(model).length === 1;
    if (!Array.isArray(models) || models.length === 0 || !models.every(isModel)) {
        throw fieldError(kind, aimName, `aim:${key}`, `Pulumi config must list GPU models, as ["MI300X"] or MI300X,MI325X, not ${JSON.stringify(value)}`);
    }
    return models.map((model: string) => model.trim());
}

/**
 * The GPU models of the cluster, for template selection (Pulumi config `aim:availableGpuModels`); undefined when not
 * set. Upstream reads them off the nodes' labels, which a preview cannot.
 */
export function availableGpuModels(kind: string, aimName: string): string[] | undefined {
    return gpuModelList(kind, aimName, "availableGpuModels");
}

/**
 * Checks GPU models the user wrote in `field` against the ones the package knows and the stack's
 * `aim:extraGpuModels`: a near-miss of a known model throws, an unknown model gives a warning (returned).
 */
export function checkGpuModels(kind: string, aimName: string, field: string, models: (string | undefined)[]): string[] {
    const given = models.filter((model) => model !== undefined);
    if (given.length === 0) return [];
    const extra = gpuModelList(kind, aimName, EXTRA_GPU_MODELS_KEY) ?? [];
    const warnings: string[] = [];
    for (const model of given) {
        const problem = gpuModelProblem(model, extra);
        if (problem && "error" in problem) throw fieldError(kind, aimName, field, problem.error);
        if (problem) warnings.push(`${field}: ${problem.warning}`);
    }
    return warnings;
}

/** Whether the package creates the system namespace: Pulumi config `aim:createSystemNamespace` (default true). */
export function createsSystemNamespace(kind: string, aimName: string): boolean {
    const value = new pulumi.Config("aim").get("createSystemNamespace") ?? "true";
    if (value !== "true" && value !== "false") {
        throw fieldError(kind, aimName, "aim:createSystemNamespace", `Pulumi config must be "true" or "false", not "${value}"`);
    }
    return value === "true";
}

/**
 * The system Namespace for workloads there to depend on. The package creates it once per cluster, with the
 * cluster's provider passed explicitly and no parent, under a Pulumi name fixed per provider: its URN does not depend
 * on which component needed it first. With `aim:createSystemNamespace: false` (`create`) the namespace is left to
 * whoever manages it (e.g. an AIM operator install), and there is nothing to depend on.
 */
export function systemNamespaceResource(component: pulumi.Resource, catalog: Catalog, name: string, create: boolean): pulumi.Resource | undefined {
    if (!catalog.systemNamespace) {
        const provider = component.getProvider("kubernetes::");
        const pulumiName = systemNamespacePulumiName(provider && pulumi.resourceName(provider));
        const resource = create ? new k8s.core.v1.Namespace(pulumiName, renderSystemNamespace(name), { provider }) : undefined;
        catalog.systemNamespace = { resource };
    }
    return catalog.systemNamespace.resource;
}

/**
 * Args as the component registers them: the engine keeps a component's inputs in the state too, so a Hugging Face
 * token must be a secret there, however it was given.
 */
export function withSecretToken<A extends { hfToken?: pulumi.Input<string> }>(spec: A): pulumi.Inputs {
    return spec.hfToken === undefined ? { ...spec } : { ...spec, hfToken: pulumi.secret(spec.hfToken) };
}
