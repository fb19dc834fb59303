// The review of two revisions: every resource matched by URN and classified as `pulumi up` would (review/diff.ts),
// with what each replacement or deletion destroys, the changes grouped by the AIM component that owns them under
// what changed in that component's inputs or resolved values, the capacity each revision asks for, and a YAML diff
// per changed object with every secret redacted. This object is the JSON report (its schema is documented in
// docs/review.md); review/format.ts prints it as Markdown or text.

import * as YAML from "yaml";
import { capacityOf, Capacity } from "./capacity";
import { changedPaths, deepEqual, diffRevisions, duplicateUrns } from "./diff";
import type { Registration } from "./offline";
import type { RevisionOutcome } from "./revision";
import { deletionRisk, replacementRisk } from "./risk";
import { unifiedDiff } from "./unified";
import { isSecret, masked, SECRET } from "./wire";

/** Bumped when a field changes meaning or goes away; new fields do not bump it. */
export const REVIEW_SCHEMA_VERSION = 1;

export type Op = "create" | "update" | "replace" | "delete";

export interface ReviewChange {
    op: Op;
    urn: string;
    type: string;
    name: string;
    /** `<Kind> <namespace>/<name>` of a Kubernetes object; null for other resources. */
    object: string | null;
    /** URN of the AIM component that owns the resource (the resource itself for a component); null outside any. */
    component: string | null;
    /** Input paths that differ (update and replace). */
    fields: string[];
    /** The changed paths that force the replacement (replace only). */
    replaceReasons: string[];
    /** What a replacement or deletion destroys; null when nothing in the cluster is lost. */
    risk: string | null;
    /** Unified diff of the resource's inputs as YAML (the manifest, for a Kubernetes object), secrets redacted. */
    diff: string;
}

export interface ReviewWarning {
    /** `<type> (<name>)` of the resource the warning is attributed to. */
    resource: string;
    urn: string;
    message: string;
}

export interface ReviewedRevision {
    /** The program directory as given (with `--base-ref`: `<ref>:<directory>`). */
    program: string;
    stack: string;
    /** Whether the revision rendered: its program ran to the end and registered no URN twice. */
    ok: boolean;
    /** How many resources it registered (the root stack included). */
    resources: number;
    warnings: ReviewWarning[];
    /** Why it failed, as the preview would report it; only when it failed. */
    error?: string;
    /** Null when it failed. */
    capacity: Capacity | null;
}

/** Changes that share their cause: one line per cause, then the components and changes it reaches. */
export interface ChangeGroup {
    /** What changed: `<Kind> "<AIM name>": <path>` of a component's own input or of a resolved value it uses. */
    causes: string[];
    /** The owning components (URNs; null for resources outside AIM components). */
    components: (string | null)[];
    /** URNs of the grouped changes, in the order of `changes`. */
    changes: string[];
}

export interface Review {
    schemaVersion: number;
    base: ReviewedRevision;
    head: ReviewedRevision;
    summary: { create: number; update: number; replace: number; delete: number; same: number };
    /** Create, update and replace in the head's declaration order, then deletions in the base's. Empty when a revision failed. */
    changes: ReviewChange[];
    groups: ChangeGroup[];
    /** Warnings of the head that the base did not log (same resource, same text). */
    newWarnings: ReviewWarning[];
}

const AIM_COMPONENT = "aim:index:";
/** What a changed secret shows on the side it changed to: the fact, never the value. */
export const CHANGED_SECRET = "[secret: changed]";

function duplicateFailure(resources: readonly Registration[]): string | undefined {
    const duplicates = duplicateUrns(resources);
    return duplicates.length > 0 ? `Duplicate resource URN ${duplicates.join(", ")}: the engine fails the whole preview` : undefined;
}

function reviewed(outcome: RevisionOutcome, program: string): ReviewedRevision {
    const { run } = outcome;
    const error =
        outcome.failure ??
        (run!.errors.length > 0 ? run!.errors.map((e) => e.message).join("\n\n") : undefined) ??
        duplicateFailure(run!.resources);
    return {
        program,
        stack: outcome.spec.stack,
        ok: error === undefined,
        resources: run?.resources.length ?? 0,
        warnings: run?.warnings.map(({ resource, urn, message }) => ({ resource, urn, message })) ?? [],
        ...(error !== undefined && { error }),
        capacity: error === undefined ? capacityOf(run!.resources) : null,
    };
}

/**
 * A URN of stack `from` as the same resource's URN in stack `to`: the base's resources are compared as if its stack
 * were the head's, so that `--base-stack dev --stack prod` matches the two stacks' objects one by one.
 */
