import * as pulumi from "@pulumi/pulumi";
import { clusterImageSchema } from "../validate/image";
import { planImage, registerImage } from "./imageEntry";
import { typeToken } from "./internal";
import { ContainerResources, ResolvedConfig } from "../types";

export interface AIMClusterImageArgs {
    /** AIM name that templates and services reference through `aimImageName`. Default: the Pulumi resource name. @default the Pulumi resource name */
    name?: string;
    /** Container image URI of the AIM, e.g. `ghcr.io/silogen/aim:0.4.0-meta-llama-llama-3.1-8b-instruct-v20251006`. */
    image: string;
    /** Template an AIMService of this image uses when it names none. */
    defaultServiceTemplate?: string;
    /** Config (AIMClusterConfig, or for an AIMImage also an AIMNamespaceConfig) to use. Default: "default". @default "default" */
    configName?: string;
    /** Container resources of its services' inference containers; a template's and a service's win key by key. */
    resources?: ContainerResources;
}

/** A cluster-wide AIM image catalog entry, visible from every namespace (an AIMImage of the same name wins there). */
export class AIMClusterImage extends pulumi.ComponentResource {
    /** The AIM name templates and services reference. */
    public readonly aimName: pulumi.Output<string>;
    /** Container image URI. */
    public readonly image: pulumi.Output<string>;
    /** The config this image resolved, with every default filled in. */
    public readonly resolvedConfig: pulumi.Output<ResolvedConfig>;

    constructor(name: string, args: AIMClusterImageArgs, opts?: pulumi.ComponentResourceOptions) {
        const planned = planImage("AIMClusterImage", name, clusterImageSchema, args, opts);
        super(typeToken("AIMClusterImage"), name, planned.spec, opts);
        const outputs = registerImage(this, planned);
        this.aimName = outputs.aimName;
        this.image = outputs.image;
        this.resolvedConfig = outputs.resolvedConfig;
        this.registerOutputs(outputs);
    }
}
