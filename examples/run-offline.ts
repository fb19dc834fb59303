// Runs a Pulumi program offline: under the SDK's mock runtime, with no Pulumi CLI, engine or cluster, and prints
// what a preview would register — the resource tree, the warnings, the stack outputs and the Kubernetes manifests.
//
//   ts-node --transpile-only examples/run-offline.ts <project dir> [--stack <name>] [--update] [--config <key>=<value>]...
//
// The project directory holds a Pulumi.yaml (its `main` may point at the program, as the repository root's does).
// Stack config comes from Pulumi.<stack>.yaml beside it (stack `dev` unless --stack says otherwise; a stack without
// that file has no config, as after `pulumi stack init`), then from --config. Secure values cannot be decrypted
// offline: they reach the program as secret config holding a placeholder.
//
// Like the CLI, the runner wraps the program in the root `pulumi:pulumi:Stack` resource and exports the program's
// exports as stack outputs. Each run loads the program, and every module it imports from outside node_modules,
// afresh — as a separate `pulumi preview` process would — so runs in one process never share the package's
// per-cluster catalog. Only the Pulumi SDK and other node_modules packages are shared (the mocks live in the SDK).

import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

// @internal in the SDK's typings but stable (tests/harness.ts uses the first too): waitForRPCs is how the program
// host waits for the program's registrations; the others reset the global state a run leaves behind.
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
const { setStackResource } = require("@pulumi/pulumi/runtime/state") as { setStackResource(stack: undefined): void };
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };

// The examples import the package by its name, as a reader's program does (the README shows the quick start as it
// is). For the runner that name means this clone's sources, which the tests load too, rather than the compiled bin/
// that Node's self-reference would give (stale or missing until a build); tsconfig.json's `paths` says the same to
// the type checker. The Pulumi CLI, which knows nothing of this, gets bin/ (built by `npm ci`).
const PACKAGE_NAME = "@aim-pulumi/aim";
const PACKAGE_SOURCE = path.join(__dirname, "..", "index.ts");
const Module = require("module") as { _resolveFilename(request: string, ...rest: unknown[]): string };
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    return resolveFilename.call(this, request === PACKAGE_NAME ? PACKAGE_SOURCE : request, ...rest);
};

export interface RunOptions {
    /** Stack whose `Pulumi.<stack>.yaml` supplies the config. Default: "dev". */
    stack?: string;
    /** Run as `pulumi up` would instead of as a preview (resource ids become known). Default: false. */
    update?: boolean;
    /** Config over the stack file's, like `pulumi preview --config key=value`; a key without namespace is the project's. */
    config?: Record<string, string>;
}

/** One resource registration, as the engine would receive it. */
export interface Registration {
    type: string;
    name: string;
    urn: string;
    /** URN of the parent; absent for the stack itself. */
    parent?: string;
    /** Inputs, with every secret replaced by "[secret]" and every unknown value by "[unknown]". */
    inputs: Record<string, any>;
}

/** What a Kubernetes provider would be asked to apply. */
export interface Manifest {
    apiVersion: string;
    kind: string;
    metadata?: { name?: string; namespace?: string; [key: string]: unknown };
    [key: string]: unknown;
}

export interface OfflineRun {
    project: string;
    stack: string;
    preview: boolean;
    /** Every registration, the root stack first, in the order the program declared them. */
    resources: Registration[];
    /** `pulumi.log.warn` calls, attributed to the resource they name as the CLI attributes them (else the stack). */
    warnings: { resource: string; message: string }[];
    /** Stack outputs (the program's exports), masked like inputs; absent when the program failed. */
    outputs?: Record<string, unknown>;
    /** The Kubernetes objects among the registrations, with Secret data masked. */
    manifests: Manifest[];
    /** Why the program failed, as the CLI would report it; absent on success. */
    errors: { resource: string; message: string }[];
}

const SECRET = "[secret]";
const UNKNOWN = "[unknown]";
const SECURE_PLACEHOLDER = "<secure config value: not decrypted offline>";

interface Project {
    name: string;
    /** Directory of Pulumi.yaml: the program's working directory. */
    dir: string;
    programDir: string;
    stackConfigDir: string;
}

function readYaml(file: string): any {
    return YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
}

function loadProject(dir: string): Project {
    const file = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    if (!file) throw new Error(`no Pulumi.yaml in ${dir}`);
    const doc = readYaml(file);
    const runtime = typeof doc.runtime === "string" ? doc.runtime : doc.runtime?.name;
    if (typeof doc.name !== "string" || runtime !== "nodejs") {
        throw new Error(`${file}: the offline runner needs a project name and runtime nodejs`);
    }
    if (doc.config !== undefined) throw new Error(`${file}: project-level config is not supported by the offline runner`);
    return {
        name: doc.name,
        dir,
        programDir: path.resolve(dir, doc.main ?? "."),
        stackConfigDir: path.resolve(dir, doc.stackConfigDir ?? "."),
    };
}

