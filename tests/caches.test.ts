// Template caches under the mock runtime: PVCs, download Jobs, sharing, storage classes, pre-warming.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import {
    AIMClusterConfig,
    AIMClusterConfigArgs,
    AIMClusterImage,
    AIMClusterServiceTemplate,
    AIMService,
    AIMServiceTemplate,
    AIMTemplateCache,
    AIMTemplateCacheArgs,
    cacheStorageClasses,
} from "../index";
import { LLAMA_IMAGE, LLAMA_SOURCE } from "./fixtures";
import {
    children,
    DAEMONSET,
    DEPLOYMENT,
    isSecretWrapper,
    JOB,
    maskSecrets,
    named,
    ofType,
    Opts,
    PVC,
    scenario,
    scenarioThrows,
    SECRET,
    single,
    TEMPLATE_CACHE,
    unwrapSecrets,
    valueOf,
} from "./harness";
import { validateManifest } from "./k8sSchemas";
import { clusterKeyOf } from "../components/internal";
import { shortHash } from "../resolve/names";

/**
 * A shared object's Pulumi name without its cluster tag (`aim@<8 hex>:` → `aim:`): every scenario runs on a cluster
 * of its own, and the tag is checked once, in the first test.
 */
const withoutTag = (name: string) => name.replace(/(^|::)aim@[0-9a-f]{8}:/, "$1aim:");

function llamaCluster(opts: Opts, config: AIMClusterConfigArgs = {}) {
    new AIMClusterConfig("default", config, opts);
    new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
    new AIMClusterServiceTemplate("llama-tmpl", { aimImageName: "llama", modelSources: [LLAMA_SOURCE] }, opts);
}

/** A second template of the same model: its cache shares the PVC of llama-tmpl's. */
function latencyTemplate(opts: Opts) {
    new AIMClusterServiceTemplate("llama-latency", { aimImageName: "llama", metric: "latency", modelSources: [LLAMA_SOURCE] }, opts);
}

function llamaCache(opts: Opts, args: Partial<AIMTemplateCacheArgs> = {}, name = "llama-cache") {
    return new AIMTemplateCache(name, { namespace: "ml-team", templateRef: "llama-tmpl", ...args }, opts);
}

