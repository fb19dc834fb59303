// Command-line options both bins share.

import * as fs from "fs";

/** A mistake in the command line: the bins print it with their usage. */
export class UsageError extends Error {}

/** `--config <key>=<value>`, as `pulumi preview --config` takes it. */
export function configOption(text: string): [string, string] {
    const [key, ...rest] = text.split("=");
    if (!key || rest.length === 0) throw new UsageError("--config expects <key>=<value>");
    return [key, rest.join("=")];
}

/** `--stack-outputs <stack>=<file>`: the outputs of a stack a StackReference reads, a JSON object in a file. */
export function stackOutputsOption(text: string): [string, Record<string, unknown>] {
    const at = text.lastIndexOf("=");
    if (at <= 0) throw new UsageError("--stack-outputs expects <stack>=<file>");
    const [stack, file] = [text.slice(0, at), text.slice(at + 1)];
    let outputs: unknown;
    try {
        outputs = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new UsageError(`--stack-outputs ${stack}: cannot read ${file}: ${(err as Error).message}`);
    }
    if (typeof outputs !== "object" || outputs === null || Array.isArray(outputs)) {
        throw new UsageError(`--stack-outputs ${stack}: ${file} must hold a JSON object of the stack's outputs`);
    }
    return [stack, outputs as Record<string, unknown>];
}

/** Reads `argv`, calling `take(option, value)` for each option; returns the operands. */
export function parseArgv(argv: readonly string[], flags: ReadonlySet<string>, take: (option: string, value: () => string) => void): string[] {
    const operands: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (!arg.startsWith("-")) {
            operands.push(arg);
            continue;
        }
        if (!flags.has(arg)) throw new UsageError(`unknown option ${arg}`);
        take(arg, () => {
            const value = argv[++i];
            if (value === undefined) throw new UsageError(`${arg} needs a value`);
            return value;
        });
    }
    return operands;
}
