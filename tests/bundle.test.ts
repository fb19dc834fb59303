// What ships is not what the other specs load: `npm run build` bundles each entry point with esbuild
// (scripts/bundle.js), zod inside. Built afresh from the sources, the package's bundle must register exactly what the
// sources register for the reference benchmark's workload, under either target, with the same warnings, and the
// provider's bundles must use it rather than a copy.

import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as sources from "../index";
import { program } from "../bench/workload";
import { scenario, withStackConfig } from "./harness";

const ROOT = path.resolve(__dirname, "..");

describe("the bundles (bin/)", function () {
    this.timeout(120_000);
    // Inside the repository, so that the bundles find node_modules and share this process's @pulumi/pulumi (and mocks).
    let outdir: string;
    let bundle: typeof sources;

    before(() => {
        fs.mkdirSync(path.join(ROOT, ".cache"), { recursive: true });
        outdir = fs.mkdtempSync(path.join(ROOT, ".cache", "bundle-test-"));
        execFileSync(process.execPath, [path.join(ROOT, "scripts", "bundle.js"), outdir], { stdio: "inherit" });
        bundle = require(path.join(outdir, "index.js"));
    });
    after(() => fs.rmSync(outdir, { recursive: true, force: true }));

    it("keep one copy of the components: the provider host requires the package's bundle", () => {
        const host = fs.readFileSync(path.join(outdir, "provider", "host.js"), "utf8");
        assert.match(host, /require\("\.\.\/index"\)/);
        // esbuild marks each module it inlines with a comment naming its source.
        assert.doesNotMatch(host, /^\/\/ (components|resolve)\//m);
        assert.match(fs.readFileSync(path.join(outdir, "index.js"), "utf8"), /^\/\/ resolve\/catalog\.ts$/m);
        assert.match(fs.readFileSync(path.join(outdir, "provider", "main.js"), "utf8"), /require\("\.\/host"\)/);
    });

    it("exports what index.ts exports, by their names, requires no zod at run time, and carries zod's licence", () => {
        assert.deepEqual(Object.keys(bundle).sort(), Object.keys(sources).sort());
        for (const [name, value] of Object.entries(bundle)) if (typeof value === "function") assert.equal(value.name, name);
        const text = fs.readFileSync(path.join(outdir, "index.js"), "utf8");
        assert.doesNotMatch(text, /require\("zod/);
        assert.match(text, /require\("@pulumi\/pulumi"\)/);
        assert.match(text, /require\("@pulumi\/kubernetes"\)/);
        assert.match(text, /\/\*! zod \d+\.\d+\.\d+, bundled:\nMIT License\n/);
    });

    it("fails bad input with the sources' messages (zod's English messages are in the bundle)", async () => {
        const bad = { namespace: "Not_A_Label", aimImageName: "", replicas: -1, env: [{ value: 1 }] };
        const messageOf = async (aim: typeof sources) =>
            (
                await scenario(({ provider }) => {
                    try {
                        new aim.AIMService("bad", bad as never, { provider });
                    } catch (err) {
                        return (err as Error).message;
                    }
                    return "no error";
                })
            ).result;
        const fromSources = await messageOf(sources);
        assert.match(fromSources, /^AIMService "bad": namespace: /);
        assert.equal(await messageOf(bundle), fromSources);
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
