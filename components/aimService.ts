import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { scratchVolumeFor } from "../render/container";
import { renderHttpRoute } from "../render/httpRoute";
import { deploymentAnnotations, renderDeployment, renderService, serviceEndpoint } from "../render/inference";
import { InferenceInput, serviceLabels } from "../render/serving";
import { inferenceServiceAnnotations, kserveEndpoint, renderInferenceService } from "../render/kserve";
import { renderSecret, renderTokenSecret } from "../render/tokenSecret";
import { inferenceServiceName, predictorName, tokenSecretName } from "../resolve/names";
import { Catalog, Declarer, indexKey, ModelCacheEntry, TemplateEntry } from "../resolve/catalog";
import { findImage, findImageByUri, resolvedImage } from "../resolve/image";
import { InferenceResourcesPlan, planInferenceResources } from "../resolve/resources";
import { ApiKeyPlan, planService, ServicePlan } from "../resolve/service";
import { checkAnnotationTotal } from "../validate/common";
import { DEFAULT_AWAIT_TIMEOUT_SECONDS, serviceSchema, ServiceSpec } from "../validate/service";
import { namespaceFields } from "../validate/template";
import { AIMServiceTemplate } from "./aimServiceTemplate";
import { AIMTemplateCache } from "./aimTemplateCache";
import { availableGpuModels, checkGpuModels, lazyOutputs, namespaceDependencies, planComponent, stackKServeDeploymentMode, systemNamespaceSettings, typeToken, warnAll, withSecretToken } from "./internal";
import { mergePullSecrets, resolveConfig } from "../resolve/config";
import { planOperatorService, registerOperatorService } from "./operator";
import { hasOverrides } from "../resolve/template";
import { EffectiveRouting } from "../resolve/routing";
import {
    ContainerResources,
    EnvVar,
    GatewayParentReference,
    LocalObjectReference,
    ResolvedConfig,
    ResolvedImage,
    ResolvedTemplate,
    ServiceApiKey,
    ServiceOverrides,
    ServiceRouting,
    ServiceScratch,
    ServingBackend,
} from "../types";

export interface AIMServiceArgs {
    /** AIM name; it names the Deployment, Service (or InferenceService) and HTTPRoute (an RFC 1035 label). Default: the Pulumi resource name. @default the Pulumi resource name */
    name?: string;
    /** Namespace to deploy to. */
    namespace: string;
    /** AIMImage (in the namespace) or AIMClusterImage to serve. Exactly one of `aimImageName` and `image`. */
    aimImageName?: string;
    /** Container image URI instead of `aimImageName`: the one AIMImage of the namespace or AIMClusterImage with that image (several are an error). */
    image?: string;
    /** Template to deploy with. Default: the image's `defaultServiceTemplate`, else the best template of the image (see `resolvedTemplate.candidates`). @default the image's `defaultServiceTemplate`, else the best template of the image */
    templateRef?: string;
    /** Number of inference pods. Default: 1. @default 1 */
    replicas?: number;
    /** Create a template cache for the template when the namespace has none yet, and mount it; services that set it share one. A declared template cache of the service's template in the namespace (an AIMTemplateCache, a template's `caching.enabled`) is mounted whatever this says, as upstream does: `false` cannot prevent that. Default: false. @default false */
    cacheModel?: boolean;
    /** Config to use. Default: "default". @default "default" */
    configName?: string;
    /** Profile knobs over the template: they derive the template `<base>-ovr-<8 hex>`, shared by identical overrides. */
    overrides?: ServiceOverrides;
    /** Environment of the inference container; it wins over the template's. */
    env?: EnvVar[];
    /** Pull secrets of the inference pods, before the template's and the resolved config's. */
    imagePullSecrets?: LocalObjectReference[];
    /** Container resources; they win key by key over the template's and the image's, then the per-GPU defaults (4 CPUs and 32Gi requested, 48Gi limit, per GPU). `amd.com/gpu` sets the GPU count. */
    resources?: ContainerResources;
    /** Labels of the rendered objects (the package's own labels win), also usable in `routing.pathTemplate`. */
    labels?: Record<string, string>;
    /** Routing through a Gateway; each field set here wins over the resolved config. */
    routing?: ServiceRouting;
    /** Hugging Face token: stored in a Kubernetes Secret and passed as `HF_TOKEN` through `secretKeyRef`. */
    hfToken?: pulumi.Input<string>;
    /** Annotations of the Deployment and its pod template (as KServe propagates an InferenceService's). */
    annotations?: Record<string, string>;
    /** Service account of the inference pods. Default: the namespace's `default`. @default the namespace's default service account */
    serviceAccountName?: string;
    /** How long `pulumi up` waits for the pods to be ready (image pull, model download and load). Default: 3600. @default 3600 */
    awaitTimeoutSeconds?: number;
    /** Do not wait for the pods to be ready at all. Default: false. @default false */
    skipAwait?: boolean;
    /** Require an API key on `/v1/*` (`VLLM_API_KEY`): `{ enabled: true }` generates one, `{ secretName }` uses a Secret. */
    apiKey?: ServiceApiKey;
    /** The volume at `/workspace/model-cache` when the service mounts no template cache (a per-pod claim, or an emptyDir); with one it is an error. */
    scratch?: ServiceScratch;
}

