// The examples' offline runner: the package's `aim-preview` bin (review/aim-preview.ts), run from source.
//
//   ts-node --transpile-only examples/run-offline.ts <project dir> [--stack <name>] [--update] [--config <key>=<value>]...

import * as path from "path";
import { main } from "../review/aim-preview";

// The examples import the package by its name, as a reader's program does (the README shows the quick start as it
// is). For this runner that name means this clone's sources, which the tests load too, rather than the compiled bin/
// that Node's self-reference would give (stale or missing until a build); tsconfig.json's `paths` says the same to
// the type checker. The Pulumi CLI, which knows nothing of this, gets bin/ (built by `npm ci`).
const PACKAGE_NAME = "@aim-pulumi/aim";
const PACKAGE_SOURCE = path.join(__dirname, "..", "index.ts");
const Module = require("module") as { _resolveFilename(request: string, ...rest: unknown[]): string };
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    return resolveFilename.call(this, request === PACKAGE_NAME ? PACKAGE_SOURCE : request, ...rest);
};

main(process.argv.slice(2)).then((code) => (process.exitCode = code));
