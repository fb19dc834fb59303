// Serving on a real cluster (issue 7): readiness and awaiting, the system namespace, the container contract
// (metrics, AIM_CACHE_PATH and its volume), discovery only when needed, template reuse, annotations, the endpoint
// and its API key. Each test pins the rendered fields.

import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import {
    AIMClusterConfig,
    AIMClusterImage,
    AIMClusterServiceTemplate,
    AIMServiceArgs,
    AIMServiceTemplate,
} from "../index";
import { KAIWO_GATEWAY, LLAMA_IMAGE, LLAMA_SOURCE } from "./fixtures";
import {
    children,
    DAEMONSET,
    DEPLOYMENT,
    isSecretWrapper,
    JOB,
    maskSecrets,
    MOCK_PASSWORD,
    NAMESPACE,
    ofType,
    PASSWORD,
    Registered,
    scenario,
    scenarioThrows,
    SECRET,
    SERVICE,
    settle,
    single,
    TEMPLATE,
    valueOf,
    withStackConfig,
} from "./harness";
import { validateManifest } from "./k8sSchemas";
import { container, llamaChat, llamaCluster, podSpec } from "./llamaCluster";
import { derivedTemplateName } from "../resolve/template";
import { ContainerInput, inferencePodSpec, scratchVolumeFor } from "../render/container";

const envNamed = (deployment: Registered, name: string) => container(deployment).env.find((e: { name: string }) => e.name === name);

describe("the container contract (render/container.ts), as another backend uses it", () => {
    const input: ContainerInput = {
        image: LLAMA_IMAGE,
        gpuCount: 1,
        gpuModel: "MI325X",
        imagePullSecrets: [{ name: "regcred" }],
        resources: [],
        caches: [],
        scratch: scratchVolumeFor({ size: "50Gi" }, undefined, undefined),
        apiKeySecret: { name: "keys", key: "chat" },
        serviceAccountName: "aim-runner",
    };

    it("renders one pod spec under any container name, KServe's included", () => {
        const pod = inferencePodSpec(input, "kserve-container");
        assert.deepStrictEqual(Object.keys(pod), ["affinity", "imagePullSecrets", "serviceAccountName", "containers", "volumes"]);
        const [container] = pod.containers;
        assert.strictEqual(container.name, "kserve-container");
        assert.deepStrictEqual(container.env.map((e) => e.name), ["AIM_CACHE_PATH", "VLLM_ENABLE_METRICS", "VLLM_API_KEY"]);
        assert.deepStrictEqual(container.readinessProbe, { tcpSocket: { port: 8000 }, periodSeconds: 10, failureThreshold: 3 });
        assert.deepStrictEqual(pod.volumes[1], {
            name: "model-storage",
            ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "50Gi" } } } } },
        });
        assert.strictEqual(inferencePodSpec(input).containers[0].name, "aim");
    });
});

