// Pod-level pieces shared by every rendered workload (discovery and download Jobs, Deployments, DaemonSets).

import * as k8s from "@pulumi/kubernetes";
import { EnvVar, LocalObjectReference } from "../types";

/**
 * Pull secrets in precedence order, de-duplicated by name (first occurrence wins): the object's own first (a
 * service's, then its template's), then the resolved config's, as upstream's `mergePullSecretRefs`.
 */
export function mergePullSecrets(...lists: (LocalObjectReference[] | undefined)[]): LocalObjectReference[] {
    const seen = new Set<string>();
    const merged: LocalObjectReference[] = [];
    for (const secret of lists.flatMap((list) => list ?? [])) {
        if (!seen.has(secret.name)) {
            seen.add(secret.name);
            merged.push({ name: secret.name });
        }
    }
    return merged;
}

/**
 * Environment lists in precedence order, lowest first: a later list replaces a variable of the same name in place
 * (so the final order follows first appearance), as service env overrides template env upstream.
 */
export function mergeEnv(...lists: (EnvVar[] | undefined)[]): EnvVar[] {
    const byName = new Map<string, EnvVar>();
    for (const env of lists.flatMap((list) => list ?? [])) byName.set(env.name, env);
    return [...byName.values()];
}

/** A literal variable. */
export function envValue(name: string, value: string): EnvVar {
    return { name, value };
}

/** Our EnvVar as a Kubernetes EnvVar, without absent fields (the schema has no nulls). */
export function renderEnv(env: EnvVar[]): k8s.types.input.core.v1.EnvVar[] {
    return env.map((e) => ({
        name: e.name,
        ...(e.value !== undefined && { value: e.value }),
        ...(e.valueFrom && { valueFrom: e.valueFrom }),
    }));
}

/**
 * The part of an env list that can go into a name hash: literal values and references. Output values (secrets,
 * values known only after apply) are left out on purpose, so names stay known in preview and never derive from a
 * secret; a change to such a value still changes the object's spec, which Pulumi diffs as usual.
 */
export function envFingerprint(env: EnvVar[]): unknown[] {
    return env.map((e) => [e.name, typeof e.value === "string" ? e.value : null, e.valueFrom ?? null]);
}

/** `imagePullSecrets` for a pod spec, omitted when empty. */
export function podPullSecrets(secrets: LocalObjectReference[]): { imagePullSecrets?: LocalObjectReference[] } {
    return secrets.length > 0 ? { imagePullSecrets: secrets } : {};
}