function stackRenamer(from: string, to: string, project: string): (urn: string) => string {
    return (urn) =>
        urn.replace(`urn:pulumi:${from}::`, `urn:pulumi:${to}::`).replace(`::pulumi:pulumi:Stack::${project}-${from}`, `::pulumi:pulumi:Stack::${project}-${to}`);
}

/** Changed paths at or below one of the `replaceOnChanges` paths (`*` for any). */
function replaceOnChanges(now: Registration, fields: string[]): string[] {
    const under = (field: string, path: string) => field === path || field.startsWith(`${path}.`) || field.startsWith(`${path}[`) || path.startsWith(`${field}.`);
    return fields.filter((f) => now.replaceOnChanges.some((path) => path === "*" || under(f, path)));
}

/** Both sides of a change fit to print: each secret "[secret]", and on the head side CHANGED_SECRET when it changed. */
function redactPair(a: unknown, b: unknown): [unknown, unknown] {
    if (isSecret(a) || isSecret(b)) {
        const changed = a !== undefined && !deepEqual(a, b);
        return [a === undefined ? undefined : SECRET, b === undefined ? undefined : changed ? CHANGED_SECRET : SECRET];
    }
    const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
    if (isRecord(a) && isRecord(b)) {
        const [ra, rb]: [Record<string, unknown>, Record<string, unknown>] = [{}, {}];
        for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) [ra[key], rb[key]] = redactPair(a[key], b[key]);
        return [ra, rb];
    }
    if (Array.isArray(a) && Array.isArray(b)) {
        const pairs = a.map((v, i) => redactPair(v, b[i]));
        return [pairs.map(([x]) => x), [...pairs.map(([, y]) => y).slice(0, b.length), ...b.slice(a.length).map(masked)]];
    }
    return [masked(a), masked(b)];
}

const toYaml = (value: unknown) => (value === undefined ? "" : YAML.stringify(value, { lineWidth: 0, sortMapEntries: true }));

/** The unified diff of a resource's inputs as YAML; the whole object, added or removed, for a create or delete. */
function yamlDiff(old: Registration | undefined, now: Registration | undefined): string {
    const [a, b] = redactPair(old?.inputs, now?.inputs);
    return unifiedDiff(toYaml(a), toYaml(b)).join("\n");
}

const kindOfType = (type: string) => type.slice(type.lastIndexOf(":") + 1);
const aimNameOf = (r: Registration) => (typeof r.inputs.name === "string" ? r.inputs.name : r.name);
const componentLabel = (r: Registration) => `${kindOfType(r.type)} "${aimNameOf(r)}"`;

/** How a resolved value a component registered names its origin: `AIMClusterConfig "default"`. */
function resolvedLabel(key: string, value: any): string {
    if (key === "resolvedConfig") {
        if (value?.source === "merged") return `AIMNamespaceConfig "${value.name}" over AIMClusterConfig "${value.name}"`;
        if (value?.source === "none") return `config "${value?.name}" (not declared: defaults)`;
        return `${value?.source} "${value?.name}"`;
    }
    const cluster = value?.scope === "Cluster";
    if (key === "resolvedTemplate") return `${cluster ? "AIMClusterServiceTemplate" : "AIMServiceTemplate"} "${value?.name}"`;
    if (key === "resolvedImage") return `${cluster ? "AIMClusterImage" : "AIMImage"} "${value?.name}"`;
    return key;
}

/**
 * What changed for a component, one line per origin: its own inputs, and each resolved value it registered
 * (`resolved*` outputs: the config, image and template it uses), named after where the value comes from.
 */
function causesOf(old: Registration | undefined, now: Registration | undefined): string[] {
    if (!old) return [`${componentLabel(now!)} added`];
    if (!now) return [`${componentLabel(old)} removed`];
    const label = componentLabel(now);
    const lines = new Map<string, string[]>();
    const add = (origin: string, paths: string[]) => paths.length > 0 && lines.set(origin, [...(lines.get(origin) ?? []), ...paths]);
    add(label, changedPaths(old.inputs, now.inputs));
    const uses: string[] = [];
    const keys = [...new Set([...Object.keys(old.outputs ?? {}), ...Object.keys(now.outputs ?? {})])].filter((k) => k.startsWith("resolved")).sort();
    for (const key of keys) {
        const [was, is] = [old.outputs?.[key], now.outputs?.[key]];
        const [from, to] = [resolvedLabel(key, was), resolvedLabel(key, is)];
        if (from !== to) uses.push(`${label}: uses ${to} instead of ${from}`);
        else add(to, changedPaths(was, is));
    }
    const causes = [...[...lines].map(([origin, paths]) => `${origin}: ${paths.join(", ")}`), ...uses];
    return causes.length > 0 ? causes : [`${label}: no input or resolved value changed (stack config, or the package itself)`];
}

