// What `pulumi up` would do going from one revision of a program to the next, computed from the registrations each
// revision made (as tests/harness.ts and the offline runner, review/offline.ts, record them): which resources it
// creates, deletes, updates (with the input fields that differ), replaces (with the fields that force it) and whose
// resource options change. Pure functions of recorded registrations, apart from running programs
// (tests/revisions.ts, review/revision.ts), shared by the tests and by `aim-review` (design §8).

import { quantityToBytes } from "../validate/quantity";

/** One resource registration, as the engine would receive it. */
export interface Registered {
    type: string;
    name: string;
    urn: string;
    /** URN of the parent resource. */
    parent: string;
    /** Inputs with secrets kept as `{ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value }`. */
    inputs: any;
    /** URNs this resource depends on (dependsOn and input dependencies). */
    dependencies: string[];
    protect: boolean;
    retainOnDelete: boolean;
    /** Input paths whose change replaces the resource. */
    replaceOnChanges: string[];
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
const URN_PREFIX = "urn:pulumi:";

/** The qualified type of a URN: its parents' types and its own, joined with `$`. */
export function qualifiedTypeOf(urn: string): string {
    return urn.slice(URN_PREFIX.length).split("::")[2];
}

/**
 * The URN the engine gives a resource: `urn:pulumi:<stack>::<project>::<qualified type>::<name>`, where the qualified
 * type is the parent's whole qualified type, `$`, then the resource's own type; the root Stack adds no type.
 * (pulumi/pulumi: `NewURN` in sdk/go/common/resource/urn.go, called by `Deployment.generateURN` in
 * pkg/resource/deploy/deployment.go with `parent.QualifiedType()`; the Node SDK's `createUrn` in resource.ts
 * builds the same from the parent's URN. The SDK's mock monitor, runtime/mocks.ts `newUrn`, keeps only the last
 * type of the parent's chain and does not skip the root Stack's: it invents collisions between children of
 * same-named parents of one type under different grandparents, and hides one between a child of the Stack and a
 * resource without a parent, both top-level to the engine.)
 */
export function urnOf(stack: string, project: string, parentUrn: string | undefined, type: string, name: string): string {
    const parentType = parentUrn ? qualifiedTypeOf(parentUrn) : ROOT_STACK_TYPE;
    const qualified = parentType === ROOT_STACK_TYPE ? type : `${parentType}$${type}`;
    return `${URN_PREFIX}${stack}::${project}::${qualified}::${name}`;
}

/** URNs registered more than once: the engine fails the whole preview with "Duplicate resource URN". */
export function duplicateUrns(resources: readonly Registered[]): string[] {
    const seen = new Set<string>();
    const duplicates = new Set<string>();
    for (const r of resources) (seen.has(r.urn) ? duplicates : seen).add(r.urn);
    return [...duplicates];
}

// ---- Replacement rules ----

/**
 * Input fields whose change makes the Kubernetes provider replace the object rather than update it: every kind's
 * `metadata.name` and `metadata.namespace`, and per kind the fields of pulumi/pulumi-kubernetes'
 * provider/pkg/provider/diff.go (`forceNew`, applied by `Diff` in provider.go through
 * `openapi.PatchPropertiesChanged`: a change at or below a listed field). Only the kinds this package renders are
 * listed. Secrets: `data` and `stringData` force replacement too unless the provider sets `enableSecretMutable`,
 * which is off by default.
 */
const FORCE_NEW: Record<string, string[]> = {
    PersistentVolumeClaim: ["spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"],
    Job: ["spec.completions", "spec.parallelism", "spec.selector", "spec.template"],
    Deployment: ["spec.selector"],
    DaemonSet: ["spec.selector"],
    Service: ["spec.clusterIP"],
    Secret: ["type", "data", "stringData"],
};
const METADATA_FORCE_NEW = ["metadata.name", "metadata.namespace"];
const PVC_STORAGE = "spec.resources.requests.storage";

/** Kubernetes resource types: `kubernetes:<group>/<version>:<Kind>`. */
function kubernetesKind(type: string): string | undefined {
    return type.startsWith("kubernetes:") ? type.slice(type.lastIndexOf(":") + 1) : undefined;
}

function get(value: unknown, path: string): unknown {
    return path.split(".").reduce<any>((v, key) => (v && typeof v === "object" ? v[key] : undefined), value);
}

/**
 * The fields of a change from `before` to `after` (inputs of one resource) that force its replacement; none when it
 * is updated in place. A claim's storage may grow in place, but the API server rejects a smaller request ("field
 * can not be less than previous value"): the only way to apply that is a new claim, so it counts as a replacement.
 * Every input of a `random` resource forces replacement (terraform-provider-random marks them all `RequiresReplace`).
 */
export function forcedReplacement(type: string, before: any, after: any): string[] {
    if (type.startsWith("random:")) return deepEqual(before, after) ? [] : changedPaths(before, after);
    const kind = kubernetesKind(type);
    if (kind === undefined) return [];
    const forced = [...METADATA_FORCE_NEW, ...(FORCE_NEW[kind] ?? [])].filter((path) => !deepEqual(get(before, path), get(after, path)));
    if (kind === "PersistentVolumeClaim") {
        const [was, now] = [get(before, PVC_STORAGE), get(after, PVC_STORAGE)];
        if (typeof was === "string" && typeof now === "string" && quantityToBytes(now) < quantityToBytes(was)) forced.push(PVC_STORAGE);
    }
    return forced;
}

// ---- Comparing inputs ----

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";

/** Secrets are compared whole and never descended into: a diff names the field, never a secret's value. */
function isOpaque(value: unknown): boolean {
    return typeof value === "object" && value !== null && SECRET_SIG_KEY in value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value) && !isOpaque(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => deepEqual((a as any)[k], (b as any)[k]));
}

