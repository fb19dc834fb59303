import { z } from "zod";
import { dnsLabel, dnsSubdomain, nonEmpty } from "./common";

const imageFields = {
    name: dnsSubdomain,
    image: nonEmpty.regex(/^\S+$/, "must not contain whitespace"),
    defaultServiceTemplate: z.union([z.literal(""), dnsSubdomain]).optional(),
    configName: dnsSubdomain.optional(),
};

export const clusterImageSchema = z.strictObject(imageFields);
export const imageSchema = z.strictObject({ ...imageFields, namespace: dnsLabel });
export type ImageSpec = z.output<typeof clusterImageSchema>;
