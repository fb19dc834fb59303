// The revision-pair harness itself (tests/revisions.ts, review/diff.ts): URNs as the engine makes them,
// and diffs that classify each change as `pulumi up` would.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import { AIMClusterImage, AIMClusterServiceTemplate, AIMService, AIMTemplateCache, AIMTemplateCacheArgs } from "../index";
import { LLAMA_IMAGE, LLAMA_SOURCE } from "./fixtures";
import { named, Opts, PVC, Registered, scenario, single, valueOf } from "./harness";
import { changedPaths, describeDiff, diffRevisions, duplicateUrns, forcedReplacement, urnOf } from "../review/diff";
import { REVISION_CLUSTER, revisionPair, runRevision } from "./revisions";
import { sharedObjectName } from "../components/internal";

// A model cache's PVC and download Job are shared objects: at the root, named after what they are on the cluster.
const CLUSTER_URN = `urn:pulumi:test::aim::pulumi:providers:kubernetes::${REVISION_CLUSTER}`;
const PVC_NAME = sharedObjectName(CLUSTER_URN, "ml", "amd-llama-3-1-8b-instruct-fp8-kv-cache");
const JOB_NAME = sharedObjectName(CLUSTER_URN, "ml", "amd-llama-3-1-8b-instruct-fp8-kv-cache-download");
const CACHE_URN = "urn:pulumi:test::aim::aim:index:AIMTemplateCache::llama-cache";

function cachedLlama(cache: Partial<AIMTemplateCacheArgs> = {}, size = LLAMA_SOURCE.size) {
    return (opts: Opts) => {
        new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
        new AIMClusterServiceTemplate("llama-tmpl", { aimImageName: "llama", modelSources: [{ ...LLAMA_SOURCE, size }] }, opts);
        new AIMTemplateCache("llama-cache", { namespace: "ml", templateRef: "llama-tmpl", ...cache }, opts);
    };
}

class Box extends pulumi.ComponentResource {
    constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions = {}) {
        super(type, name, {}, opts);
    }
}

function secret(name: string, opts: pulumi.CustomResourceOptions) {
    return new k8s.core.v1.Secret(name, { metadata: { name: "s", namespace: "ml" }, stringData: { k: "v" } }, opts);
}

