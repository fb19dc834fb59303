#!/usr/bin/env node
// aim-preview: a Pulumi program rendered offline (review/offline.ts) and printed as `pulumi preview` would show it,
// with the manifests. Exit code 0 when the program ran, 1 when it failed (or could not start), 2 on a usage error.

import { configOption, parseArgv, stackOutputsOption, UsageError } from "./args";
import { formatRun, runOffline, RunOptions } from "./offline";

const USAGE = "usage: aim-preview <program dir> [--stack <name>] [--update] [--config <key>=<value>]... [--stack-outputs <stack>=<file>]...";
const OPTIONS = new Set(["--stack", "-s", "--update", "--config", "-c", "--stack-outputs"]);

function parseArgs(argv: string[]): { dir: string; options: RunOptions } {
    const options: RunOptions = {};
    const dirs = parseArgv(argv, OPTIONS, (option, value) => {
        if (option === "--stack" || option === "-s") options.stack = value();
        else if (option === "--update") options.update = true;
        else if (option === "--config" || option === "-c") options.config = Object.fromEntries([...Object.entries(options.config ?? {}), configOption(value())]);
        else options.stackOutputs = Object.fromEntries([...Object.entries(options.stackOutputs ?? {}), stackOutputsOption(value())]);
    });
    if (dirs.length !== 1) throw new UsageError("expected one program directory");
    return { dir: dirs[0], options };
}

export async function main(argv: string[]): Promise<number> {
    let args: { dir: string; options: RunOptions };
    try {
        args = parseArgs(argv);
    } catch (err) {
        console.error(`${(err as Error).message}\n${USAGE}`);
        return 2;
    }
    try {
        const run = await runOffline(args.dir, args.options);
        process.stdout.write(formatRun(run));
        return run.errors.length > 0 ? 1 : 0;
    } catch (err) {
        console.error(`error: ${(err as Error).message}`);
        return 1;
    }
}

if (require.main === module) main(process.argv.slice(2)).then((code) => (process.exitCode = code));
