// Helpers of the register layer, shared by every component. Not exported from the package.
//
// Every component runs validate → resolve → plan through `planComponent` *before* it calls `super()`: a component
// that fails registers nothing, not even itself, and only the validated copy of its args reaches the engine.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as z from "zod/mini";
import { EXTRA_GPU_MODELS_KEY, gpuModelProblem } from "../render/gpu";
import { renderSystemNamespace, systemNamespacePulumiName } from "../render/namespace";
import { Catalog, catalogFor, ClusterKey, DEFAULT_CLUSTER, Declarer } from "../resolve/catalog";
import { gpuModelTokens, shortHash } from "../resolve/names";
import { ServingBackend, Target } from "../types";
import { AimError, dnsLabel, fieldError, KServeDeploymentMode, kserveDeploymentMode, parseArgs, servingBackend, target } from "../validate/common";
import { inspectArgs } from "../validate/shape";

/** Type tokens are `aim:index:<Class>`: frozen once released, since every child URN embeds them. */
export function typeToken(className: string): string {
    return `aim:index:${className}`;
}

/**
 * URNs of the Kubernetes providers the SDK rebuilt from a reference `<urn>::<id>`: the providers a Construct call is
 * handed (provider/server.js `createProviderResource`) and provider references in deserialized values
 * (runtime/rpc.js). The SDK builds each through the kubernetes package's `constructProvider(name, type, urn)` as a
 * provider without parents, and keeps the URN only in its `urn` Output: it is recorded here, where it is handed over
 * synchronously. (@pulumi/kubernetes registers that package when it is imported, above.)
 */
const referencedProviderUrns = new WeakMap<pulumi.Resource, string>();
const kubernetesPackage = pulumi.runtime.getResourcePackage("kubernetes", undefined)!;
const constructProvider = kubernetesPackage.constructProvider.bind(kubernetesPackage);
kubernetesPackage.constructProvider = (name, type, urn) => {
    const provider = constructProvider(name, type, urn);
    referencedProviderUrns.set(provider, urn);
    return provider;
};

/**
 * A resource's URN, known synchronously, as the engine computes it (resource.js `createUrn`): the types of its
 * parents below the stack and its own, then its name. `__parentResource` is the SDK's own (resource.js); nothing
 * public exposes a resource's parent synchronously.
 */
function urnOf(resource: pulumi.Resource): string {
    const referenced = referencedProviderUrns.get(resource);
    if (referenced !== undefined) return referenced;
    const parent = (resource as unknown as { __parentResource?: pulumi.Resource }).__parentResource;
    const parentUrn = parent && urnOf(parent);
    const parentPrefix = parentUrn && `${parentUrn.substring(0, parentUrn.lastIndexOf("::"))}$`;
    const prefix =
        parentPrefix === undefined || parentPrefix.endsWith("::pulumi:pulumi:Stack$") ? `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::` : parentPrefix;
    return `${prefix}${pulumi.resourceType(resource)}::${pulumi.resourceName(resource)}`;
}

/**
 * The cluster of a Kubernetes provider: its URN. Not the object, because a Construct call rehydrates the provider
 * from its URN as a new object; not its name, nor the names of its parents, which two providers may share (a root
 * provider `west/k8s` and a provider `k8s` inside component `west`; in Construct, any two of one name).
 */
