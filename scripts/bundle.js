// @ts-check
// The build's second step (`npm run build`; tsc emits the declarations): one esbuild bundle per entry point into
// bin/, with zod inside and tree-shaken.
//
// Why: zod's CommonJS build loads 95 modules, 64 of them locales the package never uses, and the package's own
// sources are 54 more; `require` of the package took 1.11× `require('@pulumi/kubernetes')`. One file per entry,
// holding only the zod the schemas use (its sources are `import * as z from "zod"` for this, as zod documents),
// takes about 1.04× (bench/README.md, "Import"). Everything else the package depends on stays external: a program
// must share the single @pulumi/pulumi it runs with, and npm dedupes the rest.
//
//   node scripts/bundle.js                    # every entry point into bin/
//   node scripts/bundle.js index.ts <file>    # the package's entry alone, into <file> (bench, tests)

const esbuild = require("esbuild");
const fs = require("node:fs");
const path = require("node:path");
const { name: PACKAGE_NAME, dependencies } = require("../package.json");

const ROOT = path.resolve(__dirname, "..");

/** What the package runs: its main module, the component provider's host and entry, and the review CLIs. */
const ENTRY_POINTS = ["index.ts", "provider/host.ts", "provider/main.ts", "review/aim-preview.ts", "review/aim-review.ts", "review/runner.ts"];

/**
 * An import of another entry point stays a `require` of that entry's bundle, so that a process holds one copy of
 * each module's state (the provider host runs the components of bin/index.js, not a copy of them).
 * @param {string} entry
 * @returns {esbuild.Plugin}
 */
function otherEntriesExternal(entry) {
    const others = new Set(ENTRY_POINTS.filter((e) => e !== entry).map((e) => path.join(ROOT, e.replace(/\.ts$/, ""))));
    return {
        name: "other-entries-external",
        setup(build) {
            build.onResolve({ filter: /^\.\.?\// }, (args) =>
                others.has(path.resolve(args.resolveDir, args.path).replace(/\.ts$/, "")) ? { path: args.path, external: true } : undefined,
            );
        },
    };
}

/**
 * @param {string} entry the entry point, relative to the package root
 * @param {string} outfile
 */
async function bundle(entry, outfile) {
    const { metafile } = await esbuild.build({
        entryPoints: [path.join(ROOT, entry)],
        outfile,
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        // No source map, as tsc's build had none: Pulumi's program host registers source-map-support
        // (@pulumi/pulumi cmd/run/index.js), which would map every frame of the stack the SDK takes for each of its
        // promises (runtime/debuggable.js, about 24 per resource). The TypeScript sources ship beside the bundle.
        sourcemap: false,
        // No keepNames: it wraps every closure the code creates in a defineProperty call (7 MB of allocation at N = 1,000).
        // The names that are behaviour, the exported classes' (the SDK's getPulumiComponents serves components by class
        // name), esbuild keeps unless two modules declare one name; tests/bundle.test.ts checks them.
        keepNames: false,
        // The package's own name and ts-node appear only in `require.resolve` (provider/host.ts, review/revision.ts).
        external: [...Object.keys(dependencies).filter((name) => name !== "zod"), PACKAGE_NAME, "ts-node"],
        plugins: [otherEntriesExternal(entry)],
        metafile: true,
        logLevel: "warning",
    });
    fs.appendFileSync(outfile, licensesOf(Object.keys(metafile.inputs)));
}

/**
 * The licence of each npm package a bundle holds code of (zod), as a comment at its end: zod's MIT licence asks that
 * copies carry its notice.
 * @param {string[]} inputs the bundle's input files, relative to the working directory
 */
function licensesOf(inputs) {
    const packages = new Set(inputs.map((input) => /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1]).filter((name) => name !== undefined));
    return [...packages]
        .sort()
        .map((name) => {
            const dir = path.dirname(require.resolve(`${name}/package.json`, { paths: [ROOT] }));
            const { version } = require(path.join(dir, "package.json"));
            return `\n/*! ${name} ${version}, bundled:\n${fs.readFileSync(path.join(dir, "LICENSE"), "utf8").trim()}\n*/\n`;
        })
        .join("");
}

const [entry, outfile] = process.argv.slice(2);
const builds = entry ? [bundle(entry, path.resolve(outfile))] : ENTRY_POINTS.map((e) => bundle(e, path.join(ROOT, "bin", e.replace(/\.ts$/, ".js"))));
Promise.all(builds).catch(() => {
    process.exitCode = 1; // esbuild has printed the errors
});