/** A property path as Pulumi prints one: `spec.template.spec.containers[0].image`, `metadata.labels["app.kubernetes.io/name"]`. */
function child(path: string, key: string | number): string {
    if (typeof key === "number") return `${path}[${key}]`;
    if (/^[A-Za-z_$][\w$]*$/.test(key)) return path ? `${path}.${key}` : key;
    return `${path}[${JSON.stringify(key)}]`;
}

/**
 * The paths at which `after` differs from `before`, as deep as both sides are objects (or arrays of one length);
 * a field added or removed is named where it is.
 */
export function changedPaths(before: unknown, after: unknown, path = ""): string[] {
    if (deepEqual(before, after)) return [];
    if (isRecord(before) && isRecord(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return keys.flatMap((k) => changedPaths(before[k], after[k], child(path, k)));
    }
    if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
        return before.flatMap((v, i) => changedPaths(v, after[i], child(path, i)));
    }
    return [path || "(all inputs)"];
}

// ---- The diff ----

/** A resource of either revision, as a diff names it. */
export interface Change {
    urn: string;
    type: string;
    name: string;
    /** For a Kubernetes object, `<Kind> <namespace>/<name>` (or `<Kind> <name>`): what it is in the cluster. */
    object?: string;
}

export interface Deletion extends Change {
    /** `retainOnDelete`: Pulumi forgets the object and leaves it in the cluster. */
    retained: boolean;
    /** `protect`: the update fails rather than delete it. */
    protected: boolean;
}

export interface Update extends Change {
    /** Input paths that differ. */
    fields: string[];
}

export interface Replacement extends Update {
    /** The changed fields that force the replacement (see forcedReplacement). */
    forcedBy: string[];
    /** Resource options of the replaced object (of revision A): a retained object is left in the cluster. */
    retained: boolean;
    protected: boolean;
}

export type OptionName = "protect" | "retainOnDelete" | "parent" | "dependencies";

export interface OptionsChange extends Change {
    options: OptionName[];
}

