import * as z from "zod/mini";
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
    aimImageName: z.optional(dnsSubdomain),
    image: z.optional(containerImage),
    templateRef: z.optional(dnsSubdomain),
    replicas: z._default(int32(0), 1),
    cacheModel: z._default(z.boolean(), false),
    configName: z.optional(dnsSubdomain),
    overrides: z.optional(z.strictObject({ metric: z.optional(metric), precision: z.optional(precision), gpuSelector: z.optional(gpuSelector) })),
    env: z.optional(inferenceEnvList),
    imagePullSecrets: z.optional(pullSecrets),
    resources: z.optional(containerResources),
    labels: z.optional(z.record(qualifiedName, z.string().check(z.regex(LABEL_VALUE, "must be a valid label value")))),
    routing: z.optional(
        z.strictObject({
            enabled: z.optional(z.boolean()),
            gateway: z.optional(gatewayRef),
            pathTemplate: z.optional(pathTemplate),
            annotations: z.optional(routeAnnotations),
            requestTimeout: z.optional(gatewayDuration),
        }),
    ),
    hfToken: z.optional(stringInput),
    annotations: z.optional(z.record(qualifiedName, z.string())),
    serviceAccountName: z.optional(dnsSubdomain),
    awaitTimeoutSeconds: z.optional(int32(1)),
    skipAwait: z._default(z.boolean(), false),
    apiKey: z.optional(
        z.strictObject({
            enabled: z.optional(z.boolean()),
            secretName: z.optional(dnsSubdomain),
            secretKey: z.optional(nonEmpty.check(z.regex(SECRET_KEY, "must be a Secret key ([-._a-zA-Z0-9]+)"))),
        }).check(z.superRefine((key, ctx) => {
            if (key.enabled === false && key.secretName !== undefined) {
                ctx.addIssue({ code: "custom", path: ["secretName"], message: "has no effect with enabled: false" });
            }
            if (key.secretKey !== undefined && key.secretName === undefined) {
                ctx.addIssue({ code: "custom", path: ["secretKey"], message: "needs secretName (a generated key is stored under \"api-key\")" });
            }
        })),
    ),
    scratch: z.optional(
        z.strictObject({
            // The API server rejects a volume claim of zero, and the kubelet enforces only a positive emptyDir
            // sizeLimit (eviction_manager.go `emptyDirLimitEviction`): zero would silently mean no limit at all.
            size: z.optional(quantity.check(z.refine(quantityWhere((nanos) => nanos > 0n), { error: "must be greater than zero" }))),
            storageClassName: z.optional(dnsSubdomain),
            emptyDir: z.optional(z.boolean()),
        }),
    ),
}).check(z.superRefine((spec, ctx) => {
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
}));
export type ServiceSpec = z.output<typeof serviceSchema>;
