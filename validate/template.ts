import * as z from "zod/mini";
import { EnvVar } from "../types";
import { cacheTooLarge, dnsLabel, dnsSubdomain, envList, gpuSelector, metric, modelSource, precision, pullSecrets, servingBackend } from "./common";
import { inferenceEnvList } from "./engineArgs";
import { MAX_PVC_GI, pvcGi, quantityNanos } from "./quantity";
import { containerResources, gpuCountConflict } from "./resources";

const commonFields = {
    name: dnsSubdomain,
    aimImageName: dnsSubdomain,
    metric: z.optional(metric),
    precision: z.optional(precision),
    gpuSelector: z.optional(gpuSelector),
    configName: z.optional(dnsSubdomain),
    servingBackend: z.optional(servingBackend),
    modelSources: z.optional(
        z.array(modelSource).check(z.superRefine((sources, ctx) => {
            sources.forEach((source, i) => {
                if (sources.findIndex((s) => s.sourceUri === source.sourceUri) < i) {
                    ctx.addIssue({ code: "custom", path: [i, "sourceUri"], message: `duplicate source "${source.sourceUri}"` });
                }
            });
            // A service without a cache gets one scratch volume for all of them (render/container.ts scratchVolumeFor).
            const sizes = sources.map((s) => s.size);
            const each = sizes.every((size) => quantityNanos(size) !== undefined && pvcGi([size]) <= MAX_PVC_GI);
            if (each && pvcGi(sizes) > MAX_PVC_GI) {
                ctx.addIssue({ code: "custom", message: cacheTooLarge(pvcGi(sizes), "the scratch volume for all of them (a service without a cache)") });
            }
        })),
    ),
    resources: z.optional(containerResources),
};

/** A template states its GPU count once: `gpuSelector.count` and `resources` `amd.com/gpu` must agree. */
const consistentGpus = z.superRefine((spec: { resources?: z.output<typeof containerResources>; gpuSelector?: { count: number } }, ctx) => {
    const conflict = gpuCountConflict(spec.resources, spec.gpuSelector, "gpuSelector.count");
    if (conflict) ctx.addIssue({ code: "custom", ...conflict });
});

export const clusterServiceTemplateSchema = z.strictObject(commonFields).check(consistentGpus);
export const serviceTemplateSchema = z
    .strictObject({
        ...commonFields,
        namespace: dnsLabel,
        env: z.optional(inferenceEnvList),
        imagePullSecrets: z.optional(pullSecrets),
        caching: z.optional(z.strictObject({ enabled: z.optional(z.boolean()), env: z.optional(envList) })),
    })
    .check(consistentGpus);

/** One shape for both scopes: namespace-only fields are simply absent on cluster templates. */
export type TemplateSpec = z.output<typeof serviceTemplateSchema> | z.output<typeof clusterServiceTemplateSchema>;

/** A template's namespace-only fields, absent (undefined) on cluster templates. */
export function namespaceFields(spec: TemplateSpec): Partial<z.output<typeof serviceTemplateSchema>> {
    return spec;
}

/**
 * The env of a template's model downloads: its `env`, then its `caching.env` winning by name, as aim-engine builds a
 * template cache's env (internal/aimservice/caching.go l.130–146; a service's env is left out here, see
 * docs/components/AIMService.md).
 */
export function templateDownloadEnv(spec: TemplateSpec): EnvVar[] {
    const { env = [], caching } = namespaceFields(spec);
    const own = caching?.env ?? [];
    return [...env.filter((e) => !own.some((o) => o.name === e.name)), ...own];
}
