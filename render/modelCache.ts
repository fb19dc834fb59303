// A model cache (aim-reference §2.9): a ReadWriteMany PVC per model source and the Job that downloads into it.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EnvVar, LocalObjectReference, ModelSource } from "../types";
import { aimLabel, standardLabels } from "./labels";
import { cachePvcName, downloadJobName, downloadTokenSecretName } from "../resolve/names";
import { hfTokenEnv, renderTokenSecret } from "./tokenSecret";
import { envValue, mergeEnv, podPullSecrets, renderEnv } from "./pod";
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

/** Defaults of upstream's final controller: Xet downloads without local chunk caches, HF state on the volume. */
const DOWNLOAD_ENV: EnvVar[] = [
    envValue("HF_XET_CHUNK_CACHE_SIZE_BYTES", "0"),
    envValue("HF_XET_SHARD_CACHE_SIZE_BYTES", "0"),
    envValue("HF_XET_HIGH_PERFORMANCE", "1"),
    envValue("HF_HOME", `${CACHE_MOUNT}/.hf`),
    envValue("UMASK", "0022"),
];

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
            backoffLimit: 2,
            template: {
                // A new storage class replaces the PVC, empty: the changed template replaces the Job, which refills it.
                metadata: { labels, annotations: { "aim.silogen.ai/storage-class": input.storageClassName ?? "" } },
                spec: {
                    restartPolicy: "Never",
                    securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 },
                    ...podPullSecrets(input.imagePullSecrets),
                    containers: [
                        {
                            name: "download",
                            image: input.downloadImage,
                            // The KServe storage-initializer entrypoint takes `<source URI> <destination>`.
                            args: [input.source.sourceUri, CACHE_MOUNT],
                            env: renderEnv(mergeEnv(DOWNLOAD_ENV, input.env, input.tokenSecretName ? [hfTokenEnv(input.tokenSecretName)] : [])),
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