/**
 * The template to run: as planned, or the derived template the plan calls for, created once and parented to its
 * base, since every service with the same overrides and config shares it. It renders into the service's namespace,
 * so it waits for what the service waits for.
 */
function registerTemplate(catalog: Catalog, namespace: string, plan: ServicePlan, dependsOn: pulumi.ResourceOptions["dependsOn"]): TemplateEntry {
    if (plan.template) return plan.template;
    const derived = plan.newTemplate!;
    catalog.derivedTemplates.add(indexKey(namespace, derived.spec.name));
    new AIMServiceTemplate(derived.pulumiName, derived.spec, { parent: plan.base.declaredBy.resource, dependsOn });
    return catalog.templates.get(namespace, derived.spec.name)!;
}

/** The model caches to mount: the template's cache in the namespace, or those of the cache the plan creates for it. */
function registerCaches(catalog: Catalog, namespace: string, plan: ServicePlan, template: TemplateEntry, dependsOn: pulumi.ResourceOptions["dependsOn"]): ModelCacheEntry[] {
    if (!plan.cache) return [];
    if ("reuse" in plan.cache) return plan.cache.reuse.caches;
    const { pulumiName, args } = plan.cache.create;
    // The scope of the template the service resolved, as aim-engine sets it (internal/aimservice/caching.go l.124).
    catalog.implicitTemplateCaches.set(indexKey(namespace, args.name), "AIMService");
    // Its objects wait for what this service waits for: the service's namespace, say.
    new AIMTemplateCache(pulumiName, args, { parent: template.declaredBy.resource, dependsOn });
    return catalog.templateCaches.get(namespace, args.name)!.caches;
}

/** The `resolvedTemplate` output; `predicted` when the operator makes the choice at run time. */
function describeTemplate(template: TemplateEntry, plan: ServicePlan, gpuCount: number, predicted: boolean): ResolvedTemplate {
    return {
        name: template.spec.name,
        scope: template.scope,
        ...(template.spec.metric && { metric: template.spec.metric }),
        ...(template.spec.precision && { precision: template.spec.precision }),
        ...(template.spec.gpuSelector && { gpuModel: template.spec.gpuSelector.model }),
        gpuCount,
        chosenBy: plan.chosenBy,
        ...(plan.candidates && { candidates: plan.candidates }),
        ...(predicted && { predicted }),
    };
}

/**
 * Everything an AIMService decides before it exists, and everything that can fail: a bad reference registers nothing.
 * `args` is the caller's object: `cacheModel: false` is read as given, since the schema's default hides it.
 */
