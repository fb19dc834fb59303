// Container resources of the inference container, as images, templates and services state them
// (aim-reference §3.5 "Container resources"): one schema for every level, so a level is valid on its own.

import * as z from "zod/mini";
import { gpuCount, MAX_GPUS, qualifiedName, quantity } from "./common";
import { compareQuantities, isWholeQuantity, quantityNanos, quantityUnits } from "./quantity";

export const GPU_RESOURCE = "amd.com/gpu";

// What the API server accepts as a container resource name: a standard resource, or an extended one qualified by a
// domain (`amd.com/gpu`) outside `kubernetes.io` and not prefixed `requests.`; anything else (`valueOf`, `gpu`,
// `kubernetes.io/x`) is rejected at apply time.
const resourceName = qualifiedName.check(
    z.regex(
        /^(cpu|memory|ephemeral-storage|hugepages-[^/]+|(?!requests\.)(?![^/]*kubernetes\.io\/)[^/]+\/.+)$/,
        "must be cpu, memory, ephemeral-storage, hugepages-<size> or a domain-qualified extended resource outside kubernetes.io",
    ),
);

/**
 * Whether the scheduler may overcommit a resource (request below limit). Hugepages and extended resources such as
 * GPUs it may not: the API server requires their request to equal their limit, and a limit to be set.
 */
const overcommittable = (name: string) => name === "cpu" || name === "memory" || name === "ephemeral-storage";

const HUGEPAGES_PREFIX = "hugepages-";

/**
 * What the API server requires of a hugepages or extended resource's value (pkg/apis/core/validation
 * `ValidateResourceQuantityValue`, `validateResourceQuantityHugePageValue`), as a problem, or undefined.
 */
function countedProblem(name: string, value: string): string | undefined {
    const nanos = quantityNanos(value);
    if (nanos === undefined) return undefined;
    if (name.startsWith(HUGEPAGES_PREFIX)) {
        // The name states the page size; the value is a number of bytes, in whole pages (`helper.IsHugePageResourceValueDivisible`).
        const pageSize = name.slice(HUGEPAGES_PREFIX.length);
        const page = quantityNanos(pageSize);
        if (page === undefined || page === 0n || !isWholeQuantity(page)) {
            return `names no page size: "${pageSize}" must be a positive whole quantity such as 2Mi or 1Gi`;
        }
        return quantityUnits(nanos) % quantityUnits(page) === 0n ? undefined : `must be a whole number of ${pageSize} pages`;
    }
    // Extended resources (domain-qualified, as `example.com/fpga`) are counted in whole devices (`helper.IsIntegerResourceName`).
    if (name.includes("/") && !isWholeQuantity(nanos)) return "must be a whole number: extended resources are counted in whole units, not 0.5 or 500m";
    return undefined;
}

const resourceList = z.record(resourceName, quantity).check(z.superRefine((list, ctx) => {
    // An extended resource such as a GPU is counted in whole devices: the API server rejects `0.5` or `500m`. Zero
    // runs without GPUs (validate/common.ts gpuCount).
    const gpus = Object.hasOwn(list, GPU_RESOURCE) ? list[GPU_RESOURCE] : undefined;
    if (gpus !== undefined && !/^(0|[1-9][0-9]*)$/.test(gpus)) {
        ctx.addIssue({ code: "custom", path: [GPU_RESOURCE], message: "must be a whole number of GPUs, such as 0, 1 or 8" });
    } else if (gpus !== undefined && !gpuCount.safeParse(Number(gpus)).success) {
        ctx.addIssue({ code: "custom", path: [GPU_RESOURCE], message: `must be at most ${MAX_GPUS} (48Gi of memory per GPU must stay below 8Ei)` });
    }
    for (const [name, value] of Object.entries(list)) {
        const problem = name === GPU_RESOURCE ? undefined : countedProblem(name, value);
        if (problem) ctx.addIssue({ code: "custom", path: [name], message: problem });
    }
}));

/**
 * `{ requests, limits }` of one level. Each request is at most its limit (own keys only: `requests.constructor` must
 * not meet Object.prototype.constructor in `limits`). The API server requires a hugepages or extended resource's
 * request to equal its limit, and fills a missing request from the limit; upstream's CRDs accept such a resource (the
 * GPU count) on either side, so one given on one side is copied to the other, and two that differ are an error.
 */
export const containerResources = z.pipe(
    z.strictObject({ requests: z.optional(resourceList), limits: z.optional(resourceList) }).check(z.superRefine(({ requests = {}, limits = {} }, ctx) => {
        for (const [key, request] of Object.entries(requests)) {
            const limit = Object.hasOwn(limits, key) ? limits[key] : undefined;
            if (limit === undefined) continue;
            // A quantity's own issue is reported already (zod runs refinements past a child's issues).
            if (quantityNanos(request) === undefined || quantityNanos(limit) === undefined) continue;
            if (!overcommittable(key) && compareQuantities(request, limit) !== 0) {
                ctx.addIssue({ code: "custom", path: ["requests", key], message: `must equal limits.${key} (${limit}): it cannot be overcommitted` });
            } else if (compareQuantities(request, limit) > 0) {
                ctx.addIssue({ code: "custom", path: ["requests", key], message: `must not exceed limits.${key} (${limit})` });
            }
        }
    })),
    z.transform(({ requests, limits }) => {
        // Both sides of every resource that cannot be overcommitted: later levels then replace them together.
        const exact = Object.fromEntries(
            [...Object.entries(limits ?? {}), ...Object.entries(requests ?? {})].filter(([key]) => !overcommittable(key)),
        );
        if (Object.keys(exact).length === 0) return { ...(requests && { requests }), ...(limits && { limits }) };
        return { requests: { ...requests, ...exact }, limits: { ...limits, ...exact } };
    }),
);
export type ContainerResourcesSpec = z.output<typeof containerResources>;

/** The GPU count a level states (`amd.com/gpu`, request or limit), if any. */
export function gpuCountOf(resources: { requests?: Record<string, string>; limits?: Record<string, string> } | undefined): number | undefined {
    const pick = (list?: Record<string, string>) => (list && Object.hasOwn(list, GPU_RESOURCE) ? list[GPU_RESOURCE] : undefined);
    const stated = pick(resources?.requests) ?? pick(resources?.limits);
    return stated === undefined ? undefined : Number(stated);
}

/** A level's issue when it states a GPU count that contradicts `gpuSelector.count` of the same object. */
export function gpuCountConflict(
    resources: ContainerResourcesSpec | undefined,
    gpuSelector: { count: number } | undefined,
    selectorField: string,
): { path: string[]; message: string } | undefined {
    const gpus = gpuCountOf(resources);
    // A count that is no whole number has its own issue already (zod runs refinements past a child's issues).
    if (gpus === undefined || !(gpus >= 0) || !Number.isInteger(gpus) || gpuSelector === undefined || gpus === gpuSelector.count) return undefined;
    return {
        path: ["resources"],
        message: `${GPU_RESOURCE} (${gpus}) contradicts ${selectorField} (${gpuSelector.count}): state the GPU count once, or the same in both`,
    };
}
