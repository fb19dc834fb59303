import * as z from "zod/mini";
import { containerImage, dnsLabel, dnsSubdomain } from "./common";
import { containerResources } from "./resources";

const imageFields = {
    name: dnsSubdomain,
    image: containerImage,
    defaultServiceTemplate: z.optional(z.union([z.literal(""), dnsSubdomain])),
    configName: z.optional(dnsSubdomain),
    resources: z.optional(containerResources),
};

export const clusterImageSchema = z.strictObject(imageFields);
export const imageSchema = z.strictObject({ ...imageFields, namespace: dnsLabel });
export type ImageSpec = z.output<typeof clusterImageSchema>;
