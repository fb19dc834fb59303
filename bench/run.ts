// `npm run bench`: what the package costs a Pulumi program beyond registering the same objects by hand.
//
//   npm run bench                     # N = 100 (5 runs) and 1,000 (3 runs), import times; prints markdown tables
//   npm run bench -- --large          # adds N = 10,000 (1 run)
//   npm run bench -- --n 100:9,1000:5 # other sizes and repetitions
//   npm run bench -- --golden         # checks bench/golden-n100.json against a fresh N = 100 run, byte for byte
//   npm run bench -- --update-golden  # rewrites it
//   npm run bench -- --target operator --n 1000:3  # the operator target (Pulumi config aim:target)
//   npm run bench -- --imports 25     # the import times alone, 25 fresh processes per module
//   npm run bench -- --n 1000:3 --profile .cache/profiles  # each timed run under `node --cpu-prof`, then a summary
//                                                          # of where each variant's main thread spends its time
//
// `npm run bench` compiles the package and bench/ with tsc (bench/tsconfig.json) into .cache/aim-bench, replaces
// the package's entry points there with the bundles it ships (scripts/bundle.js), and runs plain JS: no ts-node, no
// source maps. Every measured run is a process of its own (this file with `--child`), variants interleaved. See
// bench/README.md for the method.

import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Dump } from "./monitor";

const HERE = __dirname; // <out>/bench
const OUT = path.resolve(HERE, "..");
// Not under node_modules: a worktree's node_modules may be a symlink to another checkout's, and Node resolves the
// main module's real path, so <out>/../.. would then name that other checkout (its golden dump, its cache).
const ROOT = path.resolve(OUT, "../.."); // <repo>/.cache/aim-bench → <repo>
const GOLDEN = path.join(ROOT, "bench", "golden-n100.json");
const RESULT = "@@RESULT ";

type Variant = "package" | "hand" | "hand-full";
const VARIANTS: Variant[] = ["package", "hand", "hand-full"];
const VARIANT_LABEL: Record<Variant, string> = { package: "package", hand: "hand-written", "hand-full": "hand-written, full components" };

// ---------------------------------------------------------------------------------------------------------------
// Child: one program run under the mock runtime.

async function programChild(variant: Variant, n: number, recordTo: string | undefined, dumpFrom: string | undefined, target: string | undefined) {
    const k8s = require("@pulumi/kubernetes") as typeof import("@pulumi/kubernetes");
    const { installMocks } = require("./monitor") as typeof import("./monitor");
    // @internal but stable: how the program host waits for every registration (see tests/harness.ts).
    const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
    const { PerformanceObserver } = require("perf_hooks") as typeof import("perf_hooks");

    // Everything a variant needs is loaded before the clock starts: the package, or the replay and its dump.
    let run: (provider: import("@pulumi/kubernetes").Provider) => number;
    if (variant === "package") {
        const aim = require(path.join(OUT, "index")) as typeof import("../index");
        const { program } = require("./workload") as typeof import("./workload");
        run = (provider) => program(aim, provider, n);
    } else {
        const { prepare, replay } = require("./replay") as typeof import("./replay");
        const { registrations } = JSON.parse(fs.readFileSync(dumpFrom!, "utf8")) as Dump;
        const plan = prepare(registrations, JSON.parse(fs.readFileSync(orderFile(dumpFrom!), "utf8")) as string[], variant === "hand-full");
        run = (provider) => replay(plan, provider);
    }
    const monitor = await installMocks(recordTo !== undefined);
    // Pulumi config `aim:target` (workloads by default); the replay registers whatever the package did either way.
    if (target) (require("@pulumi/pulumi") as typeof import("@pulumi/pulumi")).runtime.setConfig("aim:target", target);

    let gcMs = 0;
    const gc = new PerformanceObserver((list) => list.getEntries().forEach((e) => (gcMs += e.duration)));
    gc.observe({ entryTypes: ["gc"] });
    (global as any).gc?.();
    const rssStart = process.memoryUsage().rss;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const provider = new k8s.Provider("bench", {});
    const constructed = run(provider);
    const t1 = performance.now();
    await waitForRPCs();
    const t2 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    await new Promise((resolve) => setTimeout(resolve, 50)); // GC entries are delivered asynchronously
    gc.disconnect();
    const heap = process.memoryUsage().heapUsed;

    if (recordTo) {
        const dump = monitor.dump(n);
        fs.writeFileSync(recordTo, require("./monitor").dumpText(dump));
        fs.writeFileSync(orderFile(recordTo), JSON.stringify(dump.order));
    }
    emit({
        resources: monitor.count(),
        constructed,
        cpuMs: (cpu.user + cpu.system) / 1000,
        wallMs: t2 - t0,
        constructMs: t1 - t0,
        gcMs,
        heapEndMB: heap / 2 ** 20,
        rssStartMB: rssStart / 2 ** 20,
        maxRssMB: process.resourceUsage().maxRSS / 1024,
        errors: monitor.errors.slice(0, 3),
        errorCount: monitor.errors.length,
    });
}