describe("revision harness: URNs", () => {
    it("urnOf joins the parent's whole type chain, as the SDK's createUrn does, and skips the root Stack", async () => {
        const cases: [string | undefined, string, string][] = [
            [undefined, "aim:index:AIMService", "chat"],
            ["urn:pulumi:test::aim::pulumi:pulumi:Stack::aim-test", "aim:index:AIMService", "chat"],
            ["urn:pulumi:test::aim::aim:index:AIMService::chat", "kubernetes:apps/v1:Deployment", "chat-deployment"],
            [
                "urn:pulumi:test::aim::aim:index:AIMClusterServiceTemplate$aim:index:AIMTemplateCache::c",
                "kubernetes:core/v1:PersistentVolumeClaim",
                "c-pvc",
            ],
        ];
        const { result } = await scenario(() => cases.map(([parent, type, name]) => valueOf(pulumi.createUrn(name, type, parent, "aim", "test"))));
        assert.deepStrictEqual(await Promise.all(result), [
            "urn:pulumi:test::aim::aim:index:AIMService::chat",
            "urn:pulumi:test::aim::aim:index:AIMService::chat",
            "urn:pulumi:test::aim::aim:index:AIMService$kubernetes:apps/v1:Deployment::chat-deployment",
            "urn:pulumi:test::aim::aim:index:AIMClusterServiceTemplate$aim:index:AIMTemplateCache$kubernetes:core/v1:PersistentVolumeClaim::c-pvc",
        ]);
        assert.deepStrictEqual(
            cases.map(([parent, type, name]) => urnOf("test", "aim", parent, type, name)),
            await Promise.all(result),
        );
    });

    it("records URNs with the whole type chain; a shared cache's PVC sits at the root, whoever needed it", async () => {
        const { resources } = await scenario((opts) => {
            cachedLlama()(opts);
            new AIMService("chat", { namespace: "team", aimImageName: "llama", cacheModel: true }, opts);
        });
        const pvcs = resources.filter((r) => r.type === PVC).map((r) => r.urn.replace(/::aim@[0-9a-f]{8}:/, "::aim@<cluster>:"));
        assert.deepStrictEqual(pvcs, [
            "urn:pulumi:test::aim::kubernetes:core/v1:PersistentVolumeClaim::aim@<cluster>:ml/amd-llama-3-1-8b-instruct-fp8-kv-cache",
            "urn:pulumi:test::aim::kubernetes:core/v1:PersistentVolumeClaim::aim@<cluster>:team/amd-llama-3-1-8b-instruct-fp8-kv-cache",
        ]);
        const implicitCache = named(resources, "llama-tmpl-cache:team");
        assert.strictEqual(implicitCache.urn, "urn:pulumi:test::aim::aim:index:AIMClusterServiceTemplate$aim:index:AIMTemplateCache::llama-tmpl-cache:team");
    });

    it("tells apart children of same-named parents under different grandparents, which the mock monitor conflates", async () => {
        const { resources } = await scenario((opts) => {
            const inner = new Box("test:index:Inner", "box", { parent: new Box("test:index:Outer", "outer") });
            secret("s", { parent: inner, provider: opts.provider });
            secret("s", { parent: new Box("test:index:Inner", "box"), provider: opts.provider });
        });
        const secrets = resources.filter((r) => r.name === "s").map((r) => r.urn);
        // The mock monitor would name both `urn:pulumi:test::aim::test:index:Inner$kubernetes:core/v1:Secret::s`.
        assert.deepStrictEqual(secrets.sort(), [
            "urn:pulumi:test::aim::test:index:Inner$kubernetes:core/v1:Secret::s",
            "urn:pulumi:test::aim::test:index:Outer$test:index:Inner$kubernetes:core/v1:Secret::s",
        ]);
        assert.deepStrictEqual(duplicateUrns(resources), []);
    });

    it("fails a revision that registers one URN twice, and refuses to diff it", async () => {
        const twice = (opts: Opts) => {
            const parent = new Box("test:index:Box", "box");
            secret("s", { parent, provider: opts.provider });
            secret("s", { parent, provider: opts.provider });
        };
        await assert.rejects(
            runRevision(twice),
            /^Error: Duplicate resource URN urn:pulumi:test::aim::test:index:Box\$kubernetes:core\/v1:Secret::s: the engine fails the whole preview$/,
        );
        const { resources } = await scenario(twice);
        assert.throws(() => diffRevisions([], resources), /^Error: revision B: Duplicate resource URN urn:pulumi:test::aim::test:index:Box\$kubernetes:core\/v1:Secret::s$/);
    });
});

