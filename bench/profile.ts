// Where a program's main thread spends its time: `node --cpu-prof` profiles summarised by what the time is spent on,
// one column per variant (median over its runs), side by side with the differences between consecutive variants.
//
//   npm run bench -- --n 1000:3 --profile .cache/profiles   # profiles every timed run and prints this summary
//   node .cache/aim-bench/bench/profile.js <dir>... [--top 20] # one directory of *.cpuprofile files per variant
//
// The second form also reads the reference harness's profiles (`node --cpu-prof --cpu-prof-dir=<dir> ours.js 1000`).
// A profile samples the main thread only: the garbage collection V8 does on its helper threads, which user + sys
// CPU counts, is not in it.

import * as fs from "fs";
import * as path from "path";
import { fileURLToPath } from "url";

interface CallFrame {
    functionName: string;
    url: string;
    lineNumber: number;
}
interface ProfileNode {
    id: number;
    callFrame: CallFrame;
    children?: number[];
}
/** The `.cpuprofile` format of V8's inspector (`Profiler.Profile`). */
export interface CpuProfile {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
}

/** What the SDK's files do, as the categories name them; the rest of `@pulumi/pulumi` is "SDK: other". */
const SDK_FILES: Record<string, string> = {
    "runtime/debuggable.js": "SDK: a stack trace per promise (runtime/debuggable.js)",
    "resource.js": "SDK: Resource constructor and its call-site stack (resource.js)",
    "runtime/resource.js": "SDK: registration (runtime/resource.js)",
    "runtime/rpc.js": "SDK: serialization (runtime/rpc.js)",
    "output.js": "SDK: Outputs (output.js)",
    "runtime/mocks.js": "SDK: mock monitor (runtime/mocks.js)",
};

/** Dependencies with a row of their own; the SDK's other dependencies share one. */
const NAMED_DEPENDENCIES = new Set(["google-protobuf", "@pulumi/kubernetes", "@grpc/grpc-js"]);

/** Where builtins and Node internals go when no JS frame called them: mostly V8 running the microtask queue. */
export const NO_JS_CALLER = "microtask queue and other builtins without a JS caller";

/**
 * The cost category of one JS frame, or undefined for frames that are charged to their caller: V8 builtins (no
 * script) and Node's internals (`node:` scripts), such as formatting a stack trace for the SDK's `new Error().stack`.
 * `isPackageFile` says which scripts are the package's bundle; `moduleAt` names the bundled module of a line in one.
 */
