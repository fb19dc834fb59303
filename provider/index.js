// What the engine starts: pulumi-language-nodejs RunPlugin runs `node @pulumi/pulumi/cmd/run-plugin <this directory>
// <engine address>`, and Node resolves the directory to this file before run-plugin's ts-node would compile any
// TypeScript. It runs the host compiled by the build (provider/main.ts → bin/provider/main.js): compiling and
// type-checking the package with ts-node on every start took seconds. `npm ci` or `npm install` in the clone
// builds bin/ (the `prepare` script), as does `npm run build`.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const main = path.join(__dirname, "..", "bin", "provider", "main.js");
if (!fs.existsSync(main)) {
    throw new Error(`${main} does not exist: run \`npm ci\` (or \`npm run build\`) in ${path.dirname(__dirname)} first`);
}
require(main);