function planAIMService(args: AIMServiceArgs, spec: ServiceSpec, catalog: Catalog, declarer: Declarer) {
    const kind = declarer.kind;
    const dependent = { kind, aimName: spec.name };
    const available = availableGpuModels(kind, spec.name);
    const gpuWarnings = [
        ...checkGpuModels(kind, spec.name, "overrides.gpuSelector.model", [spec.overrides?.gpuSelector?.model]),
        ...checkGpuModels(kind, spec.name, "aim:availableGpuModels", available ?? []),
    ];
    const image = spec.aimImageName !== undefined
        ? findImage(catalog, dependent, spec.namespace, spec.aimImageName)
        : findImageByUri(catalog, dependent, spec.namespace, spec.image!);
    const { config, warning, pathTemplateFrom } = resolveConfig(catalog, { kind, aimName: spec.name, namespace: spec.namespace, configName: spec.configName });
    const plan = planService(catalog, spec, image, { config, pathTemplateFrom, availableGpuModels: available });
    const awaitInput = { awaitTimeoutSeconds: spec.awaitTimeoutSeconds ?? DEFAULT_AWAIT_TIMEOUT_SECONDS, skipAwait: spec.skipAwait };
    const deploymentMode = plan.backend === ServingBackend.KServe ? stackKServeDeploymentMode(kind, spec.name) : undefined;
    // The service's annotations land on its workload with the package's own.
    const annotated = { annotations: spec.annotations, await: awaitInput, deploymentMode };
    const [workloadKind, annotations] = plan.backend === ServingBackend.KServe
        ? ["InferenceService", inferenceServiceAnnotations(annotated)]
        : ["Deployment", deploymentAnnotations(annotated)];
    checkAnnotationTotal(kind, spec.name, "annotations", workloadKind, annotations);
    const system = systemNamespaceSettings(kind, spec.name);
    catalog.claimObjects(declarer, plan.objects, plan.routing && { ...plan.routing, namespace: spec.namespace });
    const operator = planOperatorService(spec, config, plan.routing, { refusesCache: args?.cacheModel === false });
    const warnings = [warning, ...gpuWarnings, ...plan.warnings, ...(operator?.warnings ?? [])];
    return { image: resolvedImage(image), imageResources: image.spec.resources, config, plan, system, awaitInput, deploymentMode, warnings, operator };
}

type PlannedService = ReturnType<typeof planAIMService>;

/** The objects a service's outputs name, as rendered (registered as plain values), and the resources behind them. */
interface WorkloadNames {
    deploymentName: string;
    serviceName: string;
    inferenceServiceName?: string;
    endpoint: string;
    /** The Deployment and the Service the package created: the name outputs are lifted from them. */
    deployment?: k8s.apps.v1.Deployment;
    service?: k8s.core.v1.Service;
}

/**
 * What the functions registering a service's children share. Every child is created by a function of its own, near
 * the top of a short body, and the constructor only calls them: the SDK formats a stack trace for each of a
 * resource's twenty-odd promises, and formatting a frame costs in proportion to the call's position in its function's
 * bytecode (bench/HISTORY.md, third pass).
 */
interface ServiceRegistration {
    component: AIMService;
    name: string;
    spec: ServiceSpec;
    planned: PlannedService;
    /** The template the service runs, and the caches it mounts. */
    template: TemplateEntry;
    caches: ModelCacheEntry[];
    resources: InferenceResourcesPlan;
    inNamespace: pulumi.Resource[];
    labels: Record<string, string>;
}

function newTokenSecret({ component, name, spec, labels, inNamespace }: ServiceRegistration): k8s.core.v1.Secret {
    const object = renderTokenSecret(tokenSecretName(spec.name), spec.namespace, labels, spec.hfToken!);
    return new k8s.core.v1.Secret(`${name}-hf-token`, object, { parent: component, dependsOn: inNamespace });
}

function newApiKeySecret({ component, name, spec, labels, inNamespace }: ServiceRegistration, apiKey: ApiKeyPlan, password: random.RandomPassword): k8s.core.v1.Secret {
    const object = renderSecret(apiKey.secretName, spec.namespace, labels, apiKey.key, password.result);
    return new k8s.core.v1.Secret(`${name}-api-key`, object, { parent: component, dependsOn: inNamespace });
}

