// One implementation for AIMImage and AIMClusterImage: validate, resolve the config, record the catalog entry.
// (Each class still declares its own output properties: schema inference reads only a class's own members.)

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { baseImageCacherName, baseImageOf, renderBaseImageCacher } from "../render/baseImageCacher";
import { DeclaredBy, scopeOf } from "../resolve/catalog";
import { ImageSpec } from "../validate/image";
import { catalogOf, orFail, resolveConfigOf, systemNamespace, systemNamespaceResource, validateArgs } from "./internal";
import { ResolvedConfig } from "./types";

export interface ImageOutputs {
    aimName: pulumi.Output<string>;
    image: pulumi.Output<string>;
    resolvedConfig: pulumi.Output<ResolvedConfig>;
}

/**
 * Ensures the base image of `image` is pre-pulled on every node. Images are declared after their config, so the
 * first image needing a base image creates its DaemonSet, as a child of the config (whichever image comes first,
 * the DaemonSet keeps its URN); later images with the same base and secrets share it.
 */
function prePullBaseImage(owner: DeclaredBy, image: string, config: ResolvedConfig) {
    const baseImage = baseImageOf(image);
    if (!baseImage) return;
    const cachers = catalogOf(owner.resource).baseImageCachers;
    const input = { namespace: systemNamespace(owner.resource), baseImage, imagePullSecrets: config.imagePullSecrets };
    const name = baseImageCacherName(input);
    if (cachers.get(undefined, name)) return;
    const daemonSet = new k8s.apps.v1.DaemonSet(`${owner.pulumiName}-${name}`, renderBaseImageCacher(input), {
        parent: owner.resource,
        dependsOn: [systemNamespaceResource(owner.resource)].filter((r) => r !== undefined),
    });
    cachers.declare(undefined, name, daemonSet);
}

export function declareImage(
    component: pulumi.ComponentResource,
    kind: "AIMImage" | "AIMClusterImage",
    pulumiName: string,
    schema: z.ZodType<ImageSpec & { namespace?: string }>,
    args: object,
): ImageOutputs {
    const { namespace, ...spec } = validateArgs(component, kind, pulumiName, schema, args);
    const { config, owner } = resolveConfigOf(component, { kind, aimName: spec.name, namespace, configName: spec.configName });
    const catalog = catalogOf(component);
    const registry = namespace === undefined ? catalog.clusterImages : catalog.images;
    orFail(component, () => registry.declare(namespace, spec.name, { scope: scopeOf(namespace), spec }));
    if (config.caching.cacheAimImageBase) prePullBaseImage(owner ?? { resource: component, pulumiName }, spec.image, config);
    return {
        aimName: pulumi.output(spec.name),
        image: pulumi.output(spec.image),
        resolvedConfig: pulumi.output(config),
    };
}
