// Building blocks shared by every Args schema, and the one place that turns zod issues into the error text
// users see: `<Kind> "<aim name>": <field path>: <problem>`.

import * as pulumi from "@pulumi/pulumi";
import * as z from "zod/mini";
import { en } from "zod/locales";
import { Metric, Precision, ServingBackend, Target } from "../types";
import { checkPathTemplate } from "./pathTemplate";
import { MAX_PVC_GI, MAX_QUANTITY, NANOS_PER_UNIT, pvcGi, PVC_HEADROOM_PERCENT, quantityNanos, quantityUnits } from "./quantity";

/**
 * A validation or resolution failure of one AIM object. Pure layers throw it; the component turns it into a
 * `ResourceError` attributed to itself, which fails the preview before anything is applied.
 */
export class AimError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "AimError";
    }
}

/** The error of one field of one AIM object: `<Kind> "<name>": <field>: <problem>`. */
export function fieldError(kind: string, aimName: string, field: string, problem: string): AimError {
    return new AimError(`${kind} "${aimName}": ${field}: ${problem}`);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// Kubernetes resource.Quantity, non-negative (sizes and requests).
const QUANTITY = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[mkMGTPE])?$/;

// zod/mini has the same parser core and issues as zod's classic API, but it does not attach every method to every
// schema. The bundle is then 236 KB rather than 364 KB, and `require` of it takes about 9 ms rather than 13 ms after
// @pulumi/kubernetes (bench/README.md, "Import"). Unlike the classic API, it does not load zod's English messages by
// itself: every issue has a message of ours today, but a schema added without one should read as it would with zod.
z.config(en());

export const nonEmpty = z.string().check(z.minLength(1, "must not be empty"));

/** Object names: AIM names, config/image/template references, secrets, storage classes. */
export const dnsSubdomain = nonEmpty.check(
    z.maxLength(253, "must be at most 253 characters"),
    z.regex(DNS_SUBDOMAIN, "must be a lowercase RFC 1123 subdomain (a-z, 0-9, '-', '.'; start and end alphanumeric)"),
);

/** Namespace names. */
export const dnsLabel = nonEmpty.check(
    z.maxLength(63, "must be at most 63 characters"),
    z.regex(DNS_LABEL, "must be a lowercase RFC 1123 label (a-z, 0-9, '-'; start and end alphanumeric)"),
);

/** AIMService names: they name a Kubernetes Service, which must be an RFC 1035 label (start with a letter). */
export const dnsServiceName = nonEmpty.check(
    z.maxLength(63, "must be at most 63 characters"),
    z.regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, "must be a lowercase RFC 1035 label (a-z, 0-9, '-'; start with a letter, end alphanumeric)"),
);

/** Whether `q` is a quantity for which `holds`: true for bad syntax, which the quantity's regex reports. */
export const quantityWhere = (holds: (nanos: bigint) => boolean) => (q: string) => {
    const nanos = quantityNanos(q);
    return nanos === undefined || holds(nanos);
};

export const quantity = nonEmpty.check(
    z.regex(QUANTITY, "must be a Kubernetes quantity such as 9094593249, 500Mi or 8Gi"),
    z.refine(quantityWhere((nanos) => quantityUnits(nanos) <= MAX_QUANTITY), {
        error: "must be less than 8Ei (Kubernetes stores a quantity as a 64-bit integer)",
    }),
);

/** An integer in [min, max]; `tooLarge` says why the maximum is what it is. */
function integerIn(min: number, max: number, tooLarge = `must be <= ${max}`) {
    return z.number().check(z.int("must be an integer"), z.gte(min, `must be >= ${min}`), z.lte(max, tooLarge));
}

/** Counts and durations: Kubernetes stores them as int32. */
export function int32(min: number) {
    return integerIn(min, 2 ** 31 - 1);
}