export function categoryOf(frame: CallFrame, isPackageFile: (file: string) => boolean, moduleAt: (file: string, line: number) => string): string | undefined {
    const { functionName, url } = frame;
    if (functionName === "(garbage collector)") return "GC (main thread)";
    if (functionName === "(program)") return "V8, not attributed to a script (program)";
    if (functionName === "(idle)" || functionName === "(root)") return functionName;
    if (url === "" || url.startsWith("node:")) return undefined;
    const file = url.startsWith("file://") ? fileURLToPath(url) : url;
    if (isPackageFile(file)) {
        const bundled = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(moduleAt(file, frame.lineNumber));
        return bundled ? `${bundled[1]} (bundled in the package)` : "the package's own code";
    }
    const sdk = /\/node_modules\/@pulumi\/pulumi\/(.*)$/.exec(file);
    if (sdk) return SDK_FILES[sdk[1]] ?? "SDK: other";
    const dependency = [...file.matchAll(/\/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].pop();
    if (!dependency) return "the program and its harness";
    return NAMED_DEPENDENCIES.has(dependency[1]) ? dependency[1] : "other npm packages (mostly loading the SDK's modules)";
}

/** Self time (ms) of one profile summed by `keyOf` its sampled node. */
function selfTimeBy(profile: CpuProfile, keyOf: (nodeId: number) => string): Map<string, number> {
    const totals = new Map<string, number>();
    // timeDeltas[i] is the time since the previous sample, so a sample lasts until the next one's delta.
    for (let i = 0; i < profile.samples.length; i++) {
        const key = keyOf(profile.samples[i]);
        totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
    }
    return totals;
}

/** Self time (ms) per category of one profile; a builtin or Node-internal leaf is charged to its nearest JS caller. */
export function selfTimeByCategory(profile: CpuProfile, categorize: (frame: CallFrame) => string | undefined): Map<string, number> {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parentOf = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
    const categoryOfNode = new Map<number, string>();
    const resolve = (id: number): string => {
        const known = categoryOfNode.get(id);
        if (known !== undefined) return known;
        const own = categorize(byId.get(id)!.callFrame);
        const parent = parentOf.get(id);
        const category = own ?? (parent === undefined ? NO_JS_CALLER : resolve(parent));
        categoryOfNode.set(id, category === "(root)" ? NO_JS_CALLER : category);
        return categoryOfNode.get(id)!;
    };
    const totals = selfTimeBy(profile, resolve);
    totals.delete("(idle)");
    return totals;
}

/** Self time (ms) per function (name, script, line) of one profile, for the functions that differ most. */
function selfTimeByFunction(profile: CpuProfile): Map<string, number> {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    return selfTimeBy(profile, (id) => {
        const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
        const where = url ? ` ${url.replace(/^.*\/node_modules\//, "").replace(/^file:\/\/.*\//, "")}:${lineNumber + 1}` : "";
        return `${functionName || "(anonymous)"}${where}`;
    });
}

/** esbuild writes `// <module path>` before each bundled module: the module of a line is the last such comment above. */
function bundleModules(): (file: string, line: number) => string {
    const starts = new Map<string, { line: number; module: string }[]>();
    return (file, line) => {
        if (!starts.has(file)) {
            const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n") : [];
            starts.set(file, lines.flatMap((text, i) => (/^\/\/ [\w@.\/-]+\.[cm]?[jt]s$/.test(text) ? [{ line: i, module: text.slice(3) }] : [])));
        }
        let module = "";
        for (const start of starts.get(file)!) if (start.line <= line) module = start.module;
        return module;
    };
}

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = s.length >> 1;
    return s.length === 0 ? 0 : s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const ms = (x: number) => x.toLocaleString("en-US", { maximumFractionDigits: 0 });
const signed = (x: number) => `${x >= 0 ? "+" : "−"}${ms(Math.abs(x))}`;

function markdownTable(headers: string[], rows: string[][]): string {
    const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
    return [line(headers), line(headers.map((_, i) => (i === 0 ? "---" : "---:"))), ...rows.map(line)].join("\n");
}

/**
 * The summary of profiles per variant (label → its .cpuprofile files): median self time per category, the
 * difference of each variant to the next one (variants given from the package down to the plainest baseline, so
 * the differences add up to the package's whole excess), and the `top` functions whose median self time differs
 * most between the first two variants.
 */
export function summarize(variants: [string, string[]][], isPackageFile: (file: string) => boolean, top = 15): string {
    const moduleAt = bundleModules();
    const categorize = (frame: CallFrame) => categoryOf(frame, isPackageFile, moduleAt);
    const profiles = variants.map(([label, files]) => ({ label, parsed: files.map((f) => JSON.parse(fs.readFileSync(f, "utf8")) as CpuProfile) }));
    const byCategory = profiles.map((v) => v.parsed.map((p) => selfTimeByCategory(p, categorize)));
    const medianOf = (runs: Map<string, number>[], key: string) => median(runs.map((r) => r.get(key) ?? 0));
    const totalOf = (runs: Map<string, number>[]) => median(runs.map((r) => [...r.values()].reduce((a, b) => a + b, 0)));
    const categories = [...new Set(byCategory.flatMap((runs) => runs.flatMap((r) => [...r.keys()])))].sort(
        (a, b) => medianOf(byCategory[0], b) - medianOf(byCategory[0], a),
    );
    const pairs = profiles.slice(1).map((_, i) => [i, i + 1] as const);
    const headers = ["main thread, self time (ms, median)", ...profiles.map((v) => `${v.label} (${v.parsed.length})`), ...pairs.map(([a, b]) => `${profiles[a].label} − ${profiles[b].label}`)];
    const row = (name: string, value: (runs: Map<string, number>[]) => number) => [
        name,
        ...byCategory.map((runs) => ms(value(runs))),
        ...pairs.map(([a, b]) => signed(value(byCategory[a]) - value(byCategory[b]))),
    ];
    const rows = [...categories.map((c) => row(c, (runs) => medianOf(runs, c))), row("**total sampled**", totalOf)];
    const out = [markdownTable(headers, rows)];
    if (top > 0 && profiles.length > 1) {
        const fnA = profiles[0].parsed.map(selfTimeByFunction);
        const fnB = profiles[1].parsed.map(selfTimeByFunction);
        const names = [...new Set([...fnA, ...fnB].flatMap((m) => [...m.keys()]))];
        const diff = (name: string) => medianOf(fnA, name) - medianOf(fnB, name);
        const largest = names.sort((a, b) => Math.abs(diff(b)) - Math.abs(diff(a))).slice(0, top);
        out.push(
            "",
            markdownTable(
                ["function (self time, ms, median)", profiles[0].label, profiles[1].label, "difference"],
                largest.map((name) => [`\`${name}\``, ms(medianOf(fnA, name)), ms(medianOf(fnB, name)), signed(diff(name))]),
            ),
        );
    }
    return out.join("\n");
}

/** The profiles in a directory, in name order (`node --cpu-prof` names them by time and process). */
export const profilesIn = (dir: string) =>
    fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".cpuprofile"))
        .sort()
        .map((f) => path.join(dir, f));

/** A script of the package: installed (`node_modules/@aim-pulumi/aim/`) or the bench's build of it. */
export const isInstalledPackage = (benchOut: string) => (file: string) => file.includes("/node_modules/@aim-pulumi/aim/") || file === path.join(benchOut, "index.js");

if (require.main === module) {
    const args = process.argv.slice(2);
    const topAt = args.indexOf("--top");
    const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 15;
    if (args.length === 0) {
        console.error("usage: node profile.js <dir of *.cpuprofile>... [--top N]   (the package first, the plainest baseline last)");
        process.exit(2);
    }
    const variants = args.map((dir) => [path.basename(dir), profilesIn(dir)] as [string, string[]]);
    console.log(summarize(variants, isInstalledPackage(path.resolve(__dirname, "..")), top));
}
