// Runs a Pulumi program offline: under its own SDK's mock runtime, with no Pulumi CLI, engine, cluster or network,
// and records what a preview would register — the resources (with the engine's URNs and the options that decide
// replacements), the warnings attributed to their resources, the stack outputs and the Kubernetes manifests.
// `aim-preview` prints one run (formatRun); `aim-review` compares two, each run in a process of its own.
//
// What a program reads from outside has no offline answer and fails with a message saying how to supply it: another
// stack's outputs (a StackReference) come from `stackOutputs`; a reference to the program's own stack reads the
// previous deployment's outputs, which `aim-review` takes from the base revision and `aim-preview` has none of (a
// first deployment); `get` functions, provider invokes and resource reads fail.
//
// Secrets never leave the run in plaintext: each is kept as a secret holding an HMAC of its value under
// `secretKey`, so two runs with one key tell a changed secret from an unchanged one without revealing either.

import { createHmac, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { Registered, urnOf } from "./diff";
import { loadConfig, loadProject, loadSdk, Project, registerTypeScript, Sdk } from "./program";
import { isSecret, KUBERNETES_SECRET, masked, secretOf, UNKNOWN } from "./wire";

/** The organization the runner gives the program, as the CLI does with a self-managed backend. */
export const OFFLINE_ORGANIZATION = "organization";

export interface RunOptions {
    /** Stack whose `Pulumi.<stack>.yaml` supplies the config. Default: "dev". */
    stack?: string;
    /** Run as `pulumi up` would instead of as a preview (resource ids become known). Default: false. */
    update?: boolean;
    /** Config over the stack file's, like `pulumi preview --config key=value`; a key without namespace is the project's. */
    config?: Record<string, string>;
    /**
     * Outputs of the stacks StackReferences read, by stack name as a StackReference takes it (`<stack>`,
     * `<project>/<stack>` or `<organization>/<project>/<stack>`, completed with the program's project and the
     * organization "organization"), as `pulumi stack output --json` prints them.
     */
    stackOutputs?: Record<string, Record<string, unknown>>;
    /**
     * Outputs of this stack's previous deployment, which a StackReference to the program's own stack reads (as
     * `cacheStorageClasses()` does), in the form `stackOutputs` of a run has. Default: none, as before a first deployment.
     */
    previousOutputs?: () => Promise<Record<string, unknown> | undefined>;
    /** Key of the HMAC that stands for each secret's value. Default: a random key (digests comparable within the run only). */
    secretKey?: Buffer;
}

/** One resource registration, as the engine would receive it. */
export interface Registration extends Registered {
    /** Inputs in wire form: each secret as a secret holding a digest (see RunOptions.secretKey), unknowns as "[unknown]". */
    inputs: Record<string, any>;
    custom: boolean;
    deleteBeforeReplace: boolean;
    replaceOnChanges: string[];
    /** What a component registered with registerOutputs (the values it resolved), in the form of inputs. */
    outputs?: Record<string, unknown>;
}

/** What a Kubernetes provider would be asked to apply. */
export interface Manifest {
    apiVersion: string;
    kind: string;
    metadata?: { name?: string; namespace?: string; [key: string]: unknown };
    [key: string]: unknown;
}

/** A warning or error, attributed as the CLI attributes it: to the resource it names, else to the stack. */
export interface Diagnostic {
    /** `<type> (<name>)`, as the CLI heads diagnostics. */
    resource: string;
    urn: string;
    message: string;
}

export interface OfflineRun {
    project: string;
    stack: string;
    preview: boolean;
    /** Every registration, the root stack first, in the order the program declared them. */
    resources: Registration[];
    /** `pulumi.log.warn` calls. */
    warnings: Diagnostic[];
    /** Stack outputs (the program's exports) fit to print: secrets "[secret]", unknowns "[unknown]"; absent when the program failed. */
    outputs?: Record<string, unknown>;
    /** The same outputs in the form of inputs: what a StackReference to this stack reads in the next revision. */
    stackOutputs?: Record<string, unknown>;
    /** The Kubernetes objects among the registrations, fit to print (every secret, and all Secret data, "[secret]"). */
    manifests: Manifest[];
    /** Why the program failed, as the CLI would report it; empty on success. */
    errors: Diagnostic[];
}

const STACK_REFERENCE = "pulumi:pulumi:StackReference";

/** `<organization>/<project>/<stack>` of a stack name as a StackReference accepts it (`stack`, `project/stack` or full). */
function qualifiedStackName(name: string, project: string): string {
    const parts = name.split("/");
    if (parts.length === 1) return `${OFFLINE_ORGANIZATION}/${project}/${name}`;
    if (parts.length === 2) return `${OFFLINE_ORGANIZATION}/${name}`;
    return name;
}

/** Type and name of a resource from its URN (`urn:pulumi:<stack>::<project>::<parent types$type>::<name>`). */
function describeUrn(urn: string): string {
    const [, , qualifiedType, ...name] = urn.split("::");
    return `${qualifiedType.split("$").pop()} (${name.join("::")})`;
}

function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
    if (value && typeof value === "object") {
        const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
    }
    return JSON.stringify(value) ?? "null";
}

