// Revision pairs: a program as it was (A) and as it is after an edit (B), each run in a fresh mock runtime against
// the same cluster identity (one Kubernetes provider name, so one provider URN), compared by URN as `pulumi up`
// would compare B with the state A left (review/diff.ts).

import { duplicateUrns, diffRevisions, RevisionDiff } from "../review/diff";
import { Opts, Registered, scenario, ScenarioResult, withStackConfig } from "./harness";

/** The Pulumi name of the Kubernetes provider every revision runs against. */
export const REVISION_CLUSTER = "cluster";

export type RevisionProgram = (opts: Opts) => unknown;

export interface RevisionOptions {
    /** Pulumi config of the stack for this revision (e.g. `aim:createSystemNamespace`). */
    config?: Record<string, string>;
}

/**
 * Runs one revision of a program in a fresh mock runtime (empty catalogs) on the shared cluster identity. Fails as
 * the engine would when two registrations share a URN, which the mock runtime lets pass.
 */
export async function runRevision(program: RevisionProgram, options: RevisionOptions = {}): Promise<ScenarioResult<unknown>> {
    const run = () => scenario(program, { cluster: REVISION_CLUSTER });
    const result = await (options.config ? withStackConfig(options.config, run) : run());
    const duplicates = duplicateUrns(result.resources);
    if (duplicates.length > 0) throw new Error(`Duplicate resource URN ${duplicates.join(", ")}: the engine fails the whole preview`);
    return result;
}

export interface RevisionPair {
    a: Registered[];
    b: Registered[];
    diff: RevisionDiff;
}

/** Runs revision A, then revision B, and compares them. */
export async function revisionPair(
    a: RevisionProgram,
    b: RevisionProgram,
    options: { a?: RevisionOptions; b?: RevisionOptions } = {},
): Promise<RevisionPair> {
    const before = (await runRevision(a, options.a)).resources;
    const after = (await runRevision(b, options.b)).resources;
    return { a: before, b: after, diff: diffRevisions(before, after) };
}
