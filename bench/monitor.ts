// The mock runtime both variants run under, and the recording of every registration as the engine would receive
// it (the wire form of the RegisterResource request), canonicalised so that two runs can be compared byte for byte.

import * as pulumi from "@pulumi/pulumi";

/** One registration: the request's fields that reach the engine, minus source positions and stack traces. */
export interface Registration {
    urn: string;
    type: string;
    name: string;
    parent: string;
    custom: boolean;
    provider: string;
    /** Inputs in wire form: secrets stay `{ "4dabf…": "1b47…", value }`, unknowns stay the unknown sentinel. */
    inputs: unknown;
    /** Sorted: dependsOn and input dependencies. */
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    /** Every other resource option field of the request (protect, retainOnDelete, aliases, timeouts, …). */
    options: Record<string, unknown>;
    /** What a component passed to registerOutputs (wire form); absent for custom resources. */
    outputs?: unknown;
}

export interface Dump {
    n: number;
    /** Sorted by URN. */
    registrations: Registration[];
    /** URNs in the order the monitor received them (parents and dependencies first); not part of the dump's text. */
    order: string[];
}

// Request fields kept elsewhere in a Registration, or that name source files and lines (they differ between the
// package and the replay and carry nothing the engine diffs).
const NOT_OPTIONS = new Set([
    "type", "name", "parent", "custom", "object", "provider", "dependenciesList", "propertydependenciesMap",
    "sourceposition", "stacktrace", "parentstacktracehandle",
]);

/** Sets up preview-mode mocks echoing inputs (as tests/harness.ts); `record` keeps every registration. */
export async function installMocks(record: boolean) {
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({ id: args.inputs?.metadata?.name ?? `${args.name}-id`, state: args.inputs }),
            call: (args) => args.inputs,
        },
        "aim",
        "bench",
        true,
        "organization",
    );
    const registrations: Registration[] = [];
    const outputs = new Map<string, unknown>();
    const errors: string[] = [];
    let count = 0;
    const monitor = pulumi.runtime.getMonitor() as any;
    const registerResource = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: unknown, res: any) => void) =>
        registerResource(req, (err: unknown, res: any) => {
            count++;
            if (err) errors.push(String(err));
            else if (record) registrations.push(registrationOf(req, res.getUrn()));
            callback(err, res);
        });
    if (record) {
        const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
        monitor.registerResourceOutputs = (req: any, callback: (err: unknown, res: any) => void) => {
            outputs.set(req.getUrn(), req.getOutputs()?.toJavaScript() ?? {});
            return registerOutputs(req, callback);
        };
    }
    process.on("unhandledRejection", (reason) => errors.push(`unhandled rejection: ${String(reason)}`));
    return {
        errors,
        count: () => count,
        dump: (n: number): Dump => ({
            n,
            order: registrations.map((r) => r.urn),
            registrations: registrations
                .map((r) => (outputs.has(r.urn) ? { ...r, outputs: outputs.get(r.urn) } : r))
                .sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0)),
        }),
    };
}

function registrationOf(req: any, urn: string): Registration {
    const options: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(req.toObject() as Record<string, unknown>)) {
        if (!NOT_OPTIONS.has(key) && !isEmpty(value)) options[key] = value;
    }
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
        propertyDependencies[key] = [...deps.getUrnsList()].sort();
    });
    return {
        urn,
        type: req.getType(),
        name: req.getName(),
        parent: req.getParent(),
        custom: req.getCustom(),
        provider: req.getProvider(),
        inputs: req.getObject()?.toJavaScript() ?? {},
        dependencies: [...req.getDependenciesList()].sort(),
        propertyDependencies,
        options,
    };
}

/** Unset request fields (false, "", empty lists, all-empty messages) are left out of a dump: it stays readable. */
function isEmpty(value: unknown): boolean {
    if (value === false || value === "" || value === undefined || value === null) return true;
    if (Array.isArray(value)) return value.length === 0;
    return typeof value === "object" && Object.values(value).every(isEmpty);
}

/** JSON with object keys sorted at every level: the same registrations give the same bytes. */
export function canonicalJson(value: unknown): string {
    return JSON.stringify(value, (_key, v) =>
        v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
    );
}

/** A dump as a file: one registration per line, so a diff names the registrations that changed. */
export function dumpText(dump: Dump): string {
    return `{"n":${dump.n},"registrations":[\n${dump.registrations.map(canonicalJson).join(",\n")}\n]}\n`;
}
