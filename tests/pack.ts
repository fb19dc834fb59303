// `npm run test:pack` and `npm run test:git`: the package as a user gets it. Installs it into a fresh program beside
// the newest @pulumi/pulumi, from the packed tarball (test:pack) or from git (test:git: `npm install
// git+file://<this repository>#<HEAD>`, the committed state, which npm's git fetcher builds with `prepare`), and
// checks that
//  - the program has exactly one copy of @pulumi/pulumi (our caret range shares the user's),
//  - npm prints no warning that concerns this package (see IRRELEVANT_WARNINGS for the ones that do not),
//  - a program type-checks against the package with the tsconfig `pulumi new typescript` writes (nodenext) and under
//    moduleResolution node16, bundler and node10 (TypeScript 5.9), and with nodenext under TypeScript 6.0,
//  - the installed package runs the quick-start under Pulumi's mocks,
//  - the installed package's provider host (schema inference on its sources) gives the committed provider/schema.json,
//  - `npx aim-preview` and `npx aim-review` run the program's own TypeScript Pulumi programs offline.
// Needs the npm registry; skips (exit 0, with a message) when it is unreachable. Not part of `npm test`: installing
// from the registry takes a minute or more.

import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const FROM_GIT = process.argv.includes("--git");
const SCRIPT = FROM_GIT ? "test:git" : "test:pack";
const NPX = process.platform === "win32" ? "npx.cmd" : "npx";

/**
 * npm warnings in the fresh program that are not about this package: the newest @pulumi/pulumi declares
 * `engines.node >=22` (the user's choice of SDK on Node 20), and npm 11 lists packages whose install scripts are not
 * covered by the program's `allowScripts` (@pulumi/kubernetes's plugin download, protobufjs).
 */
const IRRELEVANT_WARNINGS = [/EBADENGINE/, /^npm warn install-scripts/];
const EBADENGINE_OWNER = /package: '(@?[^@']+)@/;
/**
 * The package's own `prepare` (the build) is in that list too, as npm lists `prepare` for any source but the registry:
 * installed from git, npm's fetcher runs it to build bin/; from a tarball, npm does not run it (the tarball ships
 * bin/). docs/install.md says how to approve it. Any other warning naming this package is one about it.
 */
const PREPARE_NOTICE = /^npm warn install-scripts\s+@aim-pulumi\/aim@\S+ \(prepare: npm run build\)$/;

function npm(args: string[], cwd: string): { stdout: string; stderr: string } {
    const res = spawnSync(NPM, args, { cwd, encoding: "utf8" });
    if (res.status !== 0) throw new Error(`npm ${args.join(" ")} failed (${res.status}):\n${res.stderr}`);
    return { stdout: res.stdout, stderr: res.stderr };
}

/** Groups npm's warnings: a multi-line EBADENGINE block counts as one warning. */
function warningsOf(stderr: string): string[] {
    const blocks: string[] = [];
    for (const line of stderr.split("\n").filter((l) => l.startsWith("npm warn"))) {
        const continues = blocks.length > 0 && /^npm warn EBADENGINE\s+(package|required|current|})/.test(line);
        if (continues) blocks[blocks.length - 1] += "\n" + line;
        else blocks.push(line);
    }
    return blocks;
}

function relevant(warning: string): boolean {
    if (/EBADENGINE/.test(warning)) {
        // Only the SDK itself may complain about the Node version.
        const owner = EBADENGINE_OWNER.exec(warning)?.[1];
        return owner !== undefined && owner !== "@pulumi/pulumi";
    }
    if (warning.includes("@aim-pulumi/aim")) return !PREPARE_NOTICE.test(warning);
    return !IRRELEVANT_WARNINGS.some((re) => re.test(warning));
}

const QUICK_START = `
import * as aim from "@aim-pulumi/aim";

new aim.AIMClusterConfig("default", {
    imagePullSecrets: [{ name: "ghcr-pull" }],
    routing: { gateway: { name: "kaiwo-gateway", namespace: "kaiwo-system" } },
});
new aim.AIMClusterImage("llama-3-8b", { image: "ghcr.io/silogen/aim:0.4.0-meta-llama-llama-3.1-8b-instruct-v20251006" });
const template = new aim.AIMServiceTemplate("llama-3-8b-latency", {
    namespace: "ml-team",
    aimImageName: "llama-3-8b",
    metric: aim.Metric.Latency,
    precision: aim.Precision.Fp8,
    gpuSelector: { count: 1, model: "MI300X" },
});
const service = new aim.AIMService("llama-chat", {
    namespace: "ml-team",
    aimImageName: "llama-3-8b",
    templateRef: "llama-3-8b-latency",
});
export const discoveryJob = template.discoveryJobName;
export const path = service.routePath;
`;

