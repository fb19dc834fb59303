// One implementation for AIMImage and AIMClusterImage: plan (validate, resolve the config) before the component
// exists, then record the catalog entry and pre-pull the base image.
// (Each class still declares its own output properties: schema inference reads only a class's own members.)

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as z from "zod/mini";
import { baseImageCacherName, baseImageOf, renderBaseImageCacher } from "../render/baseImageCacher";
import { indexKey, scopeOf } from "../resolve/catalog";
import { mergePullSecrets, resolveConfig } from "../resolve/config";
import { ImageSpec } from "../validate/image";
import { namespaceDependencies, planComponent, Planned, sharedObjectName, SystemNamespace, systemNamespaceSettings, warnAll } from "./internal";
import { ResolvedConfig } from "../types";
import { OperatorObject } from "../render/operator";
import { planModel, registerOperatorObject } from "./operator";

export interface ImageOutputs {
    aimName: pulumi.Output<string>;
    image: pulumi.Output<string>;
    resolvedConfig: pulumi.Output<ResolvedConfig>;
}

type ImageArgsSpec = ImageSpec & { namespace?: string };

export type PlannedImage = Planned<ImageArgsSpec, ReturnType<typeof resolveConfig> & { systemNamespace?: SystemNamespace; model?: OperatorObject }>;

export function planImage(
    kind: "AIMImage" | "AIMClusterImage",
    pulumiName: string,
    schema: z.ZodMiniType<ImageArgsSpec>,
    args: unknown,
    opts: pulumi.ComponentResourceOptions | undefined,
): PlannedImage {
    return planComponent(kind, pulumiName, schema, args, opts, (spec, catalog) => {
        const { namespace, name: aimName, configName } = spec;
        (namespace === undefined ? catalog.clusterImages : catalog.images).ensureDeclarable(namespace, aimName);
        catalog.imagesByUri.ensureAddable(indexKey(namespace, spec.image), `image "${spec.image}"`, { scope: scopeOf(namespace), spec }, { kind, aimName, field: "image" });
        const resolution = resolveConfig(catalog, { kind, aimName, namespace, configName });
        const prePulls = resolution.config.caching.cacheAimImageBase && baseImageOf(spec.image) !== undefined;
        const system = prePulls && systemNamespaceSettings(kind, aimName);
        const model = planModel(kind, spec, namespace, resolution.config);
        return { ...resolution, ...(system && { systemNamespace: system }), ...(model && { model }) };
    });
}

/**
 * Records the image and ensures its base image is pre-pulled on every node. The first image needing a base image
 * creates its DaemonSet; later images with the same base, pull secrets and config name share it (same-named
 * namespace configs of several namespaces included). It is registered like a model cache's PVC, with the cluster's
 * provider and no parent (see sharedObjectName), so it keeps its URN whichever image comes first.
 */
export function registerImage(component: pulumi.ComponentResource, planned: PlannedImage): ImageOutputs {
    const { spec, cluster, catalog, declarer, plan } = planned;
    const { namespace, ...image } = spec;
    warnAll(component, [plan.warning]);
    const entry = { scope: scopeOf(namespace), spec: image };
    (namespace === undefined ? catalog.clusterImages : catalog.images).declare(namespace, image.name, entry, declarer);
    catalog.imagesByUri.add(indexKey(namespace, image.image), entry);
    if (plan.model) registerOperatorObject(component, pulumi.resourceName(component), "model", plan.model);
    const baseImage = baseImageOf(image.image);
    if (plan.systemNamespace !== undefined && baseImage) {
        const system = plan.systemNamespace;
        // De-duplicated as every other workload's: a config may list a secret twice, a pod spec may not.
        const input = { namespace: system.name, baseImage, imagePullSecrets: mergePullSecrets(plan.config.imagePullSecrets), configName: plan.config.name };
        const name = baseImageCacherName(input);
        if (!catalog.baseImageCachers.get(undefined, name)) {
            const daemonSet = new k8s.apps.v1.DaemonSet(sharedObjectName(cluster, system.name, name), renderBaseImageCacher(input), {
                provider: component.getProvider("kubernetes::"),
                dependsOn: namespaceDependencies(component, catalog, system, system.name),
            });
            catalog.baseImageCachers.declare(undefined, name, daemonSet);
        }
    }
    return {
        aimName: pulumi.output(image.name),
        image: pulumi.output(image.image),
        resolvedConfig: pulumi.output(plan.config),
    };
}