/** The `hfToken` Secret, and the generated API key with its Secret. */
function registerSecrets(r: ServiceRegistration) {
    const { apiKey } = r.planned.plan;
    const tokenSecret = r.spec.hfToken === undefined ? undefined : newTokenSecret(r);
    const password = apiKey?.generate ? new random.RandomPassword(`${r.name}-api-key`, { length: 48, special: false }, { parent: r.component }) : undefined;
    const apiKeySecret = apiKey && password ? newApiKeySecret(r, apiKey, password) : undefined;
    return { tokenSecret, password, apiKeySecret };
}

type Secrets = ReturnType<typeof registerSecrets>;

/**
 * The operator target: the AIMService custom resource instead of the workloads; the operator chooses the template when
 * the service names none, and derives it from overrides (components/operator.ts).
 */
function registerOperatorWorkload(r: ServiceRegistration, secrets: Secrets): WorkloadNames {
    const { plan, config, image, awaitInput } = r.planned;
    const names = registerOperatorService(r.component, r.name, {
        spec: r.spec,
        config,
        modelName: image.name,
        routed: plan.routing !== undefined,
        apiKey: plan.apiKey,
        tokenSecret: secrets.tokenSecret,
        apiKeySecret: secrets.apiKeySecret,
        templateCache: plan.cache && "reuse" in plan.cache ? plan.cache.reuse.resource : undefined,
        await: awaitInput,
    });
    const { predictorName: predictor, inferenceServiceName: isvc, endpoint } = names;
    return { deploymentName: predictor, serviceName: predictor, inferenceServiceName: isvc, endpoint };
}

/** What the workload renders from: the service, its template after overrides, the caches it mounts, its Secrets. */
function workloadInput(r: ServiceRegistration, secrets: Secrets): InferenceInput {
    const { spec, planned, template } = r;
    const { plan, config, awaitInput } = planned;
    const templateFields = namespaceFields(template.spec);
    return {
        serviceName: spec.name,
        templateName: template.spec.name,
        aimImageName: planned.image.name,
        labels: spec.labels,
        namespace: spec.namespace,
        image: template.image.image,
        replicas: spec.replicas,
        gpuCount: r.resources.gpuCount,
        gpuModel: template.spec.gpuSelector?.model,
        metric: template.spec.metric,
        precision: template.spec.precision,
        templateEnv: templateFields.env,
        serviceEnv: spec.env,
        engineArgs: plan.engineArgs,
        hfTokenSecretName: secrets.tokenSecret && tokenSecretName(spec.name),
        // A namespace template's own secrets pulled its discovery image and (KServe) reach the predictor through its
        // runtime: the Deployment pulls with them too, so both backends pull with the same secrets.
        imagePullSecrets: mergePullSecrets(spec.imagePullSecrets, templateFields.imagePullSecrets, config.imagePullSecrets),
        resources: r.resources.levels,
        caches: r.caches.map((c) => ({ claimName: c.pvcName, modelName: c.modelName })),
        scratch: scratchVolumeFor(spec.scratch, template.spec.modelSources, config.caching.storageClassName),
        apiKeySecret: plan.apiKey && { name: plan.apiKey.secretName, key: plan.apiKey.key },
        serviceAccountName: spec.serviceAccountName,
        annotations: spec.annotations,
        await: awaitInput,
    };
}

function newDeployment({ component, name }: ServiceRegistration, object: ReturnType<typeof renderDeployment>, dependsOn: pulumi.Resource[]): k8s.apps.v1.Deployment {
    return new k8s.apps.v1.Deployment(`${name}-deployment`, object, { parent: component, dependsOn });
}

function newInferenceService({ component, name, planned }: ServiceRegistration, workload: InferenceInput, dependsOn: pulumi.Resource[]): k8s.apiextensions.CustomResource {
    const object = renderInferenceService({ ...workload, deploymentMode: planned.deploymentMode });
    return new k8s.apiextensions.CustomResource(`${name}-inferenceservice`, object, { parent: component, dependsOn });
}

function newService({ component, name, inNamespace }: ServiceRegistration, object: ReturnType<typeof renderService>): k8s.core.v1.Service {
    return new k8s.core.v1.Service(`${name}-service`, object, { parent: component, dependsOn: inNamespace });
}

