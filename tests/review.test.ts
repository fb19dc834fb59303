// aim-review and aim-preview on real program directories: each revision runs in a process of its own, as a
// preview, and the pair is compared as `pulumi up` would apply the head over the base (review/).

import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { exitCode, main as reviewMain } from "../review/aim-review";
import { MARKDOWN_LIMIT, toJson, toMarkdown, toText } from "../review/format";
import { capacityOf } from "../review/capacity";
import { Registration, runOffline } from "../review/offline";
import { buildReview, Review } from "../review/report";
import { review } from "../review/review";
import { renderRevision } from "../review/revision";
import { deletionRisk, replacementRisk } from "../review/risk";
import { unifiedDiff } from "../review/unified";
import { LLAMA_IMAGE, LLAMA_SOURCE } from "./fixtures";
import { expectProgramErrors } from "./hooks";

const ROOT = path.join(__dirname, "..");
const URN = "urn:pulumi:dev::pair::aim:index:";

let work: string;
before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "aim-review-test-"));
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

/** A program directory as a user has one: Pulumi.yaml, index.ts and the packages installed beside it. */
function programDir(name: string, source: string, stackConfig?: Record<string, string>): string {
    const dir = path.join(work, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: pair\nruntime: nodejs\n");
    fs.writeFileSync(path.join(dir, "index.ts"), source);
    if (stackConfig) fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), `config:\n${Object.entries(stackConfig).map(([k, v]) => `  ${k}: ${v}\n`).join("")}`);
    if (!fs.existsSync(path.join(dir, "node_modules"))) fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "junction");
    return dir;
}

interface Variant {
    gateway?: string;
    storageClass?: string;
    image?: string;
    services?: string[];
    /** The configName of service "chat" (undefined: the implicit default). */
    chatConfig?: string;
    /** A secret in the program's source, for a Kubernetes Secret, a service's env and a stack output. */
    literalSecret?: string;
}

/** A team's program: a default config on a Gateway, an image, a template, a cache of it, services with API keys. */
function source(v: Variant = {}): string {
    const services = v.services ?? ["chat", "batch"];
    return `import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as aim from ${JSON.stringify(path.join(ROOT, "index"))};
const config = new pulumi.Config();
new aim.AIMClusterConfig("default", { imagePullSecrets: [{ name: "ghcr-pull" }], routing: { gateway: { name: ${JSON.stringify(v.gateway ?? "kaiwo-gateway")}, namespace: "kaiwo-system" } } });
new aim.AIMClusterImage("llama", { image: ${JSON.stringify(v.image ?? LLAMA_IMAGE)} });
new aim.AIMClusterServiceTemplate("llama-tmpl", { aimImageName: "llama", gpuSelector: { model: "MI300X", count: 1 }, modelSources: [${JSON.stringify(LLAMA_SOURCE)}] });
new aim.AIMTemplateCache("llama-cache", { namespace: "ml", templateRef: "llama-tmpl", storageClassName: ${JSON.stringify(v.storageClass ?? "fast")}, hfToken: config.getSecret("hfToken") });
const literal = ${JSON.stringify(v.literalSecret ?? "")};
if (literal) new k8s.core.v1.Secret("db", { metadata: { name: "db", namespace: "ml" }, stringData: { password: literal } });
for (const name of ${JSON.stringify(services)}) {
    new aim.AIMService(name, {
        namespace: "ml", aimImageName: "llama", templateRef: "llama-tmpl", replicas: 2, apiKey: { enabled: true },
        ...(name === "chat" && ${JSON.stringify(v.chatConfig ?? null)} !== null && { configName: ${JSON.stringify(v.chatConfig ?? "")} }),
        ...(literal && { env: [{ name: "DB_PASSWORD", value: pulumi.secret(literal) }] }),
    });
}
export const aimCacheStorageClasses = aim.cacheStorageClasses();
export const token = literal ? pulumi.secret(literal) : undefined;
`;
}

/** Reviews revision `b` against revision `a` of the team's program, both on stack dev. */
async function reviewPair(a: Variant, b: Variant, config: { a?: Record<string, string>; b?: Record<string, string> } = {}): Promise<Review> {
    const tag = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    return review({
        base: { dir: programDir(`a-${tag}`, source(a)), stack: "dev", config: config.a },
        head: { dir: programDir(`b-${tag}`, source(b)), stack: "dev", config: config.b },
        programs: { base: "a", head: "b" },
    });
}