/** Stack config as the language host passes it: strings, other values as JSON, keys namespaced. */
function loadConfig(project: Project, stack: string, overrides: Record<string, string> = {}) {
    const file = path.join(project.stackConfigDir, `Pulumi.${stack}.yaml`);
    const settings: Record<string, unknown> = fs.existsSync(file) ? (readYaml(file).config ?? {}) : {};
    const key = (k: string) => (k.includes(":") ? k : `${project.name}:${k}`);
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [k, value] of Object.entries(settings)) {
        const isSecure = typeof value === "object" && value !== null && "secure" in value;
        if (isSecure) secretKeys.push(key(k));
        config[key(k)] = isSecure ? SECURE_PLACEHOLDER : typeof value === "string" ? value : JSON.stringify(value);
    }
    for (const [k, value] of Object.entries(overrides)) config[key(k)] = value;
    return { config, secretKeys };
}

/** A copy of a serialized property value fit to print: secrets and unknowns replaced by markers. */
function mask(value: unknown): any {
    if (value === pulumi.runtime.unknownValue) return UNKNOWN;
    if (Array.isArray(value)) return value.map(mask);
    if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) return SECRET;
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, mask(v)]));
    }
    return value;
}

/** Type and name of a resource from its URN (`urn:pulumi:<stack>::<project>::<parent types$type>::<name>`). */
function describeUrn(urn: string): string {
    const [, , qualifiedType, ...name] = urn.split("::");
    return `${qualifiedType.split("$").pop()} (${name.join("::")})`;
}

/** Installs recording mocks; returns where they record and the stack outputs they capture. */
async function installMocks(project: string, stack: string, preview: boolean) {
    const resources: Registration[] = [];
    const captured: { outputs?: Record<string, unknown> } = {};
    await pulumi.runtime.setMocks(
        {
            // Echo the inputs as state, as a provider's Check would; in a preview, ids stay unknown.
            newResource: ({ type, name, inputs }) => {
                const id = [inputs?.metadata?.namespace, inputs?.metadata?.name ?? name].filter(Boolean).join("/");
                // A generated password, as the random provider computes it: unknown until applied (always a secret).
                const state =
                    type === "random:index/randomPassword:RandomPassword"
                        ? { ...inputs, result: preview ? pulumi.runtime.unknownValue : "<generated by pulumi up>" }
                        : inputs;
                return { id: preview ? undefined : id, state };
            },
            call: ({ inputs }) => inputs,
        },
        project,
        stack,
        preview,
    );
    // MockResourceArgs carries no parent, so read registrations off the requests themselves, in the order the
    // program sent them; a registration the mock engine rejected is dropped.
    const monitor = pulumi.runtime.getMonitor() as any;
    const registerResource = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: unknown, res: any) => void) => {
        const registration: Registration = {
            type: req.getType(),
            name: req.getName(),
            urn: "",
            parent: req.getParent() || undefined,
            inputs: mask(req.getObject()?.toJavaScript() ?? {}),
        };
        resources.push(registration);
        return registerResource(req, (err: unknown, res: any) => {
            if (err) resources.splice(resources.indexOf(registration), 1);
            else registration.urn = res.getUrn();
            callback(err, res);
        });
    };
    const registerResourceOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req: any, callback: (err: unknown, res: any) => void) => {
        if (req.getUrn().endsWith(`::${pulumi.runtime.rootPulumiStackTypeName}::${project}-${stack}`)) {
            captured.outputs = mask(req.getOutputs()?.toJavaScript() ?? {});
        }
        registerResourceOutputs(req, callback);
    };
    return { resources, captured };
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

/** `<type> (<name>)` of a registered resource, as the CLI heads its diagnostics; undefined for none. */
async function resourceOf(resource: pulumi.Resource | undefined): Promise<string | undefined> {
    // OutputImpl.promise() is internal but stable (tests/harness.ts uses it); unlike apply, it cannot hang.
    const urn: string | undefined = await (resource?.urn as any)?.promise().catch(() => undefined);
    return urn ? describeUrn(urn) : undefined;
}

/** An error as the CLI reports it: attributed to a resource, with the stack trace only when it is a bug. */
async function diagnose(err: unknown, stackResource: string, programDir: string) {
    if (pulumi.ResourceError.isInstance(err)) {
        const message = err.hideStack ? err.message : (err.stack ?? err.message);
        return { resource: (await resourceOf(err.resource)) ?? stackResource, message };
    }
    if (pulumi.RunError.isInstance(err)) return { resource: stackResource, message: err.message };
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    return { resource: stackResource, message: `Running program '${programDir}' failed with an unhandled exception:\n${detail}` };
}

/** Registrations of Kubernetes objects (not providers): what a preview would apply. */
function isKubernetesObject(r: Registration): boolean {
    return r.type.startsWith("kubernetes:") && Boolean(r.inputs.apiVersion && r.inputs.kind);
}

