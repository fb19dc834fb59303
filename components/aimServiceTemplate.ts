import * as pulumi from "@pulumi/pulumi";
import { serviceTemplateSchema } from "../validate/template";
import { AIMClusterServiceTemplateArgs } from "./aimClusterServiceTemplate";
import { typeToken } from "./internal";
import { planTemplate, registerTemplate } from "./templateEntry";
import { EnvVar, LocalObjectReference, ResolvedConfig, ResolvedImage, TemplateCaching } from "../types";

export interface AIMServiceTemplateArgs extends AIMClusterServiceTemplateArgs {
    /** Namespace of the template; there it wins over an AIMClusterServiceTemplate of the same name. */
    namespace: string;
    /** Environment of the discovery Job (before the `AIM_*` variables), e.g. `HF_TOKEN` from a Secret. */
    env?: EnvVar[];
    /** Pull secrets of the discovery Job, before the resolved config's. */
    imagePullSecrets?: LocalObjectReference[];
    /** Pre-warm a template cache for this template. */
    caching?: TemplateCaching;
}

/** A namespaced service template: an AIM image plus the profile knobs to deploy it with, and its discovery Job. */
export class AIMServiceTemplate extends pulumi.ComponentResource {
    /** The AIM name services and caches reference. */
    public readonly aimName: pulumi.Output<string>;
    /** The config this template resolved, with every default filled in. */
    public readonly resolvedConfig: pulumi.Output<ResolvedConfig>;
    /** The AIM image this template runs. */
    public readonly resolvedImage: pulumi.Output<ResolvedImage>;
    /** Kubernetes name of the discovery Job; absent when inline `modelSources` make discovery unnecessary. */
    public readonly discoveryJobName: pulumi.Output<string | undefined>;

    constructor(name: string, args: AIMServiceTemplateArgs, opts?: pulumi.ComponentResourceOptions) {
        const planned = planTemplate("AIMServiceTemplate", name, serviceTemplateSchema, args, opts);
        super(typeToken("AIMServiceTemplate"), name, planned.spec, opts);
        const outputs = registerTemplate(this, name, planned, opts?.dependsOn);
        this.aimName = outputs.aimName;
        this.resolvedConfig = outputs.resolvedConfig;
        this.resolvedImage = outputs.resolvedImage;
        this.discoveryJobName = outputs.discoveryJobName;
        this.registerOutputs(outputs);
    }
}
