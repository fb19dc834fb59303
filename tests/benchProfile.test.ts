import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CpuProfile, NO_JS_CALLER, isInstalledPackage, selfTimeByCategory, categoryOf, summarize } from "../bench/profile";

// bench/profile.ts sorts a profile's self time into what it is spent on; bench/README.md's profile tables come from it.
describe("bench/profile: self time by category", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aim-profile-"));
    const bundle = path.join(dir, "app", "node_modules", "@aim-pulumi", "aim", "bin", "index.js");
    const sdk = (file: string) => `file://${path.join(dir, "app", "node_modules", "@pulumi", "pulumi", file)}`;
    fs.mkdirSync(path.dirname(bundle), { recursive: true });
    // What esbuild writes: a `// <module>` line before each bundled module.
    fs.writeFileSync(bundle, ["// node_modules/zod/v4/core/core.js", "function parse() {}", "// components/aimService.ts", "class AIMService {}"].join("\n"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const frame = (id: number, functionName: string, url: string, lineNumber: number, children: number[] = []) => ({ id, callFrame: { functionName, url, lineNumber }, children });
    const profile = (durationsMs: number[], samples: number[]): CpuProfile => ({
        nodes: [
            frame(1, "(root)", "", -1, [2, 3, 4, 5, 6, 7]),
            frame(2, "AIMService", `file://${bundle}`, 3),
            frame(3, "parse", `file://${bundle}`, 1),
            frame(4, "debuggablePromise", sdk("runtime/debuggable.js"), 80, [8]),
            frame(5, "(garbage collector)", "", -1),
            frame(6, "(idle)", "", -1),
            frame(7, "runMicrotasks", "", -1),
            frame(8, "captureStackTrace", "", -1, [9]),
            frame(9, "defaultPrepareStackTrace", "node:internal/errors", 94),
        ],
        samples,
        // A sample lasts until the next one: its duration is the next entry's delta (µs).
        timeDeltas: [0, ...durationsMs.map((ms) => ms * 1000)],
    });
    const isPackage = isInstalledPackage(path.join(dir, "elsewhere"));

    it("charges builtins and Node internals to their JS caller, splits the bundle by module, and leaves idle time out", () => {
        const moduleAt = (file: string, line: number) => (file === bundle && line >= 2 ? "components/aimService.ts" : "node_modules/zod/v4/core/core.js");
        const byCategory = selfTimeByCategory(profile([1, 2, 3, 4, 5, 6, 7, 8], [2, 3, 9, 9, 5, 6, 7, 4]), (f) => categoryOf(f, isPackage, moduleAt));
        assert.deepEqual(Object.fromEntries(byCategory), {
            "the package's own code": 1,
            "zod (bundled in the package)": 2,
            "SDK: a stack trace per promise (runtime/debuggable.js)": 3 + 4 + 8,
            "GC (main thread)": 5,
            [NO_JS_CALLER]: 7,
        });
    });

    it("summarizes medians per variant and the differences to the last one, reading the bundle's module comments", () => {
        const write = (name: string, p: CpuProfile) => {
            const file = path.join(dir, `${name}.cpuprofile`);
            fs.writeFileSync(file, JSON.stringify(p));
            return file;
        };
        const pkg = [write("a1", profile([10, 1, 0, 0, 5, 0, 0, 3], [2, 3, 9, 9, 5, 6, 7, 4])), write("a2", profile([30, 3, 0, 0, 9, 0, 0, 5], [2, 3, 9, 9, 5, 6, 7, 4])), write("a3", profile([20, 2, 0, 0, 7, 0, 0, 4], [2, 3, 9, 9, 5, 6, 7, 4]))];
        const hand = [write("b1", profile([0, 0, 0, 0, 6, 0, 0, 4], [2, 3, 9, 9, 5, 6, 7, 4]))];
        const text = summarize([["package", pkg], ["hand", hand]], isPackage, 0);
        const rows = text.split("\n");
        assert.equal(rows[0], "| main thread, self time (ms, median) | package (3) | hand (1) | package − hand |");
        assert.ok(rows.includes("| the package's own code | 20 | 0 | +20 |"), text);
        assert.ok(rows.includes("| zod (bundled in the package) | 2 | 0 | +2 |"), text);
        assert.ok(rows.includes("| GC (main thread) | 7 | 6 | +1 |"), text);
        assert.ok(rows.includes("| SDK: a stack trace per promise (runtime/debuggable.js) | 4 | 4 | +0 |"), text);
        assert.ok(rows.includes("| **total sampled** | 33 | 10 | +23 |"), text);
    });
});