function manifestsOf(resources: Registration[]): Manifest[] {
    return resources
        .filter(isKubernetesObject)
        .map((r) => {
            const { apiVersion, kind, metadata, ...rest } = r.inputs;
            const manifest: Manifest = { apiVersion, kind, metadata, ...rest };
            // Kubernetes Secret data is always secret in Pulumi, even when a program passes it as plain text.
            if (apiVersion === "v1" && kind === "Secret") {
                for (const field of ["data", "stringData"]) {
                    const data = manifest[field];
                    if (data === undefined) continue;
                    manifest[field] =
                        data && typeof data === "object"
                            ? Object.fromEntries(Object.keys(data).map((k) => [k, SECRET]))
                            : SECRET;
                }
            }
            return manifest;
        });
}

/** Runs the Pulumi program of a project directory under the mock runtime and records what it registers. */
export async function runOffline(projectDir: string, options: RunOptions = {}): Promise<OfflineRun> {
    const project = loadProject(path.resolve(projectDir));
    const stack = options.stack ?? "dev";
    const preview = !options.update;
    const { config, secretKeys } = loadConfig(project, stack, options.config);
    const stackResource = `${pulumi.runtime.rootPulumiStackTypeName} (${project.name}-${stack})`;

    const { resources, captured } = await installMocks(project.name, stack, preview);
    const previousConfig = pulumi.runtime.allConfig();
    pulumi.runtime.setAllConfig(config, secretKeys);
    // Without an engine, pulumi.log.warn prints to console.warn and drops the resource; the CLI shows each warning
    // under the resource it names, so the runner takes the call itself (the URN resolves later).
    const pendingWarnings: { resource?: pulumi.Resource; message: string }[] = [];
    const logWarn = pulumi.log.warn;
    (pulumi.log as { warn: typeof logWarn }).warn = (message, resource) => {
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
        // What the Node.js language host does: require the program inside the root stack resource; its exports
        // (or, when it exports a function, what that returns) become the stack outputs.
        await pulumi.runtime.runInPulumiStack(async () => {
            // An observing transformation sees every resource as it is constructed: the declaration order.
            pulumi.runtime.registerStackTransformation(({ type, name }) => {
                declarationOrder.set(`${type}::${name}`, declarationOrder.size + 1);
                return undefined;
            });
            const exported = require(project.programDir + path.sep);
            return exported instanceof Function ? exported() : exported;
        });
    } catch (err) {
        failures.unshift(err);
    } finally {
        await waitForRPCs();
        // Let rejections nobody handled surface before the listener goes.
        await new Promise((resolve) => setImmediate(resolve));
        restoreModules();
        process.chdir(cwd);
        process.off("unhandledRejection", onRejection);
        (pulumi.log as { warn: typeof logWarn }).warn = logWarn;
        pulumi.runtime.setAllConfig(previousConfig, Object.keys(previousConfig).filter(isConfigSecret));
        setStackResource(undefined);
    }

    // Registrations reach the engine in the order their inputs resolve; list them as the program declared them.
    const order = (r: Registration) => declarationOrder.get(`${r.type}::${r.name}`) ?? 0;
    resources.sort((a, b) => order(a) - order(b));
    const errors = await Promise.all([...new Set(failures)].map((err) => diagnose(err, stackResource, project.programDir)));
    const warnings = await Promise.all(
        pendingWarnings.map(async ({ resource, message }) => ({ resource: (await resourceOf(resource)) ?? stackResource, message })),
    );
    return {
        project: project.name,
        stack,
        preview,
        resources,
        warnings,
        outputs: errors.length === 0 ? captured.outputs : undefined,
        manifests: manifestsOf(resources),
        errors,
    };
}

function indent(text: string, prefix: string): string {
    return text.replace(/\n$/, "").split("\n").map((line) => prefix + line).join("\n");
}

/** The report the CLI prints: resource tree, warnings, then either the errors or the outputs and manifests. */
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

const USAGE = "usage: run-offline.ts <project dir> [--stack <name>] [--update] [--config <key>=<value>]...";

function parseArgs(argv: string[]): { dir: string; options: RunOptions } {
    const options: RunOptions = {};
    const dirs: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined) throw new Error(`${arg} needs a value`);
            return v;
        };
        if (arg === "--stack" || arg === "-s") options.stack = value();
        else if (arg === "--update") options.update = true;
        else if (arg === "--config" || arg === "-c") {
            const [key, ...rest] = value().split("=");
            if (!key || rest.length === 0) throw new Error(`--config expects <key>=<value>`);
            options.config = { ...options.config, [key]: rest.join("=") };
        } else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}`);
        else dirs.push(arg);
    }
    if (dirs.length !== 1) throw new Error("expected one project directory");
    return { dir: dirs[0], options };
}

if (require.main === module) {
    let args: { dir: string; options: RunOptions };
    try {
        args = parseArgs(process.argv.slice(2));
    } catch (err) {
        console.error(`${(err as Error).message}\n${USAGE}`);
        process.exit(2);
    }
    runOffline(args.dir, args.options).then(
        (run) => {
            process.stdout.write(formatRun(run));
            process.exitCode = run.errors.length > 0 ? 1 : 0;
        },
        (err: Error) => {
            console.error(`error: ${err.message}`);
            process.exitCode = 1;
        },
    );
}