/** Turns serialized property values into the recorded form: secrets digested, unknowns marked. */
function recorder(sdk: Sdk, key: Buffer) {
    const digest = (value: unknown) => secretOf(createHmac("sha256", key).update(canonicalJson(value)).digest("hex").slice(0, 32));
    const record = (value: unknown): any => {
        if (value === sdk.pulumi.runtime.unknownValue) return UNKNOWN;
        if (isSecret(value)) return digest(value.value);
        if (Array.isArray(value)) return value.map(record);
        if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, record(v)]));
        return value;
    };
    return (type: string, value: unknown): any => {
        const recorded = record(value);
        // Kubernetes Secret data is always secret in Pulumi, even when a program passes it as plain text.
        if (type === KUBERNETES_SECRET) {
            for (const field of ["data", "stringData"]) {
                const data = recorded[field];
                if (data === undefined || isSecret(data)) continue;
                recorded[field] =
                    data && typeof data === "object"
                        ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, isSecret(v) ? v : digest(v)]))
                        : digest(data);
            }
        }
        return recorded;
    };
}

/** Outputs in the recorded form, back as property values a StackReference can return. */
function asStackReferenceOutputs(sdk: Sdk, outputs: Record<string, unknown>): Record<string, unknown> {
    const restore = (value: unknown): unknown => {
        if (value === UNKNOWN) return sdk.pulumi.runtime.unknownValue;
        if (Array.isArray(value)) return value.map(restore);
        if (value && typeof value === "object" && !isSecret(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restore(v)]));
        return value;
    };
    return restore(outputs) as Record<string, unknown>;
}

function outsideReadError(what: string): Error {
    return new Error(
        `${what} reads from outside the program (a cloud, a cluster or a provider), which cannot run offline: ` +
            "pass what the program needs through stack config for the review instead (--config <key>=<value>)",
    );
}

