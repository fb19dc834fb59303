// The operator target (Pulumi config `aim:target: operator`): for each component, the aim-engine custom resource
// (`aim.eai.amd.com/v1alpha1`, CRDs v0.2.2) that stands for it, from the same validated and resolved specs the
// workloads target renders its objects from. Pure: plain objects, as every renderer.
//
// Each resource carries its own component's args, not a dependent's merged view: the operator merges configs as the
// package does (namespace over cluster, field by field), so a config change shows on the config's resource alone.
// Two resolved values are written into dependents, because aim-engine would not read them where the package does:
// the config's pull secrets (runtime configs have no `imagePullSecrets`) and a service's route decision
// (`routing.enabled`: upstream's unset means off, the package's autoCreateRoute means on when a gateway is known).

import { EnvVar, LocalObjectReference, Scope } from "../types";
import { withGatewayDefaults } from "../resolve/config";
import { ConfigSpec } from "../validate/config";
import { ImageSpec } from "../validate/image";
import { ServiceSpec } from "../validate/service";
import { namespaceFields, TemplateSpec } from "../validate/template";
import { MANAGED_BY } from "./labels";
import { podPullSecrets, renderEnv } from "./pod";
import { AwaitInput } from "./serving";

export const AIM_ENGINE_API_VERSION = "aim.eai.amd.com/v1alpha1";
/** The package's route path `/<namespace>/<name>` as a path template: aim-engine's own default is `/<namespace>/<uid>`. */
export const DEFAULT_PATH_TEMPLATE = "/{.metadata.namespace}/{.metadata.name}";

/**
 * Spec fields each kind's CRD declares immutable (`self == oldSelf`): the API server refuses to change them, so a
 * change replaces the resource instead (its children are the operator's and follow it).
 */
export const IMMUTABLE_FIELDS = {
    AIMServiceTemplate: ["spec.modelName", "spec.metric", "spec.precision", "spec.hardware"],
    AIMClusterServiceTemplate: ["spec.modelName", "spec.metric", "spec.precision", "spec.hardware"],
    AIMService: ["spec.model", "spec.template", "spec.caching", "spec.overrides"],
} as const;

/** A custom resource of aim-engine. */
export interface OperatorObject {
    apiVersion: typeof AIM_ENGINE_API_VERSION;
    kind: string;
    metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations?: Record<string, string> };
    spec: Record<string, unknown>;
}

function customResource(
    kind: string,
    name: string,
    namespace: string | undefined,
    spec: Record<string, unknown>,
    meta: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): OperatorObject {
    return {
        apiVersion: AIM_ENGINE_API_VERSION,
        kind,
        metadata: {
            name,
            ...(namespace !== undefined && { namespace }),
            // The package's label wins over a service's own, as on the workloads target.
            labels: { ...meta.labels, "app.kubernetes.io/managed-by": MANAGED_BY },
            ...(meta.annotations && { annotations: meta.annotations }),
        },
        spec,
    };
}

/**
 * How `pulumi up` waits for the operator: pulumi-kubernetes' `pulumi.com/waitFor` on the resource's `status.status`
 * (a service is `Running`, a cache `Ready`), within the component's timeout; or not at all with `skipAwait`.
 */
export function operatorAwait(status: string, { awaitTimeoutSeconds, skipAwait }: AwaitInput): Record<string, string> {
    return skipAwait
        ? { "pulumi.com/skipAwait": "true" }
        : { "pulumi.com/waitFor": `jsonpath={.status.status}=${status}`, "pulumi.com/timeoutSeconds": String(awaitTimeoutSeconds) };
}

export interface RuntimeConfigInput {
    name: string;
    /** Absent for an AIMClusterRuntimeConfig. */
    namespace?: string;
    spec: ConfigSpec;
    /**
     * Write the package's defaults for what the config leaves unset (`routing.enabled: true`, the default path
     * template): true unless a cluster config of the same name supplies them, as the operator merges the two.
     */
    fillDefaults: boolean;
}

