// What a service's inference container asks for (aim-reference §3.5 "Container resources", items 46–47): the levels
// of resources that overlay the per-GPU defaults, and the GPU count that sizes those defaults and the GPU request.

import { ContainerResources } from "../types";
import { ImageSpec } from "../validate/image";
import { GPU_RESOURCE, gpuCountOf } from "../validate/resources";
import { TemplateSpec } from "../validate/template";

/** A level without its GPU key; undefined when nothing else is left. */
export function withoutGpu(resources: ContainerResources | undefined): ContainerResources | undefined {
    const strip = (list?: Record<string, string>) => {
        const rest = Object.fromEntries(Object.entries(list ?? {}).filter(([key]) => key !== GPU_RESOURCE));
        return Object.keys(rest).length > 0 ? rest : undefined;
    };
    const requests = strip(resources?.requests);
    const limits = strip(resources?.limits);
    return requests || limits ? { ...(requests && { requests }), ...(limits && { limits }) } : undefined;
}

/**
 * A template's GPUs per replica: its own statement (`resources` or `gpuSelector`, which validation keeps equal), else
 * its image's `amd.com/gpu`, else 1. Upstream lets the image's `amd.com/gpu` win over the template's profile count;
 * here the template, being the more specific object, wins, as it does for every other key.
 */
export function templateGpuCount(template: Pick<TemplateSpec, "resources" | "gpuSelector">, image: Pick<ImageSpec, "resources">): number {
    return gpuCountOf(template.resources) ?? template.gpuSelector?.count ?? gpuCountOf(image.resources) ?? 1;
}

export interface InferenceResourcesPlan {
    /** GPUs per replica: the service's `amd.com/gpu`, else the template's (after overrides), else the image's, else 1. */
    gpuCount: number;
    /** The levels over the per-GPU defaults, lowest precedence first: image, template, service. */
    levels: ContainerResources[];
}

export function planInferenceResources(
    service: { resources?: ContainerResources },
    template: Pick<TemplateSpec, "resources" | "gpuSelector">,
    image: Pick<ImageSpec, "resources">,
): InferenceResourcesPlan {
    return {
        gpuCount: gpuCountOf(service.resources) ?? templateGpuCount(template, image),
        levels: [image.resources, template.resources, service.resources].filter((level) => level !== undefined),
    };
}