/** The HTTPRoute to the service's Service (with KServe, the predictor Service), after it and the namespace. */
function newRoute(r: ServiceRegistration, routing: EffectiveRouting, backendName: string, backend: pulumi.Resource): k8s.apiextensions.CustomResource {
    const object = renderHttpRoute({
        serviceName: r.spec.name,
        namespace: r.spec.namespace,
        backendName,
        labels: r.labels,
        annotations: routing.annotations,
        gateway: routing.gateway,
        path: routing.path,
        requestTimeout: routing.requestTimeout,
    });
    return new k8s.apiextensions.CustomResource(`${r.name}-route`, object, { parent: r.component, dependsOn: [backend, ...r.inNamespace] });
}

/**
 * The workloads target: a Deployment and a Service, or a KServe InferenceService, then the route. The workload waits
 * for the template's discovery Job, the downloads of the caches it mounts, and its Secrets.
 */
function registerWorkloads(r: ServiceRegistration, secrets: Secrets): WorkloadNames {
    const { spec, template } = r;
    const workload = workloadInput(r, secrets);
    const dependsOn = [...r.inNamespace, template.discoveryJob, ...r.caches.flatMap((c) => c.resources), secrets.tokenSecret, secrets.apiKeySecret].filter(
        (resource) => resource !== undefined,
    );
    const { routing } = r.planned.plan;
    if (template.backend === ServingBackend.KServe) {
        // Traffic goes to the predictor Service that KServe creates for the InferenceService.
        const isvc = newInferenceService(r, workload, template.runtime ? [...dependsOn, template.runtime] : dependsOn);
        const isvcName = inferenceServiceName(spec.name, spec.namespace);
        const predictor = predictorName(isvcName);
        if (routing) newRoute(r, routing, predictor, isvc);
        return { deploymentName: predictor, serviceName: predictor, inferenceServiceName: isvcName, endpoint: kserveEndpoint(spec.name, spec.namespace) };
    }
    const deploymentObject = renderDeployment(workload);
    const deployment = newDeployment(r, deploymentObject, dependsOn);
    const serviceObject = renderService(workload);
    const service = newService(r, serviceObject);
    if (routing) newRoute(r, routing, spec.name, service);
    const names = { deploymentName: deploymentObject.metadata.name, serviceName: serviceObject.metadata.name, endpoint: serviceEndpoint(spec.name, spec.namespace) };
    return { ...names, deployment, service };
}

/** Registers the service's children in the order the engine sees them: template, cache, Secrets, workload. */
function registerServiceChildren(component: AIMService, name: string, spec: ServiceSpec, catalog: Catalog, planned: PlannedService, opts: pulumi.ComponentResourceOptions | undefined) {
    const { namespace } = spec;
    const { plan } = planned;
    const inNamespace = namespaceDependencies(component, catalog, planned.system, namespace);
    const template = registerTemplate(catalog, namespace, plan, opts?.dependsOn);
    const caches = registerCaches(catalog, namespace, plan, template, opts?.dependsOn);
    const resources = planInferenceResources(spec, template.spec, { resources: planned.imageResources });
    // One labels object for every child that carries them: the SDK only reads its inputs.
    const labels = serviceLabels({ serviceName: spec.name, templateName: template.spec.name, aimImageName: planned.image.name, labels: spec.labels });
    const r: ServiceRegistration = { component, name, spec, planned, template, caches, resources, inNamespace, labels };
    const secrets = registerSecrets(r);
    const names = planned.operator ? registerOperatorWorkload(r, secrets) : registerWorkloads(r, secrets);
    return { template, gpuCount: resources.gpuCount, names, password: secrets.password };
}

/**
 * An inference service. With its template's backend `deployment`: a GPU Deployment running the AIM container of its
 * template and a Service on port 80; with `kserve`: a KServe InferenceService on the template's ServingRuntime (KServe
 * creates the predictor Deployment and Service `<isvc>-predictor`). When routing is enabled, a Gateway API HTTPRoute at
 * `/<namespace>/<name>` to that Service; with `apiKey`, a key vLLM requires. The workload waits for the template's
 * discovery Job, if it has one (and the model downloads of the template cache it mounts), so a failed discovery stops
 * the rollout.
 */
