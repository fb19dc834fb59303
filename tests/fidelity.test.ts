// Issue 15: the rendered objects field by field against what the operator (kaiwo fa8a3e90, aim-engine 9223504) and
// KServe make of the same input, one describe per finding.

import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import { AIMClusterConfig, AIMClusterImage, AIMClusterServiceTemplate, AIMServiceArgs, AIMServiceTemplate, AIMTemplateCache, EnvVar } from "../index";
import { deviceIds } from "../render/gpu";
import { mergeEngineArgs } from "../resolve/engineArgs";
import { LLAMA_IMAGE, LLAMA_SOURCE } from "./fixtures";
import {
    CLUSTER_RUNTIME,
    DAEMONSET,
    DEPLOYMENT,
    isSecretWrapper,
    ISVC,
    JOB,
    named,
    ofType,
    Opts,
    PVC,
    Registered,
    RUNTIME,
    scenario,
    scenarioThrows,
    single,
    TEMPLATE_CACHE,
    valueOf,
    withStackConfig,
} from "./harness";
import { expectProgramErrors } from "./hooks";
import { podSecurityViolations } from "./podSecurity";
import { validateKubernetesObjects } from "./k8sSchemas";
import { container, llamaChat, llamaCluster, podSpec } from "./llamaCluster";

/** The llama image and one cluster template `base` with inline sources (no discovery), with `template` over it. */
function cluster(opts: Opts, template: Partial<ConstructorParameters<typeof AIMClusterServiceTemplate>[1]> = {}) {
    new AIMClusterImage("llama", { image: LLAMA_IMAGE, defaultServiceTemplate: "base" }, opts);
    new AIMClusterServiceTemplate("base", { aimImageName: "llama", modelSources: [LLAMA_SOURCE], ...template }, opts);
}

