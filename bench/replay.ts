// The hand-written baseline: registers exactly the resources of a dump with plain @pulumi/kubernetes (and other
// provider SDK) classes, and each AIM component as a plain ComponentResource with the same type, name and inputs —
// what a program writing the same objects by hand would register, with no validation, resolution or rendering.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Registration } from "./monitor";

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Wire-form inputs back to program inputs: a secret becomes `pulumi.secret` at the same place. */
export function programInputs(value: unknown): any {
    if (value === UNKNOWN) throw new Error("the dump holds an unknown input; the replay cannot reproduce it with plain values");
    if (Array.isArray(value)) return value.map(programInputs);
    if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[SECRET_SIG_KEY] === SECRET_SIG) return pulumi.secret(programInputs(record.value));
        if (SECRET_SIG_KEY in record) throw new Error(`the dump holds a special value (${String(record[SECRET_SIG_KEY])}) the replay does not handle`);
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(record)) out[key] = programInputs(record[key]);
        return out;
    }
    return value;
}

type ResourceClass = new (name: string, args: any, opts: pulumi.CustomResourceOptions) => pulumi.Resource;

/** The SDK class of a type token: `kubernetes:<group>/<version>:<Kind>` (a CRD's kind: CustomResource), `<pkg>:index/…:<Kind>`. */
export function classOf(type: string): ResourceClass {
    const [pkg, module, kind] = type.split(":");
    if (pkg === "kubernetes") {
        const [group, version] = module.split("/");
        const sdkGroup = group === "core" || !group.includes(".") ? group : group.endsWith(".k8s.io") ? group.split(".")[0] : undefined;
        const cls = sdkGroup && (k8s as any)[sdkGroup]?.[version]?.[kind];
        return cls ?? (k8s.apiextensions.CustomResource as unknown as ResourceClass);
    }
    const sdk = require(`@pulumi/${pkg}`);
    if (typeof sdk[kind] !== "function") throw new Error(`no class for ${type} in @pulumi/${pkg}`);
    return sdk[kind];
}

/** Parents and dependencies before dependents (the dump is sorted by URN). */
function inRegistrationOrder(registrations: Registration[]): Registration[] {
    const byUrn = new Map(registrations.map((r) => [r.urn, r]));
    const done = new Set<string>();
    const ordered: Registration[] = [];
    const visit = (r: Registration) => {
        if (done.has(r.urn)) return;
        done.add(r.urn);
        for (const urn of [r.parent, ...r.dependencies]) {
            const before = byUrn.get(urn);
            if (before) visit(before);
        }
        ordered.push(r);
    };
    registrations.forEach(visit);
    return ordered;
}

/**
 * Registers every resource of the dump except the provider, which the caller created as the package run did. Each
 * dump entry is dropped once its resource is constructed, so the baseline holds no more than a program would.
 */
export function replay(registrations: Registration[], provider: k8s.Provider): number {
    const resources = new Map<string, pulumi.Resource>();
    const ordered = inRegistrationOrder(registrations.filter((r) => r.type !== "pulumi:providers:kubernetes"));
    registrations.length = 0;
    for (let i = 0; i < ordered.length; i++) {
        const r = ordered[i];
        (ordered as unknown[])[i] = undefined;
        const parent = resources.get(r.parent);
        const dependsOn = r.dependencies.map((urn) => resources.get(urn)!).filter((d) => d !== undefined);
        const o = r.options as { protect?: boolean; retainondelete?: boolean; deletebeforereplace?: boolean; ignorechangesList?: string[] };
        const opts: pulumi.CustomResourceOptions = {
            ...(parent ? { parent } : { provider }),
            ...(dependsOn.length > 0 && { dependsOn }),
            ...(o.protect && { protect: true }),
            ...(o.retainondelete && { retainOnDelete: true }),
            ...(o.deletebeforereplace && { deleteBeforeReplace: true }),
            ...(o.ignorechangesList?.length && { ignoreChanges: o.ignorechangesList }),
        };
        const inputs = programInputs(r.inputs);
        resources.set(
            r.urn,
            r.custom ? new (classOf(r.type))(r.name, inputs, opts) : new pulumi.ComponentResource(r.type, r.name, inputs, opts),
        );
    }
    return resources.size;
}
