// Pod-level pieces shared by every rendered workload (discovery and download Jobs, Deployments, DaemonSets).

import * as k8s from "@pulumi/kubernetes";
import { EnvVar, LocalObjectReference } from "../types";

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

/** The user (and group, and volume group) a pod of the package runs as: never root. */
export interface PodUser {
    runAsUser: number;
    runAsGroup?: number;
    fsGroup?: number;
}

/**
 * The non-root uid upstream runs its discovery pod as (aim-engine internal/aimservicetemplate/discovery.go l.182–240
 * at 9223504, kaiwo internal/controller/aim/shared/discovery.go l.258–310 at fa8a3e90): distroless's `nonroot`. The
 * package's pods that run an AIM image for something other than serving (the discovery dry-run: no GPU, nothing
 * written but its temp files; the base-image pre-pull's sleep) run as it.
 */
export const AIM_NON_ROOT_USER: PodUser = { runAsUser: 65532 };

/**
 * The pod-level half of what Pod Security `restricted` requires (kubernetes.io/docs/concepts/security/
 * pod-security-standards): a non-root user and the runtime's default seccomp profile, for every container.
 */
export function restrictedPodSecurityContext(user: PodUser) {
    return { runAsNonRoot: true, ...user, seccompProfile: { type: "RuntimeDefault" } } satisfies k8s.types.input.core.v1.PodSecurityContext;
}

/** The container-level half: no privilege escalation (no setuid gains), no Linux capability at all. */
export function restrictedContainerSecurityContext() {
    return { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } satisfies k8s.types.input.core.v1.SecurityContext;
}

/** `imagePullSecrets` for a pod spec, omitted when empty. */
export function podPullSecrets(secrets: LocalObjectReference[]): { imagePullSecrets?: LocalObjectReference[] } {
    return secrets.length > 0 ? { imagePullSecrets: secrets } : {};
}
