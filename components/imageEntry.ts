// One implementation for AIMImage and AIMClusterImage: validate, resolve the config, record the catalog entry.
// (Each class still declares its own output properties: schema inference reads only a class's own members.)

import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ImageSpec } from "../validate/image";
import { catalogOf, orFail, resolveConfigOf, validateArgs } from "./internal";
import { ResolvedConfig, Scope } from "./types";

export interface ImageOutputs {
    aimName: pulumi.Output<string>;
    image: pulumi.Output<string>;
    resolvedConfig: pulumi.Output<ResolvedConfig>;
}

export function declareImage(
    component: pulumi.ComponentResource,
    kind: "AIMImage" | "AIMClusterImage",
    pulumiName: string,
    schema: z.ZodType<ImageSpec & { namespace?: string }>,
    args: object,
): ImageOutputs {
    const { namespace, ...spec } = validateArgs(component, kind, pulumiName, schema, args);
    const config = resolveConfigOf(component, { kind, aimName: spec.name, namespace, configName: spec.configName });
    const catalog = catalogOf(component);
    const registry = namespace === undefined ? catalog.clusterImages : catalog.images;
    const scope = namespace === undefined ? Scope.Cluster : Scope.Namespace;
    orFail(component, () => registry.declare(namespace, spec.name, { scope, namespace, spec }));
    return {
        aimName: pulumi.output(spec.name),
        image: pulumi.output(spec.image),
        resolvedConfig: pulumi.output(config),
    };
}