export function clusterKeyOf(provider: pulumi.ProviderResource | undefined): ClusterKey {
    return provider ? urnOf(provider) : DEFAULT_CLUSTER;
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
    /** The cluster of the component's Kubernetes provider, and its catalog. */
    cluster: ClusterKey;
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
export function planComponent<S extends z.ZodMiniType, P>(
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
        const cluster = clusterKeyOf(kubernetesProvider(opts));
        const catalog = catalogFor(cluster);
        const declarer: Declarer = { kind, aimName, pulumiName };
        return { spec, cluster, catalog, declarer, plan: catalog.plan(declarer, () => plan(spec, catalog, declarer)) };
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
function stackConfig<T>(kind: string, aimName: string, key: string, schema: z.ZodMiniType<T>, fallback?: string): T {
    const parsed = schema.safeParse(new pulumi.Config("aim").get(key) ?? fallback);
    if (!parsed.success) throw fieldError(kind, aimName, `aim:${key}`, `Pulumi config ${parsed.error.issues[0].message}`);
    return parsed.data;
}

/** The stack's default serving backend (Pulumi config `aim:servingBackend`); a template's own `servingBackend` wins. */
export function stackServingBackend(kind: string, aimName: string): ServingBackend {
    return stackConfig(kind, aimName, "servingBackend", servingBackend, ServingBackend.Deployment);
}

/** What the stack renders (Pulumi config `aim:target`): the workloads (default) or the aim-engine custom resources. */
export function stackTarget(kind: string, aimName: string): Target {
    return stackConfig(kind, aimName, "target", target, Target.Workloads);
}

/** A boolean Pulumi config value `aim:<key>`: "true" or "false". */
function booleanConfig(kind: string, aimName: string, key: string, fallback: boolean): boolean {
    const value = new pulumi.Config("aim").get(key) ?? String(fallback);
    if (value !== "true" && value !== "false") {
        throw fieldError(kind, aimName, `aim:${key}`, `Pulumi config must be "true" or "false", not "${value}"`);
    }
    return value === "true";
}

/**
 * Whether the aim-engine operator may create service templates from an image's metadata (Pulumi config
 * `aim:operatorCreatesTemplates`, default false): off, the operator runs only the templates the program declares.
 */
export function operatorCreatesTemplates(kind: string, aimName: string): boolean {
    return booleanConfig(kind, aimName, "operatorCreatesTemplates", false);
}

/**
 * The `serving.kserve.io/deploymentMode` annotation of the kserve backend's InferenceServices (Pulumi config
 * `aim:kserveDeploymentMode`); undefined when not set, and then none is written: KServe's configured default decides,
 * as with both upstream operators. KServe 0.16 records `RawDeployment` as `Standard` in the status, and its webhook
 * then rejects every update whose annotation differs from the status, its own finalizer removal included (v0.16.0
 * pkg/apis/serving/v1beta1/inference_service_validation.go `validateDeploymentMode` l.493–503; kserve#5885): an
 * annotation written by default would deny every later `pulumi up` and leave a destroyed service `Terminating`.
 */
export function stackKServeDeploymentMode(kind: string, aimName: string): KServeDeploymentMode | undefined {
    return stackConfig(kind, aimName, "kserveDeploymentMode", z.optional(kserveDeploymentMode));
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

/**
 * The system namespace as the stack configures it: Pulumi config `aim:systemNamespace` (default `aim-system`), where
 * cluster templates' discovery Jobs and the base-image DaemonSets run, and whether the package creates it
 * (`aim:createSystemNamespace`, default true). Read by every component that may render into a namespace (templates,
 * caches, services, images that pre-pull): a bad value is an error of the first one.
 */
export interface SystemNamespace {
    name: string;
    create: boolean;
}

/** Reads and checks the system namespace's settings (see SystemNamespace). */
export function systemNamespaceSettings(kind: string, aimName: string): SystemNamespace {
    const name = stackConfig(kind, aimName, "systemNamespace", dnsLabel, "aim-system");
    return { name, create: booleanConfig(kind, aimName, "createSystemNamespace", true) };
}

/**
 * What an object the component renders into `namespace` must depend on, so that the first `up` never applies it
 * before its namespace: the system Namespace, when `namespace` is the system namespace and the package creates it.
 *
 * The package creates that Namespace once per cluster, as soon as any component renders anything there — its own
 * cluster-scoped workloads, and a user's service, template or cache declared in it alike — so neither its existence
 * nor what depends on it turns on which component came first. It is registered with `retainOnDelete`: a program
 * that stops needing it (the last cluster template gains inline model sources, a config stops pre-pulling) drops it
 * from the stack and leaves it in the cluster, since deleting a namespace deletes everything in it (cache PVCs
 * included, whatever their `protect`; the pull secrets users put there). It is a child of the cluster's provider
 * (none for the default one), named after it: distinct providers are distinct clusters with distinct URNs, and a
 * provider renamed with an alias carries the alias to it. With `aim:createSystemNamespace: false` the namespace is
 * left to whoever manages it (an AIM operator install, another stack), and there is nothing to depend on.
 */
export function namespaceDependencies(component: pulumi.Resource, catalog: Catalog, system: SystemNamespace, namespace: string): pulumi.Resource[] {
    if (namespace !== system.name || !system.create) return [];
    if (!catalog.systemNamespace) {
        const provider = component.getProvider("kubernetes::");
        const pulumiName = systemNamespacePulumiName(provider && pulumi.resourceName(provider));
        catalog.systemNamespace = new k8s.core.v1.Namespace(pulumiName, renderSystemNamespace(system.name), {
            provider,
            parent: provider,
            retainOnDelete: true,
        });
    }
    return [catalog.systemNamespace];
}

/**
 * `dependsOn` for an object a component registers outside its own tree (a shared PVC at the root). A child waits for
 * its parent, and so for the parent's `dependsOn` (the SDK registers it only once the parent's URN is known), but a
 * root object would not: it takes the component's `dependsOn` as well, such as the Namespace a program creates.
 */
export function alsoAfter(dependencies: pulumi.Resource[], dependsOn: pulumi.ResourceOptions["dependsOn"]): pulumi.Input<pulumi.Input<pulumi.Resource>[]> {
    if (dependsOn === undefined) return dependencies;
    if (Array.isArray(dependsOn)) return [...dependencies, ...dependsOn];
    // An Output or promise of a list as one entry: the SDK gathers nested lists, promises and Outputs alike
    // (@pulumi/pulumi runtime/dependsOn.ts gatherExplicitDependencies).
    return [...dependencies, dependsOn as pulumi.Input<pulumi.Resource>];
}

/**
 * Pulumi name of a Kubernetes object that several components share — a model cache's PVC, download Job and token
 * Secret, a base-image DaemonSet — registered with the cluster's provider and no parent: `aim:<namespace>/<name>`,
 * its identity in the cluster, so that its URN depends only on what it is, never on which component needed it
 * first (a new parent would make Pulumi delete it and create it again). A cluster other than the default provider's
 * adds a tag (`aim@<8 hex of its key>:`), since URNs are unique per stack. A namespace has no `/`, so the name is
 * never another object's.
 */
export function sharedObjectName(cluster: ClusterKey, namespace: string, name: string): string {
    return `aim${cluster === DEFAULT_CLUSTER ? "" : `@${shortHash(cluster)}`}:${namespace}/${name}`;
}

/**
 * Args as the component registers them: the engine keeps a component's inputs in the state too, so a Hugging Face
 * token must be a secret there, however it was given.
 */
export function withSecretToken<A extends { hfToken?: pulumi.Input<string> }>(spec: A): pulumi.Inputs {
    return spec.hfToken === undefined ? { ...spec } : { ...spec, hfToken: pulumi.secret(spec.hfToken) };
}

/**
 * Defines a component's Output properties as built on first read, then kept. Building an Output costs the SDK about
 * twenty promises and walks of its value (bench/HISTORY.md, first pass: ten per AIMService were a tenth of a program's promises),
 * and most programs read few of them; one read later holds the same value, with the same dependencies, as one built
 * in the constructor. The properties stay own and enumerable, as the component provider reads them (`resource[key]`).
 * The class declares them with `declare`: a class field would define a data property first, and redefining it as an
 * accessor turns the instance into a slow dictionary-mode object the SDK then reads megamorphically.
 */
export function lazyOutputs<C extends pulumi.ComponentResource>(component: C, outputs: { [K in keyof C]?: () => C[K] }): void {
    for (const [key, build] of Object.entries(outputs) as [string, () => unknown][]) {
        let built: { value: unknown } | undefined;
        Object.defineProperty(component, key, {
            enumerable: true,
            get: () => (built ??= { value: build() }).value,
        });
    }
}