/** Where a recorded dump's registration order is kept, beside it (the dump itself is canonical: sorted by URN). */
const orderFile = (dumpFile: string) => `${dumpFile}.order.json`;

function emit(result: object): void {
    process.stdout.write(`${RESULT}${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// Parent.

interface ChildResult {
    resources: number;
    cpuMs: number;
    wallMs: number;
    gcMs: number;
    heapEndMB: number;
    rssStartMB: number;
    maxRssMB: number;
    errors: string[];
    errorCount: number;
}

function spawnNode(args: string[]): any {
    const res = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 256 * 2 ** 20, timeout: 900_000 });
    const line = res.stdout?.split("\n").find((l) => l.startsWith(RESULT));
    if (res.status !== 0 || !line) {
        throw new Error(`node ${args.join(" ")} failed (${res.status ?? res.signal}):\n${(res.stderr || res.stdout || "").trim().split("\n").slice(-12).join("\n")}`);
    }
    return JSON.parse(line.slice(RESULT.length));
}

/** Node's default heap limit (~4 GB here) is too small for the SDK at N = 10,000; both variants get the same limit. */
const heapFlags = (n: number) => (n > 2000 ? ["--max-old-space-size=16384"] : []);

/** `--target operator`: every program run of this invocation renders the aim-engine custom resources. */
const TARGET = process.argv.includes("--target") ? process.argv[process.argv.indexOf("--target") + 1] : undefined;

/** `--profile <dir>`: every timed run writes a CPU profile into `<dir>/<variant>-n<N>` (the timings then include the profiler's cost). */
const PROFILE_DIR = process.argv.includes("--profile") ? path.resolve(process.argv[process.argv.indexOf("--profile") + 1]) : undefined;
const profileDir = (variant: Variant, n: number) => path.join(PROFILE_DIR!, `${variant}-n${n}`);

function child(variant: Variant, n: number, extra: string[] = [], nodeFlags: string[] = []): ChildResult {
    const targetArgs = TARGET ? ["--target", TARGET] : [];
    const result = spawnNode([...heapFlags(n), ...nodeFlags, path.join(HERE, "run.js"), "--child", variant, "--n", String(n), ...targetArgs, ...extra]) as ChildResult;
    if (result.errorCount > 0) throw new Error(`${variant} N=${n}: ${result.errorCount} registration errors, e.g. ${result.errors.join("; ")}`);
    return result;
}

/** Runs the package at N with recording and returns the dump's text (canonical, one registration per line). */
function record(n: number, file: string): string {
    child("package", n, ["--record", file]);
    return fs.readFileSync(file, "utf8");
}

/**
 * Registrations that differ between two dump texts (line by line: one registration per line). With `plainComponents`,
 * components are compared without their inputs (and the property dependencies of those) and registered outputs, as the hand-written program registers each
 * as a plain ComponentResource with no args (the reference harness's `wrapped` baseline); every custom resource, and
 * every component's type, name, parent and options, must still be identical.
 */
function differences(expected: string, actual: string, plainComponents: boolean): string[] {
    const withoutComponentValues = (line: string) => {
        const registration = line.startsWith('{"custom":false') ? JSON.parse(line.replace(/,$/, "")) : undefined;
        if (!registration) return line;
        delete registration.inputs;
        delete registration.propertyDependencies; // one (empty) entry per input key
        delete registration.outputs;
        return JSON.stringify(registration);
    };
    const lines = (text: string) => text.split("\n").map((line) => (plainComponents ? withoutComponentValues(line) : line));
    const a = lines(expected);
    const b = lines(actual);
    const out: string[] = [];
    if (a.length !== b.length) out.push(`${a.length - 3} registrations expected, ${b.length - 3} found`);
    for (let i = 0; i < Math.max(a.length, b.length) && out.length < 5; i++) {
        if (a[i] !== b[i]) out.push(`- ${(a[i] ?? "").slice(0, 400)}\n+ ${(b[i] ?? "").slice(0, 400)}`);
    }
    return out;
}

function golden(update: boolean): void {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aim-bench-"));
    const text = record(100, path.join(tmp, "dump-100.json"));
    fs.rmSync(tmp, { recursive: true, force: true });
    if (update || !fs.existsSync(GOLDEN)) {
        fs.writeFileSync(GOLDEN, text);
        console.log(`wrote ${path.relative(ROOT, GOLDEN)}: ${text.split("\n").length - 3} registrations, ${text.length} bytes`);
        return;
    }
    const diffs = differences(fs.readFileSync(GOLDEN, "utf8"), text, false);
    if (diffs.length > 0) {
        console.error(`golden dump differs (bench/golden-n100.json; \`npm run bench -- --update-golden\` if intended):\n${diffs.join("\n")}`);
        process.exit(1);
    }
    console.log(`golden dump unchanged: ${text.split("\n").length - 3} registrations, ${text.length} bytes identical`);
}

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = s.length >> 1;
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const min = (xs: number[]) => Math.min(...xs);
const f0 = (x: number) => x.toLocaleString("en-US", { maximumFractionDigits: 0 });
const f2 = (x: number) => x.toFixed(2);

