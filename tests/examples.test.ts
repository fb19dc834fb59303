// The examples, run the way `npm run example…` runs them: under the offline runner (Pulumi's mock runtime, no CLI,
// no cluster). Each run loads its program afresh, so one process runs them all, the same example more than once.

import * as assert from "assert";
import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import * as YAML from "yaml";
import { formatRun, Manifest, OfflineRun, runOffline } from "../review/offline";
import { KAIWO_GATEWAY, LLAMA_IMAGE } from "./fixtures";
import { expectProgramErrors } from "./hooks";
import { validateManifest } from "./k8sSchemas";

const ROOT = path.join(__dirname, "..");
const example = (name: string) => path.join(ROOT, "examples", name);

/** The only manifest of a kind with this name (and namespace, when given). */
function manifest(run: OfflineRun, kind: string, name: string, namespace?: string): Manifest {
    const found = run.manifests.filter(
        (m) => m.kind === kind && m.metadata?.name === name && (namespace === undefined || m.metadata?.namespace === namespace),
    );
    assert.strictEqual(found.length, 1, `expected one ${kind} ${namespace ?? "*"}/${name}, found ${found.length}`);
    return found[0];
}

const podSpec = (m: Manifest) => (m as any).spec.template.spec;
const pullSecrets = (m: Manifest) => podSpec(m).imagePullSecrets?.map((s: { name: string }) => s.name);

/** Succeeds, warns about nothing, and renders only objects that are valid for their kind. */
async function assertClean(run: OfflineRun): Promise<void> {
    assert.deepStrictEqual(run.errors, []);
    assert.deepStrictEqual(run.warnings, []);
    for (const m of run.manifests) if (m.kind !== "Secret") await validateManifest(m);
}

