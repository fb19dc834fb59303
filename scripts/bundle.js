// @ts-check
// The build's second step (`npm run build`; tsc emits the declarations): one esbuild bundle per entry point, zod
// inside and tree-shaken.
//
// Why: zod's CommonJS build loads 95 modules, 64 of them locales the package never uses, and the package's own
// sources are 54 more; `require` of the package took 1.13× `require('@pulumi/kubernetes')`. One file per entry,
// holding only the zod the schemas use (the sources import `zod/mini` as a namespace, which zod documents for this),
// takes about 1.03× (bench/README.md, "Import"). What package.json lists under `dependencies` stays external: a
// program must share the single @pulumi/pulumi it runs with, and npm dedupes the rest. zod is a devDependency: only
// the bundles need it.
//
//   node scripts/bundle.js            # every entry point into bin/
//   node scripts/bundle.js <dir>      # into <dir>, laid out as bin/ (bench, tests)

const esbuild = require("esbuild");
const fs = require("node:fs");
const path = require("node:path");
const { name: PACKAGE_NAME, dependencies } = require("../package.json");

const ROOT = path.resolve(__dirname, "..");

/** What the package runs: its main module, the component provider's host and entry, and the review CLIs. */
const ENTRY_POINTS = ["index.ts", "provider/host.ts", "provider/main.ts", "review/aim-preview.ts", "review/aim-review.ts", "review/runner.ts"];

/** @param {string} file */
const withoutExtension = (file) => file.replace(/\.[jt]s$/, "");

/**
 * An import of another entry point stays a `require` of that entry's bundle, so that a process holds one copy of
 * each module's state (the provider host runs the components of bin/index.js, not a copy of them). The bundles are
 * laid out as the sources, so the path between two of them is the path between their sources.
 * @param {string} entry
 * @returns {esbuild.Plugin}
 */
function otherEntriesExternal(entry) {
    const others = new Set(ENTRY_POINTS.filter((e) => e !== entry).map((e) => withoutExtension(path.join(ROOT, e))));
    const from = path.dirname(path.join(ROOT, entry));
    return {
        name: "other-entries-external",
        setup(build) {
            build.onResolve({ filter: /^\.\.?\// }, (args) => {
                const target = withoutExtension(path.resolve(args.resolveDir, args.path));
                if (!others.has(target)) return undefined;
                const relative = path.relative(from, target);
                return { path: relative.startsWith("..") ? relative : `./${relative}`, external: true };
            });
        },
    };
}

/**
 * @param {string} entry the entry point, relative to the package root
 * @param {string} outdir
 */
async function bundle(entry, outdir) {
    const outfile = path.join(outdir, `${withoutExtension(entry)}.js`);
    const { metafile } = await esbuild.build({
        absWorkingDir: ROOT,
        entryPoints: [entry],
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
        external: [...Object.keys(dependencies), PACKAGE_NAME, "ts-node"],
        plugins: [otherEntriesExternal(entry)],
        metafile: true,
        logLevel: "warning",
    });
    fs.appendFileSync(outfile, licensesOf(Object.keys(metafile.inputs)));
}

/**
 * The licence of each npm package a bundle holds code of (zod), as a comment at its end: zod's MIT licence asks that
 * copies carry its notice.
 * @param {string[]} inputs the bundle's input files, relative to the package root
 */
function licensesOf(inputs) {
    const packageDirs = new Set();
    for (const input of inputs) {
        const file = path.resolve(ROOT, input);
        const at = file.lastIndexOf(`${path.sep}node_modules${path.sep}`);
        if (at === -1) continue;
        const [scope, name] = file.slice(at + "/node_modules/".length).split(path.sep);
        packageDirs.add(file.slice(0, at + "/node_modules/".length) + (scope.startsWith("@") ? `${scope}${path.sep}${name}` : scope));
    }
    return [...packageDirs]
        .sort()
        .map((dir) => {
            const { name, version } = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
            const license = fs.readFileSync(path.join(dir, "LICENSE"), "utf8").trim().replaceAll("*/", "* /");
            return `\n/*! ${name} ${version}, bundled:\n${license}\n*/\n`;
        })
        .join("");
}

const outdir = path.resolve(process.argv[2] ?? path.join(ROOT, "bin"));
Promise.all(ENTRY_POINTS.map((entry) => bundle(entry, outdir))).catch((err) => {
    // esbuild has printed its own errors already; anything else (a licence file missing, I/O) has not.
    if (!err?.errors) console.error(err);
    process.exitCode = 1;
});
