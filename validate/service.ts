import * as z from "zod";
import { containerResources, gpuCountConflict } from "./resources";
import { inferenceEnvList } from "./engineArgs";
import {
    containerImage,
    dnsLabel,
    dnsServiceName,
    dnsSubdomain,
    gatewayDuration,
    routeAnnotations,
    gatewayRef,
    gpuSelector,
    int32,
    metric,
    nonEmpty,
    pathTemplate,
    precision,
    pullSecrets,
    qualifiedName,
    quantity,
    quantityWhere,
    stringInput,
} from "./common";

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/**
 * How long `pulumi up` waits for a service's pods to be ready by default: pulling a multi-GB image, downloading and
 * loading a large model take tens of minutes, far beyond the Kubernetes provider's 10-minute default.
 */
export const DEFAULT_AWAIT_TIMEOUT_SECONDS = 3600;
/** Key of the API key in its Secret unless `apiKey.secretKey` says otherwise. */
export const DEFAULT_API_KEY_KEY = "api-key";

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;


export const serviceSchema = z.strictObject({
    name: dnsServiceName,
    namespace: dnsLabel,
    aimImageName: dnsSubdomain.optional(),
    image: containerImage.optional(),
    templateRef: dnsSubdomain.optional(),
    replicas: int32(0).default(1),
    cacheModel: z.boolean().default(false),
    configName: dnsSubdomain.optional(),
    overrides: z
        .strictObject({ metric: metric.optional(), precision: precision.optional(), gpuSelector: gpuSelector.optional() })
        .optional(),
    env: inferenceEnvList.optional(),
    imagePullSecrets: pullSecrets.optional(),
    resources: containerResources.optional(),
    labels: z
        .record(qualifiedName, z.string().regex(LABEL_VALUE, "must be a valid label value"))
        .optional(),
    routing: z
        .strictObject({
            enabled: z.boolean().optional(),
            gateway: gatewayRef.optional(),
            pathTemplate: pathTemplate.optional(),
            annotations: routeAnnotations.optional(),
            requestTimeout: gatewayDuration.optional(),
        })
        .optional(),
    hfToken: stringInput.optional(),
    annotations: z.record(qualifiedName, z.string()).optional(),
    serviceAccountName: dnsSubdomain.optional(),
    awaitTimeoutSeconds: int32(1).optional(),
    skipAwait: z.boolean().default(false),
    apiKey: z
        .strictObject({
            enabled: z.boolean().optional(),
            secretName: dnsSubdomain.optional(),
            secretKey: nonEmpty.regex(SECRET_KEY, "must be a Secret key ([-._a-zA-Z0-9]+)").optional(),
        })
        .superRefine((key, ctx) => {
            if (key.enabled === false && key.secretName !== undefined) {
                ctx.addIssue({ code: "custom", path: ["secretName"], message: "has no effect with enabled: false" });
            }
            if (key.secretKey !== undefined && key.secretName === undefined) {
                ctx.addIssue({ code: "custom", path: ["secretKey"], message: "needs secretName (a generated key is stored under \"api-key\")" });
            }
        })
        .optional(),
    scratch: z
        .strictObject({
            // The API server rejects a volume claim of zero, and the kubelet enforces only a positive emptyDir
            // sizeLimit (eviction_manager.go `emptyDirLimitEviction`): zero would silently mean no limit at all.
            size: quantity.refine(quantityWhere((nanos) => nanos > 0n), { error: "must be greater than zero" }).optional(),
            storageClassName: dnsSubdomain.optional(),
            emptyDir: z.boolean().optional(),
        })
        .optional(),
}).superRefine((spec, ctx) => {
    if (spec.aimImageName === undefined && spec.image === undefined) {
        ctx.addIssue({ code: "custom", path: ["aimImageName"], message: "is required (or image, the container image of a declared image entry)" });
    }
    if (spec.aimImageName !== undefined && spec.image !== undefined) {
        ctx.addIssue({ code: "custom", path: ["image"], message: "must not be set together with aimImageName: name the image entry or its container image" });
    }
    if (spec.skipAwait && spec.awaitTimeoutSeconds !== undefined) {
        ctx.addIssue({ code: "custom", path: ["awaitTimeoutSeconds"], message: "has no effect with skipAwait: true" });
    }
    if (spec.cacheModel && spec.scratch !== undefined) {
        ctx.addIssue({ code: "custom", path: ["scratch"], message: "has no effect with cacheModel: true (the model caches hold the model)" });
    }
    const gpus = gpuCountConflict(spec.resources, spec.overrides?.gpuSelector, "overrides.gpuSelector.count");
    if (gpus) ctx.addIssue({ code: "custom", ...gpus });
});
export type ServiceSpec = z.output<typeof serviceSchema>;
