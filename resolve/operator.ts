// The operator target's own planning (Pulumi config `aim:target: operator`): what the aim-engine custom resources
// (`aim.eai.amd.com/v1alpha1`, CRDs v0.2.2) cannot express, found while a component plans, like every other problem,
// so that the preview fails or warns before anything is registered. Every check of the workloads target runs as
// well: on the operator target only the register step differs.

import { createHash } from "crypto";
import { ResolvedConfig, ServingBackend } from "../types";
import { fieldError } from "../validate/common";
import { ConfigSpec } from "../validate/config";
import { makeRfc1123Compliant, parsePathTemplate } from "../validate/pathTemplate";
import { ServiceSpec } from "../validate/service";
import { TemplateSpec } from "../validate/template";
import { EffectiveRouting } from "./routing";

/** aim-engine's `AIMModelSource.modelId` pattern: `<organisation>/<model>`. */
export const MODEL_ID = /^[a-zA-Z0-9_-]+\/[a-zA-Z0-9._-]+$/;
/** aim-engine's `hardware.gpu.model` maxLength. */
const MAX_GPU_MODEL = 64;
/**
 * aim-engine names a service's InferenceService to fit KServe's host `<isvc>-predictor-<namespace>` (≤ 63) and
 * refuses a namespace that leaves fewer than 10 characters for it (`GenerateInferenceServiceName`, kserve.go l.59).
 */
export const MAX_SERVICE_NAMESPACE = 63 - "-predictor-".length - 10;

/** Throws if a path template reads the args' spec: the operator renders it against its own AIMService spec. */
function checkPathTemplate(kind: string, aimName: string, field: string, template: string | undefined): void {
    if (template === undefined) return;
    if (parsePathTemplate(template).some((part) => typeof part !== "string" && part.field === "spec")) {
        throw fieldError(
            kind,
            aimName,
            field,
            `"${template}" reads the AIMService's spec, which the operator renders against its own AIMService ` +
                `(model.name, template.name, …), not these args: use {.metadata.*} placeholders on the operator target`,
        );
    }
}

function checkGpuModel(kind: string, aimName: string, field: string, model: string | undefined): void {
    if (model !== undefined && model.length > MAX_GPU_MODEL) {
        throw fieldError(kind, aimName, field, `must be at most ${MAX_GPU_MODEL} characters on the operator target (aim-engine's hardware.gpu.model)`);
    }
}

/** A config: its own path template must render on the operator's side. */
export function checkOperatorConfig(kind: string, aimName: string, spec: ConfigSpec): void {
    checkPathTemplate(kind, aimName, "routing.pathTemplate", spec.routing?.pathTemplate);
}

/** A template: model sources and GPU model as aim-engine accepts them; warnings for what it cannot express. */
export function checkOperatorTemplate(kind: string, spec: TemplateSpec): string[] {
    (spec.modelSources ?? []).forEach((source, i) => {
        if (!MODEL_ID.test(source.name)) {
            throw fieldError(
                kind,
                spec.name,
                `modelSources[${i}].name`,
                `must be <organisation>/<model> (${MODEL_ID.source}) on the operator target: it is aim-engine's modelId`,
            );
        }
    });
    checkGpuModel(kind, spec.name, "gpuSelector.model", spec.gpuSelector?.model);
    return spec.servingBackend === ServingBackend.Deployment
        ? [`servingBackend "deployment" cannot be expressed on the operator target: the operator serves every template's services through KServe`]
        : [];
}

/** What a service asks for that the operator target cannot express, beyond its spec (the raw args). */
export interface ServiceIntent {
    /** `cacheModel: false` written out (the default is not a request). */
    refusesCache: boolean;
}

/** A service: what aim-engine needs of its namespace, GPU model and route path; warnings for what it cannot express. */
export function checkOperatorService(spec: ServiceSpec, config: ResolvedConfig, routing: EffectiveRouting | undefined, intent: ServiceIntent): string[] {
    const kind = "AIMService";
    if (spec.namespace.length > MAX_SERVICE_NAMESPACE) {
        throw fieldError(
            kind,
            spec.name,
            "namespace",
            `must be at most ${MAX_SERVICE_NAMESPACE} characters on the operator target: aim-engine names the ` +
                `InferenceService to fit KServe's host <isvc>-predictor-<namespace> (63 characters) and refuses a longer namespace`,
        );
    }
    checkGpuModel(kind, spec.name, "overrides.gpuSelector.model", spec.overrides?.gpuSelector?.model);
    if (routing) checkPathTemplate(kind, spec.name, "routing.pathTemplate", spec.routing?.pathTemplate ?? config.routing.pathTemplate);
    const warnings: string[] = [];
    if (intent.refusesCache) {
        warnings.push(`cacheModel: false cannot be expressed on the operator target: aim-engine caches every service's model (in a shared template cache)`);
    }
    if (spec.scratch !== undefined) {
        warnings.push(`scratch cannot be expressed on the operator target: the model lands in the operator's template cache, not a scratch volume`);
    }
    return warnings;
}

/** aim-engine's `computeHash` of one string (internal/utils/naming.go): SHA-256 of its JSON, in hex. */
function aimEngineHash(input: string): string {
    return createHash("sha256").update(JSON.stringify(input)).digest("hex");
}

/**
 * aim-engine's InferenceService of a service (`GenerateInferenceServiceName`): the service name RFC 1123-cleaned,
 * cut (dashes trimmed) until `<name>-<8 hex of the namespace>` fits KServe's host `<isvc>-predictor-<namespace>`.
 */
export function operatorInferenceServiceName(serviceName: string, namespace: string): string {
    const max = 63 - "-predictor-".length - namespace.length;
    const hash = aimEngineHash(namespace).slice(0, 8);
    let name = makeRfc1123Compliant(serviceName) || "part";
    while (name.length + 1 + hash.length > max && name.length > 1) name = name.slice(0, -1).replace(/-+$/, "");
    return `${name}-${hash}`;
}