/** `AIMClusterRuntimeConfig` / `AIMRuntimeConfig`: a config's own settings (its pull secrets go into its dependents). */
export function renderRuntimeConfig({ name, namespace, spec, fillDefaults }: RuntimeConfigInput): OperatorObject {
    const { caching, routing } = spec;
    const enabled = routing?.autoCreateRoute ?? (fillDefaults ? true : undefined);
    const pathTemplate = routing?.pathTemplate ?? (fillDefaults ? DEFAULT_PATH_TEMPLATE : undefined);
    const routingSpec = {
        ...(enabled !== undefined && { enabled }),
        ...(routing?.gateway && { gatewayRef: withGatewayDefaults(routing.gateway) }),
        ...(pathTemplate !== undefined && { pathTemplate }),
        ...(routing?.annotations && { annotations: routing.annotations }),
        ...(routing?.requestTimeout && { requestTimeout: routing.requestTimeout }),
    };
    return customResource(namespace === undefined ? "AIMClusterRuntimeConfig" : "AIMRuntimeConfig", name, namespace, {
        ...(caching?.storageClassName && { storage: { defaultStorageClassName: caching.storageClassName } }),
        ...(Object.keys(routingSpec).length > 0 && { routing: routingSpec }),
    });
}

export interface ModelInput {
    namespace?: string;
    spec: ImageSpec;
    /** The resolved config's. */
    imagePullSecrets: LocalObjectReference[];
    /** Let the operator create templates from the image's metadata (Pulumi config `aim:operatorCreatesTemplates`). */
    createsTemplates: boolean;
}

/** `AIMClusterModel` / `AIMModel`: an image entry; the operator creates no template the program did not declare. */
export function renderModel({ namespace, spec, imagePullSecrets, createsTemplates }: ModelInput): OperatorObject {
    return customResource(namespace === undefined ? "AIMClusterModel" : "AIMModel", spec.name, namespace, {
        image: spec.image,
        ...(spec.defaultServiceTemplate && { defaultServiceTemplate: spec.defaultServiceTemplate }),
        ...(spec.configName !== undefined && { runtimeConfigName: spec.configName }),
        ...(spec.resources && { resources: spec.resources }),
        ...podPullSecrets(imagePullSecrets),
        ...(!createsTemplates && { discovery: { createServiceTemplates: false } }),
    });
}

export interface TemplateInput {
    namespace?: string;
    spec: TemplateSpec;
    /** The template's own, then the resolved config's. */
    imagePullSecrets: LocalObjectReference[];
}

/** `AIMServiceTemplate` / `AIMClusterServiceTemplate`; inline model sources make the operator skip discovery. */
export function renderOperatorTemplate({ namespace, spec, imagePullSecrets }: TemplateInput): OperatorObject {
    const { env, caching } = namespaceFields(spec);
    return customResource(namespace === undefined ? "AIMClusterServiceTemplate" : "AIMServiceTemplate", spec.name, namespace, {
        modelName: spec.aimImageName,
        ...(spec.metric && { metric: spec.metric }),
        ...(spec.precision && { precision: spec.precision }),
        ...(spec.gpuSelector && { hardware: { gpu: { requests: spec.gpuSelector.count, model: spec.gpuSelector.model } } }),
        ...(spec.configName !== undefined && { runtimeConfigName: spec.configName }),
        ...podPullSecrets(imagePullSecrets),
        ...(env && { env: renderEnv(env) }),
        ...(spec.resources && { resources: spec.resources }),
        ...(spec.modelSources && {
            modelSources: spec.modelSources.map((s) => ({ modelId: s.name, sourceUri: s.sourceUri, size: s.size })),
        }),
        ...(caching && { caching: { enabled: caching.enabled ?? false, ...(caching.env && { env: renderEnv(caching.env) }) } }),
    });
}

