// Template caches under the mock runtime: PVCs, download Jobs, sharing, storage classes, pre-warming.

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
    valueOf,
} from "./harness";
import { validateManifest } from "./k8sSchemas";


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
            return llamaCache(opts, { env: [{ name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: "hf", key: "token" } } }] });
        });
        const pvc = single(resources, PVC);
        assert.strictEqual(pvc.name, "llama-cache-amd-llama-3-1-8b-instruct-fp8-kv-pvc");
        assert.deepStrictEqual(pvc.inputs.metadata.name, "amd-llama-3-1-8b-instruct-fp8-kv-cache");
        assert.deepStrictEqual(pvc.inputs.metadata.namespace, "ml-team");
        // 9,094,593,249 bytes × 1.1 = 9.32 GiB → 10Gi; no storage class anywhere → the cluster default.
        assert.deepStrictEqual(pvc.inputs.spec, { accessModes: ["ReadWriteMany"], resources: { requests: { storage: "10Gi" } } });

        const job = named(resources, "llama-cache-amd-llama-3-1-8b-instruct-fp8-kv-download");
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
        assert.deepStrictEqual(await valueOf(result.persistentVolumeClaims), ["amd-llama-3-1-8b-instruct-fp8-kv-cache"]);
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
        assert.deepStrictEqual(pvcs.map((p) => [p.name, p.inputs.metadata.namespace]).sort(), [
            ["elsewhere-amd-llama-3-1-8b-instruct-fp8-kv-pvc", "research"],
            ["first-amd-llama-3-1-8b-instruct-fp8-kv-pvc", "ml-team"],
        ]);
        assert.strictEqual(resources.filter((r) => r.parent.endsWith("AIMTemplateCache::second")).length, 0);
        assert.deepStrictEqual(await valueOf(result[1].persistentVolumeClaims), ["amd-llama-3-1-8b-instruct-fp8-kv-cache"]);
    });

    it("shares by sourceUri even when templates name the model differently", async () => {
        const { resources } = await scenario((opts) => {
            llamaCluster(opts);
            new AIMClusterServiceTemplate("renamed", {
                aimImageName: "llama",
                modelSources: [{ ...LLAMA_SOURCE, name: "llama-fp8" }],
            }, opts);
            llamaCache(opts, {}, "first");
            llamaCache(opts, { templateRef: "renamed" }, "second");
        });
        assert.deepStrictEqual(ofType(resources, PVC).map((p) => p.inputs.metadata.name), ["amd-llama-3-1-8b-instruct-fp8-kv-cache"]);
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
            'AIMTemplateCache "second": storageClassName: hf://amd/Llama-3.1-8B-Instruct-FP8-KV is already cached in namespace ' +
                '"ml-team" by AIMTemplateCache "first" on storage class "ceph", not "nfs"',
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
        const download = named(resources, "chat-cache-amd-llama-3-1-8b-instruct-fp8-kv-download");
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
            'AIMServiceTemplate "chat": caching.enabled: hf://amd/Llama-3.1-8B-Instruct-FP8-KV is already cached in ' +
                'namespace "ml-team" by AIMTemplateCache "c1" on storage class "nfs", not the cluster default',
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
        const download = named(resources, "llama-cache-amd-llama-3-1-8b-instruct-fp8-kv-download");
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
        assert.deepStrictEqual([cache.name, cache.inputs.name, cache.inputs.configName], ["llama-tmpl-ml-team-cache", "llama-tmpl", "production"]);
        assert.strictEqual(cache.parent, "urn:pulumi:test::aim::aim:index:AIMClusterServiceTemplate::llama-tmpl");
        assert.strictEqual(single(resources, PVC).inputs.spec.storageClassName, "fast");
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
            return Object.fromEntries(children(resources).map((r) => [r.name, JSON.stringify(r.inputs)]));
        };
        const before = await render("ceph");
        const after = await render("ceph-ssd");
        const changed = Object.keys(before).filter((name) => before[name] !== after[name]);
        // The PVC is replaced (storageClassName is immutable) and comes back empty, so its download Job must run
        // again: its pod template records the storage class, which makes Pulumi replace the Job with the PVC.
        assert.deepStrictEqual(changed.sort(), [
            "qwen-qwen-qwen3-32b-download",
            "qwen-qwen-qwen3-32b-pvc",
            "uses-default-amd-llama-3-1-8b-instruct-fp8-kv-download",
            "uses-default-amd-llama-3-1-8b-instruct-fp8-kv-pvc",
        ]);
        const pvcChange = JSON.parse(after["qwen-qwen-qwen3-32b-pvc"]).spec;
        assert.deepStrictEqual([JSON.parse(before["qwen-qwen-qwen3-32b-pvc"]).spec.storageClassName, pvcChange.storageClassName], ["ceph", "ceph-ssd"]);
    });

    it("pre-pulls AIM base images with the config's pull secrets when cacheAimImageBase is set", async () => {
        const { resources } = await scenario((opts) => {
            new AIMClusterConfig("default", { imagePullSecrets: [{ name: "regcred" }], caching: { cacheAimImageBase: true } }, opts);
            new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
            new AIMClusterImage("qwen", { image: "ghcr.io/silogen/aim:0.4.0-qwen-qwen3-32b-v20251006" }, opts);
            new AIMClusterImage("custom", { image: "registry.local/my-model:1.0" }, opts);
        });
        const daemonSet = single(resources, DAEMONSET);
        // A child of the config, so it keeps its URN whichever image comes first.
        assert.strictEqual(daemonSet.parent, "urn:pulumi:test::aim::aim:index:AIMClusterConfig::default");
        assert.match(daemonSet.inputs.metadata.name, /^aim-base-cacher-[0-9a-f]{8}$/);
        assert.strictEqual(daemonSet.name, `default-${daemonSet.inputs.metadata.name}`);
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

    it("passes its own hfToken to the downloads through a Secret, secret everywhere", async () => {
        const token = "hf_cache_token";
        const { resources } = await scenario((opts) => {
            llamaCluster(opts);
            llamaCache(opts, { hfToken: token });
        });
        const secret = single(resources, SECRET);
        assert.strictEqual(secret.inputs.metadata.name, "llama-cache-hf-token");
        assert.ok(isSecretWrapper(secret.inputs.stringData));
        assert.ok(isSecretWrapper(single(resources, TEMPLATE_CACHE).inputs.hfToken));
        const download = named(resources, "llama-cache-amd-llama-3-1-8b-instruct-fp8-kv-download");
        assert.deepStrictEqual(download.inputs.spec.template.spec.containers[0].env.at(-1), {
            name: "HF_TOKEN",
            valueFrom: { secretKeyRef: { name: "llama-cache-hf-token", key: "token" } },
        });
        assert.ok(download.dependencies.includes(secret.urn));
        assert.ok(!JSON.stringify(resources.map((r) => maskSecrets(r.inputs))).includes(token));
    });

    it("lets a later cache share a PVC only with no more protection than it has", async () => {
        const { error, resources } = await scenarioThrows((opts) => {
            llamaCluster(opts);
            llamaCache(opts, {}, "first");
            latencyTemplate(opts);
            llamaCache(opts, { protect: true, templateRef: "llama-latency" }, "second");
        });
        assert.strictEqual(
            error.message,
            'AIMTemplateCache "second": protect: hf://amd/Llama-3.1-8B-Instruct-FP8-KV is already cached in namespace ' +
                '"ml-team" by AIMTemplateCache "first", whose PVC has protect false and retainOnDelete false; declare the ' +
                "cache that asks for more protection first, so that it creates the PVC",
        );
        assert.deepStrictEqual(resources.filter((r) => r.parent.endsWith("AIMTemplateCache::second")), []);
        const protectedFirst = await scenario((opts) => {
            llamaCluster(opts);
            llamaCache(opts, { protect: true, retainOnDelete: true }, "first");
            latencyTemplate(opts);
            llamaCache(opts, { templateRef: "llama-latency" }, "second");
        });
        assert.deepStrictEqual([single(protectedFirst.resources, PVC).protect, single(protectedFirst.resources, PVC).retainOnDelete], [true, true]);
    });
});