/** Installs recording mocks in the program's SDK; returns where they record. */
async function installMocks(sdk: Sdk, project: Project, stack: string, preview: boolean, options: RunOptions) {
    const { pulumi } = sdk;
    const record = recorder(sdk, options.secretKey ?? randomBytes(32));
    const resources: Registration[] = [];
    const componentOutputs = new Map<string, Record<string, unknown>>();
    const captured: { stackOutputs?: Record<string, unknown> } = {};
    const self = `${OFFLINE_ORGANIZATION}/${project.name}/${stack}`;
    const stackUrn = urnOf(stack, project.name, undefined, pulumi.runtime.rootPulumiStackTypeName, `${project.name}-${stack}`);

    const supplied = new Map(Object.entries(options.stackOutputs ?? {}).map(([name, outputs]) => [qualifiedStackName(name, project.name), outputs]));
    const readStack = async (name: string) => {
        const qualified = qualifiedStackName(name, project.name);
        const outputs = supplied.get(qualified) ?? (qualified === self ? ((await options.previousOutputs?.()) ?? {}) : undefined);
        if (outputs !== undefined) return asStackReferenceOutputs(sdk, outputs);
        throw new Error(
            `StackReference "${name}": the outputs of stack ${qualified} are not available offline; supply them with ` +
                `--stack-outputs ${qualified}=<file>, a JSON object of the outputs (\`pulumi stack output --json --stack ${name}\` prints one)`,
        );
    };
    await pulumi.runtime.setMocks(
        {
            // Echo the inputs as state, as a provider's Check would; in a preview, ids stay unknown.
            newResource: async ({ type, name, inputs, id, custom }) => {
                if (type === STACK_REFERENCE) return { id: inputs.name, state: { ...inputs, outputs: await readStack(inputs.name) } };
                if (custom && id) throw outsideReadError(`${type} "${name}" (id ${id})`);
                const objectId = [inputs?.metadata?.namespace, inputs?.metadata?.name ?? name].filter(Boolean).join("/");
                // A generated password, as the random provider computes it: unknown until applied (always a secret).
                const state =
                    type === "random:index/randomPassword:RandomPassword"
                        ? { ...inputs, result: preview ? pulumi.runtime.unknownValue : "<generated by pulumi up>" }
                        : inputs;
                return { id: preview ? undefined : objectId, state };
            },
            call: ({ token }) => {
                throw outsideReadError(`the function ${token}`);
            },
        },
        project.name,
        stack,
        preview,
        OFFLINE_ORGANIZATION,
    );
    const monitor = pulumi.runtime.getMonitor() as any;
    // URNs as the engine makes them (the mock's keep only the parent's last type): see urnOf.
    monitor.newUrn = (parent: string, type: string, name: string) => urnOf(stack, project.name, parent || undefined, type, name);
    // MockResourceArgs carries no parent or options, so read registrations off the requests themselves; a
    // registration the mock engine rejected is dropped.
    const registerResource = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: unknown, res: any) => void) =>
        registerResource(req, (err: unknown, res: any) => {
            if (!err) {
                const type: string = req.getType();
                resources.push({
                    type,
                    name: req.getName(),
                    urn: res.getUrn(),
                    parent: req.getParent(),
                    inputs: record(type, req.getObject()?.toJavaScript() ?? {}),
                    dependencies: req.getDependenciesList(),
                    protect: req.getProtect(),
                    retainOnDelete: req.getRetainondelete(),
                    custom: req.getCustom(),
                    deleteBeforeReplace: req.getDeletebeforereplace(),
                    replaceOnChanges: req.getReplaceonchangesList(),
                });
            }
            callback(err, res);
        });
    const registerResourceOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req: any, callback: (err: unknown, res: any) => void) => {
        const outputs = record("", req.getOutputs()?.toJavaScript() ?? {});
        if (req.getUrn() === stackUrn) captured.stackOutputs = outputs;
        else componentOutputs.set(req.getUrn(), outputs);
        registerResourceOutputs(req, callback);
    };
    return { resources, componentOutputs, captured, stackUrn };
}

/**
 * Makes the program load, with every module it imports from outside node_modules, as in a process of its own;
 * returns the function that puts the previous module cache back.
 */
function ownModules(): () => void {
    const shared = (id: string) => id.split(path.sep).includes("node_modules");
    const saved = Object.entries(require.cache).filter(([id]) => !shared(id));
    for (const [id] of saved) delete require.cache[id];
    return () => {
        for (const id of Object.keys(require.cache)) if (!shared(id)) delete require.cache[id];
        for (const [id, mod] of saved) require.cache[id] = mod;
    };
}

/** The URN of a registered resource; undefined for none or one that never registered. */
async function urnOfResource(resource: { urn: unknown } | undefined): Promise<string | undefined> {
    // OutputImpl.promise() is internal but stable (tests/harness.ts uses it); unlike apply, it cannot hang.
    return (resource?.urn as any)?.promise().catch(() => undefined);
}