export class AIMService extends pulumi.ComponentResource {
    /** The config this service resolved, with every default filled in. */
    declare public readonly resolvedConfig: pulumi.Output<ResolvedConfig>;
    /** The image entry the service serves (found by `aimImageName` or by `image`). */
    declare public readonly resolvedImage: pulumi.Output<ResolvedImage>;
    /** The template the service runs, after overrides, how it was chosen, and the candidates when it was selected. */
    declare public readonly resolvedTemplate: pulumi.Output<ResolvedTemplate>;
    /** The Gateway the HTTPRoute attaches to; absent without a route. */
    declare public readonly routeGateway: pulumi.Output<GatewayParentReference | undefined>;
    /** The route's path prefix; absent without a route. */
    declare public readonly routePath: pulumi.Output<string | undefined>;
    /** Name of the Deployment (with KServe: the predictor Deployment KServe creates, `<isvc>-predictor`). */
    declare public readonly deploymentName: pulumi.Output<string>;
    /** Name of the Service on port 80 (with KServe: KServe's predictor Service, `<isvc>-predictor`). */
    declare public readonly serviceName: pulumi.Output<string>;
    /** Name of the KServe InferenceService; absent with the Deployment backend. */
    declare public readonly inferenceServiceName: pulumi.Output<string | undefined>;
    /** In-cluster URL of the service, `http://<name>.<namespace>.svc`, whatever the cluster domain (with KServe: of `<isvc>-predictor`; the API is under `/v1`). */
    declare public readonly endpoint: pulumi.Output<string>;
    /** The generated API key (a secret); absent without `apiKey` or with a `secretName` of one's own. */
    declare public readonly apiKey: pulumi.Output<string | undefined>;

    constructor(name: string, args: AIMServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        const kind = "AIMService";
        const { spec, catalog, plan: planned } = planComponent(kind, name, serviceSchema, args, opts, (spec, catalog, declarer) =>
            planAIMService(args, spec, catalog, declarer),
        );
        super(typeToken(kind), name, withSecretToken(spec), opts);
        warnAll(this, planned.warnings);
        const { template, gpuCount, names, password } = registerServiceChildren(this, name, spec, catalog, planned, opts);
        const { config, plan } = planned;
        const predicted = planned.operator !== undefined && (spec.templateRef === undefined || hasOverrides(spec.overrides));
        const resolvedTemplate = describeTemplate(template, plan, gpuCount, predicted);
        lazyOutputs<AIMService>(this, {
            resolvedConfig: () => pulumi.output(config),
            resolvedImage: () => pulumi.output(planned.image),
            resolvedTemplate: () => pulumi.output(resolvedTemplate),
            routeGateway: () => pulumi.output(plan.routing?.gateway),
            routePath: () => pulumi.output(plan.routing?.path),
            // Lifted from the objects the package created, so that a program using them depends on them.
            deploymentName: () => names.deployment?.metadata.name ?? pulumi.output(names.deploymentName),
            serviceName: () => names.service?.metadata.name ?? pulumi.output(names.serviceName),
            inferenceServiceName: () => pulumi.output(names.inferenceServiceName),
            endpoint: () => pulumi.output(names.endpoint),
            apiKey: () => (password ? pulumi.secret(password.result) : pulumi.output(undefined)),
        });
        // What this component computed is registered as plain values, the objects' names as rendered (a named
        // object keeps its name): the same bytes reach the engine, but serializing an Output costs promises and a
        // captured stack trace each, and waits for the object's registration (bench/HISTORY.md, first pass).
        this.registerOutputs({
            resolvedConfig: config,
            resolvedImage: planned.image,
            resolvedTemplate,
            routeGateway: plan.routing?.gateway,
            routePath: plan.routing?.path,
            deploymentName: names.deploymentName,
            serviceName: names.serviceName,
            inferenceServiceName: names.inferenceServiceName,
            endpoint: names.endpoint,
            apiKey: password ? this.apiKey : undefined,
        });
    }
}