describe("AIMTemplateCache", () => {
    it("6. renders a ReadWriteMany PVC with 10 % headroom in whole Gi, and its download Job", async () => {
        const { result, resources } = await scenario((opts) => {
            llamaCluster(opts, { imagePullSecrets: [{ name: "regcred" }] });
            return { cache: llamaCache(opts, { env: [{ name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: "hf", key: "token" } } }] }), opts };
        });
        const pvc = single(resources, PVC);
        // Shared by every cache of the source, so named after what it is, on the scenario's cluster, without a parent.
        const tag = shortHash(clusterKeyOf(result.opts.provider));
        assert.strictEqual(pvc.name, `aim@${tag}:ml-team/amd-llama-3-1-8b-instruct-fp8-kv-cache`);
        assert.strictEqual(pvc.parent, "");
        assert.deepStrictEqual(pvc.inputs.metadata.name, "amd-llama-3-1-8b-instruct-fp8-kv-cache");
        assert.deepStrictEqual(pvc.inputs.metadata.namespace, "ml-team");
        assert.deepStrictEqual(pvc.inputs.metadata.labels, {
            "app.kubernetes.io/name": "aim-model-cache",
            "app.kubernetes.io/component": "model-storage",
            "app.kubernetes.io/managed-by": "pulumi-aim",
            "aim.silogen.ai/modelcache": "amd-llama-3-1-8b-instruct-fp8-kv",
            "aim.silogen.ai/cache-type": "template-cache",
            "aim.silogen.ai/source-model": "amd_Llama-3.1-8B-Instruct-FP8-KV",
        });
        // 9,094,593,249 bytes × 1.1 = 9.32 GiB → 10Gi; no storage class anywhere → the cluster default.
        assert.deepStrictEqual(pvc.inputs.spec, { accessModes: ["ReadWriteMany"], resources: { requests: { storage: "10Gi" } } });

        const job = named(resources, `aim@${tag}:ml-team/amd-llama-3-1-8b-instruct-fp8-kv-cache-download`);
        assert.strictEqual(job.parent, "");
        assert.strictEqual(job.inputs.metadata.name, "amd-llama-3-1-8b-instruct-fp8-kv-cache-download");
        assert.ok(job.dependencies.includes(pvc.urn));
        const pod = job.inputs.spec.template.spec;
        assert.deepStrictEqual(pod.imagePullSecrets, [{ name: "regcred" }]);
        assert.deepStrictEqual(pod.volumes[0], { name: "cache", persistentVolumeClaim: { claimName: "amd-llama-3-1-8b-instruct-fp8-kv-cache" } });
        const [download] = pod.containers;
        assert.strictEqual(download.image, "kserve/storage-initializer:v0.16.0");
        assert.deepStrictEqual(download.args, ["hf://amd/Llama-3.1-8B-Instruct-FP8-KV", "/cache"]);
        assert.deepStrictEqual(download.volumeMounts[0], { name: "cache", mountPath: "/cache" });
        assert.deepStrictEqual(download.env.map((e: { name: string }) => e.name), [
            "HF_XET_CHUNK_CACHE_SIZE_BYTES",
            "HF_XET_SHARD_CACHE_SIZE_BYTES",
            "HF_XET_HIGH_PERFORMANCE",
            "HF_HOME",
            "UMASK",
            "HF_TOKEN",
        ]);
        assert.deepStrictEqual(await valueOf(result.cache.persistentVolumeClaims), ["amd-llama-3-1-8b-instruct-fp8-kv-cache"]);
        for (const child of children(resources)) await validateManifest(child.inputs);
    });

    it("6. storage class: the cache's own, else the config's, else omitted", async () => {
        const storageClassOf = async (config: AIMClusterConfigArgs, own?: string) => {
            const { resources } = await scenario((opts) => {
                llamaCluster(opts, config);
                llamaCache(opts, own ? { storageClassName: own } : {});
            });
            return single(resources, PVC).inputs.spec.storageClassName;
        };
        assert.strictEqual(await storageClassOf({ caching: { storageClassName: "ceph" } }, "nfs"), "nfs");
        assert.strictEqual(await storageClassOf({ caching: { storageClassName: "ceph" } }), "ceph");
        assert.strictEqual(await storageClassOf({ cacheStorageClassName: "legacy" }), "legacy");
        assert.strictEqual(await storageClassOf({}), undefined);
    });

    it("6. shares one PVC between caches of the same source in a namespace", async () => {
        const { result, resources } = await scenario((opts) => {
            llamaCluster(opts);
            new AIMClusterServiceTemplate("llama-tput", { aimImageName: "llama", metric: "throughput", modelSources: [LLAMA_SOURCE] }, opts);
            return [
                llamaCache(opts, {}, "first"),
                llamaCache(opts, { templateRef: "llama-tput" }, "second"),
                llamaCache(opts, { namespace: "research" }, "elsewhere"),
            ];
        });
        const pvcs = ofType(resources, PVC);
        assert.deepStrictEqual(pvcs.map((p) => withoutTag(p.name)).sort(), [
            "aim:ml-team/amd-llama-3-1-8b-instruct-fp8-kv-cache",
            "aim:research/amd-llama-3-1-8b-instruct-fp8-kv-cache",
        ]);
        assert.deepStrictEqual(ofType(resources, JOB).map((j) => withoutTag(j.name)).sort(), [
            "aim:ml-team/amd-llama-3-1-8b-instruct-fp8-kv-cache-download",
            "aim:research/amd-llama-3-1-8b-instruct-fp8-kv-cache-download",
        ]);
        assert.deepStrictEqual(await valueOf(result[1].persistentVolumeClaims), ["amd-llama-3-1-8b-instruct-fp8-kv-cache"]);
    });

    it("refuses to share a source under another model name, which would name its PVC and mount path otherwise", async () => {
        const { error, resources } = await scenarioThrows((opts) => {
            llamaCluster(opts);
            new AIMClusterServiceTemplate("renamed", {
                aimImageName: "llama",
                modelSources: [{ ...LLAMA_SOURCE, name: "llama-fp8" }],
            }, opts);
            llamaCache(opts, {}, "first");
            llamaCache(opts, { templateRef: "renamed" }, "second");
        });
        assert.strictEqual(
            error.message,
            'AIMTemplateCache "second": templateRef: model source hf://amd/Llama-3.1-8B-Instruct-FP8-KV model name "llama-fp8" ' +
                'differs from AIMTemplateCache "first"\'s "amd/Llama-3.1-8B-Instruct-FP8-KV" for the shared cache PVC ' +
                '"ml-team/amd-llama-3-1-8b-instruct-fp8-kv-cache"',
        );
        assert.deepStrictEqual(resources.filter((r) => r.name === "second"), []);
    });

    it("rejects model sources whose names would share a cache, before creating anything", async () => {
        const { error, resources } = await scenarioThrows((opts) => {
            llamaCluster(opts);
            new AIMClusterServiceTemplate("two", {
                aimImageName: "llama",
                modelSources: [LLAMA_SOURCE, { ...LLAMA_SOURCE, sourceUri: "s3://bucket/llama" }],
            }, opts);
            llamaCache(opts, { templateRef: "two" });
        });
        assert.strictEqual(
            error.message,
            'AIMTemplateCache "llama-cache": templateRef: model "amd/Llama-3.1-8B-Instruct-FP8-KV" (s3://bucket/llama) ' +
                'would be cached as "amd-llama-3-1-8b-instruct-fp8-kv" in namespace "ml-team", which already holds ' +
                "hf://amd/Llama-3.1-8B-Instruct-FP8-KV; give the model sources distinct names",
        );
        assert.deepStrictEqual(resources.filter((r) => r.parent.includes("AIMTemplateCache")), []);

        const duplicate = await scenarioThrows((opts) => {
            llamaCluster(opts);
            new AIMClusterServiceTemplate("dup", { aimImageName: "llama", modelSources: [LLAMA_SOURCE, LLAMA_SOURCE] }, opts);
        });
        assert.strictEqual(
            duplicate.error.message,
            'AIMClusterServiceTemplate "dup": modelSources[1].sourceUri: duplicate source "hf://amd/Llama-3.1-8B-Instruct-FP8-KV"',
        );
    });

    it("refuses to share a source across storage classes, and to cache a template without model sources", async () => {
        const conflict = await scenarioThrows((opts) => {
            llamaCluster(opts);
            llamaCache(opts, { storageClassName: "ceph" }, "first");
            latencyTemplate(opts);
            llamaCache(opts, { storageClassName: "nfs", templateRef: "llama-latency" }, "second");
        });
        assert.strictEqual(
            conflict.error.message,
            'AIMTemplateCache "second": storageClassName: model source hf://amd/Llama-3.1-8B-Instruct-FP8-KV storage class ' +
                '"nfs" differs from AIMTemplateCache "first"\'s "ceph" for the shared cache PVC "ml-team/amd-llama-3-1-8b-instruct-fp8-kv-cache"',
        );

        const noSources = await scenarioThrows((opts) => {
            llamaCluster(opts);
            new AIMClusterServiceTemplate("bare", { aimImageName: "llama" }, opts);
            llamaCache(opts, { templateRef: "bare" });
        });
        assert.match(
            noSources.error.message,
            /^AIMTemplateCache "llama-cache": templateRef: template "bare" has no modelSources, so it cannot be cached: cache sizes must be known at preview time/,
        );
        assert.deepStrictEqual(noSources.resources.filter((r) => r.parent.includes("AIMTemplateCache")), []);

        const missing = await scenarioThrows((opts) => {
            llamaCluster(opts);
            llamaCache(opts, { templateRef: "nope" });
        });
        assert.match(missing.error.message, /^AIMTemplateCache "llama-cache": templateRef: Template "nope" not found/);
    });

    it("offers retainOnDelete and protect on the PVCs", async () => {
        const { resources } = await scenario((opts) => {
            llamaCluster(opts);
            llamaCache(opts, { retainOnDelete: true, protect: true });
        });
        const pvc = single(resources, PVC);
        assert.deepStrictEqual([pvc.retainOnDelete, pvc.protect], [true, true]);
        const plain = await scenario((opts) => {
            llamaCluster(opts);
            llamaCache(opts);
        });
        assert.deepStrictEqual([single(plain.resources, PVC).retainOnDelete, single(plain.resources, PVC).protect], [false, false]);
    });

    it("7. caching.enabled on a namespace template pre-warms its cache with the resolved config's storage class", async () => {
        const { resources } = await scenario((opts) => {
            llamaCluster(opts, { caching: { storageClassName: "ceph" } });
            new AIMServiceTemplate("chat", {
                namespace: "ml-team",
                aimImageName: "llama",
                modelSources: [LLAMA_SOURCE],
                caching: { enabled: true, env: [{ name: "HF_ENDPOINT", value: "https://mirror.example" }] },
            }, opts);
        });
        const cache = single(resources, TEMPLATE_CACHE);
        assert.deepStrictEqual([cache.name, cache.inputs.name, cache.inputs.templateRef], ["chat-cache", "chat", "chat"]);
        const pvc = single(resources, PVC);
        assert.strictEqual(pvc.inputs.spec.storageClassName, "ceph");
        assert.strictEqual(pvc.inputs.metadata.namespace, "ml-team");
        const download = single(resources, JOB);
        assert.strictEqual(withoutTag(download.name), "aim:ml-team/amd-llama-3-1-8b-instruct-fp8-kv-cache-download");
        assert.deepStrictEqual(download.inputs.spec.template.spec.containers[0].env.at(-1), { name: "HF_ENDPOINT", value: "https://mirror.example" });

        const { error } = await scenarioThrows((opts) => {
            llamaCluster(opts);
            new AIMServiceTemplate("chat", { namespace: "ml-team", aimImageName: "llama", caching: { enabled: true } }, opts);
        });
        assert.match(error.message, /^AIMServiceTemplate "chat": caching\.enabled: template "chat" has no modelSources/);

        // A pre-warming cache that cannot be made fails the template before its discovery Job exists.
        const conflict = await scenarioThrows((opts) => {
            llamaCluster(opts);
            llamaCache(opts, { storageClassName: "nfs" }, "c1");
            new AIMServiceTemplate("chat", { namespace: "ml-team", aimImageName: "llama", modelSources: [LLAMA_SOURCE], caching: { enabled: true } }, opts);
        });
        assert.strictEqual(
            conflict.error.message,
            'AIMServiceTemplate "chat": caching.enabled: model source hf://amd/Llama-3.1-8B-Instruct-FP8-KV storage class the ' +
                'cluster default differs from AIMTemplateCache "c1"\'s "nfs" for the shared cache PVC "ml-team/amd-llama-3-1-8b-instruct-fp8-kv-cache"',
        );
        assert.deepStrictEqual(conflict.resources.filter((r) => r.parent.endsWith("AIMServiceTemplate::chat")), []);
    });

    it("cacheModel mounts the template's caches into the service, reusing a declared cache", async () => {
        const { resources } = await scenario((opts) => {
            llamaCluster(opts);
            llamaCache(opts);
            new AIMService("llama-chat", { namespace: "ml-team", aimImageName: "llama", templateRef: "llama-tmpl", cacheModel: true }, opts);
        });
        assert.strictEqual(ofType(resources, TEMPLATE_CACHE).length, 1);
        const deployment = single(resources, DEPLOYMENT);
        const container = deployment.inputs.spec.template.spec.containers[0];
        assert.deepStrictEqual(container.env[0], { name: "AIM_CACHE_PATH", value: "/workspace/model-cache" });
        assert.deepStrictEqual(container.volumeMounts[1], {
            name: "amd-llama-3-1-8b-instruct-fp8-kv-cache",
            mountPath: "/workspace/model-cache/amd/Llama-3.1-8B-Instruct-FP8-KV",
        });
        assert.deepStrictEqual(deployment.inputs.spec.template.spec.volumes[1], {
            name: "amd-llama-3-1-8b-instruct-fp8-kv-cache",
            persistentVolumeClaim: { claimName: "amd-llama-3-1-8b-instruct-fp8-kv-cache" },
        });
        // The rollout waits for the download.
        const download = single(resources, JOB);
        assert.ok(deployment.dependencies.includes(download.urn));
    });

    it("cacheModel without a declared cache creates one named after the template, with the service's config", async () => {
        const { resources } = await scenario((opts) => {
            llamaCluster(opts);
            new AIMClusterConfig("production", { caching: { storageClassName: "fast" } }, opts);
            new AIMService("llama-chat", {
                namespace: "ml-team",
                aimImageName: "llama",
                templateRef: "llama-tmpl",
                cacheModel: true,
                configName: "production",
            }, opts);
        });
        const cache = single(resources, TEMPLATE_CACHE);
        // Named after and parented to the template, so it keeps its URN whichever service asks for it first.
        assert.deepStrictEqual([cache.name, cache.inputs.name, cache.inputs.configName], ["llama-tmpl-cache:ml-team", "llama-tmpl", "production"]);
        assert.strictEqual(cache.parent, "urn:pulumi:test::aim::aim:index:AIMClusterServiceTemplate::llama-tmpl");
        assert.strictEqual(single(resources, PVC).inputs.spec.storageClassName, "fast");
    });

    it("a cache's PVC, download Job and token Secret, at the root, wait for what the component making them waits for", async () => {
        // A child waits for its parent, so for the parent's dependsOn; the shared objects have no parent.
        const { resources } = await scenario((opts) => {
            llamaCluster(opts);
            const mlTeam = new k8s.core.v1.Namespace("ml-team", { metadata: { name: "ml-team" } }, opts);
            const other = new k8s.core.v1.Namespace("other-team", { metadata: { name: "other-team" } }, opts);
            new AIMService("llama-chat", { namespace: "ml-team", aimImageName: "llama", templateRef: "llama-tmpl", cacheModel: true }, { ...opts, dependsOn: [mlTeam] });
            // dependsOn as an Output of a list, which the SDK gathers as well.
            new AIMTemplateCache("other", { namespace: "other-team", templateRef: "llama-tmpl", hfToken: "hf_x" }, { ...opts, dependsOn: pulumi.output([other]) });
        });
        const urnOf = (name: string) => named(resources, name).urn;
        const inNamespace = (namespace: string) => resources.filter((r) => [PVC, JOB, SECRET].includes(r.type) && r.inputs.metadata.namespace === namespace);
        for (const [namespace, ns] of [["ml-team", urnOf("ml-team")], ["other-team", urnOf("other-team")]]) {
            const objects = inNamespace(namespace);
            assert.deepStrictEqual(objects.map((r) => r.type).sort(), namespace === "ml-team" ? [JOB, PVC] : [JOB, PVC, SECRET]);
            for (const object of objects) assert.ok(object.dependencies.includes(ns), `${object.name} waits for Namespace ${namespace}`);
        }
    });

    it("11. a new storage class on the config changes exactly the caches using it: their PVCs, and the downloads that refill them", async () => {
        const render = async (storageClassName: string) => {
            const { resources } = await scenario((opts) => {
                llamaCluster(opts, { caching: { storageClassName } });
                new AIMClusterConfig("pinned", { caching: { storageClassName: "pinned-sc" } }, opts);
                new AIMClusterServiceTemplate("qwen-tmpl", {
                    aimImageName: "llama",
                    modelSources: [{ name: "Qwen/Qwen3-32B", sourceUri: "hf://Qwen/Qwen3-32B", size: "64Gi" }],
                }, opts);
                llamaCache(opts, {}, "uses-default");
                llamaCache(opts, { namespace: "research", configName: "pinned" }, "uses-pinned");
                llamaCache(opts, { namespace: "ops", storageClassName: "own" }, "uses-own");
                llamaCache(opts, { templateRef: "qwen-tmpl" }, "qwen");
            });
            return Object.fromEntries(children(resources).map((r) => [withoutTag(r.name), JSON.stringify(r.inputs)]));
        };
        const before = await render("ceph");
        const after = await render("ceph-ssd");
        const changed = Object.keys(before).filter((name) => before[name] !== after[name]);
        // The PVC is replaced (storageClassName is immutable) and comes back empty, so its download Job must run
        // again: its pod template records the storage class, which makes Pulumi replace the Job with the PVC.
        assert.deepStrictEqual(changed.sort(), [
            "aim:ml-team/amd-llama-3-1-8b-instruct-fp8-kv-cache",
            "aim:ml-team/amd-llama-3-1-8b-instruct-fp8-kv-cache-download",
            "aim:ml-team/qwen-qwen3-32b-cache",
            "aim:ml-team/qwen-qwen3-32b-cache-download",
        ]);
        const pvcChange = JSON.parse(after["aim:ml-team/qwen-qwen3-32b-cache"]).spec;
        assert.deepStrictEqual([JSON.parse(before["aim:ml-team/qwen-qwen3-32b-cache"]).spec.storageClassName, pvcChange.storageClassName], ["ceph", "ceph-ssd"]);
    });

    it("pre-pulls AIM base images with the config's pull secrets when cacheAimImageBase is set", async () => {
        const { resources } = await scenario((opts) => {
            new AIMClusterConfig("default", { imagePullSecrets: [{ name: "regcred" }], caching: { cacheAimImageBase: true } }, opts);
            new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
            new AIMClusterImage("qwen", { image: "ghcr.io/silogen/aim:0.4.0-qwen-qwen3-32b-v20251006" }, opts);
            new AIMClusterImage("custom", { image: "registry.local/my-model:1.0" }, opts);
        });
        const daemonSet = single(resources, DAEMONSET);
        // Shared by the images, so named after what it is, without a parent: it keeps its URN whichever image comes first.
        assert.strictEqual(daemonSet.parent, "");
        assert.match(daemonSet.inputs.metadata.name, /^aim-base-cacher-[0-9a-f]{8}$/);
        assert.strictEqual(withoutTag(daemonSet.name), `aim:aim-system/${daemonSet.inputs.metadata.name}`);
        assert.strictEqual(daemonSet.inputs.metadata.namespace, "aim-system");
        const pod = daemonSet.inputs.spec.template.spec;
        assert.deepStrictEqual(pod.imagePullSecrets, [{ name: "regcred" }]);
        assert.deepStrictEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } });
        assert.deepStrictEqual(pod.containers, [
            {
                name: "cache-0",
                image: "ghcr.io/silogen/aim-base:0.4.0",
                command: ["/bin/sh", "-c", "sleep infinity"],
                resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            },
        ]);
        await validateManifest(daemonSet.inputs);

        const off = await scenario((opts) => {
            new AIMClusterConfig("default", {}, opts);
            new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
        });
        assert.deepStrictEqual(ofType(off.resources, DAEMONSET), []);
    });

    it("warns in preview when a cache's storage class differs from the previous deployment's record", async () => {
        const KEY = "ml-team/amd-llama-3-1-8b-instruct-fp8-kv-cache";
        const run = (storageClassName: string | undefined, previous?: Record<string, string>) =>
            scenario(
                (opts) => {
                    llamaCluster(opts, storageClassName ? { caching: { storageClassName } } : {});
                    llamaCache(opts);
                    return cacheStorageClasses({ provider: opts.provider });
                },
                { preview: true, stackOutputs: previous ? { aimCacheStorageClasses: previous } : {} },
            );

        const changed = await run("nfs", { [KEY]: "ceph" });
        assert.deepStrictEqual(await valueOf(changed.result), { [KEY]: "nfs" });
        assert.deepStrictEqual(changed.warnings, [
            `PVC ${KEY} of AIMTemplateCache "llama-cache" changes storage class from "ceph" to "nfs": Pulumi will ` +
                "replace the PVC, deleting its cached models (protect the cache to stop the replacement; with " +
                "retainOnDelete the old PVC stays and blocks the new one of the same name)",
        ]);

        const toDefault = await run(undefined, { [KEY]: "ceph" });
        assert.deepStrictEqual(await valueOf(toDefault.result), { [KEY]: "" });
        assert.match(toDefault.warnings[0], /from "ceph" to the cluster default/);

        for (const [current, previous] of [["ceph", { [KEY]: "ceph" }], ["ceph", undefined], ["ceph", { "other/pvc": "x" }]] as const) {
            const unchanged = await run(current, previous);
            await valueOf(unchanged.result);
            assert.deepStrictEqual(unchanged.warnings, []);
        }
    });

    it("passes its own hfToken to the downloads through a Secret beside each PVC, secret everywhere", async () => {
        const token = "hf_cache_token";
        const { resources } = await scenario((opts) => {
            llamaCluster(opts);
            llamaCache(opts, { hfToken: token });
        });
        // The model cache's Secret, shared like its PVC and Job: a later cache of the source brings the same token.
        const secret = single(resources, SECRET);
        assert.strictEqual(secret.inputs.metadata.name, "amd-llama-3-1-8b-instruct-fp8-kv-cache-hf-token");
        assert.strictEqual(withoutTag(secret.name), "aim:ml-team/amd-llama-3-1-8b-instruct-fp8-kv-cache-hf-token");
        assert.strictEqual(secret.parent, "");
        assert.ok(isSecretWrapper(secret.inputs.stringData));
        assert.ok(isSecretWrapper(single(resources, TEMPLATE_CACHE).inputs.hfToken));
        const download = single(resources, JOB);
        assert.deepStrictEqual(download.inputs.spec.template.spec.containers[0].env.at(-1), {
            name: "HF_TOKEN",
            valueFrom: { secretKeyRef: { name: "amd-llama-3-1-8b-instruct-fp8-kv-cache-hf-token", key: "token" } },
        });
        assert.ok(download.dependencies.includes(secret.urn));
        assert.ok(!JSON.stringify(resources.map((r) => maskSecrets(r.inputs))).includes(token));
        for (const r of children(resources)) await validateManifest(unwrapSecrets(r.inputs));
    });
});