export interface TemplateCacheInput {
    name: string;
    namespace: string;
    templateName: string;
    /** Where the template resolved: the package knows it at preview. */
    templateScope: Scope;
    env: EnvVar[];
    /** The cache's own, then the resolved config's. */
    imagePullSecrets: LocalObjectReference[];
    /** The cache's own; without it the operator takes the runtime config's. */
    storageClassName?: string;
    configName?: string;
    /** Only an image of the user's: the package's default downloader is not aim-engine's. */
    downloadImage?: string;
    await: AwaitInput;
}

/** `AIMTemplateCache`, shared (services of its template in the namespace use it), awaited until `Ready`. */
export function renderOperatorTemplateCache(input: TemplateCacheInput): OperatorObject {
    return customResource(
        "AIMTemplateCache",
        input.name,
        input.namespace,
        {
            templateName: input.templateName,
            templateScope: input.templateScope,
            mode: "Shared",
            ...(input.env.length > 0 && { env: renderEnv(input.env) }),
            ...podPullSecrets(input.imagePullSecrets),
            ...(input.storageClassName && { storageClassName: input.storageClassName }),
            ...(input.configName !== undefined && { runtimeConfigName: input.configName }),
            ...(input.downloadImage && { downloadImage: input.downloadImage }),
        },
        { annotations: operatorAwait("Ready", input.await) },
    );
}

export interface OperatorServiceInput {
    spec: ServiceSpec;
    /** The image entry the service resolved (by `aimImageName` or `image`). */
    modelName: string;
    /** The service's env, then the references to the package's Secrets (token, API key). */
    env: EnvVar[];
    /** The service's own, then the resolved config's. */
    imagePullSecrets: LocalObjectReference[];
    /** Whether the service gets a route, as the package resolved it. */
    routed: boolean;
    /** Whether a config exists to supply the default path template (no config: the service states it). */
    configFound: boolean;
    await: AwaitInput;
}

/**
 * `AIMService`. Without `templateRef` it names no template: the operator uses the model's default or selects one at
 * run time. Overrides go as they are: the operator derives the template.
 */
export function renderOperatorService({ spec, modelName, env, imagePullSecrets, routed, configFound, await: awaitInput }: OperatorServiceInput): OperatorObject {
    const { overrides, routing } = spec;
    const pathTemplate = routing?.pathTemplate ?? (routed && !configFound ? DEFAULT_PATH_TEMPLATE : undefined);
    return customResource(
        "AIMService",
        spec.name,
        spec.namespace,
        {
            model: { name: modelName },
            ...(spec.templateRef !== undefined && { template: { name: spec.templateRef } }),
            replicas: spec.replicas,
            ...(spec.configName !== undefined && { runtimeConfigName: spec.configName }),
            ...(overrides && {
                overrides: {
                    ...(overrides.metric && { metric: overrides.metric }),
                    ...(overrides.precision && { precision: overrides.precision }),
                    ...(overrides.gpuSelector && { hardware: { gpu: { requests: overrides.gpuSelector.count, model: overrides.gpuSelector.model } } }),
                },
            }),
            ...(env.length > 0 && { env: renderEnv(env) }),
            ...podPullSecrets(imagePullSecrets),
            ...(spec.resources && { resources: spec.resources }),
            ...(spec.serviceAccountName && { serviceAccountName: spec.serviceAccountName }),
            routing: {
                enabled: routed,
                ...(routing?.gateway && { gatewayRef: withGatewayDefaults(routing.gateway) }),
                ...(pathTemplate !== undefined && { pathTemplate }),
                ...(routing?.annotations && { annotations: routing.annotations }),
                ...(routing?.requestTimeout && { requestTimeout: routing.requestTimeout }),
            },
        },
        { labels: spec.labels, annotations: { ...spec.annotations, ...operatorAwait("Running", awaitInput) } },
    );
}

/** In-cluster URL of a service on the operator target: KServe's predictor Service of the operator's InferenceService. */
export function operatorEndpoint(predictorName: string, namespace: string): string {
    return `http://${predictorName}.${namespace}.svc.cluster.local`;
}
