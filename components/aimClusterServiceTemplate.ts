import * as pulumi from "@pulumi/pulumi";
import { clusterServiceTemplateSchema } from "../validate/template";
import { typeToken } from "./internal";
import { planTemplate, registerTemplate } from "./templateEntry";
import { ContainerResources, GpuSelector, Metric, ModelSource, Precision, ResolvedConfig, ResolvedImage, ServingBackend } from "../types";

export interface AIMClusterServiceTemplateArgs {
    /** AIM name that services and caches reference through `templateRef`. Default: the Pulumi resource name. @default the Pulumi resource name */
    name?: string;
    /** Name of the AIMImage (namespace templates) or AIMClusterImage to run. */
    aimImageName: string;
    /** Optimisation target passed to profile selection as `AIM_METRIC`. Default: chosen by the AIM container. @default chosen by the AIM container */
    metric?: Metric;
    /** Precision passed to profile selection as `AIM_PRECISION`. Default: chosen by the AIM container. @default chosen by the AIM container */
    precision?: Precision;
    /** GPUs per replica, passed as `AIM_GPU_MODEL` and `AIM_GPU_COUNT`. Default: chosen by the AIM container. @default chosen by the AIM container */
    gpuSelector?: GpuSelector;
    /** Config to use. Default: "default". @default "default" */
    configName?: string;
    /** What serves this template's services: `deployment` or `kserve`. Default: Pulumi config `aim:servingBackend`, else "deployment". @default Pulumi config `aim:servingBackend`, else "deployment" */
    servingBackend?: ServingBackend;
    /** Model artifacts of the template, needed at preview time to size caches (discovery results are not known then). */
    modelSources?: ModelSource[];
    /** Container resources of its services' inference containers: they win key by key over the image's, a service's win over them. Derived templates inherit them (without `amd.com/gpu` when the overrides set `gpuSelector`). */
    resources?: ContainerResources;
}

/**
 * A cluster-wide service template: an AIM image plus the profile knobs to deploy it with. Its discovery Job runs
 * in the system namespace (Pulumi config `aim:systemNamespace`, default `aim-system`).
 */
export class AIMClusterServiceTemplate extends pulumi.ComponentResource {
    /** The AIM name services and caches reference. */
    public readonly aimName: pulumi.Output<string>;
    /** The config this template resolved, with every default filled in. */
    public readonly resolvedConfig: pulumi.Output<ResolvedConfig>;
    /** The AIM image this template runs. */
    public readonly resolvedImage: pulumi.Output<ResolvedImage>;
    /** Kubernetes name of the discovery Job; absent when inline `modelSources` make discovery unnecessary. */
    public readonly discoveryJobName: pulumi.Output<string | undefined>;

    constructor(name: string, args: AIMClusterServiceTemplateArgs, opts?: pulumi.ComponentResourceOptions) {
        const planned = planTemplate("AIMClusterServiceTemplate", name, clusterServiceTemplateSchema, args, opts);
        super(typeToken("AIMClusterServiceTemplate"), name, planned.spec, opts);
        const outputs = registerTemplate(this, name, planned, opts?.dependsOn);
        this.aimName = outputs.aimName;
        this.resolvedConfig = outputs.resolvedConfig;
        this.resolvedImage = outputs.resolvedImage;
        this.discoveryJobName = outputs.discoveryJobName;
        this.registerOutputs(outputs);
    }
}
