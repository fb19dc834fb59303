// The bottom module: argument and output shapes and `as const` values of the AIM components. Every layer imports
// it; it imports no module of the package.
//
// These are the public API in every language: the component provider infers its schema from them, so they are
// plain interfaces with no unions, literal choices are `as const` objects, and references to other AIM objects are
// plain strings (a missing reference must be found synchronously, while the program runs).

import * as pulumi from "@pulumi/pulumi";

/** Optimisation target a template asks the AIM container to pick a profile for. */
export const Metric = {
    /** Lowest time per request. */
    Latency: "latency",
    /** Highest tokens per second. */
    Throughput: "throughput",
} as const;
export type Metric = (typeof Metric)[keyof typeof Metric];

/** Numeric precision of the model weights (the full list accepted upstream since silogen/kaiwo#421). */
export const Precision = {
    Auto: "auto",
    Fp4: "fp4",
    Fp8: "fp8",
    Fp16: "fp16",
    Fp32: "fp32",
    Bf16: "bf16",
    Int4: "int4",
    Int8: "int8",
} as const;
export type Precision = (typeof Precision)[keyof typeof Precision];

/** What serves the services of a template. */
export const ServingBackend = {
    /** A GPU Deployment and a Service rendered by this package (no operator needed). */
    Deployment: "deployment",
    /** A KServe ServingRuntime (ClusterServingRuntime for cluster templates) and an InferenceService per service, as the AIM operator creates them (KServe in raw deployment mode, `Standard` in KServe >= 0.16). */
    KServe: "kserve",
} as const;
export type ServingBackend = (typeof ServingBackend)[keyof typeof ServingBackend];

/** What a stack renders (Pulumi config `aim:target`). */
export const Target = {
    /** The workloads the AIM operator would create (Jobs, PVCs, Deployments or InferenceServices, HTTPRoutes): no operator needed. */
    Workloads: "workloads",
    /** The aim-engine custom resources (`aim.eai.amd.com/v1alpha1`), for a cluster that runs the aim-engine operator. */
    Operator: "operator",
} as const;
export type Target = (typeof Target)[keyof typeof Target];

/** Whether an AIM object is namespaced or cluster-scoped. */
export const Scope = {
    Namespace: "Namespace",
    Cluster: "Cluster",
} as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

/** Where a dependent's resolved configuration came from. */
export const ConfigSource = {
    /** Only the AIMClusterConfig of that name exists. */
    ClusterConfig: "AIMClusterConfig",
    /** Only the AIMNamespaceConfig of that name exists in the dependent's namespace. */
    NamespaceConfig: "AIMNamespaceConfig",
    /** Both exist; the namespace config overrides the cluster config field by field. */
    Merged: "merged",
    /** Neither exists (implicit `default` only): built-in defaults apply. */
    None: "none",
} as const;
export type ConfigSource = (typeof ConfigSource)[keyof typeof ConfigSource];

/** A reference to a Secret in the same namespace as the pod that uses it. */
export interface LocalObjectReference {
    /** Name of the Secret. */
    name: string;
}

/** A Gateway API `ParentReference`: the Gateway (or listener) that HTTPRoutes attach to. */
export interface GatewayParentReference {
    /** Name of the Gateway (1–253 characters). */
    name: string;
    /** Namespace of the Gateway. Default: the namespace of the route. @default the namespace of the route */
    namespace?: string;
    /** API group of the parent. Default: "gateway.networking.k8s.io". @default "gateway.networking.k8s.io" */
    group?: string;
    /** Kind of the parent. Default: "Gateway". @default "Gateway" */
    kind?: string;
    /** Listener name on the Gateway. */
    sectionName?: string;
    /** Listener port on the Gateway (1–65535). */
    port?: number;
}

/** Model-cache settings of a config. */
export interface ConfigCaching {
    /** Storage class of model-cache PVCs that set none themselves. Default: the cluster's default storage class. @default the cluster's default storage class */
    storageClassName?: string;
    /** Pre-pull the AIM base images of the images using this config on every node. Default: false. @default false */
    cacheAimImageBase?: boolean;
}

/** Routing settings of a config. */
export interface ConfigRouting {
    /** Create an HTTPRoute for every AIMService using this config. Default: true. @default true */
    autoCreateRoute?: boolean;
    /** The Gateway that routes attach to. */
    gateway?: GatewayParentReference;
    /** Path prefix template of the routes of services that set none, e.g. `/{.metadata.namespace}/{.metadata.name}`. Default: `/<namespace>/<name>`. @default `/<namespace>/<name>` */
    pathTemplate?: string;
    /** Annotations of every route of this config's services; a service's own win key by key. */
    annotations?: Record<string, string>;
    /** Gateway API request timeout of the route rule of services that set none, e.g. `120s`. Default: none (the Gateway's). @default none (the Gateway's) */
    requestTimeout?: string;
}

