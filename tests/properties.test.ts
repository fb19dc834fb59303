// Property suite (issue 6): generated programs of every kind, valid and mutated, each on a cluster of its own.
// For any input the package must either register valid objects or throw a ResourceError
// `<Kind> "<name>": <field>: <problem>` having registered nothing — see tests/programs.ts for what is checked.
// A fixed seed keeps `npm test` deterministic; `npm run fuzz` runs the same checks on many more, random cases.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import * as fc from "fast-check";
import { expectProgramErrors } from "./hooks";
import { ComponentClass, Kind, KINDS, program, runProgram, startWatchdog, Token } from "./programs";
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
            "must be a whole number of GPUs",
            "contradicts gpuSelector.count",
            "not found in scope",
        ]) {
            assert.ok(tally.sawError(fragment), `no clean error saying "${fragment}"`);
        }
    });
});

/**
 * Stand-ins for AIMClusterConfig that break one promise each (chosen by `args.fault`), to show that every check of
 * runProgram fails when it should: a property that cannot fail would prove nothing.
 */
class Faulty extends pulumi.ComponentResource {
    constructor(name: string, args: { fault: string; hfToken?: string }, opts: pulumi.ComponentResourceOptions) {
        const fail = (message: string) => new pulumi.ResourceError(`AIMClusterConfig "${name}": ${message}`, undefined);
        if (args.fault === "TypeError") throw new TypeError("spec.name.toLowerCase is not a function");
        if (args.fault === "rewrapped") throw fail("routing: value.toLowerCase is not a function");
        if (args.fault === "format") throw new pulumi.ResourceError("something went wrong", undefined);
        super("test:index:Faulty", name, {}, opts);
        // (The Kubernetes SDK makes a Secret's data secret itself: a leak would be elsewhere, e.g. in its metadata.)
        const secret = (metadata: Record<string, unknown> = {}) =>
            new k8s.core.v1.Secret(
                `${name}-secret`,
                { apiVersion: "v1", kind: "Secret", metadata: { name: `${name}-token`, namespace: "ml", ...metadata }, stringData: { token: "t" } },
                { parent: this },
            );
        if (args.fault === "partial") {
            secret();
            throw fail("name: checked too late");
        }
        if (args.fault === "plaintext") secret({ annotations: { "example.com/token": args.hfToken } });
        if (args.fault === "schema") secret({ name: "Not_A_Name" });
        if (args.fault === "race") secret({ namespace: "aim-system" });
        if (args.fault === "async") void Promise.reject(new Error("failed after the constructor returned"));
        this.registerOutputs({});
    }
}

describe("the checks of the property suite", () => {
    const components = Object.fromEntries(KINDS.map((k) => [k, Faulty])) as unknown as Record<Kind, ComponentClass>;
    const run = (args: Record<string, unknown>) =>
        runProgram({ declarations: [{ kind: "AIMClusterConfig", aimName: "default", nameInArgs: false, args, mutations: [], coherent: false, pick: 0 }] }, { components });
    const kinds = async (args: Record<string, unknown>) => (await run(args)).problems.map((p) => p.kind);

    it("each fails the case it is about, and only that one", async () => {
        expectProgramErrors(/failed after the constructor returned/);
        assert.deepStrictEqual(await kinds({ fault: "none" }), []);
        assert.deepStrictEqual(await kinds({ fault: "TypeError" }), ["crash-type error"]);
        assert.deepStrictEqual(await kinds({ fault: "rewrapped" }), ["crash-type error"]);
        assert.deepStrictEqual(await kinds({ fault: "format" }), ["error-format miss"]);
        assert.deepStrictEqual(await kinds({ fault: "partial" }), ["partial registration"]);
        assert.deepStrictEqual(await kinds({ fault: "plaintext", hfToken: new Token("hf_plain", "string") }), ["plaintext secret"]);
        assert.deepStrictEqual(await kinds({ fault: "schema" }), ["schema failure"]);
        assert.deepStrictEqual(await kinds({ fault: "async" }), ["async failure"]);
        assert.deepStrictEqual(await kinds({ fault: "race" }), ["namespace race"]);
    });
});
