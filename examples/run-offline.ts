// The examples' offline runner: the package's `aim-preview` bin (review/aim-preview.ts), run from source.
//
//   ts-node --transpile-only examples/run-offline.ts <project dir> [--stack <name>] [--update] [--config <key>=<value>]...

import { main } from "../review/aim-preview";

main(process.argv.slice(2)).then((code) => (process.exitCode = code));
