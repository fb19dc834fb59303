// A template's discovery Job (aim-reference §2.2): runs the AIM container's `dry-run` to pick a profile.

import * as k8s from "@pulumi/kubernetes";
import { EnvVar, GpuSelector, LocalObjectReference, Metric, Precision, Scope } from "../types";
import { aimLabel, standardLabels } from "./labels";
import { discoveryJobName } from "../resolve/names";
import { AIM_NON_ROOT_USER, envFingerprint, envValue, mergeEnv, podPullSecrets, renderEnv, restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./pod";

export interface DiscoveryJobInput {
    templateName: string;
    /** A namespace template and a cluster template of the same name may both run discovery in one namespace. */
    templateScope: Scope;
    /** Where the Job runs: the template's namespace, or the system namespace for cluster templates. */
    namespace: string;
    aimImageName: string;
    /** Container image URI of the resolved AIM image. */
    image: string;
    metric?: Metric;
    precision?: Precision;
    gpuSelector?: GpuSelector;
    /** Namespace templates' own env; it comes before the `AIM_*` selection variables. */
    env?: EnvVar[];
    /** Already merged: the template's own, then the resolved config's. */
    imagePullSecrets: LocalObjectReference[];
}

/**
 * The `AIM_*` variables that ask the container for a profile; only the knobs that are set, and `AIM_GPU_COUNT` only
 * for a count above zero, as both upstreams (kaiwo internal/controller/aim/shared/discovery.go l.242 at fa8a3e90,
 * aim-engine internal/aimservicetemplate/discovery.go l.166 at 9223504).
 */
export function profileSelectionEnv(input: Pick<DiscoveryJobInput, "metric" | "precision" | "gpuSelector">): EnvVar[] {
    const gpu = input.gpuSelector;
    return [
        ...(input.metric ? [envValue("AIM_METRIC", input.metric)] : []),
        ...(input.precision ? [envValue("AIM_PRECISION", input.precision)] : []),
        ...(gpu ? [envValue("AIM_GPU_MODEL", gpu.model)] : []),
        ...(gpu && gpu.count > 0 ? [envValue("AIM_GPU_COUNT", String(gpu.count))] : []),
    ];
}

/**
 * Renders the Job. Its name hashes everything that changes the Job (as upstream's later controllers do), so a
 * changed template or config gets a new Job instead of an in-place edit of an immutable `spec.template`.
 */
export function renderDiscoveryJob(input: DiscoveryJobInput) {
    const env = mergeEnv(input.env, profileSelectionEnv(input));
    const name = discoveryJobName(
        input.templateName,
        // The full template name and scope, since the name part of the Job name may be cut.
        JSON.stringify([
            input.templateScope,
            input.templateName,
            input.aimImageName,
            input.image,
            envFingerprint(env),
            input.imagePullSecrets.map((s) => s.name),
        ]),
    );
    const labels = { ...standardLabels("aim-discovery", "discovery-job"), ...aimLabel("template", input.templateName) };
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: {
            name,
            namespace: input.namespace,
            labels,
            annotations: {
                // A Job that failed in an earlier update is otherwise awaited again, never re-run (pulumi-kubernetes#856).
                "pulumi.com/replaceUnready": "true",
                // Pulling a multi-GB AIM image alone can outlast Pulumi's default 10-minute Job await.
                "pulumi.com/timeoutSeconds": "1800",
            },
        },
        spec: {
            // No ttlSecondsAfterFinished: Pulumi tracks the Job, and a TTL-deleted Job would be recreated on refresh.
            backoffLimit: 3,
            template: {
                metadata: { labels },
                spec: {
                    restartPolicy: "Never",
                    securityContext: restrictedPodSecurityContext(AIM_NON_ROOT_USER),
                    ...podPullSecrets(input.imagePullSecrets),
                    containers: [
                        {
                            name: "discovery",
                            image: input.image,
                            args: ["dry-run", "--format=json"],
                            ...(env.length > 0 && { env: renderEnv(env) }),
                            securityContext: restrictedContainerSecurityContext(),
                        },
                    ],
                },
            },
        },
    } satisfies k8s.batch.v1.JobArgs;
}
