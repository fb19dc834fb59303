// Property suite (issue 6): generated programs of every kind, valid and mutated, each on a cluster of its own.
// For any input the package must either register valid objects or throw a ResourceError
// `<Kind> "<name>": <field>: <problem>` having registered nothing — see tests/programs.ts for what is checked.
// A fixed seed keeps `npm test` deterministic; `npm run fuzz` runs the same checks on many more, random cases.

import * as assert from "assert";
import * as fc from "fast-check";
import { KINDS, program, runProgram, startWatchdog } from "./programs";
import { Tally } from "./tally";

const SEED = 20261130;
const RUNS = 500;

describe("properties of generated programs", function () {
    // Typically 30–60 s on two shared cores; a failure also spends time shrinking the program.
    this.timeout(600_000);

    it(`${RUNS} programs (seed ${SEED}): a valid registration or a clean ResourceError, nothing else`, async () => {
        const tally = new Tally();
        const watchdog = startWatchdog(30_000, `property suite, seed ${SEED}`);
        try {
            await fc.assert(
                fc.asyncProperty(program, async (p) => {
                    watchdog.enter(tally.cases);
                    const outcome = await runProgram(p);
                    tally.add(p, outcome);
                    assert.deepStrictEqual(outcome.problems, []);
                    // Cycles and deep nesting fail synchronously: no case comes near the 5 s hang limit.
                    assert.ok(outcome.ms < 2000, `the program took ${outcome.ms} ms`);
                }),
                { seed: SEED, numRuns: RUNS },
            );
        } finally {
            watchdog.stop();
        }
        // The generator reaches what the checks are about: every kind both registers and fails, tokens reach
        // Secrets, and every kind of invalid input is met.
        for (const kind of KINDS) {
            assert.ok(tally.registered[kind] > 0, `no ${kind} registered`);
            assert.ok(tally.cleanErrors[kind] > 0, `no ${kind} failed`);
        }
        assert.ok(tally.tokenSecrets > 0, "no hfToken reached a Secret");
        for (const kind of ["Deployment", "Service", "HTTPRoute", "Job", "PersistentVolumeClaim", "Secret", "DaemonSet"]) {
            assert.ok(tally.objects[kind] > 0, `no ${kind} registered`);
        }
        for (const fragment of [
            "must be an object of",
            "must not contain itself (a cyclic value)",
            "is nested more than 32 levels deep",
            "__proto__: is not a valid key",
            "not a Pulumi Output",
            "must be less than 8Ei",
            "must be <= 2147483647",
            "did you mean",
            "declared after",
            "already declared",
            "routing.pathTemplate",
        ]) {
            assert.ok(tally.sawError(fragment), `no clean error saying "${fragment}"`);
        }
    });
});