describe("caches shared by source agree on everything that reaches the PVC and its download (issue 20, item 2)", () => {
    const GATED = { name: "meta-llama/Llama-3.1-70B-Instruct", sourceUri: "hf://meta-llama/Llama-3.1-70B-Instruct", size: "140Gi" };

    type Order = ("a" | "b")[];
    type Args = Partial<AIMTemplateCacheArgs>;
    /** Two templates of one gated model, as two teams wrote them; `a` and `b` cache one each, in `order`. */
    function declare(opts: Opts, order: Order, a: Args, b: Args, sizeOfA: string) {
        new AIMClusterConfig("default", {}, opts);
        new AIMClusterImage("llama-70b", { image: LLAMA_IMAGE }, opts);
        new AIMClusterServiceTemplate("latency", { aimImageName: "llama-70b", metric: "latency", modelSources: [{ ...GATED, size: sizeOfA }] }, opts);
        new AIMClusterServiceTemplate("throughput", { aimImageName: "llama-70b", metric: "throughput", modelSources: [GATED] }, opts);
        const caches = {
            a: () => new AIMTemplateCache("a", { namespace: "ml-team", templateRef: "latency", ...a }, opts),
            b: () => new AIMTemplateCache("b", { namespace: "ml-team", templateRef: "throughput", ...b }, opts),
        };
        for (const name of order) caches[name]();
    }
    const twoCaches = (order: Order, a: Args, b: Args, sizeOfA = "11Gi") => scenarioThrows((opts) => declare(opts, order, a, b, sizeOfA));
    const PVC_NAME = '"ml-team/meta-llama-llama-3-1-70b-instruct-cache"';

    it("fails the later of two caches whose model sizes differ, whichever comes first, instead of an 11Gi PVC for 140Gi", async () => {
        const ab = await twoCaches(["a", "b"], {}, {});
        assert.strictEqual(
            ab.error.message,
            'AIMTemplateCache "b": templateRef: model source hf://meta-llama/Llama-3.1-70B-Instruct size 140Gi differs from ' +
                `AIMTemplateCache "a"'s 11Gi for the shared cache PVC ${PVC_NAME}`,
        );
        assert.deepStrictEqual(ab.resources.filter((r) => r.name === "b"), []);
        const ba = await twoCaches(["b", "a"], {}, {});
        assert.strictEqual(
            ba.error.message,
            'AIMTemplateCache "a": templateRef: model source hf://meta-llama/Llama-3.1-70B-Instruct size 11Gi differs from ' +
                `AIMTemplateCache "b"'s 140Gi for the shared cache PVC ${PVC_NAME}`,
        );
    });

    it("fails the later of two caches of a gated model when one has no token, whichever comes first, instead of a 401 at apply", async () => {
        const token = pulumi.secret("hf_gated");
        const ab = await twoCaches(["a", "b"], { hfToken: token }, {}, "140Gi");
        assert.strictEqual(
            ab.error.message,
            'AIMTemplateCache "b": hfToken: model source hf://meta-llama/Llama-3.1-70B-Instruct hfToken unset differs from ' +
                `AIMTemplateCache "a"'s set for the shared cache PVC ${PVC_NAME}`,
        );
        const ba = await twoCaches(["b", "a"], { hfToken: token }, {}, "140Gi");
        assert.strictEqual(
            ba.error.message,
            'AIMTemplateCache "a": hfToken: model source hf://meta-llama/Llama-3.1-70B-Instruct hfToken set differs from ' +
                `AIMTemplateCache "b"'s unset for the shared cache PVC ${PVC_NAME}`,
        );
        // Two Outputs cannot be compared before the update, even when they will hold the same token.
        const twoOutputs = await twoCaches(["a", "b"], { hfToken: pulumi.secret("hf_gated") }, { hfToken: pulumi.secret("hf_gated") }, "140Gi");
        assert.strictEqual(
            twoOutputs.error.message,
            'AIMTemplateCache "b": hfToken: model source hf://meta-llama/Llama-3.1-70B-Instruct hfToken differs from ' +
                `AIMTemplateCache "a"'s for the shared cache PVC ${PVC_NAME} (an Output equals only itself before the update: ` +
                "pass the same Input to every cache of the source)",
        );
    });

    it("fails on each download setting, naming the field", async () => {
        const fieldOf = async (a: Partial<AIMTemplateCacheArgs>, b: Partial<AIMTemplateCacheArgs>) =>
            /^AIMTemplateCache "b": (\S+): model source \S+ (.*) for the shared/.exec((await twoCaches(["a", "b"], a, b, "140Gi")).error.message)!.slice(1);
        const env = (value: string) => [{ name: "HF_ENDPOINT", value }];
        assert.deepStrictEqual(await fieldOf({ storageClassName: "ceph" }, {}), ["storageClassName", `storage class the cluster default differs from AIMTemplateCache "a"'s "ceph"`]);
        assert.deepStrictEqual(await fieldOf({}, { protect: true }), ["protect", `protect true differs from AIMTemplateCache "a"'s false`]);
        assert.deepStrictEqual(await fieldOf({ retainOnDelete: true }, {}), ["retainOnDelete", `retainOnDelete false differs from AIMTemplateCache "a"'s true`]);
        assert.deepStrictEqual(await fieldOf({}, { downloadImage: "mirror/si:1" }), [
            "downloadImage",
            `download image "mirror/si:1" differs from AIMTemplateCache "a"'s "kserve/storage-initializer:v0.16.0"`,
        ]);
        assert.deepStrictEqual(await fieldOf({}, { downloadTimeoutSeconds: 7200 }), ["downloadTimeoutSeconds", `download timeout 7200s differs from AIMTemplateCache "a"'s 3600s`]);
        assert.deepStrictEqual(await fieldOf({ imagePullSecrets: [{ name: "hf-mirror" }] }, {}), [
            "imagePullSecrets",
            `download pull secrets (none) differs from AIMTemplateCache "a"'s (hf-mirror)`,
        ]);
        assert.deepStrictEqual(await fieldOf({}, { env: env("https://mirror") }), ["env", `download env (HF_ENDPOINT) differs from AIMTemplateCache "a"'s (none)`]);
        // Values are never shown: an env value may be a credential.
        assert.deepStrictEqual(await fieldOf({ env: env("https://a") }, { env: env("https://b") }), ["env", `the value of download env HF_ENDPOINT differs from AIMTemplateCache "a"'s`]);
        assert.deepStrictEqual(await fieldOf({ hfToken: "hf_a" }, { hfToken: "hf_b" }), ["hfToken", `hfToken differs from AIMTemplateCache "a"'s`]);
    });

    it("shares one PVC, download Job and token Secret between agreeing caches, identical whichever comes first", async () => {
        const token = pulumi.secret("hf_gated");
        const endpoint = pulumi.output("https://mirror.example");
        // One Output passed to both caches is one value: they agree.
        const settings = { hfToken: token, protect: true, env: [{ name: "HF_ENDPOINT", value: endpoint }] };
        const shared = async (order: Order) => {
            const { resources } = await scenario((opts) => declare(opts, order, settings, settings, "140Gi"));
            return children(resources).map((r) => [withoutTag(r.name), r.parent, r.protect, JSON.stringify(r.inputs), r.dependencies.map(withoutTag)]);
        };
        const ab = await shared(["a", "b"]);
        assert.deepStrictEqual(ab.map(([name]) => name), [
            "aim:ml-team/meta-llama-llama-3-1-70b-instruct-cache",
            "aim:ml-team/meta-llama-llama-3-1-70b-instruct-cache-hf-token",
            "aim:ml-team/meta-llama-llama-3-1-70b-instruct-cache-download",
        ]);
        assert.deepStrictEqual(await shared(["b", "a"]), ab);
    });
});