/** An error as the CLI reports it: attributed to a resource, with the stack trace only when it is a bug. */
async function diagnose(sdk: Sdk, err: unknown, stackUrn: string, entry: string): Promise<Diagnostic> {
    const at = (urn: string | undefined, message: string) => ({ resource: describeUrn(urn ?? stackUrn), urn: urn ?? stackUrn, message });
    if (sdk.pulumi.ResourceError.isInstance(err)) {
        return at(await urnOfResource(err.resource), err.hideStack ? err.message : (err.stack ?? err.message));
    }
    if (sdk.pulumi.RunError.isInstance(err)) return at(undefined, err.message);
    let detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    // A compile error: its message says where; the CLI leaves out the compiler's own stack (cmd/run/run.js).
    if (err instanceof Error && (err.name === "TSError" || err.name === SyntaxError.name)) {
        const parts = detail.split(err.message);
        detail = parts.length === 2 ? parts[0] + err.message : err.message;
    }
    return at(undefined, `Running program '${entry}' failed with an unhandled exception:\n${detail}`);
}

/** Registrations of Kubernetes objects (not providers): what a preview would apply. */
function isKubernetesObject(r: Registration): boolean {
    return r.type.startsWith("kubernetes:") && Boolean(r.inputs.apiVersion && r.inputs.kind);
}

function manifestOf(r: Registration): Manifest {
    const { apiVersion, kind, metadata, ...rest } = masked(r.inputs);
    return { apiVersion, kind, metadata, ...rest };
}

