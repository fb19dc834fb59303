// A model cache (aim-reference §2.9): a ReadWriteMany PVC per model source and the Job that downloads into it.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EnvVar, LocalObjectReference, ModelSource } from "../types";
import { aimLabel, standardLabels } from "./labels";
import { cachePvcName, downloadJobName, downloadTokenSecretName } from "../resolve/names";
import { hfTokenEnv, renderTokenSecret } from "./tokenSecret";
import { envValue, mergeEnv, podPullSecrets, PodUser, renderEnv, restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./pod";
import { pvcSize } from "../validate/quantity";

export const CACHE_MOUNT = "/cache";

/**
 * A model cache, shared by every template cache of its source in the namespace: nothing here may depend on which
 * of them was declared first (not even a label), or reordering a program would change the PVC and its Job.
 */
export interface ModelCacheInput {
    cacheName: string;
    namespace: string;
    source: ModelSource;
    /** Absent: the cluster's default storage class. */
    storageClassName?: string;
}

function cacheLabels(input: ModelCacheInput, component: string): Record<string, string> {
    return {
        ...standardLabels("aim-model-cache", component),
        ...aimLabel("modelcache", input.cacheName),
        ...aimLabel("cache-type", "template-cache"),
        ...aimLabel("source-model", input.source.name),
    };
}

export function renderCachePvc(input: ModelCacheInput) {
    return {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: cachePvcName(input.cacheName), namespace: input.namespace, labels: cacheLabels(input, "model-storage") },
        spec: {
            // Every replica of every service using the model mounts the same claim.
            accessModes: ["ReadWriteMany"],
            ...(input.storageClassName && { storageClassName: input.storageClassName }),
            resources: { requests: { storage: pvcSize([input.source.size]) } },
        },
    } satisfies k8s.core.v1.PersistentVolumeClaimArgs;
}

export interface DownloadJobInput extends ModelCacheInput {
    downloadImage: string;
    /** The cache's own env (credentials), after the download defaults. */
    env?: EnvVar[];
    /** The Secret holding the Hugging Face token, passed as `HF_TOKEN` (it wins over `env`). */
    tokenSecretName?: string;
    imagePullSecrets: LocalObjectReference[];
    timeoutSeconds: number;
}

/**
 * The KServe storage initializer's user, as upstream runs the download (kaiwo aimmodelcache_controller.go l.587–592
 * at fa8a3e90; aim-engine internal/aimartifact/download.go l.120–125 at 9223504); `fsGroup` makes the PVC writable
 * for it.
 */
const DOWNLOAD_USER: PodUser = { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 };

/** Defaults of upstream's final controller: Xet downloads without local chunk caches, HF state on the volume. */
const DOWNLOAD_ENV: EnvVar[] = [
    envValue("HF_XET_CHUNK_CACHE_SIZE_BYTES", "0"),
    envValue("HF_XET_SHARD_CACHE_SIZE_BYTES", "0"),
    envValue("HF_XET_HIGH_PERFORMANCE", "1"),
    envValue("HF_HOME", `${CACHE_MOUNT}/.hf`),
    envValue("UMASK", "0022"),
];

/**
 * Scratch directories of a download on the PVC's own filesystem, and what the Hugging Face client leaves there: the
 * `.cache` metadata of `snapshot_download(local_dir=…)` (kserve v0.16.0 python/storage/kserve_storage/kserve_storage.py
 * l.333) and HF_HOME's `.hf`.
 */
const DOWNLOAD_SCRATCH = [".tmp", ".hf_home", ".hf_cache", ".xet_cache"];
const DOWNLOAD_LEFTOVERS = [".cache", ".hf", ...DOWNLOAD_SCRATCH];

/**
 * The download in a shell, as upstream wraps it (kaiwo internal/controller/aim/aimmodelcache_controller.go l.660–691
 * at fa8a3e90): files readable by every serving pod's user (`umask 0022`), the scratch directories prepared on the
 * PVC, and once the model is down they and the client's state removed, so that the cache holds the model only (upstream
 * keeps HF_HOME's `.hf`). A failed download exits with its status and leaves everything for the retry to resume. The
 * storage initializer runs as the image's own entrypoint (kserve v0.16.0 python/storage-initializer.Dockerfile l.69),
 * the source URI and the target as positional parameters, never spliced into the script text (upstream formats the
 * URI into it).
 */
const DOWNLOAD_SCRIPT = [
    "set -e",
    "umask 0022",
    `mkdir -p ${DOWNLOAD_SCRATCH.map((d) => `"$2/${d}"`).join(" ")}`,
    '/storage-initializer/scripts/initializer-entrypoint "$1" "$2"',
    `rm -rf ${DOWNLOAD_LEFTOVERS.map((d) => `"$2/${d}"`).join(" ")}`,
].join("\n");

export function renderDownloadJob(input: DownloadJobInput) {
    const labels = cacheLabels(input, "model-download");
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: {
            name: downloadJobName(input.cacheName),
            namespace: input.namespace,
            labels,
            annotations: {
                // Models take longer than Pulumi's default 10-minute Job await.
                "pulumi.com/timeoutSeconds": String(input.timeoutSeconds),
                "pulumi.com/replaceUnready": "true",
            },
        },
        spec: {
            // No ttlSecondsAfterFinished (upstream's is 600 s): a Job Kubernetes deletes by itself disappears from the
            // state at the next `pulumi refresh`, and the next `pulumi up` creates it again, downloading the model again.
            backoffLimit: 2,
            template: {
                // A new storage class replaces the PVC, empty: the changed template replaces the Job, which refills it.
                metadata: { labels, annotations: { "aim.silogen.ai/storage-class": input.storageClassName ?? "" } },
                spec: {
                    restartPolicy: "Never",
                    securityContext: restrictedPodSecurityContext(DOWNLOAD_USER),
                    ...podPullSecrets(input.imagePullSecrets),
                    containers: [
                        {
                            name: "download",
                            image: input.downloadImage,
                            // `sh -c <script> <$0> <$1> <$2>`: the storage initializer takes `<source URI> <destination>`.
                            command: ["/bin/sh", "-c", DOWNLOAD_SCRIPT, "download"],
                            args: [input.source.sourceUri, CACHE_MOUNT],
                            env: renderEnv(mergeEnv(DOWNLOAD_ENV, input.env, input.tokenSecretName ? [hfTokenEnv(input.tokenSecretName)] : [])),
                            securityContext: restrictedContainerSecurityContext(),
                            volumeMounts: [
                                { name: "cache", mountPath: CACHE_MOUNT },
                                { name: "tmp", mountPath: "/tmp" },
                            ],
                        },
                    ],
                    volumes: [
                        { name: "cache", persistentVolumeClaim: { claimName: cachePvcName(input.cacheName) } },
                        { name: "tmp", emptyDir: { sizeLimit: "500Mi" } },
                    ],
                },
            },
        },
    } satisfies k8s.batch.v1.JobArgs;
}

/** `<cache>-cache-hf-token`: the token of the cache's download, a Secret of the model cache like its PVC and Job. */
export function renderDownloadTokenSecret(input: ModelCacheInput, token: pulumi.Input<string>) {
    return renderTokenSecret(downloadTokenSecretName(input.cacheName), input.namespace, cacheLabels(input, "credentials"), token);
}
