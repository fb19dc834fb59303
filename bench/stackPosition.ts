// How much formatting a stack trace costs as a function of where the call sits in its function: V8 finds a frame's
// line and column by walking the function's source positions up to the call. The SDK formats a stack trace for every
// debuggable promise (about 24 per resource), so a component whose children are created deep into a long constructor
// pays this for every frame of it (bench/HISTORY.md, third pass).
//   npx tsc -p bench/tsconfig.json && node .cache/aim-bench/bench/stackPosition.js

const CAPTURES = 20_000;
const STATEMENTS = 3_000;

function capture(): string {
    return new Error().stack ?? "";
}

function small(): string {
    return capture();
}

const body = Array.from({ length: STATEMENTS }, (_, i) => `x += ${i} * (x % 7);`).join("\n");
// Built at run time: a function this long, written out, would be its own source of noise in the repository.
const callAtEnd = new Function("capture", `let x = 0;\n${body}\nreturn capture();`) as (c: () => string) => string;
const callAtStart = new Function("capture", `if (capture) return capture();\nlet x = 0;\n${body}\nreturn capture();`) as (c: () => string) => string;

const cases: [string, () => string][] = [
    ["call in a small function", () => small()],
    [`call after ${STATEMENTS.toLocaleString("en-US")} statements`, () => callAtEnd(capture)],
    [`call before ${STATEMENTS.toLocaleString("en-US")} statements`, () => callAtStart(capture)],
];
for (let round = 0; round < 2; round++) {
    for (const [label, run] of cases) {
        const start = performance.now();
        let length = 0;
        for (let i = 0; i < CAPTURES; i++) length += run().length;
        console.log(`${label}: ${(performance.now() - start).toFixed(0)} ms for ${CAPTURES.toLocaleString("en-US")} stack traces (${length} characters)`);
    }
}