describe("examples under the offline runner", () => {
    let quickstart: OfflineRun;
    before(async () => {
        quickstart = await runOffline(example("quickstart"));
    });

    it("quickstart: renders the cached chat service behind kaiwo-gateway from the default config", async () => {
        const run = quickstart;
        await assertClean(run);
        assert.deepStrictEqual([run.project, run.stack, run.preview], ["aim-quickstart", "dev", true]);

        const deployment = manifest(run, "Deployment", "llama-chat", "ml-team");
        assert.deepStrictEqual(pullSecrets(deployment), ["ghcr-pull"]);
        assert.strictEqual(podSpec(deployment).containers[0].image, LLAMA_IMAGE);
        assert.strictEqual(podSpec(deployment).containers[0].resources.limits["amd.com/gpu"], "1");
        const route = manifest(run, "HTTPRoute", "llama-chat", "ml-team") as any;
        assert.deepStrictEqual(route.spec.parentRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", ...KAIWO_GATEWAY }]);
        assert.strictEqual(route.spec.rules[0].matches[0].path.value, "/ml-team/llama-chat");
        const pvc = run.manifests.find((m) => m.kind === "PersistentVolumeClaim") as any;
        assert.strictEqual(pvc.metadata.namespace, "ml-team");
        assert.deepStrictEqual(pvc.spec.accessModes, ["ReadWriteMany"]);
        const volumes = podSpec(deployment).volumes.map((v: any) => v.persistentVolumeClaim?.claimName);
        assert.ok(volumes.includes(pvc.metadata.name), "the Deployment mounts the cache PVC");
        // The container contract: probes, metrics, the cache at AIM_CACHE_PATH, the key from its Secret.
        const container = podSpec(deployment).containers[0];
        assert.deepStrictEqual(container.readinessProbe, { tcpSocket: { port: 8000 }, periodSeconds: 10, failureThreshold: 3 });
        assert.deepStrictEqual(container.startupProbe, { tcpSocket: { port: 8000 }, periodSeconds: 10, failureThreshold: 720 });
        assert.deepStrictEqual(container.env, [
            { name: "AIM_CACHE_PATH", value: "/workspace/model-cache" },
            { name: "VLLM_ENABLE_METRICS", value: "true" },
            { name: "VLLM_API_KEY", valueFrom: { secretKeyRef: { name: "llama-chat-api-key", key: "api-key" } } },
        ]);
        assert.strictEqual(manifest(run, "Secret", "llama-chat-api-key", "ml-team").stringData, "[secret]");
        // Inline model sources: no discovery Job. The system namespace exists for the base-image DaemonSet.
        assert.strictEqual(run.manifests.filter((m) => m.kind === "Job" && m.metadata?.name?.startsWith("discover-")).length, 0);
        assert.strictEqual(run.manifests.find((m) => m.kind === "DaemonSet")!.metadata?.namespace, "aim-system");
        manifest(run, "Namespace", "aim-system");
        manifest(run, "Namespace", "ml-team");

        // The tree: everything hangs off the root stack, the service's children off the service.
        const [stack, ...rest] = run.resources;
        assert.strictEqual(`${stack.type} ${stack.name}`, "pulumi:pulumi:Stack aim-quickstart-dev");
        const service = rest.find((r) => r.type === "aim:index:AIMService")!;
        assert.strictEqual(service.parent, stack.urn);
        assert.strictEqual(rest.find((r) => r.name === "llama-chat-deployment")!.parent, service.urn);
        assert.strictEqual(run.resources.filter((r) => r.type.startsWith("aim:index:")).length, 5);

        const outputs = run.outputs as any;
        assert.strictEqual(outputs.config.name, "default");
        assert.strictEqual(outputs.config.source, "AIMClusterConfig");
        assert.strictEqual(outputs.routePath, "/ml-team/llama-chat");
        assert.strictEqual(outputs.endpoint, "http://llama-chat.ml-team.svc");
        // A generated password is unknown until applied; once known it is a secret (see the update run below).
        assert.strictEqual(outputs.apiKey, "[unknown]");
    });

    it("quickstart: prints the tree, the warnings and manifests that parse back as multi-document YAML", async () => {
        const text = formatRun(quickstart);
        assert.match(text, /^Resources:\n {4}pulumi:pulumi:Stack aim-quickstart-dev\n {8}kubernetes:core\/v1:Namespace ml-team\n {8}aim:index:AIMClusterConfig default\n/m);
        assert.match(text, /^ {12}kubernetes:apps\/v1:Deployment llama-chat-deployment$/m);
        assert.match(text, /^Diagnostics: none$/m);
        const yamlText = text.slice(text.indexOf("\n---\n") + 1);
        const docs = YAML.parseAllDocuments(yamlText).map((d) => d.toJS());
        assert.deepStrictEqual(docs, quickstart.manifests);
    });

    it("the repository root's Pulumi.yaml previews the quick-start (a second run of it in this process)", async () => {
        const root = await runOffline(ROOT);
        await assertClean(root);
        assert.strictEqual(root.project, "aim-quickstart");
        assert.deepStrictEqual(root.manifests, quickstart.manifests);
    });

    it("quickstart as an update: same objects, nothing unknown", async () => {
        const run = await runOffline(example("quickstart"), { update: true });
        await assertClean(run);
        assert.strictEqual(run.preview, false);
        assert.doesNotMatch(formatRun(run), /\[unknown\]/);
        manifest(run, "Deployment", "llama-chat", "ml-team");
        assert.strictEqual((run.outputs as any).apiKey, "[secret]");
    });

    it("operator: the quick-start's program on aim:target operator registers aim-engine resources, the Secret and the DaemonSet only", async () => {
        const run = await runOffline(example("operator"));
        await assertClean(run); // the custom resources against aim-engine's v0.2.2 CRDs
        assert.deepStrictEqual([run.project, run.stack], ["aim-operator", "dev"]);
        assert.deepStrictEqual(
            run.manifests.map((m) => `${m.kind} ${m.metadata?.namespace ?? "-"}/${m.metadata?.name}`),
            [
                "Namespace -/ml-team",
                "AIMClusterRuntimeConfig -/default",
                "AIMClusterModel -/llama-3-8b",
                "DaemonSet aim-system/aim-base-cacher-0b6fac61",
                "AIMClusterServiceTemplate -/llama-3-8b-mi300x",
                "Secret ml-team/llama-chat-api-key",
                "AIMService ml-team/llama-chat",
            ],
        );
        const service = manifest(run, "AIMService", "llama-chat", "ml-team") as any;
        assert.deepStrictEqual(service.spec.model, { name: "llama-3-8b" });
        assert.deepStrictEqual(service.spec.template, { name: "llama-3-8b-mi300x" });
        assert.deepStrictEqual(service.spec.imagePullSecrets, [{ name: "ghcr-pull" }]);
        assert.strictEqual(service.metadata.annotations["pulumi.com/waitFor"], "jsonpath={.status.status}=Running");
        // The quick-start's outputs: the same config and route; the operator's InferenceService names the rest.
        const outputs = run.outputs as any;
        assert.deepStrictEqual([outputs.config, outputs.routePath], [(quickstart.outputs as any).config, "/ml-team/llama-chat"]);
        assert.strictEqual(outputs.endpoint, "http://llama-chat-a04542d9-predictor.ml-team.svc.cluster.local");
    });

    it("kserve: stack dev renders Deployments and Services only, no KServe object", async function () {
        this.timeout(120_000);
        const dev = await runOffline(example("kserve"), { stack: "dev" });
        await assertClean(dev);
        assert.deepStrictEqual(dev.manifests.filter((m) => m.apiVersion?.startsWith("serving.kserve.io/")), []);
        assert.strictEqual((manifest(dev, "Deployment", "llama-chat", "ml-team") as any).spec.replicas, 1);
        manifest(dev, "Deployment", "llama-embed", "ml-team");
        assert.deepStrictEqual((dev.outputs as any).backend, "deployment");
        assert.strictEqual((dev.outputs as any).chatService, "llama-chat");
        assert.strictEqual((dev.outputs as any).chatWorkload, "Deployment llama-chat");
        assert.strictEqual((dev.outputs as any).chatEndpoint, "http://llama-chat.ml-team.svc");
    });

    it("kserve: stack prod renders the ClusterServingRuntime and an InferenceService; the pinned template stays on a Deployment", async function () {
        this.timeout(120_000);
        const prod = await runOffline(example("kserve"), { stack: "prod" });
        await assertClean(prod); // KServe objects included, against the v0.15.2 CRDs
        const runtime = manifest(prod, "ClusterServingRuntime", "llama-3-8b-mi300x") as any;
        assert.strictEqual(runtime.spec.containers[0].image, LLAMA_IMAGE);
        assert.deepStrictEqual(runtime.spec.imagePullSecrets, [{ name: "ghcr-pull" }]);
        const isvc = manifest(prod, "InferenceService", "llama-chat", "ml-team") as any;
        assert.deepStrictEqual([isvc.spec.predictor.minReplicas, isvc.spec.predictor.maxReplicas], [2, 2]);
        assert.strictEqual(isvc.spec.predictor.model.runtime, "llama-3-8b-mi300x");
        assert.deepStrictEqual(prod.manifests.filter((m) => m.kind === "Deployment").map((m) => m.metadata?.name), ["llama-embed"]);
        assert.deepStrictEqual(prod.manifests.filter((m) => m.kind === "ServingRuntime"), []);
        const route = manifest(prod, "HTTPRoute", "llama-chat", "ml-team") as any;
        assert.deepStrictEqual(route.spec.rules[0].backendRefs, [{ group: "", kind: "Service", name: "llama-chat-predictor", port: 80 }]);
        const outputs = prod.outputs as any;
        assert.deepStrictEqual([outputs.backend, outputs.chatWorkload, outputs.chatService, outputs.embedService], [
            "kserve",
            "InferenceService llama-chat",
            "llama-chat-predictor",
            "llama-embed",
        ]);
        assert.strictEqual(outputs.chatEndpoint, "http://llama-chat-predictor.ml-team.svc");
        const env = isvc.spec.predictor.model.env;
        assert.deepStrictEqual(env.at(-1), { name: "VLLM_API_KEY", valueFrom: { secretKeyRef: { name: "llama-chat-api-key", key: "api-key" } } });
    });

    it("environments: stack prod declares and references the config production", async () => {
        const prod = await runOffline(example("environments"), { stack: "prod" });
        await assertClean(prod);
        const config = (prod.outputs as any).resolvedConfig;
        assert.deepStrictEqual([config.name, config.source], ["production", "AIMClusterConfig"]);
        assert.ok(prod.resources.some((r) => r.type === "aim:index:AIMClusterConfig" && r.name === "production"));

        const deployment = manifest(prod, "Deployment", "llama-chat", "ml-team") as any;
        assert.strictEqual(deployment.spec.replicas, 3);
        assert.deepStrictEqual(pullSecrets(deployment), ["ghcr-prod-pull"]);
        const pvc = prod.manifests.find((m) => m.kind === "PersistentVolumeClaim") as any;
        assert.strictEqual(pvc.spec.storageClassName, "ceph-rwx-fast");
        const route = manifest(prod, "HTTPRoute", "llama-chat") as any;
        assert.deepStrictEqual(route.spec.parentRefs[0], {
            group: "gateway.networking.k8s.io",
            kind: "Gateway",
            name: "prod-gateway",
            namespace: "gateways",
            sectionName: "https",
        });
        // aim:availableGpuModels (MI300X only) drops the better-ranked MI325X template for the batch service.
        assert.deepStrictEqual((prod.outputs as any).batchTemplate.candidates, [
            { name: "llama-3-8b-mi325x-throughput", scope: "Cluster", status: "rejected", reason: "RequiredGPUNotInCluster" },
            { name: "llama-3-8b-mi300x", scope: "Cluster", status: "chosen", reason: "BestMatch" },
        ]);
        // The MI300X template's declared cache serves both of its services, neither of which sets cacheModel.
        for (const name of ["llama-chat", "llama-batch"]) {
            const pod = podSpec(manifest(prod, "Deployment", name));
            assert.deepStrictEqual(pod.volumes[1], { name: pvc.metadata.name, persistentVolumeClaim: { claimName: pvc.metadata.name } });
            assert.deepStrictEqual(pod.containers[0].volumeMounts[1], { name: pvc.metadata.name, mountPath: "/workspace/model-cache/amd/Llama-3.1-8B-Instruct-FP8-KV" });
        }
        const daemonSet = prod.manifests.find((m) => m.kind === "DaemonSet")!;
        assert.strictEqual(daemonSet.metadata?.namespace, "aim-prod-system", "aim:systemNamespace from Pulumi.prod.yaml");
        manifest(prod, "Namespace", "aim-prod-system");
    });

    it("environments: stack dev declares development, with one replica and the cluster's default storage class", async () => {
        const dev = await runOffline(example("environments"), { stack: "dev" });
        await assertClean(dev);
        assert.strictEqual((dev.outputs as any).resolvedConfig.name, "development");
        assert.strictEqual((manifest(dev, "Deployment", "llama-chat") as any).spec.replicas, 1);
        const pvc = dev.manifests.find((m) => m.kind === "PersistentVolumeClaim") as any;
        assert.strictEqual(pvc.spec.storageClassName, undefined);
        assert.deepStrictEqual((manifest(dev, "HTTPRoute", "llama-chat") as any).spec.parentRefs[0].name, KAIWO_GATEWAY.name);
        // Without the cluster's GPU models the batch service gets the best-ranked template, on MI325X.
        assert.strictEqual((dev.outputs as any).batchTemplate.name, "llama-3-8b-mi325x-throughput");
        assert.strictEqual((manifest(dev, "Deployment", "llama-batch") as any).metadata.labels["aim.silogen.ai/template"], "llama-3-8b-mi325x-throughput");
        // That template has no cache in ml-team: the batch service downloads into its scratch volume.
        assert.deepStrictEqual(podSpec(manifest(dev, "Deployment", "llama-batch")).volumes.map((v: { name: string }) => v.name), ["dshm", "model-storage"]);
    });

    it("environments: a secret from config reaches a Kubernetes Secret and prints only as [secret]", async () => {
        const canary = "hf_canary_7d1f0b";
        const run = await runOffline(example("environments"), { stack: "prod", config: { hfToken: canary } });
        assert.deepStrictEqual([run.errors, run.warnings], [[], []]);
        const secret = manifest(run, "Secret", "llama-chat-hf-token", "ml-team");
        assert.strictEqual(secret.stringData, "[secret]");
        const env = podSpec(manifest(run, "Deployment", "llama-chat")).containers[0].env;
        assert.deepStrictEqual(env.find((e: any) => e.name === "HF_TOKEN").valueFrom.secretKeyRef.name, "llama-chat-hf-token");
        assert.ok(!JSON.stringify(run).includes(canary), "the recorded run holds no plaintext secret");
        assert.ok(!formatRun(run).includes(canary), "the report holds no plaintext secret");
    });

    it("environments: a stack without config fails as a preview would, naming the missing key", async () => {
        // The failed program's outputs reject too; the runner reports the error once, as the CLI does.
        expectProgramErrors(/^Missing required configuration variable 'aim-environments:configName'/);
        const run = await runOffline(example("environments"), { stack: "staging" });
        assert.strictEqual(run.errors.length, 1);
        assert.strictEqual(run.errors[0].resource, "pulumi:pulumi:Stack (aim-environments-staging)");
        assert.match(run.errors[0].message, /^Missing required configuration variable 'aim-environments:configName'/);
        assert.match(formatRun(run), /^ {4}error: Missing required configuration variable 'aim-environments:configName'$/m);
        assert.strictEqual(run.outputs, undefined);
    });

    it("teams: namespace configs replace the pull secrets per team and inherit the Gateway", async () => {
        const run = await runOffline(example("teams"));
        await assertClean(run);
        const expected: Record<string, { pullSecret: string; storageClass?: string; source: string }> = {
            "team-nlp": { pullSecret: "nlp-registry", source: "merged" },
            "team-vision": { pullSecret: "vision-registry", storageClass: "vision-nvme-rwx", source: "merged" },
            "team-research": { pullSecret: "ghcr-pull", source: "AIMClusterConfig" },
        };
        for (const [namespace, team] of Object.entries(expected)) {
            const deployment = manifest(run, "Deployment", "chat", namespace);
            assert.deepStrictEqual(pullSecrets(deployment), [team.pullSecret], namespace);
            const pvc = run.manifests.find((m) => m.kind === "PersistentVolumeClaim" && m.metadata?.namespace === namespace) as any;
            assert.strictEqual(pvc.spec.storageClassName, team.storageClass, namespace);
            const route = manifest(run, "HTTPRoute", "chat", namespace) as any;
            assert.strictEqual(route.spec.parentRefs[0].name, KAIWO_GATEWAY.name, namespace);
            assert.strictEqual((run.outputs as any).teamConfigs[namespace].source, team.source, namespace);
        }
        // The program creates every namespace it uses; nothing needs the system namespace (no discovery, no DaemonSet).
        const namespaces = run.manifests.filter((m) => m.kind === "Namespace").map((m) => m.metadata?.name);
        assert.deepStrictEqual(namespaces, ["team-nlp", "team-vision", "team-research"]);
    });

    /** Runs a one-file program (lines after the package import) as a project of its own. */
    async function runProgram(project: string, lines: string[]) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aim-offline-"));
        try {
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${project}\nruntime: nodejs\n`);
            // The program's own @pulumi/pulumi, as an installed program has it: the runner uses that copy.
            fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "junction");
            fs.writeFileSync(path.join(dir, "index.ts"), [`import * as aim from ${JSON.stringify(path.join(ROOT, "index"))};`, ...lines, ""].join("\n"));
            return await runOffline(dir);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }
    const llamaImage = `new aim.AIMClusterImage("llama", { image: ${JSON.stringify(LLAMA_IMAGE)} });`;

    it("prints each warning under the resource it belongs to, as the CLI's diagnostics do", async () => {
        const run = await runProgram("no-default", [llamaImage]);
        assert.deepStrictEqual(run.warnings.map((w) => w.resource), ["aim:index:AIMClusterImage (llama)"]);
        assert.match(
            formatRun(run),
            /^Diagnostics:\n  aim:index:AIMClusterImage \(llama\):\n    warning: DefaultConfigNotFound: AIMClusterConfig "default" not found, proceeding with defaults/m,
        );
    });

    it("a reference to an undeclared config fails the program before the dependent registers anything", async () => {
        const message = /^AIMClusterServiceTemplate "chat": configName: failed to get AIMClusterConfig "production": not found/;
        expectProgramErrors(message);
        const run = await runProgram("missing-config", [
            `new aim.AIMClusterConfig("default", {});`,
            llamaImage,
            `new aim.AIMClusterServiceTemplate("chat", { aimImageName: "llama", configName: "production" });`,
        ]);
        // The template never registers, so the CLI shows the error on the stack; the message names the template.
        assert.deepStrictEqual(run.errors.map((e) => e.resource), ["pulumi:pulumi:Stack (missing-config-dev)"]);
        assert.match(run.errors[0].message, message);
        assert.deepStrictEqual(run.manifests, [], "no child of the failing template is registered");
        assert.ok(!run.resources.some((r) => r.type === "aim:index:AIMClusterServiceTemplate"), "nor the template itself");
        assert.match(formatRun(run), /^ {4}error: AIMClusterServiceTemplate "chat": configName: failed to get AIMClusterConfig "production": not found/m);
    });

    it("npm run example exits 0 with the report; a failing program exits non-zero", async () => {
        const run = (args: string[]) =>
            promisify(execFile)(process.execPath, [require.resolve("ts-node/dist/bin"), "--transpile-only", "examples/run-offline.ts", ...args], {
                cwd: ROOT,
            }).then(
                ({ stdout }) => ({ code: 0, stdout }),
                (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
            );
        const script = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.example;
        assert.strictEqual(script, "ts-node --transpile-only examples/run-offline.ts examples/quickstart");
        const [ok, failed] = await Promise.all([run(["examples/quickstart"]), run(["examples/environments", "--stack", "staging"])]);
        assert.strictEqual(ok.code, 0);
        for (const section of [/^Resources:$/m, /^Diagnostics: none$/m, /^Outputs:$/m, /^Manifests \(9 Kubernetes objects\):$/m]) {
            assert.match(ok.stdout, section);
        }
        assert.strictEqual(failed.code, 1);
        assert.match(failed.stdout, /error: Missing required configuration variable/);
    });
});

/** Why a real `pulumi preview` cannot run here, or undefined when it can. */
function previewPrerequisiteMissing(): string | undefined {
    if (spawnSync("pulumi", ["version"], { encoding: "utf8" }).error) return "pulumi CLI not installed";
    if (process.env.KUBERNETES_SERVICE_HOST) return undefined; // in-cluster credentials
    const kubeconfigs = (process.env.KUBECONFIG || path.join(os.homedir(), ".kube", "config")).split(path.delimiter);
    const hasContext = kubeconfigs.some((file) => {
        try {
            return Boolean(YAML.parse(fs.readFileSync(file, "utf8"))?.["current-context"]);
        } catch {
            return false;
        }
    });
    return hasContext ? undefined : "no kube context (no current-context in KUBECONFIG or ~/.kube/config)";
}

describe("examples with the Pulumi CLI", () => {
    it("pulumi preview of the repository root (the quick-start) against the current kube context", function () {
        const missing = previewPrerequisiteMissing();
        if (missing) {
            // A real preview needs the pulumi CLI (engine and Kubernetes plugin) and a cluster to read from. Mocha's
            // skip takes no reason, so the title carries it into the report.
            this.test!.title += ` (skipped: ${missing})`;
            this.skip();
        }
        this.timeout(10 * 60_000);
        // Preview a copy of the sources, so the stack settings file and state never land in the working tree.
        const work = fs.mkdtempSync(path.join(os.tmpdir(), "aim-preview-"));
        try {
            const repo = path.join(work, "repo");
            const skipped = new Set(["node_modules", ".git", "bin"]);
            fs.cpSync(ROOT, repo, { recursive: true, filter: (src) => !skipped.has(path.relative(ROOT, src).split(path.sep)[0]) });
            fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(repo, "node_modules"), "dir");
            // The quick start imports "@aim-pulumi/aim", which Node resolves to the package itself (a self-reference
            // through `exports`): its compiled bin/, as `npm ci` builds it.
            assert.strictEqual(spawnSync("npm", ["run", "build"], { cwd: repo, encoding: "utf8" }).status, 0, "npm run build");
            fs.mkdirSync(path.join(work, "state"));
            const env = {
                ...process.env,
                PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
                PULUMI_CONFIG_PASSPHRASE: "",
                PULUMI_SKIP_UPDATE_CHECK: "true",
            };
            const pulumi = (...args: string[]) => {
                const result = spawnSync("pulumi", [...args, "--non-interactive"], { cwd: repo, env, encoding: "utf8" });
                assert.strictEqual(result.status, 0, `pulumi ${args.join(" ")}:\n${result.stdout}\n${result.stderr}`);
                return result.stdout;
            };
            pulumi("stack", "init", "e2e");
            const out = pulumi("preview", "--stack", "e2e");
            assert.match(out, /aim:index:AIMService\s+llama-chat/);
            assert.match(out, /kubernetes:apps\/v1:Deployment\s+llama-chat-deployment/);
            assert.match(out, /gateway\.networking\.k8s\.io\/v1:HTTPRoute\s+llama-chat-route/);
        } finally {
            fs.rmSync(work, { recursive: true, force: true });
        }
    });
});
