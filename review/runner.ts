// The process one revision runs in, forked by review/revision.ts: runs the program offline and sends the run back
// over the IPC channel (the program may write to stdout itself). Asks the parent for the previous deployment's
// outputs only when the program reads its own stack.

import { runOffline } from "./offline";
import type { ChildMessage, ParentMessage } from "./revision";

const send = (message: ChildMessage) => new Promise<void>((resolve) => process.send!(message, () => resolve()));

let answer: (outputs: Record<string, unknown> | undefined) => void = () => undefined;
let previous: Promise<Record<string, unknown> | undefined> | undefined;
const previousOutputs = () =>
    (previous ??= new Promise((resolve) => {
        answer = resolve;
        void send({ kind: "previousOutputs" });
    }));

async function run(request: Extract<ParentMessage, { kind: "run" }>): Promise<void> {
    try {
        const result = await runOffline(request.dir, { ...request.options, secretKey: Buffer.from(request.secretKey, "hex"), previousOutputs });
        await send({ kind: "result", run: result });
    } catch (err) {
        await send({ kind: "failure", message: (err as Error).message });
    }
    // Whatever the program left running (a timer, a socket) must not keep the revision open.
    process.exit(0);
}

process.on("message", (message: ParentMessage) => {
    if (message.kind === "previousOutputs") answer(message.outputs);
    else void run(message);
});