/** The nearest AIM component at or above a resource, by parent. */
function ownerOf(urn: string, byUrn: ReadonlyMap<string, Registration>): string | null {
    for (let r = byUrn.get(urn); r; r = byUrn.get(r.parent)) if (r.type.startsWith(AIM_COMPONENT)) return r.urn;
    return null;
}

function failed(base: ReviewedRevision, head: ReviewedRevision): Review {
    return {
        schemaVersion: REVIEW_SCHEMA_VERSION,
        base,
        head,
        summary: { create: 0, update: 0, replace: 0, delete: 0, same: 0 },
        changes: [],
        groups: [],
        newWarnings: [],
    };
}

/** Reviews `head` against `base`; `programs` are the labels of the two revisions' programs. */
export function buildReview(baseOutcome: RevisionOutcome, headOutcome: RevisionOutcome, programs: { base: string; head: string }): Review {
    const [base, head] = [reviewed(baseOutcome, programs.base), reviewed(headOutcome, programs.head)];
    if (!base.ok || !head.ok) return failed(base, head);
    const headRun = headOutcome.run!;
    const rename = stackRenamer(baseOutcome.spec.stack, headRun.stack, baseOutcome.run!.project);
    const before = baseOutcome.run!.resources.map((r) => ({ ...r, urn: rename(r.urn), parent: r.parent && rename(r.parent), dependencies: r.dependencies.map(rename) }));
    const after = headRun.resources;
    const diff = diffRevisions(before, after);
    const [oldByUrn, newByUrn] = [new Map(before.map((r) => [r.urn, r])), new Map(after.map((r) => [r.urn, r]))];

    const changes = new Map<string, Omit<ReviewChange, "component" | "diff" | "risk">>();
    const entry = (op: Op, c: { urn: string; type: string; name: string; object?: string }, fields: string[] = [], replaceReasons: string[] = []) =>
        changes.set(c.urn, { op, urn: c.urn, type: c.type, name: c.name, object: c.object ?? null, fields, replaceReasons });
    for (const c of diff.created) entry("create", c);
    for (const c of diff.deleted) entry("delete", c);
    for (const c of diff.replaced) entry("replace", c, c.fields, [...new Set([...c.forcedBy, ...replaceOnChanges(newByUrn.get(c.urn)!, c.fields)])]);
    for (const c of diff.updated) {
        const forced = replaceOnChanges(newByUrn.get(c.urn)!, c.fields);
        entry(forced.length > 0 ? "replace" : "update", c, c.fields, forced);
    }

    const order = [...after, ...before.filter((r) => !newByUrn.has(r.urn))].map((r) => r.urn).filter((urn) => changes.has(urn));
    const reviewedChanges: ReviewChange[] = order.map((urn) => {
        const change = changes.get(urn)!;
        const [old, now] = [oldByUrn.get(urn), newByUrn.get(urn)];
        const risk = change.op === "delete" ? deletionRisk(old!, before) : change.op === "replace" ? replacementRisk(old!, now!, before) : null;
        return { ...change, component: ownerOf(urn, now ? newByUrn : oldByUrn), risk, diff: yamlDiff(old, now) };
    });

    const groups = new Map<string, ChangeGroup>();
    const componentCauses = new Map<string | null, string[]>();
    for (const change of reviewedChanges) {
        const owner = change.component;
        if (!componentCauses.has(owner)) {
            componentCauses.set(owner, owner === null ? [] : causesOf(oldByUrn.get(owner), newByUrn.get(owner)));
        }
        const causes = componentCauses.get(owner)!;
        const key = owner === null ? "\0outside" : causes.join("\n");
        const group = groups.get(key) ?? { causes, components: [], changes: [] };
        if (!group.components.includes(owner)) group.components.push(owner);
        group.changes.push(change.urn);
        groups.set(key, group);
    }

    const count = (op: Op) => reviewedChanges.filter((c) => c.op === op).length;
    const baseWarnings = new Set(base.warnings.map((w) => `${rename(w.urn)}\n${w.message}`));
    return {
        schemaVersion: REVIEW_SCHEMA_VERSION,
        base,
        head,
        summary: {
            create: count("create"),
            update: count("update"),
            replace: count("replace"),
            delete: count("delete"),
            same: after.filter((r) => oldByUrn.has(r.urn) && !changes.has(r.urn)).length,
        },
        changes: reviewedChanges,
        groups: [...groups.values()],
        newWarnings: head.warnings.filter((w) => !baseWarnings.has(`${w.urn}\n${w.message}`)),
    };
}
