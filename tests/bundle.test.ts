// What ships is not what the other specs load: `npm run build` bundles index.ts with esbuild (scripts/bundle.js), zod
// inside. Built afresh from the sources, the bundle must register exactly what the sources register for the reference
// benchmark's workload, under either target, with the same warnings.

import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as sources from "../index";
import { program } from "../bench/workload";
import { scenario, withStackConfig } from "./harness";

const ROOT = path.resolve(__dirname, "..");
// Inside the repository, so that the bundle finds node_modules and shares this process's @pulumi/pulumi (and mocks).
const BUNDLE = path.join(ROOT, ".cache", "bundle-test", "index.js");

describe("the bundle (bin/index.js)", function () {
    this.timeout(120_000);
    let bundle: typeof sources;

    before(() => {
        fs.rmSync(path.dirname(BUNDLE), { recursive: true, force: true });
        execFileSync(process.execPath, [path.join(ROOT, "scripts", "bundle.js"), "index.ts", BUNDLE], { stdio: "inherit" });
        bundle = require(BUNDLE);
    });

    it("exports what index.ts exports, by their names, requires no zod at run time, and carries zod's licence", () => {
        assert.deepEqual(Object.keys(bundle).sort(), Object.keys(sources).sort());
        for (const [name, value] of Object.entries(bundle)) if (typeof value === "function") assert.equal(value.name, name);
        const text = fs.readFileSync(BUNDLE, "utf8");
        assert.doesNotMatch(text, /require\("zod/);
        assert.match(text, /require\("@pulumi\/pulumi"\)/);
        assert.match(text, /require\("@pulumi\/kubernetes"\)/);
        assert.match(text, /\/\*! zod \d+\.\d+\.\d+, bundled:\nMIT License\n\nCopyright \(c\) \d+ Colin McDonnell\n/);
    });

    for (const target of ["workloads", "operator"]) {
        it(`registers what the sources register, target ${target}`, async () => {
            // One cluster identity for both runs, so that URNs under the provider compare equal.
            const run = (aim: typeof sources) =>
                withStackConfig({ "aim:target": target }, () => scenario(({ provider }) => program(aim, provider, 30), { cluster: `bundle-${target}` }));
            const fromSources = await run(sources);
            const fromBundle = await run(bundle);
            assert.ok(fromSources.resources.length > 100, `${fromSources.resources.length} resources`);
            assert.deepEqual(fromBundle.resources, fromSources.resources);
            assert.deepEqual(fromBundle.warnings, fromSources.warnings);
        });
    }
});
