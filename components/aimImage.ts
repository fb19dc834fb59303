import * as pulumi from "@pulumi/pulumi";
import { imageSchema } from "../validate/image";
import { AIMClusterImageArgs } from "./aimClusterImage";
import { planImage, registerImage } from "./imageEntry";
import { typeToken } from "./internal";
import { ResolvedConfig } from "../types";

export interface AIMImageArgs extends AIMClusterImageArgs {
    /** Namespace it is visible in; there it wins over an AIMClusterImage of the same name. */
    namespace: string;
}

/**
 * A namespaced AIM image catalog entry. It renders nothing (on the operator target, its AIMModel); templates and
 * services resolve it by name.
 */
export class AIMImage extends pulumi.ComponentResource {
    /** The AIM name templates and services reference. */
    public readonly aimName: pulumi.Output<string>;
    /** Container image URI. */
    public readonly image: pulumi.Output<string>;
    /** The config this image resolved, with every default filled in. */
    public readonly resolvedConfig: pulumi.Output<ResolvedConfig>;

    constructor(name: string, args: AIMImageArgs, opts?: pulumi.ComponentResourceOptions) {
        const planned = planImage("AIMImage", name, imageSchema, args, opts);
        super(typeToken("AIMImage"), name, planned.spec, opts);
        const outputs = registerImage(this, planned);
        this.aimName = outputs.aimName;
        this.image = outputs.image;
        this.resolvedConfig = outputs.resolvedConfig;
        this.registerOutputs(outputs);
    }
}