/** op, Pulumi name, fields, replace reasons and risk of each change. */
const pinned = (r: Review) => r.changes.map((c) => [c.op, c.name, c.fields, c.replaceReasons, c.risk]);

describe("aim-review: revision pairs", function () {
    this.timeout(300_000);

    let gateway: Review;
    let gatewayAgain: Review;
    before(async () => {
        [gateway, gatewayAgain] = [await reviewPair({}, { gateway: "other-gateway" }), await reviewPair({}, { gateway: "other-gateway" })];
    });

    it("a gateway change updates the HTTPRoutes only, grouped under the config field that caused it", () => {
        assert.deepStrictEqual(pinned(gateway), [
            ["update", "default", ["routing.gateway.name"], [], null],
            ["update", "chat-route", ["spec.parentRefs[0].name"], [], null],
            ["update", "batch-route", ["spec.parentRefs[0].name"], [], null],
        ]);
        assert.deepStrictEqual(gateway.summary, { create: 0, update: 3, replace: 0, delete: 0, same: 16 });
        assert.deepStrictEqual(gateway.groups, [
            {
                causes: ['AIMClusterConfig "default": routing.gateway.name'],
                components: [`${URN}AIMClusterConfig::default`, `${URN}AIMService::chat`, `${URN}AIMService::batch`],
                changes: [
                    `${URN}AIMClusterConfig::default`,
                    `${URN}AIMService$kubernetes:gateway.networking.k8s.io/v1:HTTPRoute::chat-route`,
                    `${URN}AIMService$kubernetes:gateway.networking.k8s.io/v1:HTTPRoute::batch-route`,
                ],
            },
        ]);
        assert.deepStrictEqual(
            gateway.changes.map((c) => c.component),
            [`${URN}AIMClusterConfig::default`, `${URN}AIMService::chat`, `${URN}AIMService::batch`],
        );
        assert.strictEqual(
            gateway.changes[1].diff,
            [
                "@@ -15,7 +15,7 @@",
                "   parentRefs:",
                "     - group: gateway.networking.k8s.io",
                "       kind: Gateway",
                "-      name: kaiwo-gateway",
                "+      name: other-gateway",
                "       namespace: kaiwo-system",
                "   rules:",
                "     - backendRefs:",
            ].join("\n"),
        );
        // One group line, one diff for both routes.
        const markdown = toMarkdown(gateway);
        assert.ok(
            markdown.includes(
                '<details><summary><b>AIMClusterConfig "default": routing.gateway.name</b> → 1 AIMClusterConfig updated, 2 HTTPRoutes updated</summary>',
            ),
            markdown,
        );
        assert.ok(markdown.includes("**update** `HTTPRoute ml/chat`, and 1 more with the same change: `HTTPRoute ml/batch`; fields `spec.parentRefs[0].name`"));
        assert.strictEqual(markdown.split("```diff").length - 1, 2, "the config's diff and one route diff");
        assert.strictEqual(exitCode(gateway, "replace"), 0);
    });

    it("the same pair reviewed twice gives byte-identical reports in every format", () => {
        assert.strictEqual(toMarkdown(gatewayAgain), toMarkdown(gateway));
        assert.strictEqual(toJson(gatewayAgain), toJson(gateway));
        assert.strictEqual(toText(gatewayAgain, true), toText(gateway, true));
    });

    it("a cache's storage class change replaces its PVC and download Job, names the data at risk, and the head warns", async () => {
        const r = await reviewPair({}, { storageClass: "slow" });
        assert.deepStrictEqual(pinned(r), [
            ["update", "llama-cache", ["storageClassName"], [], null],
            [
                "replace",
                "aim:ml/amd-llama-3-1-8b-instruct-fp8-kv-cache",
                ["spec.storageClassName"],
                ["spec.storageClassName"],
                "data loss: the claim's 10Gi of data on storage class `fast` is deleted; it caches the model amd_Llama-3.1-8B-Instruct-FP8-KV, which is downloaded again",
            ],
            [
                "replace",
                "aim:ml/amd-llama-3-1-8b-instruct-fp8-kv-cache-download",
                ['spec.template.metadata.annotations["aim.silogen.ai/storage-class"]'],
                ["spec.template"],
                "the Job runs again; the finished run, its pods and logs are deleted",
            ],
        ]);
        assert.deepStrictEqual([r.base.capacity, r.head.capacity], [
            { gpus: { MI300X: 4 }, storage: { fast: "10Gi" } },
            { gpus: { MI300X: 4 }, storage: { slow: "10Gi" } },
        ]);
        // cacheStorageClasses() reads the previous deployment through a StackReference to its own stack: the base.
        assert.deepStrictEqual(
            r.newWarnings.map((w) => [w.resource, w.message.split(":")[0]]),
            [["kubernetes:core/v1:PersistentVolumeClaim (aim:ml/amd-llama-3-1-8b-instruct-fp8-kv-cache)", 'PVC ml/amd-llama-3-1-8b-instruct-fp8-kv-cache of AIMTemplateCache "llama-cache" changes storage class from "fast" to "slow"']],
        );
        assert.ok(toMarkdown(r).includes("| **replace** | `PersistentVolumeClaim ml/amd-llama-3-1-8b-instruct-fp8-kv-cache` | `spec.storageClassName` | data loss:"));
        assert.match(toMarkdown(r), /^\| storage `slow` \| 0 \| 10Gi \| \+10Gi \|$/m);
        assert.deepStrictEqual([exitCode(r, "replace"), exitCode(r, "delete"), exitCode(r, undefined)], [2, 0, 0]);
    });

    it("a template image change rolls the Deployments of its services, under the image field", async () => {
        const r = await reviewPair({}, { image: LLAMA_IMAGE.replace("0.4.0", "0.5.0") });
        assert.deepStrictEqual(pinned(r), [
            ["update", "llama", ["image"], [], null],
            ["update", "chat-deployment", ["spec.template.spec.containers[0].image"], [], null],
            ["update", "batch-deployment", ["spec.template.spec.containers[0].image"], [], null],
        ]);
        assert.deepStrictEqual(r.groups.map((g) => [g.causes, g.changes.length]), [[['AIMClusterImage "llama": image'], 3]]);
    });

    it("removing a service deletes its children and nothing else, each with what it destroys", async () => {
        const r = await reviewPair({}, { services: ["chat"] });
        assert.deepStrictEqual(pinned(r), [
            ["delete", "batch", [], [], null],
            ["delete", "batch-api-key", [], [], "the generated value is lost: a new one would differ"],
            ["delete", "batch-api-key", [], [], "pods that read it fail to start while it is missing"],
            ["delete", "batch-deployment", [], [], "serving stops: Deployment ml/batch (2 replica(s), 2 GPU(s)) goes away"],
            ["delete", "batch-service", [], [], "batch.ml.svc stops answering: its clients fail"],
            ["delete", "batch-route", [], [], "requests to `/ml/batch` through the Gateway fail (no route)"],
        ]);
        assert.deepStrictEqual(r.groups.map((g) => g.causes), [['AIMService "batch" removed']]);
        assert.deepStrictEqual(r.head.capacity!.gpus, { MI300X: 2 });
        assert.deepStrictEqual([exitCode(r, "delete"), exitCode(r, "replace")], [2, 2]);
        assert.ok(toMarkdown(r).includes("1 more resource holds nothing in the cluster (AIM components, providers)."));
    });

    it("a broken reference in the head is a result: the report quotes the package's error, exit code 1", async () => {
        const r = await reviewPair({}, { chatConfig: "production" });
        assert.deepStrictEqual([r.base.ok, r.head.ok, r.changes, r.head.capacity], [true, false, [], null]);
        assert.match(r.head.error!, /^AIMService "chat": configName: failed to get AIMClusterConfig "production": not found/);
        assert.strictEqual(exitCode(r, undefined), 1);
        const markdown = toMarkdown(r);
        assert.match(markdown, /^### AIM review: the head revision failed$/m);
        assert.match(markdown, /^\*\*The head revision failed\*\* its preview:\n\n```text\nAIMService "chat": configName: failed to get AIMClusterConfig "production": not found/m);
        assert.match(toText(r, false), /^Nothing is compared until both revisions render\.$/m);
    });

    it("never prints a secret: given, from config or in the program, in any format; a changed one only says so", async () => {
        const secrets = { config: ["hf_canary_base_1d2c", "hf_canary_head_9f3e"], literal: ["pw-canary-base-77aa", "pw-canary-head-88bb"] };
        const r = await reviewPair(
            { literalSecret: secrets.literal[0] },
            { literalSecret: secrets.literal[1] },
            { a: { hfToken: secrets.config[0] }, b: { hfToken: secrets.config[1] } },
        );
        for (const report of [toMarkdown(r), toJson(r), toText(r, false), toText(r, true)]) {
            for (const secret of [...secrets.config, ...secrets.literal]) assert.ok(!report.includes(secret), `${secret} printed`);
        }
        const db = r.changes.find((c) => c.name === "db")!;
        assert.deepStrictEqual([db.op, db.replaceReasons], ["replace", ["stringData"]]);
        assert.match(db.diff, /^-stringData: "\[secret\]"\n\+stringData: "\[secret: changed\]"$/m);
        const chat = r.changes.find((c) => c.name === "chat-deployment")!;
        assert.deepStrictEqual(chat.fields, ["spec.template.spec.containers[0].env[2].value"]);
    });
});

describe("aim-review: the command", function () {
    this.timeout(300_000);

    it("--base-ref reviews the directory at another commit of its repository, and --fail-on replace exits 2", async () => {
        const repo = path.join(work, "repo");
        const dir = programDir("repo/infra", source());
        const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" });
        git("init", "--quiet");
        fs.writeFileSync(path.join(repo, ".gitignore"), "node_modules\n");
        git("add", ".");
        git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "base");
        fs.writeFileSync(path.join(dir, "index.ts"), source({ storageClass: "slow" }));
        const out = path.join(work, "review.json");
        const code = await reviewMain(["--base-ref", "HEAD", "--head", dir, "--format", "json", "--out", out, "--fail-on", "replace"]);
        const result = JSON.parse(fs.readFileSync(out, "utf8")) as Review;
        assert.strictEqual(code, 2);
        assert.strictEqual(result.base.program, "HEAD:infra");
        assert.deepStrictEqual(result.changes.filter((c) => c.op === "replace").map((c) => c.replaceReasons), [["spec.storageClassName"], ["spec.template"]]);
        assert.strictEqual(git("worktree", "list").trim().split("\n").length, 1, "the base's worktree is gone");
    });

    it("npm run review: the environments example, stack dev against prod", async () => {
        const script: string = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.review;
        const [command, args] = script.split(" review/aim-review.ts ");
        assert.strictEqual(command, "ts-node --transpile-only");
        const out = path.join(work, "environments.json");
        const cwd = process.cwd();
        process.chdir(ROOT);
        try {
            assert.strictEqual(await reviewMain([...args.split(" "), "--format", "json", "--out", out]), 0);
        } finally {
            process.chdir(cwd);
        }
        const r = JSON.parse(fs.readFileSync(out, "utf8")) as Review;
        assert.deepStrictEqual([r.base.stack, r.head.stack], ["dev", "prod"]);
        const pvc = r.changes.find((c) => c.type === "kubernetes:core/v1:PersistentVolumeClaim")!;
        assert.deepStrictEqual([pvc.op, pvc.replaceReasons], ["replace", ["spec.storageClassName"]]);
        assert.deepStrictEqual(
            r.changes.filter((c) => c.type === "aim:index:AIMClusterConfig").map((c) => [c.op, c.name]),
            [["create", "production"], ["delete", "development"]],
        );
        assert.deepStrictEqual([r.base.capacity!.storage, r.head.capacity!.storage], [{ default: "10Gi" }, { "ceph-rwx-fast": "10Gi" }]);
    });
});

describe("aim-review: a 1,000-service change", function () {
    this.timeout(20 * 60_000);

    it("stays under the Markdown limit, the largest diffs cut with a pointer to the JSON report", async () => {
        // Every service gets one more replica: 1,000 components, each with its own cause and Deployment diff.
        const program = (wrap: boolean) => `import * as k8s from "@pulumi/kubernetes";
import * as aim from ${JSON.stringify(path.join(ROOT, "index"))};
import { program } from ${JSON.stringify(path.join(ROOT, "bench", "workload"))};
class AIMService extends aim.AIMService {
    constructor(name: string, args: aim.AIMServiceArgs, opts?: import("@pulumi/pulumi").ComponentResourceOptions) {
        super(name, ${wrap ? "{ ...args, replicas: (args.replicas ?? 1) + 1 }" : "args"}, opts);
    }
}
program({ ...aim, AIMService }, new k8s.Provider("bench", {}), 1000);
`;
        const started = Date.now();
        const r = await review({ base: { dir: programDir("n1000-a", program(false)), stack: "dev" }, head: { dir: programDir("n1000-b", program(true)), stack: "dev" } });
        const seconds = (Date.now() - started) / 1000;
        const markdown = toMarkdown(r);
        console.log(`      1,000-service review: ${seconds.toFixed(1)} s, ${r.changes.length} changes, Markdown ${markdown.length} characters`);
        assert.strictEqual(r.summary.update, 2000);
        assert.ok(markdown.length <= MARKDOWN_LIMIT, `${markdown.length} characters`);
        assert.match(markdown, /_Diff of \d+ lines cut to keep this comment under 60,000 characters: the JSON report \(`--format json`\) has it\._/);
        assert.match(markdown, /^_\d+ more group\(s\) of changes left out to keep this comment under 60,000 characters/m);
        assert.match(markdown, /^\| 0 \| 2000 \| 0 \| 0 \| \d+ \|$/m);
    });
});

describe("aim-review: a revision that never finishes", function () {
    this.timeout(120_000);

    it("fails after --timeout, with the runner killed, instead of hanging the review", async () => {
        const dir = programDir("hangs", "export = new Promise(() => undefined);\n");
        const outcome = await renderRevision({ dir, stack: "dev" }, { secretKey: Buffer.alloc(32), timeoutSeconds: 5 });
        assert.deepStrictEqual(
            [outcome.run, outcome.failure],
            [
                undefined,
                "no result after 5 s: the program waits for something that does not come offline (a network call, a timer, a promise that never settles); --timeout sets the limit",
            ],
        );
    });
});

describe("aim-preview: what a program reads from outside", function () {
    this.timeout(120_000);

    it("a StackReference gets the outputs given with --stack-outputs, else fails saying how to give them", async () => {
        const dir = programDir(
            "reference",
            `import * as pulumi from "@pulumi/pulumi";
const platform = new pulumi.StackReference("platform", { name: "acme/platform/prod" });
export const gateway = platform.getOutput("gateway");
`,
        );
        const message =
            'StackReference "acme/platform/prod": the outputs of stack acme/platform/prod are not available offline; supply them with ' +
            "--stack-outputs acme/platform/prod=<file>, a JSON object of the outputs (`pulumi stack output --json --stack acme/platform/prod` prints one)";
        expectProgramErrors(/StackReference "acme\/platform\/prod": the outputs of stack acme\/platform\/prod are not available offline/);
        const missing = await runOffline(dir);
        assert.ok(missing.errors.some((e) => e.message.includes(message)), JSON.stringify(missing.errors));
        const given = await runOffline(dir, { stackOutputs: { "acme/platform/prod": { gateway: "kaiwo-gateway" } } });
        assert.deepStrictEqual([given.errors, given.outputs], [[], { gateway: "kaiwo-gateway" }]);
    });

    it("a program that does not compile fails with the compiler's message, without the compiler's stack (as the CLI)", async () => {
        const dir = programDir("syntax", "const x: number = ;\n");
        expectProgramErrors(/Unable to compile TypeScript/); // the stack's outputs reject with it too
        const run = await runOffline(dir);
        assert.strictEqual(run.errors.length, 1);
        assert.match(
            run.errors[0].message,
            /^Running program '.*syntax' failed with an unhandled exception:\nTSError: ⨯ Unable to compile TypeScript:\n.*index\.ts\(1,19\): error TS1109: Expression expected\.\n?$/,
        );
    });

    it("a get function fails at once, saying to pass the value through config", async () => {
        const dir = programDir(
            "get",
            `import * as k8s from "@pulumi/kubernetes";
export const data = k8s.core.v1.ConfigMap.get("settings", "ml/settings").data;
`,
        );
        expectProgramErrors(/reads from outside the program/);
        const run = await runOffline(dir);
        assert.ok(
            run.errors.some((e) =>
                e.message.includes(
                    'kubernetes:core/v1:ConfigMap "settings" (id ml/settings) reads from outside the program (a cloud, a cluster or a provider), ' +
                        "which cannot run offline: pass what the program needs through stack config for the review instead (--config <key>=<value>)",
                ),
            ),
            JSON.stringify(run.errors),
        );
    });
});

describe("review/unified.ts", () => {
    it("prints the hunks of a unified diff with three lines of context", () => {
        const before = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"].join("\n") + "\n";
        const after = ["a", "b", "c", "D", "e", "f", "g", "h", "i", "j", "k"].join("\n") + "\n";
        assert.deepStrictEqual(unifiedDiff(before, after), ["@@ -1,10 +1,11 @@", " a", " b", " c", "-d", "+D", " e", " f", " g", " h", " i", " j", "+k"]);
        assert.deepStrictEqual(unifiedDiff("", "x\n"), ["@@ -0,0 +1,1 @@", "+x"]);
        assert.deepStrictEqual(unifiedDiff("same\n", "same\n"), []);
    });
});

/** A registration as the runner records one. */
function registration(over: Partial<Registration> & { type: string; name: string }): Registration {
    return {
        urn: `urn:pulumi:dev::pair::${over.type}::${over.name}`,
        parent: "",
        inputs: {},
        dependencies: [],
        protect: false,
        retainOnDelete: false,
        custom: true,
        deleteBeforeReplace: false,
        replaceOnChanges: [],
        ...over,
    };
}

function deployment(name: string, replicas: number, gpus: number, deviceIds: string[], over: Partial<Registration> = {}): Registration {
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "amd.com/gpu.device-id", operator: "In", values: deviceIds }] }] } } };
    return registration({
        type: "kubernetes:apps/v1:Deployment",
        name: `${name}-deployment`,
        inputs: {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name, namespace: "ml" },
            spec: { replicas, template: { spec: { affinity, containers: [{ name: "aim", resources: { limits: { "amd.com/gpu": String(gpus) } } }] } } },
        },
        ...over,
    });
}

const pvc = (storageClassName: string | undefined, storage: string, over: Partial<Registration> = {}) =>
    registration({
        type: "kubernetes:core/v1:PersistentVolumeClaim",
        name: "data",
        inputs: { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data", namespace: "ml" }, spec: { storageClassName, resources: { requests: { storage } } } },
        ...over,
    });

/** A revision that rendered `resources` on stack `stack`. */
function outcome(resources: Registration[], stack = "dev") {
    return { spec: { dir: ".", stack }, run: { project: "pair", stack, preview: true, resources, warnings: [], manifests: [], errors: [] } };
}

describe("review/risk.ts and review/capacity.ts: what a change destroys and what a revision asks for", () => {
    it("a replaced serving workload: a gap when its name stays (the provider deletes first), both at once when it changes", () => {
        const old = deployment("chat", 2, 1, ["74a1"]);
        const renamed = deployment("chat-v2", 2, 1, ["74a1"]);
        renamed.inputs.metadata.name = "chat-v2";
        assert.strictEqual(
            replacementRisk(old, deployment("chat", 2, 1, ["74a1"]), [old]),
            "serving stops: Deployment ml/chat is deleted before the new one is created, so nothing serves until the new pods are ready",
        );
        assert.strictEqual(
            replacementRisk(old, renamed, [old]),
            "both run at once: the new Deployment starts beside the old one, which is deleted once it is ready, so the cluster needs 2 more GPU(s) meanwhile",
        );
        assert.strictEqual(
            replacementRisk(old, { ...renamed, deleteBeforeReplace: true }, [old]),
            "serving stops: Deployment ml/chat is deleted before the new one is created, so nothing serves until the new pods are ready",
        );
    });

    it("protect and retainOnDelete change the wording: nothing is lost, or the new object cannot be created", () => {
        const claim = pvc("fast", "154Gi");
        const data = "data loss: the claim's 154Gi of data on storage class `fast` is deleted";
        assert.strictEqual(deletionRisk(claim, [claim]), data);
        assert.strictEqual(deletionRisk({ ...claim, protect: true }, [claim]), `protected: \`pulumi up\` fails rather than delete it; without \`protect\`: ${data}`);
        assert.strictEqual(deletionRisk({ ...claim, retainOnDelete: true }, [claim]), "retainOnDelete: Pulumi forgets it and it stays in the cluster, with its data");
        assert.strictEqual(
            replacementRisk({ ...claim, retainOnDelete: true }, pvc("slow", "154Gi"), [claim]),
            "retainOnDelete: the old object stays in the cluster, so creating the new one of the same name fails (already exists) until the old one is removed by hand",
        );
        assert.strictEqual(replacementRisk({ ...claim, protect: true }, pvc("slow", "154Gi"), [claim]), `protected: \`pulumi up\` fails rather than replace it; without \`protect\`: ${data}`);
    });

    it("a deleted Namespace names the program's objects Kubernetes deletes with it", () => {
        const ns = registration({ type: "kubernetes:core/v1:Namespace", name: "ml", inputs: { apiVersion: "v1", kind: "Namespace", metadata: { name: "ml" } } });
        const base = [ns, deployment("chat", 1, 1, ["74a1"]), pvc(undefined, "10Gi")];
        assert.strictEqual(
            deletionRisk(ns, base),
            "Kubernetes deletes everything in namespace `ml`: 2 object(s) of this program (Deployment chat, PersistentVolumeClaim data) and anything else in it",
        );
    });

    it("capacity: GPUs by model from the device-id affinity (unknown when none matches), storage by class", () => {
        assert.deepStrictEqual(
            capacityOf([deployment("a", 3, 2, ["74a1", "74a9"]), deployment("b", 1, 8, ["74a5"]), deployment("c", 2, 1, ["ffff"]), pvc("fast", "100Gi"), pvc("fast", "54Gi"), pvc(undefined, "1Ti")]),
            { gpus: { MI300X: 6, MI325X: 8, unknown: 2 }, storage: { default: "1Ti", fast: "154Gi" } },
        );
    });
});

describe("review/report.ts: matching and classifying registrations", () => {
    it("replaceOnChanges turns an update into a replacement naming the field", () => {
        const a = deployment("chat", 1, 1, ["74a1"]);
        const b = deployment("chat", 2, 1, ["74a1"], { replaceOnChanges: ["spec.replicas"] });
        const r = buildReview(outcome([a]), outcome([b]), { base: "a", head: "b" });
        assert.deepStrictEqual(r.changes.map((c) => [c.op, c.fields, c.replaceReasons]), [["replace", ["spec.replicas"], ["spec.replicas"]]]);
    });

    it("two stacks of one program are compared resource by resource (--base-stack)", () => {
        const onStack = (stack: string, replicas: number) => {
            const d = deployment("chat", replicas, 1, ["74a1"]);
            return { ...d, urn: d.urn.replace(":dev::", `:${stack}::`) };
        };
        const r = buildReview(outcome([onStack("dev", 1)], "dev"), outcome([onStack("prod", 3)], "prod"), { base: "a", head: "b" });
        assert.deepStrictEqual(r.changes.map((c) => [c.op, c.urn, c.fields]), [["update", "urn:pulumi:prod::pair::kubernetes:apps/v1:Deployment::chat-deployment", ["spec.replicas"]]]);
        assert.deepStrictEqual([r.base.capacity!.gpus, r.head.capacity!.gpus], [{ MI300X: 1 }, { MI300X: 3 }]);
    });

    it("a revision that registers one URN twice fails, as the engine fails it", () => {
        const d = deployment("chat", 1, 1, ["74a1"]);
        const r = buildReview(outcome([d]), outcome([d, d]), { base: "a", head: "b" });
        assert.deepStrictEqual([r.head.ok, r.head.error], [false, `Duplicate resource URN ${d.urn}: the engine fails the whole preview`]);
    });
});

describe("review/: the tools load the program's SDK, never their own", () => {
    it("no module of review/ imports @pulumi/* at run time (type imports only), nor anything from components/", () => {
        const dir = path.join(ROOT, "review");
        const offending = fs
            .readdirSync(dir)
            .filter((f) => f.endsWith(".ts"))
            .flatMap((f) =>
                fs
                    .readFileSync(path.join(dir, f), "utf8")
                    .split("\n")
                    .filter((line) => /^import (?!type )[^;]*from "(@pulumi\/|\.\.\/components\/)/.test(line) || /(?<![.\w])require\("@pulumi\//.test(line))
                    .map((line) => `${f}: ${line}`),
            );
        assert.deepStrictEqual(offending, []);
    });
});