/** Selects a key of a Secret or ConfigMap. */
export interface KeySelector {
    /** Name of the Secret or ConfigMap. */
    name: string;
    /** Key within it. */
    key: string;
    /** Whether the object or key may be missing. Default: false. @default false */
    optional?: boolean;
}

/** Where an environment variable's value comes from. */
export interface EnvVarSource {
    /** A key of a Secret in the pod's namespace. */
    secretKeyRef?: KeySelector;
    /** A key of a ConfigMap in the pod's namespace. */
    configMapKeyRef?: KeySelector;
}

/** A container environment variable: a literal value or a reference. */
export interface EnvVar {
    /** Variable name. */
    name: string;
    /** Literal value (may be a secret Output). Exactly one of `value` and `valueFrom`. */
    value?: pulumi.Input<string>;
    /** Reference to a Secret or ConfigMap key. Exactly one of `value` and `valueFrom`. */
    valueFrom?: EnvVarSource;
}

/** The GPUs a template targets. */
export interface GpuSelector {
    /** GPUs per replica (≥ 0; 0 runs without GPUs: no GPU request and no GPU node affinity). */
    count: number;
    /**
     * AMD GPU model, e.g. `MI300X`: one the package knows the device ids of (pods get node affinity on them), or one
     * listed in Pulumi config `aim:extraGpuModels` (a JSON list or comma-separated). A near-miss of a known model
     * (`MI300XX`) is an error; any other model a warning, since its pods get no node affinity.
     */
    model: string;
}

/** A model artifact the AIM container downloads; needed at preview time to size caches. */
export interface ModelSource {
    /** Model name, e.g. `amd/Llama-3.1-8B-Instruct-FP8-KV`. */
    name: string;
    /** Download URI: `hf://…` or `s3://…`. */
    sourceUri: string;
    /** Size as a Kubernetes quantity, e.g. `9094593249` or `8.5Gi`. */
    size: string;
}

/** Template-level model caching (namespace templates only). */
export interface TemplateCaching {
    /** Create a template cache for this template. Default: false. @default false */
    enabled?: boolean;
    /** Environment of the model download (e.g. credentials). */
    env?: EnvVar[];
}

/** Configuration as a dependent sees it after lookup, with every default filled in. */
export interface ResolvedConfig {
    /** Config name that was looked up. */
    name: string;
    /** Which config objects supplied it. */
    source: ConfigSource;
    /** Pull secrets from the config. */
    imagePullSecrets: LocalObjectReference[];
    /** Model-cache settings. */
    caching: ResolvedCaching;
    /** Routing settings. */
    routing: ResolvedRouting;
}

/** Resolved caching settings. */
export interface ResolvedCaching {
    /** Storage class for caches; absent means the cluster default. */
    storageClassName?: string;
    /** Whether base images are pre-pulled. */
    cacheAimImageBase: boolean;
}

/** Resolved routing settings. */
export interface ResolvedRouting {
    /** Whether services get a route unless they say otherwise. */
    autoCreateRoute: boolean;
    /** The Gateway routes attach to, with `group` and `kind` filled in. */
    gateway?: GatewayParentReference;
    /** Path prefix template for services that set none; absent means `/<namespace>/<name>`. */
    pathTemplate?: string;
    /** Route annotations under the services' own (the namespace config's winning key by key over the cluster config's). */
    annotations?: Record<string, string>;
    /** Request timeout for the routes of services that set none; absent means the Gateway's. */
    requestTimeout?: string;
}

/** The AIM image a template or service resolved. */
export interface ResolvedImage {
    /** AIM name of the AIMImage or AIMClusterImage. */
    name: string;
    /** `Namespace` for an AIMImage, `Cluster` for an AIMClusterImage. */
    scope: Scope;
    /** Container image URI. */
    image: string;
}

/** Profile knobs a service sets over its template; they derive a template of their own. */
export interface ServiceOverrides {
    /** Optimisation target. */
    metric?: Metric;
    /** Model precision. */
    precision?: Precision;
    /** GPUs per replica. */
    gpuSelector?: GpuSelector;
}

/**
 * Container resources of the inference container. The levels overlay key by key (requests and limits separately):
 * the per-GPU defaults, then the image's, the template's and the service's. `amd.com/gpu` (a whole number; one side
 * given is copied to the other) sets the GPU count; it must agree with `gpuSelector.count` on the same object.
 */
export interface ContainerResources {
    /** Requests, e.g. `{ cpu: "8", memory: "64Gi", "amd.com/gpu": "2" }`. */
    requests?: Record<string, string>;
    /** Limits, e.g. `{ memory: "96Gi" }`. */
    limits?: Record<string, string>;
}

