// The register step of the operator target (Pulumi config `aim:target: operator`): each component plans exactly as
// on the workloads target, then registers, as its child, the aim-engine custom resource that stands for it
// (render/operator.ts) instead of its workloads, plus the Secrets the resource's env references. What has no
// counterpart is checked or warned about while planning (resolve/operator.ts). Not exported from the package.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { API_KEY_ENV } from "../render/container";
import {
    IMMUTABLE_FIELDS,
    operatorEndpoint,
    OperatorObject,
    renderModel,
    renderOperatorService,
    renderOperatorTemplate,
    renderOperatorTemplateCache,
    renderRuntimeConfig,
    TemplateCacheInput,
} from "../render/operator";
import { mergeEnv } from "../render/pod";
import { mergePullSecrets } from "../resolve/config";
import { hfTokenEnv } from "../render/tokenSecret";
import { Catalog } from "../resolve/catalog";
import { predictorName, tokenSecretName } from "../resolve/names";
import { checkOperatorConfig, checkOperatorService, checkOperatorTemplate, operatorInferenceServiceName, ServiceIntent } from "../resolve/operator";
import { EffectiveRouting } from "../resolve/routing";
import { ApiKeyPlan } from "../resolve/service";
import { ConfigSpec } from "../validate/config";
import { ImageSpec } from "../validate/image";
import { ServiceSpec } from "../validate/service";
import { TemplateSpec } from "../validate/template";
import { LocalObjectReference, ResolvedConfig, Target } from "../types";
import { AwaitInput } from "../render/serving";
import { operatorCreatesTemplates, stackTarget } from "./internal";

/** Whether the stack renders the aim-engine custom resources (Pulumi config `aim:target`). */
export function onOperatorTarget(kind: string, aimName: string): boolean {
    return stackTarget(kind, aimName) === Target.Operator;
}

/** The custom resource as the component's child `<Pulumi name>-<role>`. */
export function registerOperatorObject(
    component: pulumi.Resource,
    pulumiName: string,
    role: string,
    object: OperatorObject,
    opts: pulumi.CustomResourceOptions = {},
): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(`${pulumiName}-${role}`, object, { ...opts, parent: component });
}

/**
 * A config's runtime config; undefined on the workloads target. The operator merges a namespace config over the
 * cluster config of its name as the package does, so only a cluster config, or a namespace config with none to
 * inherit from, states the package's defaults. That cluster config is looked up as a dependent would: declaring it
 * later is an error, since this namespace config would have left those defaults to it.
 */
export function planRuntimeConfig(kind: string, spec: ConfigSpec & { name: string; namespace?: string }, catalog: Catalog): OperatorObject | undefined {
    if (!onOperatorTarget(kind, spec.name)) return undefined;
    checkOperatorConfig(kind, spec.name, spec);
    const fillDefaults = spec.namespace === undefined || !catalog.clusterConfigs.lookup(undefined, spec.name);
    return renderRuntimeConfig({ name: spec.name, namespace: spec.namespace, spec, fillDefaults });
}

/** An image entry's model, with the resolved config's pull secrets; undefined on the workloads target. */
export function planModel(kind: string, spec: ImageSpec, namespace: string | undefined, config: ResolvedConfig): OperatorObject | undefined {
    if (!onOperatorTarget(kind, spec.name)) return undefined;
    return renderModel({
        namespace,
        spec,
        imagePullSecrets: mergePullSecrets(config.imagePullSecrets),
        createsTemplates: operatorCreatesTemplates(kind, spec.name),
    });
}

/** A template's resource and the warnings about what it cannot express; undefined on the workloads target. */
export function planOperatorTemplate(
    kind: string,
    spec: TemplateSpec,
    namespace: string | undefined,
    imagePullSecrets: LocalObjectReference[],
): { object: OperatorObject; warnings: string[] } | undefined {
    if (!onOperatorTarget(kind, spec.name)) return undefined;
    const warnings = checkOperatorTemplate(kind, spec);
    return { object: renderOperatorTemplate({ namespace, spec, imagePullSecrets }), warnings };
}

/** A template's resource: replaced when a field the CRD makes immutable changes. */
export function registerOperatorTemplate(component: pulumi.Resource, pulumiName: string, object: OperatorObject): void {
    registerOperatorObject(component, pulumiName, "template", object, { replaceOnChanges: [...IMMUTABLE_FIELDS[object.kind as keyof typeof IMMUTABLE_FIELDS]] });
}

/** A template cache's resource (what `input` leaves to planning); undefined on the workloads target. */
export function planOperatorTemplateCache(kind: string, input: TemplateCacheInput): OperatorObject | undefined {
    return onOperatorTarget(kind, input.name) ? renderOperatorTemplateCache(input) : undefined;
}

/** What a service's plan left for its register step; undefined on the workloads target. */
export function planOperatorService(spec: ServiceSpec, config: ResolvedConfig, routing: EffectiveRouting | undefined, intent: ServiceIntent): { warnings: string[] } | undefined {
    if (!onOperatorTarget("AIMService", spec.name)) return undefined;
    return { warnings: checkOperatorService(spec, config, routing, intent) };
}

export interface OperatorServiceRegistration {
    spec: ServiceSpec;
    config: ResolvedConfig;
    /** The image entry the service resolved. */
    modelName: string;
    routed: boolean;
    apiKey?: ApiKeyPlan;
    tokenSecret?: pulumi.Resource;
    apiKeySecret?: pulumi.Resource;
    /**
     * The AIMTemplateCache resource of the template's cache, declared in the program: the operator looks for a
     * template's cache when it reconciles the service and makes one of its own if none exists yet.
     */
    templateCache?: pulumi.Resource;
    await: AwaitInput;
}

/** The names aim-engine gives a service's workload, and its in-cluster URL. */
export interface OperatorServiceNames {
    inferenceServiceName: string;
    /** KServe's predictor Deployment and Service of the InferenceService. */
    predictorName: string;
    endpoint: string;
}

/**
 * Registers the service's AIMService (after the Secrets its env references and the template cache it uses; replaced
 * when a field the CRD makes immutable changes) and returns the names of what the operator will make of it.
 */
export function registerOperatorService(component: pulumi.Resource, pulumiName: string, input: OperatorServiceRegistration): OperatorServiceNames {
    const { spec, config, apiKey, tokenSecret, apiKeySecret, templateCache } = input;
    const env = mergeEnv(
        spec.env,
        tokenSecret ? [hfTokenEnv(tokenSecretName(spec.name))] : [],
        apiKey ? [{ name: API_KEY_ENV, valueFrom: { secretKeyRef: { name: apiKey.secretName, key: apiKey.key } } }] : [],
    );
    const object = renderOperatorService({
        spec,
        modelName: input.modelName,
        env,
        imagePullSecrets: mergePullSecrets(spec.imagePullSecrets, config.imagePullSecrets),
        routed: input.routed,
        configFound: config.source !== "none",
        await: input.await,
    });
    registerOperatorObject(component, pulumiName, "aimservice", object, {
        dependsOn: [tokenSecret, apiKeySecret, templateCache].filter((r) => r !== undefined),
        replaceOnChanges: [...IMMUTABLE_FIELDS.AIMService],
    });
    const inferenceServiceName = operatorInferenceServiceName(spec.name, spec.namespace);
    const predictor = predictorName(inferenceServiceName);
    return { inferenceServiceName, predictorName: predictor, endpoint: operatorEndpoint(predictor, spec.namespace) };
}