/** Runs the Pulumi program of a project directory under the mock runtime and records what it registers. */
export async function runOffline(projectDir: string, options: RunOptions = {}): Promise<OfflineRun> {
    const project = loadProject(path.resolve(projectDir));
    const sdk = loadSdk(project);
    const { pulumi } = sdk;
    const stack = options.stack ?? "dev";
    const preview = !options.update;
    const { config, secretKeys } = loadConfig(project, stack, options.config);

    const { resources, componentOutputs, captured, stackUrn } = await installMocks(sdk, project, stack, preview, options);
    const previousConfig = pulumi.runtime.allConfig();
    pulumi.runtime.setAllConfig(config, secretKeys);
    // Without an engine, pulumi.log.warn prints to console.warn and drops the resource; the CLI shows each warning
    // under the resource it names, so the runner takes the call itself (the URN resolves later). It must be the
    // program's copy of the SDK: the package's components log through it.
    const pendingWarnings: { resource?: { urn: unknown }; message: string }[] = [];
    const log = pulumi.log as { warn: typeof pulumi.log.warn };
    const logWarn = log.warn;
    log.warn = (message, resource) => {
        pendingWarnings.push({ resource, message });
        return Promise.resolve();
    };
    const failures: unknown[] = [];
    const onRejection = (reason: unknown) => failures.push(reason);
    process.on("unhandledRejection", onRejection);
    const declarationOrder = new Map<string, number>();
    const cwd = process.cwd();
    const restoreModules = ownModules();
    try {
        process.chdir(project.dir);
        registerTypeScript(project, sdk);
        // What the Node.js language host does: require the program inside the root stack resource; its exports
        // (or, when it exports a function, what that returns) become the stack outputs.
        await pulumi.runtime.runInPulumiStack(async () => {
            // An observing transformation sees every resource as it is constructed: the declaration order.
            pulumi.runtime.registerStackTransformation(({ type, name }) => {
                declarationOrder.set(`${type}::${name}`, declarationOrder.size + 1);
                return undefined;
            });
            const exported = require(fs.statSync(project.entry, { throwIfNoEntry: false })?.isDirectory() ? project.entry + path.sep : project.entry);
            return exported instanceof Function ? exported() : exported;
        });
    } catch (err) {
        failures.unshift(err);
    } finally {
        await sdk.waitForRPCs();
        // Let rejections nobody handled surface before the listener goes.
        await new Promise((resolve) => setImmediate(resolve));
        restoreModules();
        process.chdir(cwd);
        process.off("unhandledRejection", onRejection);
        log.warn = logWarn;
        pulumi.runtime.setAllConfig(previousConfig, Object.keys(previousConfig).filter(sdk.isConfigSecret));
        sdk.setStackResource(undefined);
    }

    // Registrations reach the engine in the order their inputs resolve; list them as the program declared them.
    // Ties (one type and name under two parents) go by URN: two runs of one program list the same order.
    const order = (r: Registration) => declarationOrder.get(`${r.type}::${r.name}`) ?? 0;
    resources.sort((a, b) => order(a) - order(b) || (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
    for (const r of resources) {
        const outputs = componentOutputs.get(r.urn);
        if (outputs !== undefined && !r.custom) r.outputs = outputs;
    }
    const errors = await Promise.all([...new Set(failures)].map((err) => diagnose(sdk, err, stackUrn, project.entry)));
    const warnings = await Promise.all(
        pendingWarnings.map(async ({ resource, message }) => {
            const urn = (await urnOfResource(resource)) ?? stackUrn;
            return { resource: describeUrn(urn), urn, message };
        }),
    );
    const succeeded = errors.length === 0;
    return {
        project: project.name,
        stack,
        preview,
        resources,
        warnings,
        ...(succeeded && { outputs: masked(captured.stackOutputs ?? {}), stackOutputs: captured.stackOutputs ?? {} }),
        manifests: resources.filter(isKubernetesObject).map(manifestOf),
        errors,
    };
}

function indent(text: string, prefix: string): string {
    return text.replace(/\n$/, "").split("\n").map((line) => prefix + line).join("\n");
}

/** The report `aim-preview` prints: resource tree, warnings, then either the errors or the outputs and manifests. */
export function formatRun(run: OfflineRun): string {
    const out: string[] = [];
    out.push(
        `${run.preview ? "Previewing update" : "Updating"} (${run.stack}) of ${run.project}, offline: ` +
            "Pulumi's mock runtime, no CLI and no cluster",
        "",
        "Resources:",
    );
    const children = new Map<string | undefined, Registration[]>();
    const urns = new Set(run.resources.map((r) => r.urn));
    for (const r of run.resources) {
        const parent = r.parent && urns.has(r.parent) ? r.parent : undefined;
        children.set(parent, [...(children.get(parent) ?? []), r]);
    }
    const walk = (parent: string | undefined, depth: number): void => {
        for (const r of children.get(parent) ?? []) {
            out.push(`${"    ".repeat(depth + 1)}${r.type} ${r.name}`);
            walk(r.urn, depth + 1);
        }
    };
    walk(undefined, 0);

    // Diagnostics grouped by the resource they belong to, as `pulumi preview` prints them.
    const diagnostics = [
        ...run.warnings.map((w) => ({ ...w, text: `warning: ${w.message}` })),
        ...run.errors.map((e) => ({ ...e, text: `error: ${e.message}` })),
    ];
    out.push("", diagnostics.length ? "Diagnostics:" : "Diagnostics: none");
    for (const resource of new Set(diagnostics.map((d) => d.resource))) {
        out.push(`  ${resource}:`);
        for (const d of diagnostics.filter((d) => d.resource === resource)) out.push(indent(d.text, "    "));
    }

    if (run.errors.length > 0) {
        out.push("", "The preview failed: nothing would be applied.");
        return out.join("\n") + "\n";
    }

    const outputs = run.outputs ?? {};
    out.push("", Object.keys(outputs).length ? "Outputs:" : "Outputs: none");
    if (Object.keys(outputs).length) out.push(indent(YAML.stringify(outputs, { lineWidth: 0 }), "    "));

    out.push("", `Manifests (${run.manifests.length} Kubernetes objects):`);
    const registrations = run.resources.filter(isKubernetesObject);
    run.manifests.forEach((manifest, i) => {
        out.push("---", `# ${registrations[i].type} ${registrations[i].name}`);
        out.push(YAML.stringify(manifest, { lineWidth: 0 }).replace(/\n$/, ""));
    });
    return out.join("\n") + "\n";
}
