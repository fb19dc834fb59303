// Base-image pre-pull (aim-reference §2.5): a DaemonSet whose only job is to make every node pull an AIM base
// image, so the much larger model images start from warm layers.

import * as k8s from "@pulumi/kubernetes";
import { LocalObjectReference } from "../types";
import { standardLabels } from "./labels";
import { shortHash } from "../resolve/names";
import { AIM_NON_ROOT_USER, podPullSecrets, restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./pod";

/**
 * The base image of an AIM image, by upstream's naming rule: `<prefix>/aim:<version>-<model…>` →
 * `<prefix>/aim-base:<version>`. Images not named that way have no known base and are skipped (undefined).
 */
export function baseImageOf(image: string): string | undefined {
    const colon = image.lastIndexOf(":");
    if (colon < 0) return undefined;
    const repository = image.slice(0, colon);
    const tag = image.slice(colon + 1);
    if (!repository.endsWith("/aim") || !tag.includes("-")) return undefined;
    return `${repository}-base:${tag.slice(0, tag.indexOf("-"))}`;
}

export interface BaseImageCacherInput {
    namespace: string;
    baseImage: string;
    /** The resolved config's pull secrets; they must exist in `namespace`. */
    imagePullSecrets: LocalObjectReference[];
    /** The config that asks for the pre-pull: it owns the DaemonSet. */
    configName: string;
}

/**
 * `aim-base-cacher-<8 hex>`: one DaemonSet per config, base image and pull-secret set. The config is hashed in so
 * that two configs never share one: a shared DaemonSet would belong to whichever config's image came first.
 */
export function baseImageCacherName(input: BaseImageCacherInput): string {
    return `aim-base-cacher-${shortHash(JSON.stringify([input.baseImage, input.imagePullSecrets.map((s) => s.name), input.configName]))}`;
}

export function renderBaseImageCacher(input: BaseImageCacherInput) {
    const name = baseImageCacherName(input);
    const selector = { "app.kubernetes.io/name": "aim-base-cacher", "app.kubernetes.io/instance": name };
    const labels = { ...standardLabels("aim-base-cacher", "image-cacher"), ...selector, "app.kubernetes.io/part-of": "aim" };
    return {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name, namespace: input.namespace, labels },
        spec: {
            selector: { matchLabels: selector },
            template: {
                metadata: { labels },
                spec: {
                    // Pulling is the kubelet's work; the container only sleeps, which any user may (upstream sets no
                    // security context here).
                    securityContext: restrictedPodSecurityContext(AIM_NON_ROOT_USER),
                    ...podPullSecrets(input.imagePullSecrets),
                    containers: [
                        {
                            name: "cache-0",
                            image: input.baseImage,
                            command: ["/bin/sh", "-c", "sleep infinity"],
                            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
                            securityContext: restrictedContainerSecurityContext(),
                        },
                    ],
                },
            },
        },
    } satisfies k8s.apps.v1.DaemonSetArgs;
}
