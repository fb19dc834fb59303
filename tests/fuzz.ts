// `npm run fuzz`: the property suite's checks (tests/programs.ts) on many generated programs with a random seed.
//   FUZZ_RUNS   number of cases (default 10000)
//   FUZZ_SEED   seed, to rerun a run (printed at the start)
//   FUZZ_CASE   with FUZZ_SEED: rerun only that case and print its program and outcome
//   FUZZ_CHANGES  instead, run the change-safety properties (tests/changeSafety.ts) on that many revision pairs each,
//                 shrinking a failure for up to FUZZ_SHRINKS tries (default 1000)
// Exits 1 when any case shows a problem.

import * as fc from "fast-check";
import { changeProperties } from "./changeSafety";
import { program, runProgram, startWatchdog } from "./programs";
import { Tally } from "./tally";

/** Each change-safety property on `runs` pairs; prints fast-check's report (shrunk counterexample) of each failure. */
async function changes(runs: number, seed: number): Promise<void> {
    console.log(`fuzz: change safety, ${runs} pairs per property, seed ${seed} (FUZZ_SEED=${seed} reruns them)`);
    let failed = 0;
    for (const { title, property } of changeProperties(Number(process.env.FUZZ_SHRINKS ?? 1000))) {
        const started = Date.now();
        const details = await fc.check(property, { seed, numRuns: runs });
        const seconds = ((Date.now() - started) / 1000).toFixed(0);
        if (details.failed) failed++;
        console.log(`${details.failed ? "FAIL" : "ok  "} ${title} (${details.numRuns} pairs, ${details.numSkips} skipped, ${seconds} s)`);
        if (details.failed) console.log(`${fc.defaultReportMessage(details)}\n${String(details.errorInstance)}`);
    }
    process.exitCode = failed > 0 ? 1 : 0;
}

async function main(): Promise<void> {
    const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
    if (process.env.FUZZ_CHANGES) return changes(Number(process.env.FUZZ_CHANGES), seed);
    const only = process.env.FUZZ_CASE;
    if (only !== undefined) {
        // fast-check replays the run at `path`: the case number of a report.
        await fc.check(
            fc.asyncProperty(program, async (p) => {
                console.log(fc.stringify(p));
                console.log(JSON.stringify(await runProgram(p), (k, v) => (k === "resources" ? v.map((r: any) => `${r.type} ${r.name}`) : v), 2));
            }),
            { seed, path: only, numRuns: 1 },
        );
        return;
    }
    const runs = Number(process.env.FUZZ_RUNS ?? 10_000);
    console.log(`fuzz: ${runs} cases, seed ${seed} (FUZZ_SEED=${seed} reruns them, FUZZ_CASE=<n> one of them)`);
    const tally = new Tally();
    const watchdog = startWatchdog(30_000, `seed ${seed}`);
    const started = Date.now();
    await fc.check(
        fc.asyncProperty(program, async (p) => {
            watchdog.enter(tally.cases);
            tally.add(p, await runProgram(p));
            if (tally.cases % 1000 === 0) console.log(`  ${tally.cases} cases, ${((Date.now() - started) / 1000).toFixed(0)} s`);
        }),
        { seed, numRuns: runs },
    );
    watchdog.stop();
    console.log(tally.report((Date.now() - started) / 1000));
    process.exitCode = Object.values(tally.problems).some((n) => n > 0) ? 1 : 0;
}

main().catch((err) => {
    console.error(err);
    process.exitCode = 2;
});
