// A Pulumi Node.js program as the CLI's language host sees it: the project file, the stack's config, the program's
// own Pulumi SDK, and TypeScript compiled on the fly. Nothing here runs the program (review/offline.ts does).

import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";
import * as YAML from "yaml";
import type * as pulumiModule from "@pulumi/pulumi";

export interface Project {
    name: string;
    /** Directory of Pulumi.yaml: the program's working directory. */
    dir: string;
    /** What the language host requires: `main` of Pulumi.yaml (a file or a directory), else the project directory. */
    entry: string;
    stackConfigDir: string;
    /** `runtime.options.typescript` (default true): whether the host compiles TypeScript with ts-node. */
    typescript: boolean;
    /** `runtime.options.tsconfig`, relative to the project directory (default tsconfig.json). */
    tsconfig: string;
}

function readYaml(file: string): any {
    return YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
}

export function loadProject(dir: string): Project {
    const file = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    if (!file) throw new Error(`no Pulumi.yaml in ${dir}`);
    const doc = readYaml(file);
    const runtime = typeof doc.runtime === "string" ? { name: doc.runtime } : (doc.runtime ?? {});
    if (typeof doc.name !== "string" || runtime.name !== "nodejs") {
        throw new Error(`${file}: the offline runner needs a project name and runtime nodejs`);
    }
    if (doc.config !== undefined) throw new Error(`${file}: project-level config is not supported by the offline runner`);
    const options = runtime.options ?? {};
    return {
        name: doc.name,
        dir,
        entry: path.resolve(dir, doc.main ?? "."),
        stackConfigDir: path.resolve(dir, doc.stackConfigDir ?? "."),
        typescript: options.typescript !== false,
        tsconfig: options.tsconfig ?? "tsconfig.json",
    };
}

/** What a `secure:` value becomes offline, where nothing can decrypt it: a placeholder, marked secret. */
export const SECURE_PLACEHOLDER = "<secure config value: not decrypted offline>";

/** Stack config as the language host passes it: strings, other values as JSON, keys namespaced. */
export function loadConfig(project: Project, stack: string, overrides: Record<string, string> = {}) {
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

/** The parts of the SDK the runner drives: the public module and a few `@internal` but stable modules. */
export interface Sdk {
    pulumi: typeof pulumiModule;
    /** How the program host waits for the program's registrations. */
    waitForRPCs(): Promise<void>;
    setStackResource(stack: undefined): void;
    isConfigSecret(key: string): boolean;
    /** Requires a module as the SDK itself would (ts-node and typescript are found from the SDK's location). */
    require: NodeRequire;
}

/**
 * The program's own `@pulumi/pulumi`, found from the program's directory as the program finds it. The package's
 * components, the program and the mocks must share one copy: the SDK keeps the mock monitor in global state, but
 * `pulumi.log`, resource classes and output internals belong to each copy.
 */
export function loadSdk(project: Project): Sdk {
    let manifest: string;
    try {
        manifest = require.resolve("@pulumi/pulumi/package.json", { paths: [project.dir] });
    } catch {
        throw new Error(`@pulumi/pulumi is not installed for the program in ${project.dir}: run npm install (or npm ci) there first`);
    }
    const sdkRequire = createRequire(manifest);
    return {
        pulumi: sdkRequire("@pulumi/pulumi"),
        waitForRPCs: sdkRequire("@pulumi/pulumi/runtime/settings").waitForRPCs,
        setStackResource: sdkRequire("@pulumi/pulumi/runtime/state").setStackResource,
        isConfigSecret: sdkRequire("@pulumi/pulumi/runtime/config").isConfigSecret,
        require: sdkRequire,
    };
}

/**
 * Compiles TypeScript on the fly as the Node.js language host does (`@pulumi/pulumi/cmd/run/run.js`): ts-node and
 * typescript as the program's SDK finds them (the program's own, else the SDK's vendored ts-node 7 and TypeScript
 * 3.8), the project's tsconfig.json when there is one, type checking unless `PULUMI_NODEJS_TRANSPILE_ONLY=true` or
 * the tsconfig sets `noCheck`. Does nothing when the process already compiles `.ts` files (under ts-node itself).
 * Call with the project directory as the working directory.
 */
export function registerTypeScript(project: Project, sdk: Sdk): void {
    if (!project.typescript || require.extensions[".ts"] !== undefined) return;
    const tsutils = sdk.require("@pulumi/pulumi/tsutils") as {
        typeScriptRequireStrings(): { tsnodeRequire: string; typescriptRequire: string };
        loadTypeScriptCompilerOptions(file: string): Record<string, unknown>;
    };
    const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
    const compilerOptions = tsutils.loadTypeScriptCompilerOptions(project.tsconfig);
    const transpileOnlyEnv = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
    const transpileOnly = transpileOnlyEnv ? transpileOnlyEnv === "true" : compilerOptions.noCheck;
    const [major, minor] = (sdk.require(typescriptRequire).version as string).split(".").map(Number);
    const nodeNext = major > 4 || (major === 4 && minor >= 7);
    sdk.require(tsnodeRequire).register({
        compiler: typescriptRequire,
        transpileOnly,
        project: project.tsconfig,
        skipProject: !fs.existsSync(path.resolve(project.dir, project.tsconfig)),
        compilerOptions: {
            target: "ES2020",
            module: nodeNext ? "nodenext" : "commonjs",
            moduleResolution: nodeNext ? "nodenext" : "node",
            sourceMap: "true",
            ...compilerOptions,
        },
    });
}