/** Runs the compiled quick-start under mocks and gets the installed package's schema; prints one JSON line. */
const RUNNER = `
const pulumi = require("@pulumi/pulumi");
const path = require("node:path");
const registered = [];
(async () => {
    // setMocks returns a promise in newer SDKs: set the mocks before the program registers anything.
    await pulumi.runtime.setMocks({
        newResource: (args) => { registered.push(args.type + "::" + args.name); return { id: args.name + "-id", state: args.inputs }; },
        call: () => ({}),
    }, "pack-check", "dev", true);
    const program = require("./out/quickstart.js");
    const routePath = await new Promise((resolve) => program.path.apply(resolve));
    await pulumi.runtime.disconnect(); // waits for the registrations still in flight
    // The provider's compiled host, as shipped: schema inference over the installed sources, secrets marked.
    const dirname = path.dirname(require.resolve("@aim-pulumi/aim/package.json"));
    const { AimComponentProvider } = require(path.join(dirname, "bin/provider/host.js"));
    const schema = JSON.parse(await new AimComponentProvider().getSchema());
    console.log(JSON.stringify({ registered, routePath, schema }));
})();
`;

/** The compiler options of `pulumi new typescript` (pulumi/templates typescript/tsconfig.json at 65db26b). */
const PULUMI_NEW_TSCONFIG = {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "nodenext",
    moduleResolution: "nodenext",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
};

/** tsconfig files of the program, with the TypeScript (package directory) each is checked with. */
const TSCONFIGS: { file: string; typescript: string; compilerOptions: object }[] = [
    { file: "tsconfig.json", typescript: "typescript", compilerOptions: PULUMI_NEW_TSCONFIG },
    { file: "tsconfig.json", typescript: "typescript6", compilerOptions: PULUMI_NEW_TSCONFIG },
    ...[["node16", "node16"], ["esnext", "bundler"], ["commonjs", "node10"]].map(([moduleKind, resolution]) => ({
        file: `tsconfig.${resolution}.json`,
        typescript: "typescript",
        compilerOptions: {
            module: moduleKind,
            moduleResolution: resolution,
            target: "ES2022",
            strict: true,
            skipLibCheck: true,
            types: ["node"],
            outDir: "out",
        },
    })),
];

/** Where the program installs the package from: the packed tarball, or this repository's HEAD through git. */
function packageSpec(work: string): string {
    if (!FROM_GIT) {
        const packed = JSON.parse(npm(["pack", "--json", "--pack-destination", work], REPO_ROOT).stdout) as { filename: string }[];
        return path.join(work, packed[0].filename);
    }
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    if (dirty) console.log(`${SCRIPT}: installs the committed HEAD ${head.slice(0, 7)}; uncommitted changes are not part of it`);
    return `git+file://${REPO_ROOT}#${head}`;
}

