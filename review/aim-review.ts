#!/usr/bin/env node
// aim-review: what a change does to the cluster, from two revisions of a Pulumi program rendered offline
// (review/review.ts). Exit code 0 when both revisions rendered, 1 when one failed (or on a usage error), 2 when
// `--fail-on` matched.

import * as fs from "fs";
import * as path from "path";
import { configOption, parseArgv, stackOutputsOption, UsageError } from "./args";
import { toJson, toMarkdown, toText } from "./format";
import { checkoutRef, Checkout } from "./git";
import type { Review } from "./report";
import { review } from "./review";

const USAGE = `usage: aim-review --base <program dir> --head <program dir> [options]
       aim-review --base-ref <git ref> [--head <program dir, default .>] [options]
options:
  --stack, -s <name>           stack of both revisions (default dev): its Pulumi.<stack>.yaml is the config
  --base-stack <name>          another stack for the base (compares two stacks of one program)
  --config, -c <key>=<value>   config over the stack files', for both revisions
  --stack-outputs <stack>=<file>  outputs of a stack a StackReference reads (a JSON object)
  --format markdown|json|text  (default markdown)
  --out <file>                 write the report there instead of stdout
  --json <file>                also write the JSON report there
  --fail-on replace|delete     exit 2 when a resource would be replaced or deleted (replace), or deleted (delete)
  --timeout <seconds>          how long a revision may take (default 600)`;

const FORMATS = ["markdown", "json", "text"] as const;
const OPTIONS = new Set(["--base", "--head", "--base-ref", "--stack", "-s", "--base-stack", "--config", "-c", "--stack-outputs", "--format", "--out", "--json", "--fail-on", "--timeout"]);

interface Args {
    base?: string;
    baseRef?: string;
    head: string;
    stack: string;
    baseStack?: string;
    config: Record<string, string>;
    stackOutputs: Record<string, Record<string, unknown>>;
    format: (typeof FORMATS)[number];
    out?: string;
    json?: string;
    failOn?: "replace" | "delete";
    timeoutSeconds: number;
}

function parseArgs(argv: string[]): Args {
    const args: Args = { head: ".", stack: "dev", config: {}, stackOutputs: {}, format: "markdown", timeoutSeconds: 600 };
    const operands = parseArgv(argv, OPTIONS, (option, value) => {
        if (option === "--base") args.base = value();
        else if (option === "--head") args.head = value();
        else if (option === "--base-ref") args.baseRef = value();
        else if (option === "--stack" || option === "-s") args.stack = value();
        else if (option === "--base-stack") args.baseStack = value();
        else if (option === "--config" || option === "-c") {
            const [key, v] = configOption(value());
            args.config[key] = v;
        } else if (option === "--stack-outputs") {
            const [stack, outputs] = stackOutputsOption(value());
            args.stackOutputs[stack] = outputs;
        } else if (option === "--format") {
            const format = value();
            if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}`);
            args.format = format as Args["format"];
        } else if (option === "--out") args.out = value();
        else if (option === "--json") args.json = value();
        else if (option === "--fail-on") {
            const failOn = value();
            if (failOn !== "replace" && failOn !== "delete") throw new UsageError("--fail-on must be replace or delete");
            args.failOn = failOn;
        } else {
            const seconds = Number(value());
            if (!(seconds > 0)) throw new UsageError("--timeout must be a number of seconds");
            args.timeoutSeconds = seconds;
        }
    });
    if (operands.length > 0) throw new UsageError(`unexpected ${operands[0]}`);
    if ((args.base === undefined) === (args.baseRef === undefined)) throw new UsageError("give either --base or --base-ref");
    return args;
}

/** The exit code of a review: 1 when a revision failed, 2 when `failOn` matched, else 0. */
export function exitCode(result: Review, failOn: Args["failOn"]): number {
    if (!result.base.ok || !result.head.ok) return 1;
    const { replace, delete: deleted } = result.summary;
    if (failOn === "delete" && deleted > 0) return 2;
    if (failOn === "replace" && replace + deleted > 0) return 2;
    return 0;
}

export async function main(argv: string[]): Promise<number> {
    let args: Args;
    try {
        args = parseArgs(argv);
    } catch (err) {
        console.error(`aim-review: ${(err as Error).message}\n${USAGE}`);
        return 1;
    }
    let checkout: Checkout | undefined;
    try {
        const head = path.resolve(args.head);
        checkout = args.baseRef !== undefined ? checkoutRef(args.baseRef, head) : undefined;
        const revision = (dir: string, stack: string) => ({ dir, stack, config: args.config, stackOutputs: args.stackOutputs });
        const result = await review({
            base: revision(checkout?.dir ?? path.resolve(args.base!), args.baseStack ?? args.stack),
            head: revision(head, args.stack),
            programs: { base: checkout?.label ?? args.base!, head: args.head },
            timeoutSeconds: args.timeoutSeconds,
        });
        const color = args.out === undefined && process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
        const report = args.format === "json" ? toJson(result) : args.format === "text" ? toText(result, color) : toMarkdown(result);
        if (args.json !== undefined) fs.writeFileSync(args.json, toJson(result));
        if (args.out !== undefined) fs.writeFileSync(args.out, report);
        else process.stdout.write(report);
        return exitCode(result, args.failOn);
    } catch (err) {
        console.error(`aim-review: ${(err as Error).message}`);
        return 1;
    } finally {
        checkout?.remove();
    }
}

if (require.main === module) main(process.argv.slice(2)).then((code) => (process.exitCode = code));
