// The hand-written baselines: register exactly the resources of a dump with plain @pulumi/kubernetes (and other
// provider SDK) classes, and each AIM component as a plain ComponentResource with the same type and name — with no
// args (`hand`), or with the args and registered outputs the package's component had (`hand-full`): what a program
// writing the same objects by hand would register, with no validation, resolution or rendering.

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

/** A component written by hand: its children are registered beside it; with `outputs`, it registers those. */
class HandComponent extends pulumi.ComponentResource {
    constructor(type: string, name: string, args: pulumi.Inputs, opts: pulumi.ComponentResourceOptions, outputs: pulumi.Inputs | undefined) {
        super(type, name, args, opts);
        if (outputs) this.registerOutputs(outputs);
    }
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

/** One registration, ready to replay: program inputs and options built, references as indices into the plan. */
interface Step {
    create: (name: string, inputs: any, opts: pulumi.CustomResourceOptions) => pulumi.Resource;
    name: string;
    inputs: any;
    /** Index of the parent's step; -1: top level (the provider is passed instead). */
    parent: number;
    dependsOn: number[];
    options: pulumi.CustomResourceOptions;
}

/** A replay prepared before the clock starts; `uses[i]`: how many later steps name step i as parent or dependency. */
export interface Plan {
    steps: (Step | undefined)[];
    uses: number[];
}

/**
 * Orders the registrations as the package registered them (`order`: URNs in the order the monitor received them,
 * parents and dependencies first), and builds every step's inputs and options: what a program written by hand
 * would have as literals in its source, so the timed window holds only what such a program does at run time.
 */
export function prepare(registrations: Registration[], order: string[], componentValues: boolean): Plan {
    const byUrn = new Map(registrations.filter((r) => r.type !== "pulumi:providers:kubernetes").map((r) => [r.urn, r]));
    const index = new Map<string, number>();
    const steps: Step[] = [];
    const uses: number[] = [];
    for (const urn of order) {
        const r = byUrn.get(urn);
        if (!r) continue;
        const ref = (u: string) => {
            const i = index.get(u);
            if (i !== undefined) uses[i]++;
            return i;
        };
        const parent = ref(r.parent) ?? -1;
        const dependsOn = r.dependencies.map(ref).filter((i) => i !== undefined);
        const o = r.options as {
            protect?: boolean;
            retainondelete?: boolean;
            deletebeforereplace?: boolean;
            ignorechangesList?: string[];
            replaceonchangesList?: string[];
        };
        const Class = r.custom ? classOf(r.type) : undefined;
        const outputs = !r.custom && componentValues ? programInputs(r.outputs ?? {}) : undefined;
        steps.push({
            create: Class
                ? (name, inputs, opts) => new Class(name, inputs, opts)
                : (name, inputs, opts) => new HandComponent(r.type, name, inputs, opts, outputs),
            name: r.name,
            // Without componentValues a component takes no args, as the reference harness's `wrapped` baseline; with
            // them it takes the package's, and registers its outputs: what the SDK costs for those, the package aside.
            inputs: r.custom || componentValues ? programInputs(r.inputs) : {},
            parent,
            dependsOn,
            options: {
                ...(o.protect && { protect: true }),
                ...(o.retainondelete && { retainOnDelete: true }),
                ...(o.deletebeforereplace && { deleteBeforeReplace: true }),
                ...(o.ignorechangesList?.length && { ignoreChanges: o.ignorechangesList }),
                ...(o.replaceonchangesList?.length && { replaceOnChanges: o.replaceonchangesList }),
            },
        });
        index.set(urn, steps.length - 1);
        uses.push(0);
    }
    if (steps.length !== byUrn.size) throw new Error(`the registration order names ${steps.length} of the dump's ${byUrn.size} resources`);
    return { steps, uses };
}

/**
 * Registers every prepared step (every resource of the dump except the provider, which the caller created as the
 * package run did). A resource is kept only until the last step that names it, and each step is dropped once
 * constructed, so the baseline holds no more than a program would.
 */
export function replay(plan: Plan, provider: k8s.Provider): number {
    const { steps, uses } = plan;
    const live: (pulumi.Resource | undefined)[] = new Array(steps.length);
    const release = (i: number) => {
        if (--uses[i] === 0) live[i] = undefined;
    };
    for (let i = 0; i < steps.length; i++) {
        const step = steps[i]!;
        steps[i] = undefined;
        const opts: pulumi.CustomResourceOptions = step.options;
        if (step.parent >= 0) opts.parent = live[step.parent];
        else opts.provider = provider;
        if (step.dependsOn.length > 0) opts.dependsOn = step.dependsOn.map((d) => live[d]!);
        const resource = step.create(step.name, step.inputs, opts);
        if (uses[i] > 0) live[i] = resource;
        if (step.parent >= 0) release(step.parent);
        step.dependsOn.forEach(release);
    }
    return steps.length;
}
