// Registration benchmark: import cost, program cost under the SDK mock runtime, and the pure layers alone.
//
//   npm run bench                      # builds bin/ first, then runs everything (TS rows and compiled-JS rows)
//   npm run bench -- --no-build        # use the existing bin/ (JS rows are skipped if there is none)
//   npm run bench -- --ts-only         # no build, no JS rows
//   npm run bench -- --n 10,100,1000 --runs 9 --pure 20000 --sdk 0   # --sdk 0 drops the SDK-baseline rows
//
// It only measures and prints; nothing is asserted on timings. Every measurement runs in a child process of its
// own (this same file with `--child …`), so module caches, JIT state and heap growth of one run never leak into
// another. TS children run under `ts-node/register/transpile-only` (as the tests do); JS children run the tsc output
// in bin/ with plain `node` and a transpiled copy of this file (node_modules/.cache/aim-bench/), so no source-map
// support is loaded in them.

import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

type Runtime = "ts" | "js";

// The package root: bench/.. or, for the transpiled copy JS children run, node_modules/.cache/aim-bench/../../..
const ROOT = process.env.AIM_BENCH_ROOT ?? path.resolve(__dirname, path.basename(__dirname) === "aim-bench" ? "../../.." : "..");
const TS_NODE = "ts-node/register/transpile-only";
const JS_COPY = path.join(ROOT, "node_modules", ".cache", "aim-bench", "registration.js");

// The same image, model and gateway as the tests and upstream's examples.
const LLAMA_IMAGE = "ghcr.io/silogen/aim:0.4.0-meta-llama-llama-3.1-8b-instruct-v20251006";
const LLAMA_SOURCE = { name: "amd/Llama-3.1-8B-Instruct-FP8-KV", sourceUri: "hf://amd/Llama-3.1-8B-Instruct-FP8-KV", size: "9094593249" };
const GATEWAY = { name: "kaiwo-gateway", namespace: "kaiwo-system" };
const TEMPLATE = "llama-mi300x";

// ---------------------------------------------------------------------------------------------------------------
// The workload: one config with a gateway, one cluster image, one cluster template, and N services. Every service
// has a namespace of its own, so each odd-numbered one (cacheModel + overrides) derives its own template (with its
// discovery Job) and its own template cache (PVC + download Job): nothing is shared, the worst case per service.

function serviceArgs(i: number) {
    const cached = i % 2 === 1;
    return {
        namespace: `team-${i}`,
        aimImageName: "llama",
        templateRef: TEMPLATE,
        labels: { team: `team-${i % 7}` },
        ...(cached && {
            cacheModel: true,
            overrides: { precision: "fp16" as const, gpuSelector: { count: 2, model: "MI300X" } },
        }),
    };
}

const configArgs = { routing: { gateway: GATEWAY } };
const imageArgs = { image: LLAMA_IMAGE, defaultServiceTemplate: TEMPLATE };
const templateArgs = {
    aimImageName: "llama",
    metric: "latency" as const,
    precision: "fp8" as const,
    gpuSelector: { count: 1, model: "MI300X" },
    modelSources: [LLAMA_SOURCE],
};

/** Loads a module of the package: the TypeScript sources (through ts-node) or the tsc output in bin/. */
function load<T>(runtime: Runtime, modulePath: string): T {
    return require(path.join(runtime === "js" ? path.join(ROOT, "bin") : ROOT, modulePath)) as T;
}

const ms = (a: number, b: number) => b - a;

// ---------------------------------------------------------------------------------------------------------------
// Child: the program under the mock runtime.

/**
 * `aim`: the AIM workload above with N services. `sdk`: the shape of pulumi-notes §10.3 for calibration — N/2 bare
 * components, each with one Deployment child (N resources), no AIM code involved.
 */