export interface RevisionDiff {
    created: Change[];
    deleted: Deletion[];
    /** Updated in place: the inputs differ, no field forces a replacement. */
    updated: Update[];
    replaced: Replacement[];
    /** Resources whose resource options changed (whether or not their inputs did too). */
    optionsChanged: OptionsChange[];
}

export function describeObject(r: Registered): string | undefined {
    const kind = kubernetesKind(r.type);
    const metadata = r.inputs?.metadata;
    if (kind === undefined || typeof metadata?.name !== "string") return undefined;
    return `${kind} ${metadata.namespace ? `${metadata.namespace}/` : ""}${metadata.name}`;
}

function changeOf(r: Registered): Change {
    const object = describeObject(r);
    return { urn: r.urn, type: r.type, name: r.name, ...(object !== undefined && { object }) };
}

function optionChanges(a: Registered, b: Registered): OptionName[] {
    const sameSet = (x: string[], y: string[]) => x.length === y.length && [...x].sort().every((v, i) => v === [...y].sort()[i]);
    return [
        ...(a.protect !== b.protect ? ["protect" as const] : []),
        ...(a.retainOnDelete !== b.retainOnDelete ? ["retainOnDelete" as const] : []),
        ...(a.parent !== b.parent ? ["parent" as const] : []),
        ...(!sameSet(a.dependencies, b.dependencies) ? ["dependencies" as const] : []),
    ];
}

/**
 * Compares two revisions by URN. Throws if either registers a URN twice: the engine would fail that revision's
 * preview, so there is nothing to compare.
 */
export function diffRevisions(a: readonly Registered[], b: readonly Registered[]): RevisionDiff {
    for (const [label, resources] of [["A", a], ["B", b]] as const) {
        const duplicates = duplicateUrns(resources);
        if (duplicates.length > 0) throw new Error(`revision ${label}: Duplicate resource URN ${duplicates.join(", ")}`);
    }
    const before = new Map(a.map((r) => [r.urn, r]));
    const after = new Map(b.map((r) => [r.urn, r]));
    const diff: RevisionDiff = { created: [], deleted: [], updated: [], replaced: [], optionsChanged: [] };
    for (const r of b) if (!before.has(r.urn)) diff.created.push(changeOf(r));
    for (const old of a) {
        const now = after.get(old.urn);
        if (!now) {
            diff.deleted.push({ ...changeOf(old), retained: old.retainOnDelete, protected: old.protect });
            continue;
        }
        const fields = changedPaths(old.inputs, now.inputs);
        const forcedBy = forcedReplacement(old.type, old.inputs, now.inputs);
        if (forcedBy.length > 0) diff.replaced.push({ ...changeOf(now), fields, forcedBy, retained: old.retainOnDelete, protected: old.protect });
        else if (fields.length > 0) diff.updated.push({ ...changeOf(now), fields });
        const options = optionChanges(old, now);
        if (options.length > 0) diff.optionsChanged.push({ ...changeOf(now), options });
    }
    return diff;
}

/** One line per change (of the URNs `only` keeps), as a preview lists them: for assertion messages and reports. */
export function describeDiff(diff: RevisionDiff, only: (urn: string) => boolean = () => true): string[] {
    const what = (c: Change) => `${c.urn}${c.object ? ` (${c.object})` : ""}`;
    const flags = (c: { retained: boolean; protected: boolean }) => `${c.retained ? " [retained]" : ""}${c.protected ? " [protected]" : ""}`;
    const kept = <T extends Change>(list: T[]) => list.filter((c) => only(c.urn));
    return [
        ...kept(diff.created).map((c) => `+ create ${what(c)}`),
        ...kept(diff.deleted).map((c) => `- delete ${what(c)}${flags(c)}`),
        ...kept(diff.replaced).map((c) => `+- replace ${what(c)}${flags(c)}: ${c.forcedBy.join(", ")}`),
        ...kept(diff.updated).map((c) => `~ update ${what(c)}: ${c.fields.join(", ")}`),
        ...kept(diff.optionsChanged).map((c) => `~ options ${what(c)}: ${c.options.join(", ")}`),
    ];
}