/** A value that may be a plain string or a Pulumi Input resolving to one (e.g. a secret). */
export const stringInput = z.custom<pulumi.Input<string>>(
    (v) => typeof v === "string" || pulumi.Output.isInstance(v) || v instanceof Promise,
    { error: "must be a string or a Pulumi Input<string>" },
);

/** A container image reference as a pod spec takes it. */
export const containerImage = nonEmpty.check(z.regex(/^\S+$/, "must not contain whitespace"));

export const pullSecrets = z.array(z.strictObject({ name: dnsSubdomain }));

const keySelector = z.strictObject({ name: dnsSubdomain, key: nonEmpty, optional: z.optional(z.boolean()) });

const envVar = z
    .strictObject({
        name: nonEmpty.check(z.regex(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/, "must be a valid environment variable name")),
        value: z.optional(stringInput),
        valueFrom: z.optional(
            z.strictObject({ secretKeyRef: z.optional(keySelector), configMapKeyRef: z.optional(keySelector) }).check(
                z.refine((s) => (s.secretKeyRef === undefined) !== (s.configMapKeyRef === undefined), {
                    error: "must set exactly one of secretKeyRef and configMapKeyRef",
                }),
            ),
        ),
    })
    .check(
        z.refine((e) => e.value === undefined || e.valueFrom === undefined, {
            error: "must not set both value and valueFrom",
        }),
    );