describe("revision harness: diffs", () => {
    it("an unchanged program is an empty diff: each revision starts from empty catalogs on the same cluster", async () => {
        const { a, diff } = await revisionPair(cachedLlama(), cachedLlama());
        assert.strictEqual(a.length, 5);
        assert.deepStrictEqual(describeDiff(diff), []);
    });

    it("a cache's storage class change replaces its PVC and download Job: the user's edit, which the diff names", async () => {
        const { diff } = await revisionPair(cachedLlama({ storageClassName: "fast" }), cachedLlama({ storageClassName: "slow" }));
        assert.deepStrictEqual(describeDiff(diff), [
            `+- replace urn:pulumi:test::aim::kubernetes:core/v1:PersistentVolumeClaim::${PVC_NAME} ` +
                "(PersistentVolumeClaim ml/amd-llama-3-1-8b-instruct-fp8-kv-cache): spec.storageClassName",
            `+- replace urn:pulumi:test::aim::kubernetes:batch/v1:Job::${JOB_NAME} ` +
                "(Job ml/amd-llama-3-1-8b-instruct-fp8-kv-cache-download): spec.template",
            `~ update ${CACHE_URN}: storageClassName`,
        ]);
        assert.deepStrictEqual(diff.replaced[0].fields, ["spec.storageClassName"]);
    });

    it("a claim grows in place; a smaller one is a replacement, since the API server refuses to shrink a claim", async () => {
        const pvcChange = async (from: string, to: string) => {
            const { diff } = await revisionPair(cachedLlama({}, from), cachedLlama({}, to));
            return {
                updated: diff.updated.filter((c) => c.name === PVC_NAME).map((c) => c.fields),
                replaced: diff.replaced.filter((c) => c.name === PVC_NAME).map((c) => c.forcedBy),
            };
        };
        assert.deepStrictEqual(await pvcChange("10Gi", "20Gi"), { updated: [["spec.resources.requests.storage"]], replaced: [] });
        assert.deepStrictEqual(await pvcChange("20Gi", "10Gi"), { updated: [], replaced: [["spec.resources.requests.storage"]] });
    });

    it("reports resource options apart from inputs, and whether a deleted object stays in the cluster", async () => {
        const { diff } = await revisionPair(cachedLlama({ protect: true }), cachedLlama({ retainOnDelete: true }));
        assert.deepStrictEqual(
            diff.optionsChanged.map((c) => [c.name, c.options]),
            [[PVC_NAME, ["protect", "retainOnDelete"]]],
        );
        const removed = await revisionPair(cachedLlama({ retainOnDelete: true }), (opts) => {
            new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
        });
        assert.deepStrictEqual(
            removed.diff.deleted.map((c) => [c.name, c.retained, c.protected]).sort(),
            [
                [JOB_NAME, false, false],
                [PVC_NAME, true, false],
                ["llama-cache", false, false],
                ["llama-tmpl", false, false],
            ].sort(),
        );
    });

    it("names changed fields as Pulumi property paths, and never descends into a secret", () => {
        const secretOf = (value: string) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });
        const before = { metadata: { labels: { "app.kubernetes.io/name": "a", team: "x" } }, env: [{ name: "A", value: "1" }], stringData: secretOf("t1"), list: [1] };
        const after = { metadata: { labels: { "app.kubernetes.io/name": "b", team: "x" } }, env: [{ name: "A", value: "2" }], stringData: secretOf("t2"), list: [1, 2] };
        assert.deepStrictEqual(changedPaths(before, after), ['env[0].value', "list", 'metadata.labels["app.kubernetes.io/name"]', "stringData"]);
        assert.deepStrictEqual(forcedReplacement("kubernetes:core/v1:Secret", before, after), ["stringData"]);
        assert.deepStrictEqual(forcedReplacement("kubernetes:apps/v1:Deployment", before, after), []);
        assert.deepStrictEqual(forcedReplacement("random:index/randomPassword:RandomPassword", { length: 48 }, { length: 64 }), ["length"]);
        assert.deepStrictEqual(forcedReplacement("aim:index:AIMService", { namespace: "a" }, { namespace: "b" }), []);
    });

    it("compares dependencies as sets and parents by URN", () => {
        const r = (over: Partial<Registered>): Registered => ({
            type: "kubernetes:core/v1:Secret",
            name: "s",
            urn: "urn:pulumi:test::aim::kubernetes:core/v1:Secret::s",
            parent: "",
            inputs: {},
            dependencies: ["urn:a", "urn:b"],
            protect: false,
            retainOnDelete: false,
            replaceOnChanges: [],
            ...over,
        });
        assert.deepStrictEqual(diffRevisions([r({})], [r({ dependencies: ["urn:b", "urn:a"] })]).optionsChanged, []);
        assert.deepStrictEqual(
            diffRevisions([r({})], [r({ dependencies: ["urn:a"], parent: "urn:p" })]).optionsChanged.map((c) => c.options),
            [["parent", "dependencies"]],
        );
        // What a collision looks like to the diff once both sides are valid: one object, two URNs.
        const moved = diffRevisions([r({})], [r({ urn: "urn:pulumi:test::aim::x$kubernetes:core/v1:Secret::s" })]);
        assert.deepStrictEqual([moved.created.length, moved.deleted.length], [1, 1]);
    });

    it("runs each revision with its own stack config", async () => {
        const program = (opts: Opts) => new AIMClusterServiceTemplate("t", { aimImageName: "llama" }, opts);
        const withImage = (opts: Opts) => {
            new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
            program(opts);
        };
        const { a, b } = await revisionPair(withImage, withImage, { b: { config: { "aim:systemNamespace": "aim-ops" } } });
        const namespaceOf = (resources: Registered[]) => named(resources, "t-discovery").inputs.metadata.namespace;
        assert.deepStrictEqual([namespaceOf(a), namespaceOf(b)], ["aim-system", "aim-ops"]);
        assert.strictEqual(single(b, "kubernetes:core/v1:Namespace").inputs.metadata.name, "aim-ops");
    });
});