describe("serving on a real cluster", () => {
    describe("1. readiness and awaiting", () => {
        it("probes port 8000, rolls with maxUnavailable 0, and makes pulumi up wait up to an hour", async () => {
            const { resources } = await scenario((opts) => {
                llamaCluster(opts);
                llamaChat(opts);
            });
            const deployment = single(resources, DEPLOYMENT);
            assert.deepStrictEqual(container(deployment).readinessProbe, { tcpSocket: { port: 8000 }, periodSeconds: 10, failureThreshold: 3 });
            // 10 s × 720: two hours to download and load before the container is restarted.
            assert.deepStrictEqual(container(deployment).startupProbe, { tcpSocket: { port: 8000 }, periodSeconds: 10, failureThreshold: 720 });
            assert.deepStrictEqual(deployment.inputs.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
            assert.strictEqual(deployment.inputs.spec.progressDeadlineSeconds, 3600);
            assert.deepStrictEqual(deployment.inputs.metadata.annotations, { "pulumi.com/timeoutSeconds": "3600" });
            // The Service is awaited too (until its endpoints target pods), with the same budget.
            assert.deepStrictEqual(single(resources, SERVICE).inputs.metadata.annotations, { "pulumi.com/timeoutSeconds": "3600" });
        });

        it("renders awaitTimeoutSeconds and skipAwait as the provider's annotations", async () => {
            const { resources } = await scenario((opts) => {
                llamaCluster(opts);
                llamaChat(opts, { awaitTimeoutSeconds: 7200 }, "slow");
                llamaChat(opts, { skipAwait: true }, "async");
            });
            const annotations = (name: string, type: string) =>
                ofType(resources, type).find((r) => r.inputs.metadata.name === name)!.inputs.metadata.annotations;
            assert.deepStrictEqual(annotations("slow", DEPLOYMENT), { "pulumi.com/timeoutSeconds": "7200" });
            assert.deepStrictEqual(annotations("slow", SERVICE), { "pulumi.com/timeoutSeconds": "7200" });
            assert.deepStrictEqual(annotations("async", DEPLOYMENT), { "pulumi.com/skipAwait": "true" });
            assert.deepStrictEqual(annotations("async", SERVICE), { "pulumi.com/skipAwait": "true" });
            const deadline = (name: string) => ofType(resources, DEPLOYMENT).find((r) => r.inputs.metadata.name === name)!.inputs.spec.progressDeadlineSeconds;
            assert.deepStrictEqual([deadline("slow"), deadline("async")], [7200, 3600]);
        });

        it("rejects a timeout that cannot apply and one that is not a positive integer", async () => {
            const cases: [Partial<AIMServiceArgs>, string][] = [
                [{ skipAwait: true, awaitTimeoutSeconds: 60 }, 'AIMService "llama-chat": awaitTimeoutSeconds: has no effect with skipAwait: true'],
                [{ awaitTimeoutSeconds: 0 }, 'AIMService "llama-chat": awaitTimeoutSeconds: must be >= 1'],
                [{ awaitTimeoutSeconds: 1.5 }, 'AIMService "llama-chat": awaitTimeoutSeconds: must be an integer'],
            ];
            for (const [args, message] of cases) {
                const { error, resources } = await scenarioThrows((opts) => {
                    llamaCluster(opts);
                    llamaChat(opts, args);
                });
                assert.strictEqual(error.message, message);
                assert.deepStrictEqual(children(resources), []);
            }
        });
    });

    describe("2. the system namespace", () => {
        it("is created once per cluster, as its provider's child, retained on delete, and the cluster-scoped workloads wait for it", async () => {
            const { resources } = await scenario((opts) => {
                llamaCluster(opts, { caching: { cacheAimImageBase: true } });
                new AIMClusterServiceTemplate("discovered", { aimImageName: "llama" }, opts);
                new AIMClusterServiceTemplate("discovered-too", { aimImageName: "llama", metric: "latency" }, opts);
            });
            const namespace = single(resources, NAMESPACE);
            const provider = /^cluster-\d+/.exec(namespace.name)![0];
            assert.strictEqual(namespace.name, `${provider}-aim-system-namespace`);
            assert.strictEqual(namespace.urn, `urn:pulumi:test::aim::pulumi:providers:kubernetes$kubernetes:core/v1:Namespace::${namespace.name}`);
            assert.strictEqual(namespace.parent, `urn:pulumi:test::aim::pulumi:providers:kubernetes::${provider}`);
            assert.deepStrictEqual([namespace.retainOnDelete, namespace.protect], [true, false]);
            assert.deepStrictEqual(namespace.inputs, {
                apiVersion: "v1",
                kind: "Namespace",
                metadata: {
                    name: "aim-system",
                    labels: {
                        "app.kubernetes.io/name": "aim",
                        "app.kubernetes.io/component": "system-namespace",
                        "app.kubernetes.io/managed-by": "pulumi-aim",
                    },
                },
            });
            await validateManifest(namespace.inputs);
            const dependents = [...ofType(resources, JOB), single(resources, DAEMONSET)];
            assert.strictEqual(dependents.length, 3);
            for (const r of dependents) {
                assert.strictEqual(r.inputs.metadata.namespace, "aim-system", r.name);
                assert.deepStrictEqual(r.dependencies, [namespace.urn], r.name);
            }
        });

        it("keeps its URN whichever component needs it first", async () => {
            const urnOf = async (templateFirst: boolean) => {
                const { resources } = await scenario((opts) => {
                    new AIMClusterConfig("default", {}, opts);
                    new AIMClusterConfig("warm", { caching: { cacheAimImageBase: true } }, opts);
                    const image = () => new AIMClusterImage("warm-llama", { image: LLAMA_IMAGE, configName: "warm" }, opts);
                    if (!templateFirst) image();
                    new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
                    new AIMClusterServiceTemplate("discovered", { aimImageName: "llama" }, opts);
                    if (templateFirst) image();
                });
                const namespace = single(resources, NAMESPACE);
                return [namespace.urn, namespace.parent].map((urn) => urn.replace(/cluster-\d+/, "<cluster>"));
            };
            const [first, second] = [await urnOf(true), await urnOf(false)];
            assert.deepStrictEqual(first, second);
            assert.deepStrictEqual(first, [
                "urn:pulumi:test::aim::pulumi:providers:kubernetes$kubernetes:core/v1:Namespace::<cluster>-aim-system-namespace",
                "urn:pulumi:test::aim::pulumi:providers:kubernetes::<cluster>",
            ]);
        });

        it("is left alone with aim:createSystemNamespace false, and not made when nothing runs there", async () => {
            const disabled = await withStackConfig({ "aim:createSystemNamespace": "false", "aim:systemNamespace": "aim-ops" }, () =>
                scenario((opts) => {
                    llamaCluster(opts);
                    new AIMClusterServiceTemplate("discovered", { aimImageName: "llama" }, opts);
                }),
            );
            assert.deepStrictEqual(ofType(disabled.resources, NAMESPACE), []);
            const job = single(disabled.resources, JOB);
            assert.deepStrictEqual([job.inputs.metadata.namespace, job.dependencies], ["aim-ops", []]);

            const unused = await scenario((opts) => {
                llamaCluster(opts);
                llamaChat(opts);
            });
            assert.deepStrictEqual(ofType(unused.resources, NAMESPACE), []);

            const { error } = await withStackConfig({ "aim:createSystemNamespace": "no" }, () =>
                scenarioThrows((opts) => {
                    llamaCluster(opts);
                    new AIMClusterServiceTemplate("discovered", { aimImageName: "llama" }, opts);
                }),
            );
            // Every template reads it, the first one (llamaCluster's "base") included, though it places nothing there.
            assert.strictEqual(
                error.message,
                'AIMClusterServiceTemplate "base": aim:createSystemNamespace: Pulumi config must be "true" or "false", not "no"',
            );
        });
    });

    describe("3-4. the container contract: metrics, AIM_CACHE_PATH and its volume", () => {
        it("enables vLLM metrics on every container and names the Service's metrics port", async () => {
            const { resources } = await scenario((opts) => {
                llamaCluster(opts);
                llamaChat(opts, { env: [{ name: "AIM_LOG_LEVEL", value: "debug" }] });
            });
            const deployment = single(resources, DEPLOYMENT);
            assert.deepStrictEqual(container(deployment).env, [
                { name: "AIM_CACHE_PATH", value: "/workspace/model-cache" },
                { name: "VLLM_ENABLE_METRICS", value: "true" },
                { name: "AIM_LOG_LEVEL", value: "debug" },
            ]);
            assert.deepStrictEqual(container(deployment).ports, [{ name: "http", containerPort: 8000, protocol: "TCP" }]);
            assert.deepStrictEqual(single(resources, SERVICE).inputs.spec.ports[1], { name: "metrics", port: 8000, targetPort: 8000, protocol: "TCP" });
        });

        it("backs AIM_CACHE_PATH with a per-pod claim sized from the model, the config's storage class, or the service's scratch", async () => {
            const { resources } = await scenario((opts) => {
                llamaCluster(opts, { caching: { storageClassName: "fast-rwx" } });
                new AIMClusterServiceTemplate("discovered", { aimImageName: "llama" }, opts);
                llamaChat(opts, {}, "sized");
                llamaChat(opts, { scratch: { size: "200Gi", storageClassName: "local-nvme" } }, "own");
                llamaChat(opts, { scratch: { emptyDir: true } }, "node-disk");
                llamaChat(opts, { templateRef: "discovered" }, "unsized");
            });
            const scratch = (name: string) => {
                const deployment = ofType(resources, DEPLOYMENT).find((d) => d.inputs.metadata.name === name)!;
                assert.deepStrictEqual(container(deployment).volumeMounts[1], { name: "model-storage", mountPath: "/workspace/model-cache" });
                assert.deepStrictEqual(envNamed(deployment, "AIM_CACHE_PATH"), { name: "AIM_CACHE_PATH", value: "/workspace/model-cache" });
                return podSpec(deployment).volumes[1];
            };
            const claim = (size: string, storageClassName: string) => ({
                name: "model-storage",
                ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], storageClassName, resources: { requests: { storage: size } } } } },
            });
            // 9094593249 bytes + 10 % → 10Gi, as upstream sizes its temporary PVC.
            assert.deepStrictEqual(scratch("sized"), claim("10Gi", "fast-rwx"));
            assert.deepStrictEqual(scratch("own"), claim("200Gi", "local-nvme"));
            assert.deepStrictEqual(scratch("node-disk"), { name: "model-storage", emptyDir: { sizeLimit: "10Gi" } });
            // No model sources and no size: the documented emptyDir fallback.
            assert.deepStrictEqual(scratch("unsized"), { name: "model-storage", emptyDir: {} });
            for (const d of ofType(resources, DEPLOYMENT)) await validateManifest(d.inputs);
        });

        it("mounts the model caches instead with cacheModel, and rejects scratch there", async () => {
            const { resources } = await scenario((opts) => {
                llamaCluster(opts);
                llamaChat(opts, { cacheModel: true });
            });
            const deployment = single(resources, DEPLOYMENT);
            assert.deepStrictEqual(podSpec(deployment).volumes.map((v: { name: string }) => v.name), ["dshm", "amd-llama-3-1-8b-instruct-fp8-kv-cache"]);
            assert.deepStrictEqual(envNamed(deployment, "AIM_CACHE_PATH"), { name: "AIM_CACHE_PATH", value: "/workspace/model-cache" });

            const { error } = await scenarioThrows((opts) => {
                llamaCluster(opts);
                llamaChat(opts, { cacheModel: true, scratch: { size: "1Ti" } });
            });
            assert.strictEqual(error.message, 'AIMService "llama-chat": scratch: has no effect with cacheModel: true (the model caches hold the model)');
        });
    });

    describe("5-6. discovery only when needed, and templates reused", () => {
        it("5. renders no discovery Job for inline model sources, in either scope", async () => {
            const { result, resources } = await scenario((opts) => {
                llamaCluster(opts);
                return new AIMServiceTemplate("team", { namespace: "ml-team", aimImageName: "llama", modelSources: [LLAMA_SOURCE] }, opts);
            });
            assert.deepStrictEqual(ofType(resources, JOB), []);
            assert.deepStrictEqual(ofType(resources, NAMESPACE), []);
            assert.deepStrictEqual(await settle(result.discoveryJobName), { known: true, value: undefined });
        });

        it("6. overrides equal to a declared template's spec run that template, deriving nothing", async () => {
            const { result, resources } = await scenario((opts) => {
                llamaCluster(opts);
                new AIMServiceTemplate("base-throughput", {
                    namespace: "ml-team",
                    aimImageName: "llama",
                    metric: "throughput",
                    gpuSelector: { model: "MI300X", count: 2 },
                    modelSources: [LLAMA_SOURCE],
                }, opts);
                new AIMClusterServiceTemplate("base-fp8", {
                    aimImageName: "llama",
                    precision: "fp8",
                    gpuSelector: { count: 2, model: "MI300X" },
                    modelSources: [LLAMA_SOURCE],
                }, opts);
                return [
                    llamaChat(opts, { overrides: { metric: "throughput" } }, "fast"),
                    llamaChat(opts, { overrides: { precision: "fp8" } }, "small"),
                    llamaChat(opts, { overrides: { precision: "fp16" } }, "derived"),
                ];
            });
            const names = await Promise.all(result.map(async (s) => (await valueOf(s.resolvedTemplate)).name));
            const derived = derivedTemplateName("base", { precision: "fp16" });
            assert.deepStrictEqual(names, ["base-throughput", "base-fp8", derived]);
            // Only the fp16 service derives a template; the other two reuse what was declared.
            assert.deepStrictEqual(ofType(resources, TEMPLATE).map((t) => t.inputs.name ?? t.name), ["base-throughput", derived]);
        });

        it("6. does not reuse a template that differs in anything but caching", async () => {
            const { result } = await scenario((opts) => {
                llamaCluster(opts);
                new AIMServiceTemplate("with-env", {
                    namespace: "ml-team",
                    aimImageName: "llama",
                    metric: "throughput",
                    gpuSelector: { count: 2, model: "MI300X" },
                    modelSources: [LLAMA_SOURCE],
                    env: [{ name: "AIM_LOG_LEVEL", value: "debug" }],
                }, opts);
                new AIMServiceTemplate("pre-warmed", {
                    namespace: "ml-team",
                    aimImageName: "llama",
                    metric: "latency",
                    gpuSelector: { count: 2, model: "MI300X" },
                    modelSources: [LLAMA_SOURCE],
                    caching: { enabled: true },
                }, opts);
                return [
                    llamaChat(opts, { overrides: { metric: "throughput" } }, "fast"),
                    llamaChat(opts, { overrides: { metric: "latency" } }, "quick"),
                ];
            });
            assert.match((await valueOf(result[0].resolvedTemplate)).name, /^base-ovr-/);
            assert.strictEqual((await valueOf(result[1].resolvedTemplate)).name, "pre-warmed");
        });
    });

    describe("7. annotations and service account", () => {
        it("propagates the service's annotations to the Deployment and its pods, and renders serviceAccountName", async () => {
            const { resources } = await scenario((opts) => {
                llamaCluster(opts);
                llamaChat(opts, { annotations: { "example.com/note": "propagate", "example.com/release": "canary" }, serviceAccountName: "aim-runner" });
            });
            const deployment = single(resources, DEPLOYMENT);
            assert.deepStrictEqual(deployment.inputs.metadata.annotations, {
                "example.com/note": "propagate",
                "example.com/release": "canary",
                "pulumi.com/timeoutSeconds": "3600",
            });
            assert.deepStrictEqual(deployment.inputs.spec.template.metadata.annotations, {
                "example.com/note": "propagate",
                "example.com/release": "canary",
            });
            assert.strictEqual(podSpec(deployment).serviceAccountName, "aim-runner");
            await validateManifest(deployment.inputs);
        });
    });

    describe("8-9. the endpoint and its API key", () => {
        it("8. outputs the in-cluster URL, and the route's path and Gateway when routed", async () => {
            const { result } = await scenario((opts) => {
                llamaCluster(opts, { routing: { gateway: KAIWO_GATEWAY } });
                return llamaChat(opts, { apiKey: { enabled: false } });
            });
            assert.strictEqual(await valueOf(result.endpoint), "http://llama-chat.ml-team.svc");
            assert.strictEqual(await valueOf(result.routePath), "/ml-team/llama-chat");
            assert.deepStrictEqual(await valueOf(result.routeGateway), { group: "gateway.networking.k8s.io", kind: "Gateway", ...KAIWO_GATEWAY });
            assert.strictEqual(await valueOf(result.apiKey), undefined);
        });

        it("9. generates a key into a Secret, passes it by secretKeyRef, and never shows it in plaintext", async () => {
            const { result, resources, warnings } = await scenario((opts) => {
                llamaCluster(opts, { routing: { gateway: KAIWO_GATEWAY } });
                return llamaChat(opts, { apiKey: { enabled: true } });
            });
            assert.deepStrictEqual(warnings, []);
            const service = single(resources, "aim:index:AIMService");
            const password = single(resources, PASSWORD);
            assert.deepStrictEqual([password.name, password.parent, password.inputs], ["llama-chat-api-key", service.urn, { length: 48, special: false }]);
            const secret = single(resources, SECRET);
            assert.deepStrictEqual([secret.name, secret.parent, secret.inputs.metadata.name], ["llama-chat-api-key", service.urn, "llama-chat-api-key"]);
            assert.ok(isSecretWrapper(secret.inputs.stringData), "stringData is secret");
            assert.deepStrictEqual((secret.inputs.stringData as { value: unknown }).value, { "api-key": MOCK_PASSWORD });
            assert.ok(secret.dependencies.includes(password.urn));
            const deployment = single(resources, DEPLOYMENT);
            assert.deepStrictEqual(envNamed(deployment, "VLLM_API_KEY"), {
                name: "VLLM_API_KEY",
                valueFrom: { secretKeyRef: { name: "llama-chat-api-key", key: "api-key" } },
            });
            assert.ok(deployment.dependencies.includes(secret.urn));
            // Probes stay TCP: vLLM checks the key on /v1/* only.
            assert.deepStrictEqual(container(deployment).readinessProbe.tcpSocket, { port: 8000 });

            for (const r of resources) assert.ok(!JSON.stringify(maskSecrets(r.inputs)).includes(MOCK_PASSWORD), `${r.name} leaks the key`);
            assert.strictEqual(await valueOf(result.apiKey), MOCK_PASSWORD);
            assert.strictEqual(await (result.apiKey as any).isSecret, true);
            for (const output of [result.resolvedConfig, result.resolvedTemplate, result.routePath, result.routeGateway, result.endpoint]) {
                assert.strictEqual(await (output as any).isSecret, false);
                assert.ok(!JSON.stringify((await valueOf(output as pulumi.Output<unknown>)) ?? null).includes(MOCK_PASSWORD));
            }
            for (const manifest of children(resources).filter((r) => r.type.startsWith("kubernetes:"))) await validateManifest(manifest.inputs);
        });

        it("9. uses an existing Secret, generating nothing", async () => {
            const { result, resources } = await scenario((opts) => {
                llamaCluster(opts);
                return llamaChat(opts, { apiKey: { secretName: "team-keys", secretKey: "chat" } });
            });
            assert.deepStrictEqual([ofType(resources, PASSWORD), ofType(resources, SECRET)], [[], []]);
            assert.deepStrictEqual(envNamed(single(resources, DEPLOYMENT), "VLLM_API_KEY"), {
                name: "VLLM_API_KEY",
                valueFrom: { secretKeyRef: { name: "team-keys", key: "chat" } },
            });
            assert.strictEqual(await valueOf(result.apiKey), undefined);
        });

        it("9. warns once about a routed service without a key, unless apiKey.enabled is false", async () => {
            const { warnings } = await scenario((opts) => {
                llamaCluster(opts, { routing: { gateway: KAIWO_GATEWAY } });
                llamaChat(opts, { apiKey: { enabled: false } }, "open-on-purpose");
                llamaChat(opts, { routing: { enabled: false } }, "internal");
                llamaChat(opts, {}, "open");
            });
            assert.deepStrictEqual(warnings, [
                "route /ml-team/open is open to anyone who can reach Gateway kaiwo-system/kaiwo-gateway: set apiKey.enabled " +
                    "to true to require a key, or to false to confirm an open endpoint (said for the first open route on the Gateway only)",
            ]);
        });

        it("9. warns about open routes once per Gateway: a thousand services do not flood the preview", async () => {
            const { warnings } = await scenario((opts) => {
                llamaCluster(opts, { routing: { gateway: KAIWO_GATEWAY } });
                // Fails after planning its route (its name is taken): it warns about nothing, so the next open route does.
                llamaChat(opts, { routing: { enabled: false } }, "taken");
                assert.throws(() => llamaChat(opts, {}, "taken"), /renders already/);
                for (const name of ["open-1", "open-2", "open-3"]) llamaChat(opts, {}, name);
                llamaChat(opts, { routing: { gateway: { name: "public", namespace: "edge" } } }, "edge-1");
                llamaChat(opts, { routing: { gateway: { name: "public", namespace: "edge" } } }, "edge-2");
            });
            assert.deepStrictEqual(
                warnings.map((w) => /^route (\S+) is open to anyone who can reach Gateway (\S+):/.exec(w)!.slice(1).join(" ")),
                ["/ml-team/open-1 kaiwo-system/kaiwo-gateway", "/ml-team/edge-1 edge/public"],
            );
        });

        it("9. rejects key settings that contradict each other", async () => {
            const cases: [Partial<AIMServiceArgs>, string][] = [
                [{ apiKey: { enabled: false, secretName: "keys" } }, 'AIMService "llama-chat": apiKey.secretName: has no effect with enabled: false'],
                [{ apiKey: { enabled: true, secretKey: "k" } }, 'AIMService "llama-chat": apiKey.secretKey: needs secretName (a generated key is stored under "api-key")'],
                [{ apiKey: { secretName: "Keys!" } }, 'AIMService "llama-chat": apiKey.secretName: must be a lowercase RFC 1123 subdomain'],
            ];
            for (const [args, message] of cases) {
                const { error, resources } = await scenarioThrows((opts) => {
                    llamaCluster(opts);
                    llamaChat(opts, args);
                });
                assert.ok(error.message.startsWith(message), error.message);
                assert.deepStrictEqual(children(resources), []);
            }
        });
    });
});