/** `env` lists are maps keyed by name in the AIM CRDs: duplicates are rejected, as the API server would. */
export const envList = z.array(envVar).check(
    z.superRefine((env, ctx) => {
        const seen = new Set<string>();
        env.forEach((e, i) => {
            if (seen.has(e.name)) {
                ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate environment variable "${e.name}"` });
            }
            seen.add(e.name);
        });
    }),
);

export const gatewayRef = z.strictObject({
    name: nonEmpty.check(z.maxLength(253, "must be at most 253 characters")),
    namespace: z.optional(dnsLabel),
    group: z.optional(
        z.string().check(
            z.maxLength(253, "must be at most 253 characters"),
            z.regex(/^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, "must be a DNS subdomain or empty"),
        ),
    ),
    kind: z.optional(
        nonEmpty.check(
            z.maxLength(63, "must be at most 63 characters"),
            z.regex(/^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/, "must be a valid kind name"),
        ),
    ),
    sectionName: z.optional(dnsSubdomain),
    port: z.optional(integerIn(1, 65535)),
});

/** A Gateway API `Duration` (an HTTPRoute rule's `timeouts.request`), e.g. `30s`, `1m30s`. */
export const gatewayDuration = z.string().check(z.regex(/^([0-9]{1,5}(h|m|s|ms)){1,4}$/, "must be a Gateway API duration such as 30s or 1m30s"));

/** A route path template: its syntax and literal text are checked where it is written, before any service uses it. */
export const pathTemplate = nonEmpty.check(
    z.superRefine((template, ctx) => {
        try {
            checkPathTemplate(template);
        } catch (err) {
            ctx.addIssue({ code: "custom", message: (err as Error).message });
        }
    }),
);

export const metric = z.enum(Object.values(Metric) as [Metric, ...Metric[]], {
    error: `must be one of ${Object.values(Metric).join(", ")}`,
});
export const precision = z.enum(Object.values(Precision) as [Precision, ...Precision[]], {
    error: `must be one of ${Object.values(Precision).join(", ")}`,
});

export const servingBackend = z.enum(Object.values(ServingBackend) as [ServingBackend, ...ServingBackend[]], {
    error: (issue) => `must be one of ${Object.values(ServingBackend).join(", ")}, not ${JSON.stringify(issue.input)}`,
});

export const target = z.enum(Object.values(Target) as [Target, ...Target[]], {
    error: (issue) => `must be one of ${Object.values(Target).join(", ")}, not ${JSON.stringify(issue.input)}`,
});

/**
 * The `serving.kserve.io/deploymentMode` values Pulumi config `aim:kserveDeploymentMode` may set: the names of KServe's
 * raw deployment mode, `Standard` (KServe >= 0.16) and its legacy alias `RawDeployment` (KServe 0.15 knows only this
 * one: v0.15.2 pkg/constants/constants.go l.423–427). The kserve backend serves through the predictor Deployment and
 * ClusterIP Service of that mode and turns KServe's autoscaler off; `Knative` / `Serverless` (a Knative Service behind
 * KServe's ingress) and `ModelMesh` (multi-model runtimes only) would not serve what it renders.
 */
export const KSERVE_DEPLOYMENT_MODES = ["Standard", "RawDeployment"] as const;
export type KServeDeploymentMode = (typeof KSERVE_DEPLOYMENT_MODES)[number];
export const kserveDeploymentMode = z.enum(KSERVE_DEPLOYMENT_MODES, {
    error: (issue) =>
        `must be one of ${KSERVE_DEPLOYMENT_MODES.join(", ")}, not ${JSON.stringify(issue.input)} (the kserve backend serves through KServe's raw deployment mode)`,
});

/**
 * The most GPUs per replica: the per-GPU memory default (48Gi each) must stay below 8Ei, the largest quantity
 * Kubernetes stores (2^63 bytes).
 */
export const MAX_GPUS = Math.floor((2 ** 63 - 1) / (48 * 2 ** 30));

// Zero is valid: a CPU-only pod with no GPU request, no GPU placement and no per-GPU defaults, as upstream's e2e suite
// runs its dummy image (kaiwo test/chainsaw/tests/aim/service/resources/template-override at fa8a3e90).
export const gpuCount = integerIn(0, MAX_GPUS, `must be <= ${MAX_GPUS} (48Gi of memory per GPU must stay below 8Ei)`);

export const gpuSelector = z.strictObject({
    count: gpuCount,
    model: nonEmpty,
});

export const modelSource = z.strictObject({
    name: nonEmpty.check(z.regex(/[A-Za-z0-9]/, "must contain a letter or digit (it names the cache)")),
    sourceUri: nonEmpty.check(z.regex(/^(hf|s3):\/\/[^ \t\r\n]+$/, "must match ^(hf|s3)://… (no whitespace)")),
    size: quantity.check(
        z.refine(quantityWhere((nanos) => nanos >= NANOS_PER_UNIT), { error: "must be at least 1 byte" }),
        z.refine((q) => quantityNanos(q) === undefined || pvcGi([q]) <= MAX_PVC_GI, {
            error: (issue) => cacheTooLarge(pvcGi([issue.input as string]), "its cache PVC"),
        }),
    ),
});

/** A PVC sized from model sources that would not stay below 8Ei once the cache headroom is added. */
export function cacheTooLarge(gi: bigint, what: string): string {
    return `with ${PVC_HEADROOM_PERCENT} % headroom rounded up to whole Gi, ${what} would request ${gi}Gi, more than ${MAX_PVC_GI}Gi, the largest size below 8Ei`;
}

// Kubernetes qualified names (label and annotation keys, resource names): an optional DNS-subdomain prefix of at
// most 253 characters and a name of at most 63 characters.
export const qualifiedName = z.string().check(
    z.regex(
        /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
        "must be a Kubernetes qualified name such as example.com/key",
    ),
    z.refine((key) => !(key.indexOf("/") > 253), { error: "must have a prefix (before '/') of at most 253 characters" }),
);

/** The API server's limit on the annotations of one object: keys and values, in bytes. */
export const MAX_ANNOTATION_BYTES = 256 * 1024;
export const annotationBytes = (annotations: Record<string, string>) =>
    Object.entries(annotations).reduce((n, [key, value]) => n + Buffer.byteLength(key) + Buffer.byteLength(value), 0);
const ANNOTATIONS_TOO_LARGE = "must total at most 256 KiB (keys and values), the API server's limit for an object's annotations";

/**
 * Throws unless the annotations `object` gets, the package's own included, stay within the API server's limit
 * (apimachinery `ValidateAnnotationsSize`); `field` is the user's part of them.
 */
export function checkAnnotationTotal(kind: string, aimName: string, field: string, object: string, annotations: Record<string, string>): void {
    const bytes = annotationBytes(annotations);
    if (bytes > MAX_ANNOTATION_BYTES) {
        throw fieldError(
            kind,
            aimName,
            field,
            `with the package's own annotations of the ${object}, its annotations total ${bytes} bytes (keys and values), ` +
                `more than 256 KiB (${MAX_ANNOTATION_BYTES}), the API server's limit for an object's annotations`,
        );
    }
}

/** Annotations of an HTTPRoute, from a service or a config. */
export const routeAnnotations = z
    .record(qualifiedName, z.string())
    .check(z.refine((a) => annotationBytes(a) <= MAX_ANNOTATION_BYTES, { error: ANNOTATIONS_TOO_LARGE }));

function describe(issue: z.core.$ZodRawIssue): string | undefined {
    if (issue.code === "invalid_type" && issue.input === undefined) return "is required";
    // Fields that decide names and references are plain values, so they can be checked while the program runs.
    if (issue.code === "invalid_type" && pulumi.Output.isInstance(issue.input)) {
        return `must be a plain ${issue.expected}, not a Pulumi Output`;
    }
    if (issue.code === "invalid_type") return `must be of type ${issue.expected}`;
    if (issue.code === "unrecognized_keys") return `unknown field(s) ${issue.keys.join(", ")}`;
    // A record key (label, annotation or resource name) that its schema rejects: say why, at the key's path.
    if (issue.code === "invalid_key") return `is not a valid key: ${issue.issues[0]?.message ?? "rejected"}`;
    return undefined;
}

export function formatPath(path: PropertyKey[]): string {
    return path.reduce<string>(
        (out, p) => (typeof p === "number" ? `${out}[${p}]` : out ? `${out}.${String(p)}` : String(p)),
        "",
    );
}

/**
 * The Output or Promise that an issue's path runs through, if any. zod looks inside one only where a plain object
 * belongs (where an Input is allowed it takes it whole), and would report its internals as unknown fields or
 * missing ones. `atPath`: the value at the path itself counts too (for unknown-field issues, which are about it).
 */
function wrappedAlong(input: unknown, path: PropertyKey[], atPath: boolean): { path: PropertyKey[]; what: string } | undefined {
    let value = input;
    for (let depth = 0; depth <= path.length; depth++) {
        if (depth < path.length || atPath) {
            if (pulumi.Output.isInstance(value)) return { path: path.slice(0, depth), what: "a Pulumi Output" };
            if (value instanceof Promise) return { path: path.slice(0, depth), what: "a Promise" };
        }
        if (depth === path.length || value === null || typeof value !== "object") return undefined;
        value = Object.getOwnPropertyDescriptor(value, path[depth])?.value;
    }
    return undefined;
}

/**
 * Parses `input` with `schema`, or throws an AimError naming the kind, the AIM name and every bad field
 * (one problem per field: the first one zod reports).
 */
export function parseArgs<S extends z.ZodMiniType>(kind: string, aimName: string, schema: S, input: unknown): z.output<S> {
    const result = schema.safeParse(input, { error: describe });
    if (result.success) return result.data;
    const byPath = new Map<string, string>();
    for (const issue of result.error.issues) {
        const wrapped = wrappedAlong(input, issue.path, issue.code === "unrecognized_keys");
        const path = formatPath(wrapped?.path ?? issue.path) || "args";
        if (!byPath.has(path)) byPath.set(path, wrapped ? `must be a plain object, not ${wrapped.what}` : issue.message);
    }
    const problems = [...byPath].map(([path, msg]) => `${path}: ${msg}`).join("; ");
    throw new AimError(`${kind} "${aimName}": ${problems}`);
}
