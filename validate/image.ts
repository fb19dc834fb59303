import * as z from "zod";
import { containerImage, dnsLabel, dnsSubdomain } from "./common";
import { containerResources } from "./resources";

const imageFields = {
    name: dnsSubdomain,
    image: containerImage,
    defaultServiceTemplate: z.union([z.literal(""), dnsSubdomain]).optional(),
    configName: dnsSubdomain.optional(),
    resources: containerResources.optional(),
};

export const clusterImageSchema = z.strictObject(imageFields);
export const imageSchema = z.strictObject({ ...imageFields, namespace: dnsLabel });
export type ImageSpec = z.output<typeof clusterImageSchema>;
