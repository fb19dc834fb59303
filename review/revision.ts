// One revision of a program, rendered offline in a process of its own (review/runner.ts), as each `pulumi preview`
// is: no catalog, module or global state of one revision reaches the other.

import { fork } from "child_process";
import * as path from "path";
import type { OfflineRun, RunOptions } from "./offline";

/** What the parent sends the runner. */
export type ParentMessage =
    | { kind: "run"; dir: string; options: Omit<RunOptions, "secretKey" | "previousOutputs">; secretKey: string }
    | { kind: "previousOutputs"; outputs: Record<string, unknown> | undefined };

/** What the runner sends back. */
export type ChildMessage = { kind: "previousOutputs" } | { kind: "result"; run: OfflineRun } | { kind: "failure"; message: string };

export interface RevisionSpec {
    /** The program directory (with Pulumi.yaml). */
    dir: string;
    stack: string;
    config?: Record<string, string>;
    stackOutputs?: Record<string, Record<string, unknown>>;
}

/** A revision's result: the run, or why there is none. */
export interface RevisionOutcome {
    spec: RevisionSpec;
    run?: OfflineRun;
    failure?: string;
}

export interface RenderOptions {
    /** Key of the HMAC that stands for secrets: the same for revisions that are compared. */
    secretKey: Buffer;
    /** The outputs a StackReference to the program's own stack reads (see RunOptions.previousOutputs). */
    previousOutputs?: () => Promise<Record<string, unknown> | undefined>;
    timeoutSeconds: number;
}

// Run from source (tests, `npm run review`), the runner is TypeScript too, compiled by the ts-node of this process.
const RUNNER = path.join(__dirname, `runner${path.extname(__filename)}`);
const RUNNER_EXEC_ARGV = path.extname(__filename) === ".ts" ? ["--require", require.resolve("ts-node/register/transpile-only")] : [];
const OUTPUT_TAIL = 8192;

/** Renders one revision in a forked runner; never rejects: a failure is an outcome. */
export function renderRevision(spec: RevisionSpec, options: RenderOptions): Promise<RevisionOutcome> {
    return new Promise((resolve) => {
        const child = fork(RUNNER, [], { execArgv: RUNNER_EXEC_ARGV, stdio: ["ignore", "pipe", "pipe", "ipc"] });
        // The program's own console output is not part of the review; keep the end of it to explain a crash.
        let output = "";
        const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-OUTPUT_TAIL));
        child.stdout!.on("data", keep);
        child.stderr!.on("data", keep);
        let settled = false;
        const settle = (outcome: Omit<RevisionOutcome, "spec">) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({ spec, ...outcome });
        };
        const timer = setTimeout(() => {
            child.kill();
            settle({
                failure:
                    `no result after ${options.timeoutSeconds} s: the program waits for something that does not come offline ` +
                    "(a network call, a timer, a promise that never settles); --timeout sets the limit",
            });
        }, options.timeoutSeconds * 1000);
        child.on("message", async (message: ChildMessage) => {
            if (message.kind === "previousOutputs") {
                const outputs = await options.previousOutputs?.();
                if (child.connected) child.send({ kind: "previousOutputs", outputs } satisfies ParentMessage);
            } else if (message.kind === "result") settle({ run: message.run });
            else settle({ failure: message.message });
        });
        child.on("error", (err) => settle({ failure: `the runner failed to start: ${err.message}` }));
        child.on("exit", (code, signal) =>
            settle({ failure: `the runner exited (${signal ?? `code ${code}`}) before it reported${output ? `:\n${output.trim()}` : ""}` }),
        );
        const { dir, stack, config, stackOutputs } = spec;
        child.send({ kind: "run", dir, options: { stack, config, stackOutputs }, secretKey: options.secretKey.toString("hex") } satisfies ParentMessage);
    });
}