/** Service-level routing; each field set here wins over the resolved config. */
export interface ServiceRouting {
    /** Create the HTTPRoute. Default: the config's `autoCreateRoute`, when the config exists and a gateway is known. @default the config's `autoCreateRoute`, when the config exists and a gateway is known */
    enabled?: boolean;
    /** The Gateway to attach to. Default: the config's `routing.gateway`. @default the config's `routing.gateway` */
    gateway?: GatewayParentReference;
    /** Path prefix template, e.g. `/{.metadata.namespace}/{.metadata.labels['team']}/chat`. Default: the config's `routing.pathTemplate`, else `/<namespace>/<name>`. @default the config's `routing.pathTemplate`, else `/<namespace>/<name>` */
    pathTemplate?: string;
    /** Annotations of the HTTPRoute. */
    annotations?: Record<string, string>;
    /** Gateway API request timeout of the route rule, e.g. `120s`. Default: the config's `routing.requestTimeout`. @default the config's `routing.requestTimeout` */
    requestTimeout?: string;
}

/** How a service's template was chosen. */
export const TemplateChoice = {
    /** The service's `templateRef`. */
    TemplateRef: "templateRef",
    /** The image's `defaultServiceTemplate`. */
    ImageDefault: "imageDefault",
    /** Selected among the templates of the service's image (neither of the above is set). */
    Selected: "selected",
} as const;
export type TemplateChoice = (typeof TemplateChoice)[keyof typeof TemplateChoice];

/** Whether a template considered in selection was chosen. */
export const CandidateStatus = {
    Chosen: "chosen",
    Rejected: "rejected",
} as const;
export type CandidateStatus = (typeof CandidateStatus)[keyof typeof CandidateStatus];

/** A template considered when a service's template was selected, and why it was chosen or not. */
export interface TemplateCandidate {
    /** AIM name of the template. */
    name: string;
    /** `Namespace` or `Cluster`. */
    scope: Scope;
    /** `chosen` or `rejected`. */
    status: CandidateStatus;
    /** Upstream's reason: `BestMatch`, `LowerPreferenceRank`, `ServiceOverridesNotMatched`, `RequiredGPUNotInCluster`, or `NamespaceTemplatePreferred`. */
    reason: string;
}

/** The template a service runs, after overrides. */
export interface ResolvedTemplate {
    /** AIM name of the template (a derived `<base>-ovr-<hash>` one when overrides are set). */
    name: string;
    /** `Namespace` or `Cluster`. */
    scope: Scope;
    /** Optimisation target, if the template sets one. */
    metric?: Metric;
    /** Precision, if the template sets one. */
    precision?: Precision;
    /** GPU model, if the template sets one. */
    gpuModel?: string;
    /** GPUs per replica the service's pods request: the service's `amd.com/gpu`, else the template's (resources or `gpuSelector`, after overrides), else the image's, else 1. */
    gpuCount: number;
    /** How it was chosen: `templateRef`, `imageDefault`, or `selected`. */
    chosenBy: TemplateChoice;
    /** With `selected`: every template considered, in upstream's order (rejected by filters first, then by rank). */
    candidates?: TemplateCandidate[];
    /** Set on the operator target when the operator makes the choice at run time (no `templateRef`, or overrides it derives a template from, under a name of its own): this is the package's prediction. */
    predicted?: boolean;
}

/**
 * An API key that vLLM requires as `Authorization: Bearer <key>` on `/v1/*` (health and metrics stay open). An object
 * rather than `boolean | { secretName }`, since the schema of other languages has no unions.
 */
export interface ServiceApiKey {
    /** Protect the endpoint. Default: true when `secretName` is set, else false. `enabled: false` written out also silences the warning for a routed service without a key (given for the first such route on each Gateway). @default true when `secretName` is set, else false */
    enabled?: boolean;
    /** An existing Secret in the service's namespace holding the key. Default: a generated key (`random.RandomPassword`) in the Secret `<name>-api-key`. @default a generated key in the Secret `<name>-api-key` */
    secretName?: string;
    /** Key of the key within `secretName`. Default: "api-key". @default "api-key" */
    secretKey?: string;
}

/** Where the model lands in an inference pod when no model cache is mounted (`AIM_CACHE_PATH`). */
export interface ServiceScratch {
    /** Size of the scratch volume, e.g. `200Gi`. Default: the template's model sources plus 10 %, rounded up to whole Gi. @default the template's model sources plus 10 % */
    size?: string;
    /** Storage class of the per-pod scratch volume claim. Default: the config's `caching.storageClassName`, else the cluster default. @default the config's caching.storageClassName, else the cluster default */
    storageClassName?: string;
    /** Use an `emptyDir` (node ephemeral storage) instead of a volume claim. Default: false (an emptyDir only when no size is known). @default false */
    emptyDir?: boolean;
}
