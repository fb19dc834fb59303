// `npm run bench:review`: how long `aim-review` takes on the benchmark's workload (bench/workload.ts, N = 1,000)
// against a one-field change (one more replica of one service), compared with one offline render of the same
// program (`aim-preview`). Both are the compiled bins (tsc -p bench/tsconfig.json), run on JavaScript programs,
// each run a process of its own, alternating; wall time, and children's CPU where Linux reports it.
//
//   npm run bench:review                 # N = 1,000, 3 runs of each
//   npm run bench:review -- --n 100 --runs 5

import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const OUT = path.resolve(__dirname, ".."); // where tsc compiled the package and bench/ (.cache/aim-bench)
const ROOT = process.cwd(); // npm runs scripts from the repository root

function option(name: string, fallback: number): number {
    const at = process.argv.indexOf(name);
    return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

/** The workload as a Pulumi program in JavaScript; `changed` gives service svc-7 one more replica. */
function program(dir: string, n: number, changed: boolean): string {
    fs.mkdirSync(dir, { recursive: true });
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "junction");
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: bench\nruntime: nodejs\nmain: index.js\n");
    fs.writeFileSync(
        path.join(dir, "index.js"),
        `const k8s = require("@pulumi/kubernetes");
const aim = require(${JSON.stringify(path.join(OUT, "index.js"))});
const { program } = require(${JSON.stringify(path.join(OUT, "bench", "workload.js"))});
class AIMService extends aim.AIMService {
    constructor(name, args, opts) {
        super(name, ${changed ? 'name === "svc-7" ? { ...args, replicas: args.replicas + 1 } : args' : "args"}, opts);
    }
}
program({ ...aim, AIMService }, new k8s.Provider("bench", {}), ${n});
`,
    );
    return dir;
}

/** User + system CPU seconds of the waited-for children of this process (Linux: /proc/self/stat cutime, cstime). */
function childrenCpu(): number | undefined {
    if (!fs.existsSync("/proc/self/stat")) return undefined;
    const fields = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100; // fields 16 and 17 of proc(5), in USER_HZ (100)
}

function timed(args: string[]): { wall: number; cpu?: number } {
    const cpu0 = childrenCpu();
    const t0 = performance.now();
    const res = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 30 });
    const wall = (performance.now() - t0) / 1000;
    if (res.status !== 0) throw new Error(`${args.join(" ")} exited ${res.status}:\n${res.stderr}`);
    const cpu1 = childrenCpu();
    return { wall, cpu: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0 };
}

function main(): void {
    const n = option("--n", 1000);
    const runs = option("--runs", 3);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "aim-bench-review-"));
    try {
        const base = program(path.join(work, "base"), n, false);
        const head = program(path.join(work, "head"), n, true);
        const report = path.join(work, "review.json");
        const preview = [path.join(OUT, "review", "aim-preview.js"), head];
        const review = [path.join(OUT, "review", "aim-review.js"), "--base", base, "--head", head, "--format", "json", "--out", report];
        const samples: Record<"preview" | "review", { wall: number; cpu?: number }[]> = { preview: [], review: [] };
        for (let i = 0; i < runs; i++) {
            for (const kind of i % 2 === 0 ? (["preview", "review"] as const) : (["review", "preview"] as const)) {
                samples[kind].push(timed(kind === "preview" ? preview : review));
            }
        }
        const changes = JSON.parse(fs.readFileSync(report, "utf8")).changes.map((c: { op: string; name: string }) => `${c.op} ${c.name}`);
        const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
        const stat = (kind: "preview" | "review", key: "wall" | "cpu") => {
            const xs = samples[kind].map((s) => s[key]).filter((x): x is number => x !== undefined);
            return xs.length > 0 ? { min: Math.min(...xs), median: median(xs) } : undefined;
        };
        console.log(`N = ${n}, ${runs} runs each, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}; the review found: ${changes.join(", ")}\n`);
        console.log("| | aim-preview (one render) | aim-review (two renders, compared) | ratio |");
        console.log("|---|---:|---:|---:|");
        for (const key of ["wall", "cpu"] as const) {
            const [p, r] = [stat("preview", key), stat("review", key)];
            if (!p || !r) continue;
            for (const which of ["min", "median"] as const) {
                console.log(`| ${key} ${which} | ${p[which].toFixed(1)} s | ${r[which].toFixed(1)} s | ${(r[which] / p[which]).toFixed(2)} |`);
            }
        }
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

main();