describe("fidelity with the operator (issue 15)", () => {
    describe("1. the template's pull secrets reach the inference pods of both backends", () => {
        /** A namespace template naming its own registry secret, under a config with another, and a service with a third. */
        const program = (servingBackend: "deployment" | "kserve") => (opts: Opts) => {
            new AIMClusterConfig("default", { imagePullSecrets: [{ name: "config-pull" }, { name: "template-pull" }] }, opts);
            new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
            new AIMServiceTemplate("team", {
                namespace: "ml-team",
                aimImageName: "llama",
                servingBackend,
                imagePullSecrets: [{ name: "template-pull" }],
                modelSources: [LLAMA_SOURCE],
            }, opts);
            llamaChat(opts, { templateRef: "team", imagePullSecrets: [{ name: "service-pull" }] });
        };
        const expected = [{ name: "service-pull" }, { name: "template-pull" }, { name: "config-pull" }];

        it("Deployment: the service's, then the template's, then the config's, de-duplicated", async () => {
            const { resources } = await scenario(program("deployment"));
            assert.deepStrictEqual(podSpec(single(resources, DEPLOYMENT)).imagePullSecrets, expected);
            await validateKubernetesObjects(resources);
        });

        it("KServe: the InferenceService's predictor pulls with the same list, the runtime with the template's", async () => {
            const { resources } = await scenario(program("kserve"));
            assert.deepStrictEqual(single(resources, ISVC).inputs.spec.predictor.imagePullSecrets, expected);
            assert.deepStrictEqual(single(resources, RUNTIME).inputs.spec.imagePullSecrets, [{ name: "template-pull" }, { name: "config-pull" }]);
            await validateKubernetesObjects(resources);
        });
    });

    describe("2. no serving.kserve.io/deploymentMode unless Pulumi config asks for one", () => {
        const kserveService = (opts: Opts) => {
            cluster(opts, { servingBackend: "kserve", gpuSelector: { count: 1, model: "MI300X" } });
            llamaChat(opts);
        };
        const annotations = async () => single((await scenario(kserveService)).resources, ISVC).inputs.metadata.annotations;

        it("leaves the mode to the cluster's KServe default by default", async () => {
            assert.deepStrictEqual(await annotations(), {
                "serving.kserve.io/autoscalerClass": "none",
                "pulumi.com/waitFor": "condition=Ready",
                "pulumi.com/timeoutSeconds": "3600",
            });
        });

        it("writes aim:kserveDeploymentMode: Standard (KServe >= 0.16) or RawDeployment (KServe 0.15)", async () => {
            for (const mode of ["Standard", "RawDeployment"]) {
                const written = await withStackConfig({ "aim:kserveDeploymentMode": mode }, annotations);
                assert.strictEqual(written["serving.kserve.io/deploymentMode"], mode);
            }
            const { resources } = await withStackConfig({ "aim:kserveDeploymentMode": "Standard" }, () => scenario(kserveService));
            await validateKubernetesObjects(resources);
        });

        it("refuses any other mode on the service, registering nothing of it", async () => {
            for (const mode of ["Knative", "Serverless", "ModelMesh", "standard"]) {
                const { error, resources } = await withStackConfig({ "aim:kserveDeploymentMode": mode }, () => scenarioThrows(kserveService));
                assert.strictEqual(
                    error.message,
                    `AIMService "llama-chat": aim:kserveDeploymentMode: Pulumi config must be one of Standard, RawDeployment, not "${mode}" ` +
                        "(the kserve backend serves through KServe's raw deployment mode)",
                );
                assert.ok(!resources.some((r) => r.name.startsWith("llama-chat")));
            }
        });

        it("is not read for services on the Deployment backend", async () => {
            const { resources } = await withStackConfig({ "aim:kserveDeploymentMode": "Knative" }, () =>
                scenario((opts) => {
                    cluster(opts);
                    llamaChat(opts);
                }),
            );
            single(resources, DEPLOYMENT);
        });
    });

    describe("3. a template's cache in the namespace serves every service of the template, cacheModel or not", () => {
        const CLAIM = "amd-llama-3-1-8b-instruct-fp8-kv-cache";
        const CACHE_VOLUME = { name: CLAIM, persistentVolumeClaim: { claimName: CLAIM } };
        const CACHE_MOUNT = { name: CLAIM, mountPath: "/workspace/model-cache/amd/Llama-3.1-8B-Instruct-FP8-KV" };
        const CACHE_PATH = { name: "AIM_CACHE_PATH", value: "/workspace/model-cache" };
        /** The cluster template `base`, its AIMTemplateCache in ml-team, then the service. */
        const cached = (servingBackend: "deployment" | "kserve", service: Partial<AIMServiceArgs> = {}) => (opts: Opts) => {
            new AIMClusterConfig("default", {}, opts);
            cluster(opts, { servingBackend, gpuSelector: { count: 1, model: "MI300X" } });
            new AIMTemplateCache("llama-cache", { namespace: "ml-team", templateRef: "base" }, opts);
            llamaChat(opts, service);
        };
        /** The declared cache's PVC and download Job, the only ones: the service creates no cache of its own. */
        const downloads = (resources: Registered[]) => {
            assert.deepStrictEqual(ofType(resources, TEMPLATE_CACHE).map((r) => r.name), ["llama-cache"]);
            const pvc = single(resources, PVC);
            assert.strictEqual(pvc.inputs.metadata.name, CLAIM);
            return [pvc.urn, single(resources, JOB).urn];
        };

        it("Deployment: a service without cacheModel mounts the declared cache's PVC and waits for its download", async () => {
            const { resources, warnings } = await scenario(cached("deployment"));
            const deployment = single(resources, DEPLOYMENT);
            assert.deepStrictEqual(podSpec(deployment).volumes, [{ name: "dshm", emptyDir: { medium: "Memory", sizeLimit: "8Gi" } }, CACHE_VOLUME]);
            assert.deepStrictEqual(container(deployment).volumeMounts, [{ name: "dshm", mountPath: "/dev/shm" }, CACHE_MOUNT]);
            assert.deepStrictEqual(container(deployment).env[0], CACHE_PATH);
            assert.deepStrictEqual(deployment.dependencies, downloads(resources));
            assert.deepStrictEqual(warnings, []);
            await validateKubernetesObjects(resources);
        });

        it("KServe: the InferenceService's predictor mounts it the same way and waits for the download too", async () => {
            const { resources } = await scenario(cached("kserve"));
            const isvc = single(resources, ISVC);
            const { predictor } = isvc.inputs.spec;
            assert.deepStrictEqual(predictor.volumes, [CACHE_VOLUME]);
            assert.deepStrictEqual(predictor.model.volumeMounts, [CACHE_MOUNT]);
            assert.deepStrictEqual(predictor.model.env[0], CACHE_PATH);
            assert.deepStrictEqual(isvc.dependencies, [...downloads(resources), single(resources, CLUSTER_RUNTIME).urn]);
            await validateKubernetesObjects(resources);
        });

        it("cacheModel: false cannot stop the mount, as upstream; cacheModel: true renders the same objects", async () => {
            const inputs = async (service: Partial<AIMServiceArgs>) =>
                (await scenario(cached("deployment", service))).resources
                    .filter((r) => r.type.startsWith("kubernetes:"))
                    // Shared objects' names carry the cluster, a provider of each scenario's own.
                    .map((r) => [r.type, r.name.replace(/^aim@[0-9a-f]{8}:/, ""), r.inputs, r.dependencies.length]);
            const unset = await inputs({});
            assert.deepStrictEqual(await inputs({ cacheModel: false }), unset);
            assert.deepStrictEqual(await inputs({ cacheModel: true }), unset);
        });

        it("a service whose template has no cache there keeps its scratch volume: another namespace, a derived template", async () => {
            const { resources } = await scenario((opts) => {
                cluster(opts);
                new AIMTemplateCache("llama-cache", { namespace: "other-team", templateRef: "base" }, opts);
                new AIMTemplateCache("base", { namespace: "ml-team", templateRef: "base" }, opts);
                llamaChat(opts, { namespace: "third-team" }, "elsewhere");
                llamaChat(opts, { overrides: { metric: "throughput" } }, "derived");
            });
            for (const name of ["elsewhere", "derived"]) {
                const deployment = ofType(resources, DEPLOYMENT).find((r) => r.name === `${name}-deployment`)!;
                assert.deepStrictEqual(podSpec(deployment).volumes.map((v: { name: string }) => v.name), ["dshm", "model-storage"]);
            }
        });

        it("a cache declared after a service of its template is an error naming the service, registering nothing", async () => {
            const { error, resources } = await scenarioThrows((opts) => {
                cluster(opts);
                llamaChat(opts);
                new AIMTemplateCache("llama-cache", { namespace: "ml-team", templateRef: "base" }, opts);
            });
            assert.strictEqual(
                error.message,
                'AIMTemplateCache "llama-cache": templateRef: the template cache of template "base" (Cluster) it declares would be ' +
                    'declared after AIMService "llama-chat", which already resolved without it; declare template caches before their dependents',
            );
            assert.deepStrictEqual([...ofType(resources, TEMPLATE_CACHE), ...ofType(resources, PVC), ...ofType(resources, JOB)], []);
            // A cache in another namespace changes nothing the service resolved.
            await scenario((opts) => {
                cluster(opts);
                llamaChat(opts);
                new AIMTemplateCache("llama-cache", { namespace: "other-team", templateRef: "base" }, opts);
            });
        });

        it("a cache a cacheModel service creates serves the cacheModel services only, in either order: base or derived", async () => {
            // Upstream's other services find such a cache whenever they next reconcile; here each renders once, so
            // mounting it would depend on whether the cacheModel service was declared first.
            for (const service of [{}, { overrides: { metric: "throughput" as const } }]) {
                const plain = (opts: Opts) => llamaChat(opts, service);
                const caching = (opts: Opts) => llamaChat(opts, { ...service, cacheModel: true }, "cached");
                const runs = [
                    await scenario((opts) => (cluster(opts), plain(opts), caching(opts))),
                    await scenario((opts) => (cluster(opts), caching(opts), plain(opts))),
                ];
                // Each scenario has a provider of its own, so shared objects' names carry another provider hash.
                const canonical = (resources: Registered[]) =>
                    resources.map((r) => JSON.stringify([r.urn, r.inputs, [...r.dependencies].sort()]).replace(/aim@[0-9a-f]{8}:/g, "aim@provider:")).sort();
                assert.deepStrictEqual(canonical(runs[0].resources), canonical(runs[1].resources));
                const { resources } = runs[0];
                const volumes = (name: string) => podSpec(named(resources, `${name}-deployment`)).volumes.map((v: { name: string }) => v.name);
                assert.deepStrictEqual(volumes("llama-chat"), ["dshm", "model-storage"]);
                assert.deepStrictEqual(volumes("cached"), ["dshm", CLAIM]);
                assert.deepStrictEqual(ofType(resources, PVC).map((r) => r.inputs.metadata.name), [CLAIM]);
            }
        });

        it("scratch where a cache is mounted is an error; the service registers nothing", async () => {
            const { error, resources } = await scenarioThrows(cached("deployment", { scratch: { size: "50Gi" } }));
            assert.strictEqual(
                error.message,
                'AIMService "llama-chat": scratch: has no effect: the service mounts template cache "llama-cache" of template "base", which ' +
                    "holds the model (a template's cache in the namespace serves every service of the template)",
            );
            assert.ok(!resources.some((r) => r.name.startsWith("llama-chat")));
        });

        it("any service's config mounts a declared cache; only two cacheModel services must agree on the one they create", async () => {
            const { resources } = await scenario((opts) => {
                new AIMClusterConfig("prod", { caching: { storageClassName: "prod-rwx" } }, opts);
                cached("deployment", { configName: "prod", cacheModel: true })(opts);
            });
            assert.deepStrictEqual(podSpec(single(resources, DEPLOYMENT)).volumes[1], CACHE_VOLUME);
            assert.strictEqual(single(resources, PVC).inputs.spec.storageClassName, undefined);
        });

        it("warns when the service's hfToken cannot reach the downloads of the cache it mounts", async () => {
            const { warnings } = await scenario(cached("deployment", { hfToken: pulumi.secret("hf_x") }));
            assert.deepStrictEqual(warnings, [
                'hfToken reaches the inference container only: the model downloads of template cache "llama-cache" run without ' +
                    "HF_TOKEN (a cache is shared by every service of its template, so it takes no service's token: declare " +
                    "an AIMTemplateCache for the template with hfToken, or set HF_TOKEN in its caching.env; said for the first such " +
                "service of the cache only)",
            ]);
        });

        it("operator target: the AIMService waits for the declared AIMTemplateCache, which aim-engine then finds", async () => {
            const run = (service: Partial<AIMServiceArgs>) => withStackConfig({ "aim:target": "operator" }, () => scenario(cached("kserve", service)));
            const { resources, warnings } = await run({});
            const aimService = named(resources, "llama-chat-aimservice");
            assert.deepStrictEqual(aimService.dependencies, [named(resources, "llama-cache-templatecache").urn]);
            assert.deepStrictEqual(aimService.inputs.spec, { model: { name: "llama" }, replicas: 1, routing: { enabled: false } });
            assert.deepStrictEqual(warnings, []);
            const refused = await run({ cacheModel: false });
            assert.deepStrictEqual(named(refused.resources, "llama-chat-aimservice").dependencies, aimService.dependencies);
            assert.deepStrictEqual(refused.warnings, [
                "cacheModel: false cannot be expressed on the operator target: aim-engine caches every service's model (in a shared template cache)",
            ]);
        });
    });

    describe("4. AIM_ENGINE_ARGS deep-merged across the template's and the service's env", () => {
        const TEMPLATE_ARGS = '{"max-model-len": 8192, "compilation-config": {"level": 3, "cudagraph": true}}';
        const SERVICE_ARGS = '{"compilation-config": {"level": 0}, "enforce-eager": true}';
        /** A namespace template `team` with `templateEnv` and a service on it with `service` args. */
        const program = (templateEnv: EnvVar[], service: Partial<AIMServiceArgs>, servingBackend: "deployment" | "kserve" = "deployment") => (opts: Opts) => {
            new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
            new AIMServiceTemplate("team", { namespace: "ml-team", aimImageName: "llama", servingBackend, env: templateEnv, modelSources: [LLAMA_SOURCE] }, opts);
            llamaChat(opts, { templateRef: "team", ...service });
        };
        const envOf = async (templateEnv: EnvVar[], service: Partial<AIMServiceArgs>) =>
            container(single((await scenario(program(templateEnv, service))).resources, DEPLOYMENT)).env;
        const args = (value: unknown) => ({ name: "AIM_ENGINE_ARGS", value });

        it("merges key by key, the service winning, nested objects too, in the template's place; both backends", async () => {
            const merged = args('{"compilation-config":{"cudagraph":true,"level":0},"enforce-eager":true,"max-model-len":8192}');
            const templateEnv = [args(TEMPLATE_ARGS) as EnvVar, { name: "VLLM_USE_V1", value: "1" }];
            const service = { env: [{ name: "LOG", value: "info" }, args(SERVICE_ARGS) as EnvVar] };
            const expected = [
                { name: "AIM_CACHE_PATH", value: "/workspace/model-cache" },
                { name: "VLLM_ENABLE_METRICS", value: "true" },
                merged,
                { name: "VLLM_USE_V1", value: "1" },
                { name: "LOG", value: "info" },
            ];
            const deployment = await scenario(program(templateEnv, service));
            assert.deepStrictEqual(container(single(deployment.resources, DEPLOYMENT)).env, expected);
            const kserve = await scenario(program(templateEnv, service, "kserve"));
            assert.deepStrictEqual(single(kserve.resources, ISVC).inputs.spec.predictor.model.env, expected);
            await validateKubernetesObjects([...deployment.resources, ...kserve.resources]);
        });

        it("keeps one level's value as written; an empty value adds nothing, as upstream", async () => {
            const own = (env: unknown[]) => env.filter((e: any) => e.name === "AIM_ENGINE_ARGS");
            assert.deepStrictEqual(own(await envOf([args(TEMPLATE_ARGS) as EnvVar], {})), [args(TEMPLATE_ARGS)]);
            assert.deepStrictEqual(own(await envOf([], { env: [args(SERVICE_ARGS) as EnvVar] })), [args(SERVICE_ARGS)]);
            assert.deepStrictEqual(own(await envOf([args(TEMPLATE_ARGS) as EnvVar], { env: [args("") as EnvVar] })), [args(TEMPLATE_ARGS)]);
        });

        it("merges keys as data, __proto__ included, sorted as Go's json.Marshal writes them", () => {
            const merged = mergeEngineArgs([
                { kind: "AIMServiceTemplate", aimName: "team", env: [args('{"__proto__": {"a": 1}, "10": [1, {"z": 2, "y": 1}], "2": "x"}') as EnvVar] },
                { kind: "AIMService", aimName: "chat", env: [args('{"__proto__": {"b": 2}, "2": null}') as EnvVar] },
            ]);
            assert.strictEqual(merged, '{"10":[1,{"y":1,"z":2}],"2":null,"__proto__":{"a":1,"b":2}}');
        });

        it("merges a secret value once known, and keeps the result secret", async () => {
            const { resources } = await scenario(program([args(TEMPLATE_ARGS) as EnvVar], { env: [args(pulumi.secret('{"enforce-eager": true}')) as EnvVar] }));
            // A secret anywhere in the pod spec makes the engine keep the whole spec as a secret.
            const { spec } = single(resources, DEPLOYMENT).inputs;
            assert.ok(isSecretWrapper(spec));
            assert.deepStrictEqual((spec.value as any).template.spec.containers[0].env.find((e: EnvVar) => e.name === "AIM_ENGINE_ARGS"), {
                name: "AIM_ENGINE_ARGS",
                value: '{"compilation-config":{"cudagraph":true,"level":3},"enforce-eager":true,"max-model-len":8192}',
            });
        });

        it("refuses a value that is no JSON object, naming the level's field, registering nothing of it", async () => {
            const parseError = (text: string) => {
                try {
                    JSON.parse(text);
                } catch (err) {
                    return (err as Error).message;
                }
                throw new Error("valid JSON");
            };
            const service = await scenarioThrows(program([], { env: [{ name: "LOG", value: "info" }, args("{max-model-len: 8192}") as EnvVar] }));
            assert.strictEqual(
                service.error.message,
                `AIMService "llama-chat": env[1].value: AIM_ENGINE_ARGS is not a JSON object: ${parseError("{max-model-len: 8192}")}`,
            );
            assert.ok(!service.resources.some((r) => r.name.startsWith("llama-chat")));
            const template = await scenarioThrows(program([args('["--enforce-eager"]') as EnvVar], {}));
            assert.strictEqual(template.error.message, 'AIMServiceTemplate "team": env[0].value: AIM_ENGINE_ARGS is not a JSON object: an array');
        });

        it("refuses to merge a value from a Secret or ConfigMap, which it cannot read; alone it passes through", async () => {
            const fromSecret = { name: "AIM_ENGINE_ARGS", valueFrom: { secretKeyRef: { name: "engine", key: "args" } } };
            const { error, resources } = await scenarioThrows(program([args(TEMPLATE_ARGS) as EnvVar], { env: [fromSecret] }));
            assert.strictEqual(
                error.message,
                'AIMService "llama-chat": env[0]: AIM_ENGINE_ARGS cannot be merged with AIM_ENGINE_ARGS of AIMServiceTemplate "team" (env[0]): ' +
                    "a value from a Secret or ConfigMap (valueFrom) is unknown to the package; set AIM_ENGINE_ARGS at one level only, or as a value at each",
            );
            assert.ok(!resources.some((r) => r.name.startsWith("llama-chat")));
            assert.deepStrictEqual((await envOf([], { env: [fromSecret] })).slice(-1), [fromSecret]);
        });

        it("checks a secret value once known, naming the level's field (the workload then fails at apply)", async () => {
            const merged = mergeEngineArgs([
                { kind: "AIMServiceTemplate", aimName: "team", env: [args(TEMPLATE_ARGS) as EnvVar] },
                { kind: "AIMService", aimName: "chat", env: [{ name: "LOG", value: "x" }, args(pulumi.secret("null")) as EnvVar] },
            ]);
            const message = 'AIMService "chat": env[1].value: AIM_ENGINE_ARGS is not a JSON object: null';
            // The Output's own bookkeeping promises reject with it too.
            expectProgramErrors(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
            await assert.rejects(valueOf(pulumi.output(merged!)), { message });
        });
    });

    describe("5. Pod Security: restricted wherever the workload allows it", () => {
        /** Every pod the package renders: discovery, download, base-image pre-pull, and both backends' inference pods. */
        const everyPod = (opts: Opts) => {
            new AIMClusterConfig("default", { caching: { cacheAimImageBase: true } }, opts);
            new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
            new AIMServiceTemplate("discovered", { namespace: "ml-team", aimImageName: "llama", gpuSelector: { count: 1, model: "MI300X" } }, opts);
            new AIMServiceTemplate("cached", { namespace: "ml-team", aimImageName: "llama", modelSources: [LLAMA_SOURCE], caching: { enabled: true } }, opts);
            new AIMServiceTemplate("served", { namespace: "ml-team", aimImageName: "llama", modelSources: [LLAMA_SOURCE], servingBackend: "kserve", metric: "latency" }, opts);
            llamaChat(opts, { templateRef: "discovered" });
            llamaChat(opts, { templateRef: "served" }, "kserve-chat");
        };
        const RESTRICTED_POD = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
        const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
        /** What `restricted` finds on an inference pod, which runs as its image's user with the runtime's defaults. */
        const inferenceViolations = (container: string) => [
            `container ${container}: Privilege Escalation: allowPrivilegeEscalation is not false`,
            "Running as Non-root: runAsNonRoot is not true",
            "Seccomp: no RuntimeDefault or Localhost profile",
            `container ${container}: Capabilities: does not drop ALL`,
        ];

        it("discovery, download and pre-pull pods pass restricted, as upstream's non-root users", async () => {
            const { resources } = await scenario(everyPod);
            const pods: Record<string, any> = Object.fromEntries(
                [...ofType(resources, JOB), ...ofType(resources, DAEMONSET)].map((r) => [r.inputs.spec.template.spec.containers[0].name, r.inputs.spec.template.spec]),
            );
            assert.deepStrictEqual(Object.keys(pods).sort(), ["cache-0", "discovery", "download"]);
            assert.deepStrictEqual(pods.discovery.securityContext, { ...RESTRICTED_POD, runAsUser: 65532 });
            assert.deepStrictEqual(pods["cache-0"].securityContext, { ...RESTRICTED_POD, runAsUser: 65532 });
            assert.deepStrictEqual(pods.download.securityContext, { ...RESTRICTED_POD, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
            for (const [name, pod] of Object.entries(pods)) {
                assert.deepStrictEqual(pod.containers[0].securityContext, RESTRICTED_CONTAINER, name);
                assert.deepStrictEqual(podSecurityViolations(pod, "restricted"), [], name);
            }
            await validateKubernetesObjects(resources);
        });

        it("inference pods of both backends pass baseline, and fail restricted only on the user, seccomp and capabilities", async () => {
            const { resources } = await scenario(everyPod);
            const deployment = podSpec(single(resources, DEPLOYMENT));
            assert.deepStrictEqual(podSecurityViolations(deployment, "baseline"), []);
            assert.deepStrictEqual(podSecurityViolations(deployment, "restricted"), inferenceViolations("aim"));
            // KServe's predictor pod: the runtime's container overlaid by the InferenceService's predictor (MergePodSpec).
            const runtime = single(resources, RUNTIME).inputs.spec;
            const { model, ...predictor } = single(resources, ISVC).inputs.spec.predictor;
            const pod = { ...predictor, containers: [{ ...runtime.containers[0], ...model }], volumes: [...runtime.volumes, ...(predictor.volumes ?? [])] };
            assert.deepStrictEqual(podSecurityViolations(pod, "baseline"), []);
            assert.deepStrictEqual(podSecurityViolations(pod, "restricted"), inferenceViolations("kserve-container"));
        });

        it("the check finds each control a pod breaks (it can fail)", () => {
            const pod = {
                hostNetwork: true,
                securityContext: { runAsUser: 0, seccompProfile: { type: "Unconfined" }, sysctls: [{ name: "kernel.msgmax", value: "1" }] },
                volumes: [{ name: "host", hostPath: { path: "/dev" } }, { name: "nfs", nfs: { server: "x", path: "/" } }],
                containers: [
                    { name: "a", ports: [{ containerPort: 80, hostPort: 80 }], securityContext: { privileged: true, capabilities: { add: ["SYS_ADMIN"] } } },
                    { name: "b", securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["CHOWN"] } } },
                ],
            };
            const baseline = [
                "Host Namespaces: hostNetwork",
                "container a: Privileged Containers: privileged",
                "container a: Capabilities: adds SYS_ADMIN",
                "HostPath Volumes: volume host",
                "container a: Host Ports: hostPort",
                "Seccomp: securityContext.seccompProfile Unconfined",
                "Sysctls: kernel.msgmax",
            ];
            assert.deepStrictEqual(podSecurityViolations(pod, "baseline"), baseline);
            assert.deepStrictEqual(podSecurityViolations(pod, "restricted"), [
                ...baseline,
                "Volume Types: volume host (hostPath)",
                "Volume Types: volume nfs (nfs)",
                "container a: Privilege Escalation: allowPrivilegeEscalation is not false",
                "Running as Non-root: runAsNonRoot is not true",
                "Running as Non-root user: securityContext.runAsUser 0",
                "Seccomp: no RuntimeDefault or Localhost profile",
                "container a: Capabilities: does not drop ALL",
                "container b: Capabilities: adds CHOWN",
            ]);
        });
    });

    describe("6. GPU node affinity for every AMD model upstream knows", () => {
        it("maps the Radeon Pro and Radeon models to kaiwo's device ids", () => {
            const table = Object.fromEntries(
                ["V710", "W7900", "W7800", "W6900X", "W6800", "W6800X", "V620", "RX9070", "RX7900", "RX6900", "RX6800"].map((m) => [m, deviceIds(m)]),
            );
            assert.deepStrictEqual(table, {
                V710: ["7460", "7461"],
                W7900: ["7448", "744a"],
                W7800: ["7449", "745e"],
                W6900X: ["73a2"],
                W6800: ["73a3"],
                W6800X: ["73ab"],
                V620: ["73a1", "73ae"],
                RX9070: ["7550"],
                RX7900: ["744c"],
                RX6900: ["73af"],
                RX6800: ["73bf"],
            });
            // Written as vendors write them, normalised as upstream does.
            assert.deepStrictEqual(deviceIds("AMD Radeon Pro W7900"), ["7448", "744a"]);
            assert.deepStrictEqual(deviceIds("rx7900"), ["744c"]);
        });

        it("places a Radeon Pro W7900 template's pods on W7900 nodes", async () => {
            const { resources } = await scenario((opts) => {
                cluster(opts, { gpuSelector: { count: 1, model: "W7900" } });
                llamaChat(opts);
            });
            const deployment = single(resources, DEPLOYMENT);
            assert.deepStrictEqual(podSpec(deployment).affinity, {
                nodeAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: {
                        nodeSelectorTerms: [{ matchExpressions: [{ key: "amd.com/gpu.device-id", operator: "In", values: ["7448", "744a"] }] }],
                    },
                },
            });
            await validateKubernetesObjects(resources);
        });
    });
    describe("8. zero GPUs: no GPU request, no GPU affinity, the rest as usual", () => {
        /** The aim-dummy of upstream's e2e suite on a template of zero GPUs, as on a laptop cluster. */
        const zeroGpus = { gpuSelector: { count: 0, model: "MI300X" } };

        it("a template of gpuSelector.count 0: a Deployment without GPU key, per-GPU defaults or node affinity", async () => {
            const { result, resources } = await scenario((opts) => {
                cluster(opts, zeroGpus);
                return llamaChat(opts);
            });
            const deployment = single(resources, DEPLOYMENT);
            assert.deepStrictEqual(container(deployment).resources, {});
            assert.strictEqual(podSpec(deployment).affinity, undefined);
            assert.deepStrictEqual(container(deployment).env, [
                { name: "AIM_CACHE_PATH", value: "/workspace/model-cache" },
                { name: "VLLM_ENABLE_METRICS", value: "true" },
            ]);
            assert.strictEqual((await valueOf(result.resolvedTemplate)).gpuCount, 0);
            await validateKubernetesObjects(resources);
        });

        it("what the levels state is all the container asks for (aim-engine: no defaults below one GPU)", async () => {
            const { resources } = await scenario((opts) => {
                cluster(opts, { ...zeroGpus, resources: { requests: { cpu: "1", memory: "1Gi", "amd.com/gpu": "0" }, limits: { memory: "2Gi" } } });
                llamaChat(opts);
            });
            assert.deepStrictEqual(container(single(resources, DEPLOYMENT)).resources, {
                requests: { cpu: "1", memory: "1Gi" },
                limits: { memory: "2Gi" },
            });
        });

        it("a service's amd.com/gpu: \"0\" on a MI300X × 2 template drops its GPUs and their affinity", async () => {
            const { result, resources } = await scenario((opts) => {
                llamaCluster(opts);
                return llamaChat(opts, { resources: { limits: { "amd.com/gpu": "0", memory: "4Gi" } } });
            });
            const deployment = single(resources, DEPLOYMENT);
            assert.deepStrictEqual(container(deployment).resources, { limits: { memory: "4Gi" } });
            assert.strictEqual(podSpec(deployment).affinity, undefined);
            assert.deepStrictEqual(await valueOf(result.resolvedTemplate), { name: "base", scope: "Cluster", gpuModel: "MI300X", gpuCount: 0, chosenBy: "imageDefault" });
        });

        it("KServe: a runtime and an InferenceService without GPU resources or affinity", async () => {
            const { resources } = await scenario((opts) => {
                cluster(opts, { ...zeroGpus, servingBackend: "kserve" });
                llamaChat(opts);
            });
            assert.strictEqual(single(resources, CLUSTER_RUNTIME).inputs.spec.containers[0].resources, undefined);
            const { predictor } = single(resources, ISVC).inputs.spec;
            assert.deepStrictEqual(predictor.model.resources, {});
            assert.strictEqual(predictor.affinity, undefined);
            await validateKubernetesObjects(resources);
        });

        it("discovery asks for the GPU model but no AIM_GPU_COUNT, as both upstreams below one GPU", async () => {
            const { resources } = await scenario((opts) => {
                new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
                new AIMClusterServiceTemplate("dummy", { aimImageName: "llama", ...zeroGpus }, opts);
            });
            assert.deepStrictEqual(single(resources, JOB).inputs.spec.template.spec.containers[0].env, [{ name: "AIM_GPU_MODEL", value: "MI300X" }]);
            await validateKubernetesObjects(resources);
        });

        it("selection keeps a zero-GPU template whose model the cluster lacks: its pods need no GPU node", async () => {
            const { result } = await withStackConfig({ "aim:availableGpuModels": "MI325X" }, () =>
                scenario((opts) => {
                    new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
                    new AIMClusterServiceTemplate("dummy", { aimImageName: "llama", modelSources: [LLAMA_SOURCE], ...zeroGpus }, opts);
                    return llamaChat(opts);
                }),
            );
            assert.deepStrictEqual((await valueOf(result.resolvedTemplate)).candidates, [{ name: "dummy", scope: "Cluster", status: "chosen", reason: "BestMatch" }]);
        });
    });
    describe("9. the download Job: upstream's shell wrapper, no TTL", () => {
        it("downloads with umask 0022 into prepared scratch directories and leaves only the model", async () => {
            const { resources } = await scenario((opts) => {
                cluster(opts);
                new AIMTemplateCache("llama-cache", { namespace: "ml-team", templateRef: "base" }, opts);
            });
            const job = single(resources, JOB).inputs;
            assert.strictEqual(job.spec.ttlSecondsAfterFinished, undefined);
            const [download] = job.spec.template.spec.containers;
            assert.deepStrictEqual(download.command, [
                "/bin/sh",
                "-c",
                [
                    "set -e",
                    "umask 0022",
                    'mkdir -p "$2/.tmp" "$2/.hf_home" "$2/.hf_cache" "$2/.xet_cache"',
                    '/storage-initializer/scripts/initializer-entrypoint "$1" "$2"',
                    'rm -rf "$2/.cache" "$2/.hf" "$2/.tmp" "$2/.hf_home" "$2/.hf_cache" "$2/.xet_cache"',
                ].join("\n"),
                "download",
            ]);
            // The URI reaches the script as $1, never as script text.
            assert.deepStrictEqual(download.args, ["hf://amd/Llama-3.1-8B-Instruct-FP8-KV", "/cache"]);
            assert.deepStrictEqual(download.volumeMounts, [
                { name: "cache", mountPath: "/cache" },
                { name: "tmp", mountPath: "/tmp" },
            ]);
            await validateKubernetesObjects(resources);
        });
    });
});