async function programChild(runtime: Runtime, shape: "aim" | "sdk", n: number): Promise<void> {
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const k8s = require("@pulumi/kubernetes") as typeof import("@pulumi/kubernetes");
    // @internal but stable: how the program host waits for every registration (see tests/harness.ts).
    const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
    const aim = shape === "aim" ? load<typeof import("../index")>(runtime, "index") : undefined;

    const errors: string[] = [];
    process.on("unhandledRejection", (reason) => errors.push(String(reason)));

    // Mocks echoing inputs, in preview mode (as tests/harness.ts, without its recording).
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({ id: args.inputs?.metadata?.name ?? `${args.name}-id`, state: args.inputs }),
            call: (args) => args.inputs,
        },
        "aim",
        "bench",
        true,
    );
    const byType = new Map<string, number>();
    const monitor = pulumi.runtime.getMonitor() as any;
    const registerResource = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: unknown, res: unknown) => void) => {
        byType.set(req.getType(), (byType.get(req.getType()) ?? 0) + 1);
        return registerResource(req, (err: unknown, res: unknown) => {
            if (err) errors.push(String(err));
            callback(err, res);
        });
    };

    const rssStart = process.memoryUsage().rss;
    const t0 = performance.now();
    const provider = new k8s.Provider("bench", {});
    const opts = { provider };
    if (aim) {
        new aim.AIMClusterConfig("default", configArgs, opts);
        new aim.AIMClusterImage("llama", imageArgs, opts);
        new aim.AIMClusterServiceTemplate(TEMPLATE, templateArgs, opts);
        for (let i = 0; i < n; i++) new aim.AIMService(`svc-${i}`, serviceArgs(i), opts);
    } else {
        for (let i = 0; i < n / 2; i++) {
            const parent = new pulumi.ComponentResource("aim:bench:Svc", `svc-${i}`, {}, opts);
            new k8s.apps.v1.Deployment(
                `svc-${i}-deployment`,
                {
                    metadata: { name: `svc-${i}`, namespace: "bench" },
                    spec: {
                        selector: { matchLabels: { app: `svc-${i}` } },
                        template: { metadata: { labels: { app: `svc-${i}` } }, spec: { containers: [{ name: "c", image: LLAMA_IMAGE }] } },
                    },
                },
                { parent },
            );
        }
    }
    const t1 = performance.now();
    await waitForRPCs();
    const t2 = performance.now();

    const resources = [...byType.values()].reduce((a, b) => a + b, 0);
    const components = [...byType].filter(([t]) => t.startsWith("aim:index:")).reduce((a, [, c]) => a + c, 0);
    emit({
        resources,
        components,
        byType: Object.fromEntries(byType),
        constructMs: ms(t0, t1),
        settleMs: ms(t1, t2),
        totalMs: ms(t0, t2),
        rssStartMB: rssStart / 2 ** 20,
        maxRssMB: process.resourceUsage().maxRSS / 1024,
        errors: errors.slice(0, 3),
        errorCount: errors.length,
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Child: the pure layers alone (validate → resolve → render), no Pulumi runtime involved.

function pureChild(runtime: Runtime, count: number): void {
    const { parseArgs } = load<typeof import("../validate/common")>(runtime, "validate/common");
    const { clusterConfigSchema } = load<typeof import("../validate/config")>(runtime, "validate/config");
    const { clusterImageSchema } = load<typeof import("../validate/image")>(runtime, "validate/image");
    const { clusterServiceTemplateSchema } = load<typeof import("../validate/template")>(runtime, "validate/template");
    const { serviceSchema } = load<typeof import("../validate/service")>(runtime, "validate/service");
    const { Catalog } = load<typeof import("../resolve/catalog")>(runtime, "resolve/catalog");
    const { resolveConfig } = load<typeof import("../resolve/config")>(runtime, "resolve/config");
    const { findImage, resolvedImage } = load<typeof import("../resolve/image")>(runtime, "resolve/image");
    const tpl = load<typeof import("../resolve/template")>(runtime, "resolve/template");
    const { resolveRouting } = load<typeof import("../resolve/routing")>(runtime, "resolve/routing");
    const { renderDeployment } = load<typeof import("../render/inference")>(runtime, "render/inference");
    const { scratchVolumeFor } = load<typeof import("../render/container")>(runtime, "render/container");
    const { mergePullSecrets } = load<typeof import("../render/pod")>(runtime, "render/pod");
    const { cachePvcName, modelCacheName } = load<typeof import("../resolve/names")>(runtime, "resolve/names");

    // The same catalog the program builds: config "default" with a gateway, one cluster image, one cluster template.
    const catalog = new Catalog();
    const { name: configName, ...configSpec } = parseArgs("AIMClusterConfig", "default", clusterConfigSchema, { ...configArgs, name: "default" });
    catalog.clusterConfigs.declare(undefined, configName, { spec: configSpec });
    const image = parseArgs("AIMClusterImage", "llama", clusterImageSchema, { ...imageArgs, name: "llama" });
    catalog.clusterImages.declare(undefined, "llama", { scope: "Cluster", spec: image });
    const templateSpec = parseArgs("AIMClusterServiceTemplate", TEMPLATE, clusterServiceTemplateSchema, { ...templateArgs, name: TEMPLATE });
    const templateConfig = resolveConfig(catalog, { kind: "AIMClusterServiceTemplate", aimName: TEMPLATE }).config;
    catalog.clusterTemplates.declare(undefined, TEMPLATE, {
        scope: "Cluster",
        spec: templateSpec,
        image: resolvedImage(findImage(catalog, { kind: "AIMClusterServiceTemplate", aimName: TEMPLATE }, undefined, "llama")),
        config: templateConfig,
        declaredBy: { resource: {} as any, pulumiName: TEMPLATE }, // only components need it (dependsOn, parents)
        discoveryJob: {} as any, // only components need it (dependsOn)
        backend: "deployment",
    });

    const inputs = Array.from({ length: count }, (_, i) => ({ ...serviceArgs(i), name: `svc-${i}` }));

    type Spec = ReturnType<typeof validate>;
    const validate = (args: (typeof inputs)[number]) => parseArgs("AIMService", args.name, serviceSchema, args);
    const resolve = (spec: Spec) => {
        const { namespace } = spec;
        const img = findImage(catalog, { kind: "AIMService", aimName: spec.name }, namespace, spec.aimImageName);
        const { config } = resolveConfig(catalog, { kind: "AIMService", aimName: spec.name, namespace, configName: spec.configName });
        const base = tpl.findTemplate(catalog, { kind: "AIMService", aimName: spec.name }, namespace, spec.templateRef ?? img.spec.defaultServiceTemplate!);
        const routeTo = resolveRouting({ aimName: spec.name, namespace, labels: spec.labels, routing: spec.routing }, config)?.path;
        const template = tpl.hasOverrides(spec.overrides)
            ? tpl.deriveTemplate(base, namespace, spec.overrides, spec.configName).spec
            : base.spec;
        const caches = spec.cacheModel
            ? (template.modelSources ?? []).map((s) => ({ claimName: cachePvcName(modelCacheName(s.name)), modelName: s.name }))
            : [];
        return { spec, image: base.image.image, config, template, caches, routeTo };
    };
    type Resolved = ReturnType<typeof resolve>;
    const render = (r: Resolved) =>
        renderDeployment({
            serviceName: r.spec.name,
            namespace: r.spec.namespace,
            templateName: r.template.name,
            aimImageName: r.spec.aimImageName,
            labels: r.spec.labels,
            image: r.image,
            replicas: r.spec.replicas,
            gpuCount: r.template.gpuSelector?.count ?? 1,
            gpuModel: r.template.gpuSelector?.model,
            metric: r.template.metric,
            precision: r.template.precision,
            serviceEnv: r.spec.env,
            imagePullSecrets: mergePullSecrets(r.spec.imagePullSecrets, r.config.imagePullSecrets),
            resources: r.spec.resources,
            caches: r.caches,
            scratch: scratchVolumeFor(r.spec.scratch, r.template.modelSources, r.config.caching.storageClassName),
            await: { awaitTimeoutSeconds: r.spec.awaitTimeoutSeconds ?? 3600, skipAwait: r.spec.skipAwait },
        });

    // One untimed warm-up pass (JIT), then five timed passes; the median pass (by total) is reported, stage by stage.
    const pass = (items: typeof inputs) => {
        const t0 = performance.now();
        const specs = items.map(validate);
        const t1 = performance.now();
        const resolved = specs.map(resolve);
        const t2 = performance.now();
        const rendered = resolved.map(render);
        const t3 = performance.now();
        if (rendered.length !== items.length || rendered[1]?.spec.template.spec.volumes.length !== 2) {
            throw new Error("pure pass rendered something unexpected"); // sanity, not timing
        }
        return { validate: ms(t0, t1), resolve: ms(t1, t2), render: ms(t2, t3), total: ms(t0, t3) };
    };
    const cold = pass(inputs.slice(0, Math.min(count, 1000)));
    const passes = Array.from({ length: 5 }, () => pass(inputs)).sort((a, b) => a.total - b.total);
    const median = passes[2];
    const us = (msTotal: number) => (msTotal * 1000) / count;
    emit({
        count,
        validateUs: us(median.validate),
        resolveUs: us(median.resolve),
        renderUs: us(median.render),
        totalUs: us(median.total),
        coldFirstPassUs: (cold.total * 1000) / Math.min(count, 1000),
        maxRssMB: process.resourceUsage().maxRSS / 1024,
    });
}

function emit(result: object): void {
    process.stdout.write(`@@RESULT ${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// Parent: spawns the children and prints the tables.

interface ChildRun {
    wallMs: number;
    result?: any;
    error?: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): ChildRun {
    const t0 = performance.now();
    const res = spawnSync(process.execPath, args, {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, AIM_BENCH_ROOT: ROOT, ...env },
        timeout: 180_000,
        maxBuffer: 64 * 2 ** 20,
    });
    const wallMs = performance.now() - t0;
    const line = res.stdout?.split("\n").find((l) => l.startsWith("@@RESULT "));
    if (res.status !== 0 || (args.includes("--child") && !line)) {
        return { wallMs, error: `exit ${res.status ?? res.signal}: ${(res.stderr || res.stdout || "").trim().split("\n").slice(-6).join("\n")}` };
    }
    return { wallMs, result: line ? JSON.parse(line.slice("@@RESULT ".length)) : undefined };
}

function childArgs(runtime: Runtime, rest: string[]): string[] {
    return runtime === "ts" ? ["-r", TS_NODE, path.join(ROOT, "bench", "registration.ts"), ...rest] : [JS_COPY, ...rest];
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const mid = s.length >> 1;
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const f0 = (x: number) => x.toFixed(0);
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

function table(headers: string[], rows: string[][]): string {
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
    return [line(headers), `|${widths.map((w, i) => (i === 0 ? ` ${"-".repeat(w)} ` : ` ${"-".repeat(w - 1)}: `)).join("|")}|`, ...rows.map(line)].join("\n");
}

/** Builds bin/ with the package's own build (tsc -p tsconfig.build.json) and transpiles this file for JS children. */
function prepareJs(build: boolean): string | undefined {
    if (build) {
        const t0 = performance.now();
        const res = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: ROOT, encoding: "utf8" });
        if (res.status !== 0) return `build failed (npm run build): ${(res.stdout + res.stderr).trim().split("\n").slice(0, 5).join("\n")}`;
        console.log(`build: tsc -p tsconfig.build.json → bin/ in ${f1((performance.now() - t0) / 1000)} s`);
    }
    if (!fs.existsSync(path.join(ROOT, "bin", "index.js"))) return "no bin/index.js: run `npm run build` first or drop --no-build";
    const ts = require("typescript") as typeof import("typescript");
    const source = fs.readFileSync(path.join(ROOT, "bench", "registration.ts"), "utf8");
    const { outputText } = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
        fileName: "registration.ts",
    });
    fs.mkdirSync(path.dirname(JS_COPY), { recursive: true });
    fs.writeFileSync(JS_COPY, outputText);
    return undefined;
}

function importCost(runs: number, withJs: boolean): string {
    const timed = (target: string) =>
        `const t=performance.now();require(${JSON.stringify(target)});process.stdout.write("@@RESULT "+JSON.stringify({requireMs:performance.now()-t})+"\\n")`;
    const cases: { label: string; args: string[] }[] = [
        { label: "`node -e ''` (baseline)", args: ["-e", ""] },
        { label: "`require('@pulumi/pulumi')`", args: ["-e", timed("@pulumi/pulumi")] },
        ...(withJs ? [{ label: "`require('./bin/index.js')` (compiled)", args: ["-e", timed(path.join(ROOT, "bin", "index.js"))] }] : []),
        { label: "`-r ts-node/register/transpile-only -e ''`", args: ["-r", TS_NODE, "-e", ""] },
        { label: "`-r ts-node/…` + `require('./index.ts')`", args: ["-r", TS_NODE, "-e", timed(path.join(ROOT, "index.ts"))] },
    ];
    const wall = cases.map(() => [] as number[]);
    const inProcess = cases.map(() => [] as number[]);
    for (let r = 0; r < runs; r++) {
        // Round-robin, so drift (thermal, other load) spreads over every case.
        cases.forEach((c, i) => {
            const res = run(c.args);
            if (res.error) throw new Error(`${c.label}: ${res.error}`);
            wall[i].push(res.wallMs);
            if (res.result) inProcess[i].push(res.result.requireMs);
        });
    }
    const rows = cases.map((c, i) => [
        c.label,
        f0(median(wall[i])),
        `${f0(Math.min(...wall[i]))}–${f0(Math.max(...wall[i]))}`,
        inProcess[i].length ? f0(median(inProcess[i])) : "–",
        inProcess[i].length ? `${f0(Math.min(...inProcess[i]))}–${f0(Math.max(...inProcess[i]))}` : "–",
    ]);
    return table(["Import case", "Wall median ms", "Wall min–max", "`require` median ms", "`require` min–max"], rows);
}

function programCost(runtimes: Runtime[], ns: number[], sdkResources: number): string {
    const rows: string[][] = [];
    for (const runtime of runtimes) {
        const cells: { shape: "aim" | "sdk"; n: number }[] = [
            ...ns.map((n) => ({ shape: "aim" as const, n })),
            ...(sdkResources > 0 ? [{ shape: "sdk" as const, n: sdkResources }] : []),
        ];
        for (const { shape, n } of cells) {
            const label = `${runtime === "ts" ? "ts-node" : "node (JS)"}${shape === "sdk" ? ", SDK baseline" : ""}`;
            const size = shape === "sdk" ? `${n / 2} comp.` : String(n);
            const res = run(childArgs(runtime, ["--child", "program", "--runtime", runtime, "--shape", shape, "--n", String(n)]));
            if (res.error || res.result.errorCount > 0) {
                rows.push([label, size, `FAILED: ${res.error ?? res.result.errors.join("; ")}`, "", "", "", "", "", ""]);
                continue;
            }
            const r = res.result;
            rows.push([
                label,
                size,
                `${r.resources} (${r.components} AIM)`,
                f0(r.constructMs),
                f0(r.settleMs),
                f0(r.totalMs),
                f2(r.totalMs / r.resources),
                `${f0(r.maxRssMB)} (${f0(r.rssStartMB)})`,
                f1(res.wallMs / 1000),
            ]);
        }
    }
    return table(
        ["Runtime", "N services", "Resources", "Construct ms", "Settle ms", "Total ms", "ms/resource", "Max RSS MB (start)", "Process s"],
        rows,
    );
}

function pureCost(runtimes: Runtime[], count: number): string {
    const rows = runtimes.map((runtime) => {
        const res = run(childArgs(runtime, ["--child", "pure", "--runtime", runtime, "--count", String(count)]));
        if (res.error) return [runtime, `FAILED: ${res.error}`, "", "", "", "", ""];
        const r = res.result;
        return [
            runtime === "ts" ? "ts-node" : "node (JS)",
            String(r.count),
            f1(r.validateUs),
            f1(r.resolveUs),
            f1(r.renderUs),
            f1(r.totalUs),
            f1(r.coldFirstPassUs),
        ];
    });
    return table(
        ["Runtime", "Services", "validate µs", "resolve µs", "render Deployment µs", "Total µs/service", "Cold first 1,000 µs"],
        rows,
    );
}

function option(name: string): string | undefined {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
    const child = option("--child");
    const runtime = (option("--runtime") ?? "ts") as Runtime;
    if (child === "program") return programChild(runtime, option("--shape") === "sdk" ? "sdk" : "aim", Number(option("--n")));
    if (child === "pure") return pureChild(runtime, Number(option("--count")));

    const started = performance.now();
    const ns = (option("--n") ?? "10,100,500").split(",").map(Number);
    const runs = Math.max(5, Number(option("--runs") ?? 7));
    const pureCount = Number(option("--pure") ?? 10_000);
    const tsOnly = process.argv.includes("--ts-only");

    const pulumiVersion = require("@pulumi/pulumi/package.json").version;
    const k8sVersion = require("@pulumi/kubernetes/package.json").version;
    console.log(
        `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${f1(os.totalmem() / 2 ** 30)} GiB; ` +
            `Node ${process.version}; @pulumi/pulumi ${pulumiVersion}, @pulumi/kubernetes ${k8sVersion}; ` +
            `load average ${os.loadavg()[0].toFixed(2)}`,
    );
    const jsProblem = tsOnly ? "--ts-only" : prepareJs(!process.argv.includes("--no-build"));
    if (jsProblem) console.log(`JS rows skipped: ${jsProblem}`);
    const runtimes: Runtime[] = jsProblem ? ["ts"] : ["ts", "js"];

    console.log(`\n1. Import cost (spawned node processes, ${runs} runs each, round-robin; wall includes Node startup)\n`);
    console.log(importCost(runs, !jsProblem));
    console.log(
        `\n2. Program cost under setMocks (preview=true, mocks echo inputs); one process per row; ` +
            `1 config + 1 cluster image + 1 cluster template + N services (half cacheModel + overrides); ` +
            `"SDK baseline" = the pulumi-notes §10.3 shape (components with one Deployment each), for calibration\n`,
    );
    console.log(programCost(runtimes, ns, Number(option("--sdk") ?? 1000)));
    console.log(`\n3. Pure layers (validate → resolve → render Deployment), ${pureCount.toLocaleString("en")} services, median of 5 passes after a warm-up\n`);
    console.log(pureCost(runtimes, pureCount));
    console.log(`\nbenchmark wall time: ${f1((performance.now() - started) / 1000)} s; load average now ${os.loadavg()[0].toFixed(2)}`);
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