function main(): void {
    let newest: string;
    try {
        newest = execFileSync(NPM, ["view", "@pulumi/pulumi", "version"], { encoding: "utf8", stdio: "pipe" }).trim();
    } catch (err) {
        console.log(`${SCRIPT} skipped: the npm registry is unreachable (${(err as Error).message.split("\n")[0]})`);
        return;
    }
    const started = Date.now();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "aim-pack-"));
    try {
        const spec = packageSpec(work);
        const program = path.join(work, "program");
        fs.mkdirSync(program);
        fs.writeFileSync(path.join(program, "package.json"), JSON.stringify({ name: "pack-check", private: true }));
        const { stderr } = npm(
            [
                "install",
                "--no-audit",
                "--no-fund",
                spec,
                `@pulumi/pulumi@${newest}`,
                "typescript@5.9.3",
                "typescript6@npm:typescript@6.0.3",
                "@types/node@20.19.43",
            ],
            program,
        );

        const sdkCopies = new Set(
            npm(["ls", "@pulumi/pulumi", "--all", "--parseable"], program).stdout.split("\n").filter((l) => l.trim() !== ""),
        );
        assert.deepEqual([...sdkCopies], [path.join(program, "node_modules/@pulumi/pulumi")], "exactly one @pulumi/pulumi");
        const installed = JSON.parse(fs.readFileSync(path.join(program, "node_modules/@pulumi/pulumi/package.json"), "utf8"));
        assert.equal(installed.version, newest, "the program's own, newest @pulumi/pulumi");

        const warnings = warningsOf(stderr);
        assert.deepEqual(warnings.filter(relevant), [], "npm warnings that concern this package");

        fs.writeFileSync(path.join(program, "quickstart.ts"), QUICK_START);
        const tsc = (typescript: string) => path.join(program, "node_modules", typescript, "bin/tsc");
        for (const { file, typescript, compilerOptions } of TSCONFIGS) {
            fs.writeFileSync(path.join(program, file), JSON.stringify({ compilerOptions, files: ["quickstart.ts"] }));
            const res = spawnSync(process.execPath, [tsc(typescript), "--noEmit", "-p", file], { cwd: program, encoding: "utf8" });
            const { version } = JSON.parse(fs.readFileSync(path.join(program, "node_modules", typescript, "package.json"), "utf8"));
            assert.equal(res.status, 0, `tsc ${version} -p ${file}:\n${res.stdout}${res.stderr}`);
        }
        execFileSync(process.execPath, [tsc("typescript"), "-p", "tsconfig.node16.json"], { cwd: program });

        fs.writeFileSync(path.join(program, "run.js"), RUNNER);
        const run = spawnSync(process.execPath, ["run.js"], { cwd: program, encoding: "utf8" });
        assert.equal(run.status, 0, `the quick-start under mocks:\n${run.stderr}`);
        const result = JSON.parse(run.stdout.trim().split("\n").pop()!) as {
            registered: string[];
            routePath: string;
            schema: unknown;
        };
        assert.equal(result.routePath, "/ml-team/llama-chat");
        for (const child of [
            "kubernetes:batch/v1:Job::llama-3-8b-latency-discovery",
            "kubernetes:apps/v1:Deployment::llama-chat-deployment",
            "kubernetes:core/v1:Service::llama-chat-service",
            "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute::llama-chat-route",
        ]) {
            assert.ok(result.registered.includes(child), `registered ${child}: ${result.registered.join(", ")}`);
        }
        const committed = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "provider/schema.json"), "utf8"));
        assert.deepEqual(result.schema, committed, "schema served by the installed package's provider host");

        // The bins as a user runs them: two revisions of a TypeScript Pulumi program of the user's own, compiled
        // by ts-node as the Pulumi CLI picks it (here the SDK's vendored one, with the program's typescript).
        for (const [dir, gateway] of [["infra-base", "kaiwo-gateway"], ["infra-head", "other-gateway"]]) {
            fs.mkdirSync(path.join(program, dir));
            fs.writeFileSync(path.join(program, dir, "Pulumi.yaml"), "name: pack-check\nruntime: nodejs\n");
            fs.writeFileSync(path.join(program, dir, "index.ts"), QUICK_START.replace('"kaiwo-gateway"', JSON.stringify(gateway)));
        }
        const npx = (args: string[]) => spawnSync(NPX, args, { cwd: program, encoding: "utf8" });
        const preview = npx(["aim-preview", "infra-base"]);
        assert.equal(preview.status, 0, `npx aim-preview:\n${preview.stdout}\n${preview.stderr}`);
        // The quick-start names no apiKey: the package's warning, under the service it belongs to.
        assert.match(preview.stdout, /^Diagnostics:\n  aim:index:AIMService \(llama-chat\):\n    warning: route \/ml-team\/llama-chat is open to anyone/m);
        assert.match(preview.stdout, /^ {12}kubernetes:apps\/v1:Deployment llama-chat-deployment$/m);
        const review = npx(["aim-review", "--base", "infra-base", "--head", "infra-head", "--format", "json", "--out", "review.json"]);
        assert.equal(review.status, 0, `npx aim-review:\n${review.stdout}\n${review.stderr}`);
        const changes = JSON.parse(fs.readFileSync(path.join(program, "review.json"), "utf8")).changes as { op: string; name: string; fields: string[] }[];
        assert.deepEqual(
            changes.map((c) => [c.op, c.name, c.fields]),
            [
                ["update", "default", ["routing.gateway.name"]],
                ["update", "llama-chat-route", ["spec.parentRefs[0].name"]],
            ],
        );

        console.log(
            `${SCRIPT} passed in ${((Date.now() - started) / 1000).toFixed(1)} s: @aim-pulumi/aim beside @pulumi/pulumi ${newest}, ` +
                `one SDK copy, ${warnings.length} npm warning(s), none about this package but npm's notice of its prepare script` +
                (warnings.length > 0 ? `:\n  ${warnings.map((w) => w.split("\n")[0]).join("\n  ")}` : ""),
        );
    } finally {
        if (process.env.AIM_PACK_KEEP === undefined) fs.rmSync(work, { recursive: true, force: true });
        else console.log(`kept ${work}`);
    }
}

main();
