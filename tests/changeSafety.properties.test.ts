// Change safety (design §5.1, issue 20) as properties of generated revision pairs: a valid program A, one
// generated edit giving a valid B, and what `pulumi up` would do going from A to B (tests/changeSafety.ts).
// Fixed seeds keep `npm test` deterministic; `FUZZ_CHANGES=<runs> npm run fuzz` runs the same checks longer.

import * as assert from "assert";
import * as fc from "fast-check";
import { changeProperties, changesOutside, dataLoss, dependents, independentPairs, references, Revision } from "./changeSafety";
import { Registered } from "./harness";
import { Declaration, Kind } from "./programs";
import { diffRevisions } from "../review/diff";

const RUNS = 40;

describe("change safety of generated revision pairs", function () {
    // Each case runs A (up to 4 rounds) and B; a failure also spends time shrinking.
    this.timeout(900_000);

    for (const { title, seed, property } of changeProperties()) {
        it(`${title} (${RUNS} pairs, seed ${seed})`, async () => {
            await fc.assert(property, { seed, numRuns: RUNS });
        });
    }
});

/** A registration of a synthetic revision: URNs, dependencies and inputs are all the checks read. */
function reg(type: string, name: string, over: Partial<Registered> = {}): Registered {
    return { type, name, urn: `urn:${name}`, parent: "", inputs: {}, dependencies: [], protect: false, retainOnDelete: false, replaceOnChanges: [], ...over };
}

function revision(declarations: string[], resources: Registered[], owners: Record<string, string>): Revision {
    const ds = declarations.map((pulumiName): Declaration => ({ kind: "AIMService", aimName: pulumiName, pulumiName, nameInArgs: false, args: { namespace: "ml" }, mutations: [], coherent: true, pick: 0 }));
    return { declarations: ds, resources, ownerOf: new Map(Object.entries(owners).map(([name, owner]) => [`urn:${name}`, owner])) };
}

describe("the checks of the change-safety properties", () => {
    const namespace = reg("kubernetes:core/v1:Namespace", "ns", { inputs: { kind: "Namespace", metadata: { name: "aim-system" } } });
    const claim = (name: string) => reg("kubernetes:core/v1:PersistentVolumeClaim", name, { inputs: { kind: "PersistentVolumeClaim", metadata: { name, namespace: "ml" } } });
    const deployment = reg("kubernetes:apps/v1:Deployment", "deploy", {
        inputs: { kind: "Deployment", metadata: { name: "chat", namespace: "ml" }, spec: { template: { spec: { volumes: [{ persistentVolumeClaim: { claimName: "shared" } }] } } } },
    });
    const a = revision(["tmpl", "cache", "other", "chat"], [namespace, claim("shared"), claim("own"), deployment], {
        ns: "tmpl",
        shared: "cache",
        own: "other",
        deploy: "chat",
    });
    const pairWithout = (kept: Registered[], edited: string) => {
        const b = revision(a.declarations.map((d) => d.pulumiName!), kept, {});
        return { a, b, applied: { b: b.declarations, edited: [edited], description: `edit ${edited}` }, diff: diffRevisions(a.resources, kept) };
    };

    it("dataLoss: a claim may go with a declaration that uses it, the system namespace never unless retained", () => {
        assert.deepStrictEqual(dataLoss(pairWithout([namespace, claim("own"), deployment], "chat")), []);
        assert.deepStrictEqual(dataLoss(pairWithout([namespace, claim("shared"), deployment], "chat")), [
            "deletes urn:own (PersistentVolumeClaim ml/own), used by other",
        ]);
        assert.deepStrictEqual(dataLoss(pairWithout([claim("shared"), claim("own"), deployment], "tmpl")), [
            "deletes urn:ns (Namespace aim-system), used by tmpl",
        ]);
        const retained = { ...a, resources: [{ ...namespace, retainOnDelete: true }, ...a.resources.slice(1)] };
        const pair = pairWithout([claim("shared"), claim("own"), deployment], "tmpl");
        assert.deepStrictEqual(dataLoss({ ...pair, a: retained, diff: diffRevisions(retained.resources, pair.b.resources) }), []);
    });

    it("changesOutside: what neither the edited declaration nor its dependents use must not change", () => {
        const updated = (name: string) => a.resources.map((r) => (r.name === name ? { ...r, inputs: { ...r.inputs, spec: { x: 1 } } } : r));
        const pair = (name: string, edited: string) => ({ ...pairWithout(a.resources, edited), diff: diffRevisions(a.resources, updated(name)) });
        assert.deepStrictEqual(changesOutside(pair("shared", "chat")), []);
        assert.deepStrictEqual(changesOutside(pair("own", "chat")), ["~ update urn:own (PersistentVolumeClaim ml/own): spec"]);
    });

    it("references, dependents and independent pairs follow the catalog's lookups", () => {
        const d = (kind: Kind, aimName: string, args: Record<string, unknown>): Declaration => ({ kind, aimName, pulumiName: aimName, nameInArgs: false, args, mutations: [], coherent: true, pick: 0 });
        const program = [
            d("AIMClusterConfig", "default", {}),
            d("AIMClusterImage", "llama", { image: "x:1" }),
            d("AIMClusterImage", "qwen", { image: "y:1" }),
            d("AIMClusterServiceTemplate", "base", { aimImageName: "llama" }),
            d("AIMTemplateCache", "warm", { namespace: "ml", templateRef: "base" }),
            d("AIMService", "chat", { namespace: "ml", image: "x:1", cacheModel: true }),
            // Mounts the template's cache without cacheModel: warm's, or one chat's cacheModel would make.
            d("AIMService", "plain", { namespace: "ml", image: "x:1" }),
        ];
        assert.deepStrictEqual(references(program).map((r) => [...r].sort()), [[], [0], [0], [0, 1], [0, 3], [0, 1, 3, 4], [0, 1, 3, 4, 5]]);
        assert.deepStrictEqual(dependents(program, 1).sort(), [3, 4, 5, 6]);
        assert.deepStrictEqual(dependents(program, 5), [6]);
        // qwen may move past base, not past the cache of base: base would then be declared after the cache.
        assert.deepStrictEqual(independentPairs(program), [[1, 2], [2, 3]]);
    });
});