function table(headers: string[], rows: string[][]): string {
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
    return [line(headers), `|${widths.map((w, i) => (i === 0 ? ` ${"-".repeat(w)} ` : ` ${"-".repeat(w - 1)}: `)).join("|")}|`, ...rows.map(line)].join("\n");
}

function programRuns(sizes: [number, number][]): { rows: string[][]; ratios: string[][]; growth: string[] } {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aim-bench-"));
    const rows: string[][] = [];
    const ratios: string[][] = [];
    const cpuMedian = new Map<number, number>();
    try {
        for (const [n, reps] of sizes) {
            // The baseline must register exactly what the package did: recorded both ways and compared first.
            const dumpFile = path.join(tmp, `dump-${n}.json`);
            const expected = record(n, dumpFile);
            for (const variant of ["hand", "hand-full"] as const) {
                const replayFile = path.join(tmp, `${variant}-${n}.json`);
                child(variant, n, ["--dump", dumpFile, "--record", replayFile]);
                const diffs = differences(expected, fs.readFileSync(replayFile, "utf8"), variant === "hand");
                if (diffs.length > 0) throw new Error(`N=${n}: the ${VARIANT_LABEL[variant]} replay registers something else:\n${diffs.join("\n")}`);
            }
            console.error(`N=${n}: both replays register the same ${expected.split("\n").length - 3} resources; ${reps} runs per variant…`);

            const runs: Record<Variant, ChildResult[]> = { package: [], hand: [], "hand-full": [] };
            // A summary must not mix in the profiles of an earlier invocation.
            if (PROFILE_DIR) for (const v of VARIANTS) fs.rmSync(profileDir(v, n), { recursive: true, force: true });
            for (let rep = 0; rep < reps; rep++) {
                // Rotating order, so that drift of the machine's load hits every variant alike.
                const order = VARIANTS.map((_, k) => VARIANTS[(k + rep) % VARIANTS.length]);
                for (const variant of order) {
                    const profileFlags = PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${profileDir(variant, n)}`] : [];
                    runs[variant].push(child(variant, n, variant === "package" ? [] : ["--dump", dumpFile], profileFlags));
                }
            }
            const stat = (v: Variant, key: keyof ChildResult) => runs[v].map((r) => r[key] as number);
            for (const v of VARIANTS) {
                rows.push([
                    `${f0(n)}`,
                    VARIANT_LABEL[v],
                    f0(runs[v][0].resources),
                    `${f0(min(stat(v, "cpuMs")))} / ${f0(median(stat(v, "cpuMs")))}`,
                    `${f0(min(stat(v, "wallMs")))} / ${f0(median(stat(v, "wallMs")))}`,
                    f0(median(stat(v, "gcMs"))),
                    f0(median(stat(v, "heapEndMB"))),
                    `${f0(median(stat(v, "maxRssMB")))} (${f0(median(stat(v, "rssStartMB")))})`,
                ]);
            }
            const pairs: [Variant, Variant][] = [["package", "hand"], ["hand-full", "hand"], ["package", "hand-full"]];
            for (const [a, b] of pairs) {
                const ratio = (key: keyof ChildResult, agg: (xs: number[]) => number) => f2(agg(stat(a, key)) / agg(stat(b, key)));
                ratios.push([
                    f0(n),
                    `${VARIANT_LABEL[a]} / ${VARIANT_LABEL[b]}`,
                    `${ratio("cpuMs", min)} / ${ratio("cpuMs", median)}`,
                    `${ratio("wallMs", min)} / ${ratio("wallMs", median)}`,
                    `${f0(median(stat(a, "maxRssMB")))} / ${f0(median(stat(b, "maxRssMB")))} = ${ratio("maxRssMB", median)}`,
                ]);
            }
            cpuMedian.set(n, median(stat("package", "cpuMs")));
        }
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
    const ns = [...cpuMedian.keys()];
    const growth = ns.slice(1).map((n, i) => `CPU growth of the package, N=${f0(ns[i])} → ${f0(n)}: ${(cpuMedian.get(n)! / cpuMedian.get(ns[i])!).toFixed(1)}×`);
    return { rows, ratios, growth };
}

/** `require` time of each module in a fresh process, cases interleaved (rotating order) so drift hits all alike. */
function importRuns(reps: number): string[][] {
    const cases = [
        { label: "`@pulumi/pulumi`", target: "@pulumi/pulumi" },
        { label: "`@pulumi/kubernetes`", target: "@pulumi/kubernetes" },
        { label: "the package (`index.js`)", target: path.join(OUT, "index.js") },
    ];
    const script = (target: string) =>
        `const c=process.cpuUsage(),t=performance.now();require(${JSON.stringify(target)});const u=process.cpuUsage(c);` +
        `process.stdout.write(${JSON.stringify(RESULT)}+JSON.stringify({ms:performance.now()-t,cpuMs:(u.user+u.system)/1000})+"\\n")`;
    const results = cases.map(() => [] as { ms: number; cpuMs: number }[]);
    for (let rep = 0; rep < reps; rep++) {
        for (let k = 0; k < cases.length; k++) {
            const i = (k + rep) % cases.length;
            results[i].push(spawnNode(["-e", script(cases[i].target)]));
        }
    }
    const k8sMedian = median(results[1].map((r) => r.ms));
    return cases.map((c, i) => [
        c.label,
        `${f0(min(results[i].map((r) => r.ms)))} / ${f0(median(results[i].map((r) => r.ms)))}`,
        `${f0(min(results[i].map((r) => r.cpuMs)))} / ${f0(median(results[i].map((r) => r.cpuMs)))}`,
        f2(median(results[i].map((r) => r.ms)) / k8sMedian),
    ]);
}

function parent(argv: string[]): void {
    if (argv.includes("--golden") || argv.includes("--update-golden")) return golden(argv.includes("--update-golden"));
    const sizesArg = argv.includes("--n") ? argv[argv.indexOf("--n") + 1] : argv.includes("--large") ? "100:5,1000:3,10000:1" : "100:5,1000:3";
    const sizes = sizesArg.split(",").map((s) => s.split(":").map(Number) as [number, number]);
    // `--imports <reps>`: the import times alone, with as many fresh processes per module as asked.
    const importsOnly = argv.includes("--imports") ? Number(argv[argv.indexOf("--imports") + 1]) : undefined;
    const started = performance.now();
    const load = os.loadavg()[0];
    const { rows, ratios, growth } = importsOnly ? { rows: [], ratios: [], growth: [] } : programRuns(sizes);
    const importReps = importsOnly ?? 9;
    const imports = importRuns(importReps);
    const cpus = os.cpus();
    console.log(
        `Machine: ${cpus.length} × ${cpus[0]?.model.trim()}, ${f0(os.totalmem() / 2 ** 30)} GiB; Node ${process.version}; ` +
            `@pulumi/pulumi ${require("@pulumi/pulumi/package.json").version}, @pulumi/kubernetes ${require("@pulumi/kubernetes/package.json").version}; ` +
            `${TARGET ? `aim:target ${TARGET}; ` : ""}load average ${load.toFixed(2)} at the start; ${f0((performance.now() - started) / 1000)} s in all.\n`,
    );
    if (!importsOnly) printProgramRuns(rows, ratios, growth);
    if (PROFILE_DIR && !importsOnly) printProfiles(sizes.map(([n]) => n));
    console.log(`\nImport (\`require\` in a fresh process, ${importReps} runs interleaved; ms: min / median):\n`);
    console.log(table(["module", "require ms", "CPU ms", "÷ @pulumi/kubernetes"], imports));
}

function printProgramRuns(rows: string[][], ratios: string[][], growth: string[]): void {
    console.log("Ratios (min / median of the runs; peak RSS medians). Per N: the package against plain components; full components");
    console.log("against plain ones, what the SDK costs for the components' args and outputs alone; the package against full components,");
    console.log("what it costs beyond them (validation, resolution, rendering):\n");
    console.log(table(["N", "variants", "CPU ratio", "wall ratio", "peak RSS MB"], ratios));
    console.log(`\n${growth.join("\n")}\n`);
    console.log("Program runs (ms: min / median; user+sys CPU and wall from the provider's creation until every registration settled):\n");
    console.log(table(["N", "variant", "resources", "CPU ms", "wall ms", "GC ms", "heap end MB", "peak RSS MB (at start)"], rows));
}

function printProfiles(sizes: number[]): void {
    const { summarize, profilesIn, isInstalledPackage } = require("./profile") as typeof import("./profile");
    for (const n of sizes) {
        // In this order the two differences add up: what the package costs beyond full components, and what those cost.
        const variants = (["package", "hand-full", "hand"] as const).map((v) => [VARIANT_LABEL[v], profilesIn(profileDir(v, n))] as [string, string[]]);
        console.log(`\nN = ${f0(n)}: main thread by \`node --cpu-prof\` (profiles in ${path.relative(ROOT, PROFILE_DIR!)}; whole process, imports included):\n`);
        console.log(summarize(variants, isInstalledPackage(OUT)));
    }
}

// ---------------------------------------------------------------------------------------------------------------

const argv = process.argv.slice(2);
if (argv[0] === "--child") {
    const opt = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
    programChild(argv[1] as Variant, Number(opt("--n")), opt("--record"), opt("--dump"), opt("--target")).catch((err) => {
        console.error(err);
        process.exit(1);
    });
} else {
    parent(argv);
}
