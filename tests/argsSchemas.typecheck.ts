// Compile-time checks, run by `npm run typecheck` (part of `npm test`): each zod schema accepts exactly the fields
// of its public Args interface, with the same types. The interfaces are hand-written for schema inference (design
// §6), the schemas validate at runtime; this keeps the two from drifting apart.

import * as pulumi from "@pulumi/pulumi";
import * as z from "zod/mini";
import {
    AIMClusterConfigArgs,
    AIMClusterImageArgs,
    AIMClusterServiceTemplateArgs,
    AIMImageArgs,
    AIMNamespaceConfigArgs,
    AIMServiceArgs,
    AIMServiceTemplateArgs,
    AIMTemplateCacheArgs,
} from "../index";
import { templateCacheSchema } from "../validate/cache";
import { clusterConfigSchema, namespaceConfigSchema } from "../validate/config";
import { clusterImageSchema, imageSchema } from "../validate/image";
import { serviceSchema } from "../validate/service";
import { clusterServiceTemplateSchema, serviceTemplateSchema } from "../validate/template";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Values compared as wholes: Inputs (Outputs, Promises) and primitives. */
type Leaf = string | number | boolean | pulumi.Output<unknown> | Promise<unknown>;
/** Same field names at every depth (structural checks alone let extra optional fields by). */
type SameKeys<A, B> = [A] extends [Leaf]
    ? true
    : [A] extends [readonly (infer EA)[]]
      ? [B] extends [readonly (infer EB)[]]
          ? SameKeys<NonNullable<EA>, NonNullable<EB>>
          : false
      : Same<keyof A, keyof B> extends true
        ? false extends { [K in keyof A & keyof B]: SameKeys<NonNullable<A[K]>, NonNullable<B[K]>> }[keyof A & keyof B]
            ? false
            : true
        : false;
/** Same field names at every depth, and the same types. */
type Matches<A, B> = SameKeys<A, B> extends true ? Same<A, B> : false;
type Assert<T extends true> = T;
/** What a schema accepts from a user: the component fills in `name` (the Pulumi name) when Args leave it out. */
type ArgsOf<S extends z.ZodMiniType> = Omit<z.input<S>, "name"> & { name?: string };

export type SchemasMatchArgs = [
    Assert<Matches<ArgsOf<typeof clusterConfigSchema>, AIMClusterConfigArgs>>,
    Assert<Matches<ArgsOf<typeof namespaceConfigSchema>, AIMNamespaceConfigArgs>>,
    Assert<Matches<ArgsOf<typeof clusterImageSchema>, AIMClusterImageArgs>>,
    Assert<Matches<ArgsOf<typeof imageSchema>, AIMImageArgs>>,
    Assert<Matches<ArgsOf<typeof clusterServiceTemplateSchema>, AIMClusterServiceTemplateArgs>>,
    Assert<Matches<ArgsOf<typeof serviceTemplateSchema>, AIMServiceTemplateArgs>>,
    Assert<Matches<ArgsOf<typeof templateCacheSchema>, AIMTemplateCacheArgs>>,
    Assert<Matches<ArgsOf<typeof serviceSchema>, AIMServiceArgs>>,
];
