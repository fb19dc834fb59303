// Layer 4 under the mock runtime: configs, images and templates as components, and the discovery Jobs they render.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import {
    AIMClusterConfig,
    AIMClusterImage,
    AIMClusterServiceTemplate,
    AIMImage,
    AIMNamespaceConfig,
    AIMServiceTemplate,
    importClusterConfig,
    importNamespaceConfig,
} from "../index";
import { children, JOB, named, Opts, Registered, scenario, scenarioThrows, single, valueOf } from "./harness";
import { KAIWO_GATEWAY, LLAMA_IMAGE } from "./fixtures";
import { validateManifest } from "./k8sSchemas";


const container = (job: Registered) => job.inputs.spec.template.spec.containers[0];
const podSpec = (job: Registered) => job.inputs.spec.template.spec;
const MISSING_PRODUCTION = /^AIM(Cluster)?ServiceTemplate "chat": configName: failed to get AIMClusterConfig "production": not found/;

function llamaImage(opts: Opts, image = LLAMA_IMAGE) {
    return new AIMClusterImage("llama", { image }, opts);
}

describe("templates and config resolution", () => {
    it("1. resolves the declared default config and gives the discovery Job its pull secrets", async () => {
        const { result, resources, warnings } = await scenario((opts) => {
            new AIMClusterConfig("default", { imagePullSecrets: [{ name: "regcred" }] }, opts);
            llamaImage(opts);
            return new AIMServiceTemplate("chat", { namespace: "ml-team", aimImageName: "llama" }, opts);
        });
        const config = await valueOf(result.resolvedConfig);
        assert.strictEqual(config.name, "default");
        assert.strictEqual(config.source, "AIMClusterConfig");
        assert.deepStrictEqual(podSpec(single(resources, JOB)).imagePullSecrets, [{ name: "regcred" }]);
        assert.deepStrictEqual(warnings, []);
    });

    it("2. warns when the implicit default is missing, renders no pull secrets, and fails nothing", async () => {
        const { result, resources, warnings } = await scenario((opts) => {
            llamaImage(opts);
            return new AIMServiceTemplate("chat", { namespace: "ml-team", aimImageName: "llama" }, opts);
        });
        const expected =
            'DefaultConfigNotFound: AIMClusterConfig "default" not found, proceeding with defaults ' +
            "(no image pull secrets from config, no routing unless the service sets it, the cluster's default storage class)";
        // One warning from the image, one from the template: each dependent reports it on itself.
        assert.deepStrictEqual(warnings, [expected, expected]);
        assert.strictEqual(podSpec(single(resources, JOB)).imagePullSecrets, undefined);
        assert.strictEqual((await valueOf(result.resolvedConfig)).source, "none");
    });

    for (const preview of [false, true]) {
        it(`3. fails on a missing explicit config before registering any child (preview: ${preview})`, async () => {
            const { error, resources } = await scenarioThrows((opts) => {
                llamaImage(opts);
                new AIMServiceTemplate("chat", { namespace: "ml-team", aimImageName: "llama", configName: "production" }, opts);
            }, { preview });
            assert.ok(pulumi.ResourceError.isInstance(error));
            assert.match(error.message, MISSING_PRODUCTION);
            assert.deepStrictEqual(children(resources), []);
        });
    }

    it("4. does not let a config declared for another cluster serve the dependent", async () => {
        const { error, resources } = await scenarioThrows((opts) => {
            const other = new k8s.Provider("other-cluster", {});
            new AIMClusterConfig("production", { imagePullSecrets: [{ name: "prod-cred" }] }, { provider: other });
            llamaImage(opts);
            new AIMClusterServiceTemplate("chat", { aimImageName: "llama", configName: "production" }, opts);
        });
        assert.match(error.message, MISSING_PRODUCTION);
        assert.deepStrictEqual(children(resources), []);
    });

    it("5. lets a namespace config override the cluster config field by field", async () => {
        const { result, resources } = await scenario((opts) => {
            new AIMClusterConfig("default", { imagePullSecrets: [{ name: "cluster-cred" }], routing: { gateway: KAIWO_GATEWAY } }, opts);
            new AIMNamespaceConfig("team-default", { name: "default", namespace: "ml-team", imagePullSecrets: [{ name: "team-cred" }] }, opts);
            llamaImage(opts);
            return {
                team: new AIMServiceTemplate("team", { namespace: "ml-team", aimImageName: "llama" }, opts),
                other: new AIMServiceTemplate("other", { namespace: "research", aimImageName: "llama" }, opts),
            };
        });
        const team = await valueOf(result.team.resolvedConfig);
        assert.strictEqual(team.source, "merged");
        assert.deepStrictEqual(team.imagePullSecrets, [{ name: "team-cred" }]);
        assert.deepStrictEqual(team.routing, {
            autoCreateRoute: true,
            gateway: { name: "kaiwo-gateway", namespace: "kaiwo-system", group: "gateway.networking.k8s.io", kind: "Gateway" },
        });
        assert.strictEqual((await valueOf(result.other.resolvedConfig)).source, "AIMClusterConfig");
        const jobs = Object.fromEntries(resources.filter((r) => r.type === JOB).map((j) => [j.name, podSpec(j).imagePullSecrets]));
        assert.deepStrictEqual(jobs, { "team-discovery": [{ name: "team-cred" }], "other-discovery": [{ name: "cluster-cred" }] });
    });

    it("6. passes exactly the set profile knobs to discovery", async () => {
        const { resources } = await scenario((opts) => {
            llamaImage(opts);
            new AIMClusterServiceTemplate("tuned", {
                aimImageName: "llama",
                metric: "throughput",
                precision: "fp8",
                gpuSelector: { count: 2, model: "MI300X" },
            }, opts);
            new AIMClusterServiceTemplate("plain", { aimImageName: "llama" }, opts);
        });
        const [tuned, plain] = [named(resources, "tuned-discovery"), named(resources, "plain-discovery")];
        assert.deepStrictEqual(container(tuned).env, [
            { name: "AIM_METRIC", value: "throughput" },
            { name: "AIM_PRECISION", value: "fp8" },
            { name: "AIM_GPU_MODEL", value: "MI300X" },
            { name: "AIM_GPU_COUNT", value: "2" },
        ]);
        assert.strictEqual(container(plain).env, undefined);
    });

    it("6. names the discovery Job stably, and anew when the image changes", async () => {
        const jobName = async (image: string) => {
            const { resources } = await scenario((opts) => {
                llamaImage(opts, image);
                new AIMClusterServiceTemplate("llama-3-8b-latency", { aimImageName: "llama", metric: "latency" }, opts);
            });
            return single(resources, JOB).inputs.metadata.name as string;
        };
        const first = await jobName(LLAMA_IMAGE);
        // A golden value: a change to what the name hashes renames every discovery Job of every user.
        assert.strictEqual(first, "discover-llama-3-8b-latency-a323387a");
        assert.strictEqual(await jobName(LLAMA_IMAGE), first);
        const other = await jobName(LLAMA_IMAGE.replace("v20251006", "v20251101"));
        assert.match(other, /^discover-llama-3-8b-latency-[0-9a-f]{8}$/);
        assert.notStrictEqual(other, first);
    });

    it("renders the discovery Job as upstream does", async () => {
        const { result, resources } = await scenario((opts) => {
            new AIMClusterConfig("default", { imagePullSecrets: [{ name: "regcred" }, { name: "shared" }] }, opts);
            new AIMImage("llama", { namespace: "ml-team", image: LLAMA_IMAGE }, opts);
            return new AIMServiceTemplate("chat", {
                namespace: "ml-team",
                aimImageName: "llama",
                metric: "latency",
                env: [{ name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: "hf", key: "token" } } }],
                imagePullSecrets: [{ name: "team-cred" }, { name: "shared" }],
            }, opts);
        });
        const job = single(resources, JOB);
        assert.strictEqual(job.name, "chat-discovery");
        assert.strictEqual(job.parent, "urn:pulumi:test::aim::aim:index:AIMServiceTemplate::chat");
        const { metadata, spec } = job.inputs;
        assert.strictEqual(metadata.namespace, "ml-team");
        assert.deepStrictEqual(metadata.labels, {
            "app.kubernetes.io/name": "aim-discovery",
            "app.kubernetes.io/component": "discovery-job",
            "app.kubernetes.io/managed-by": "pulumi-aim",
            "aim.silogen.ai/template": "chat",
        });
        assert.strictEqual(spec.backoffLimit, 3);
        assert.strictEqual(spec.ttlSecondsAfterFinished, undefined);
        assert.strictEqual(spec.template.spec.restartPolicy, "Never");
        // Upstream's Pod Security `restricted` context: non-root 65532, the runtime's seccomp profile.
        assert.deepStrictEqual(spec.template.spec.securityContext, { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } });
        // The template's own secrets first, then the config's, de-duplicated by name.
        assert.deepStrictEqual(spec.template.spec.imagePullSecrets, [{ name: "team-cred" }, { name: "shared" }, { name: "regcred" }]);
        assert.deepStrictEqual(container(job), {
            name: "discovery",
            image: LLAMA_IMAGE,
            args: ["dry-run", "--format=json"],
            env: [
                { name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: "hf", key: "token" } } },
                { name: "AIM_METRIC", value: "latency" },
            ],
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        });
        assert.strictEqual(await valueOf(result.discoveryJobName), metadata.name);
        assert.deepStrictEqual(await valueOf(result.resolvedImage), { name: "llama", scope: "Namespace", image: LLAMA_IMAGE });
    });

    it("runs cluster templates' discovery in aim:systemNamespace", async () => {
        const namespaceOf = async () => {
            const { resources } = await scenario((opts) => {
                llamaImage(opts);
                new AIMClusterServiceTemplate("t", { aimImageName: "llama" }, opts);
            });
            return single(resources, JOB).inputs.metadata.namespace;
        };
        assert.strictEqual(await namespaceOf(), "aim-system");
        pulumi.runtime.setConfig("aim:systemNamespace", "aim-ops");
        try {
            assert.strictEqual(await namespaceOf(), "aim-ops");
        } finally {
            pulumi.runtime.setAllConfig({});
        }
    });

    it("prefers a namespaced AIMImage and fails on a missing or later-declared image", async () => {
        const { resources } = await scenario((opts) => {
            llamaImage(opts);
            new AIMImage("team-llama", { name: "llama", namespace: "ml-team", image: "registry.local/aim:team" }, opts);
            new AIMServiceTemplate("chat", { namespace: "ml-team", aimImageName: "llama" }, opts);
        });
        assert.strictEqual(container(single(resources, JOB)).image, "registry.local/aim:team");

        const { error } = await scenarioThrows((opts) => {
            new AIMServiceTemplate("chat", { namespace: "ml-team", aimImageName: "llama" }, opts);
            llamaImage(opts);
        });
        assert.match(error.message, /^AIMServiceTemplate "chat": aimImageName: No AIMImage or AIMClusterImage found for image name "llama" \(declare it before/);
    });

    it("7. rejects each invalid field with kind, AIM name and field, registering no child", async () => {
        const cases: [string, (opts: Opts) => unknown, string][] = [
            ["metric", (o) => new AIMServiceTemplate("prod-template", { namespace: "ml", aimImageName: "llama", metric: "fast" as any }, o),
                'AIMServiceTemplate "prod-template": metric: must be one of latency, throughput'],
            ["precision", (o) => new AIMClusterServiceTemplate("prod-template", { aimImageName: "llama", precision: "fp64" as any }, o),
                'AIMClusterServiceTemplate "prod-template": precision: must be one of auto, fp4, fp8, fp16, fp32, bf16, int4, int8'],
            ["gpu count", (o) => new AIMServiceTemplate("prod-template", { namespace: "ml", aimImageName: "llama", gpuSelector: { count: -1, model: "MI300X" } }, o),
                'AIMServiceTemplate "prod-template": gpuSelector.count: must be >= 0'],
            ["gpu model", (o) => new AIMServiceTemplate("prod-template", { namespace: "ml", aimImageName: "llama", gpuSelector: { count: 1, model: "" } }, o),
                'AIMServiceTemplate "prod-template": gpuSelector.model: must not be empty'],
            ["gateway port", (o) => new AIMClusterConfig("production", { routing: { gateway: { name: "gw", port: 70000 } } }, o),
                'AIMClusterConfig "production": routing.gateway.port: must be <= 65535'],
            ["image", (o) => new AIMImage("llama", { namespace: "ml", image: "" }, o), 'AIMImage "llama": image: must not be empty'],
            ["name", (o) => new AIMClusterImage("llama", { name: "Llama_3", image: LLAMA_IMAGE }, o),
                "AIMClusterImage \"Llama_3\": name: must be a lowercase RFC 1123 subdomain (a-z, 0-9, '-', '.'; start and end alphanumeric)"],
        ];
        for (const [field, build, message] of cases) {
            const { error, resources } = await scenarioThrows((opts) => {
                llamaImage(opts);
                build(opts);
            });
            assert.ok(pulumi.ResourceError.isInstance(error), field);
            assert.strictEqual(error.message, message, field);
            assert.deepStrictEqual(children(resources), [], field);
        }
    });

    it("8. renders Jobs that validate against the Kubernetes schema", async () => {
        const { resources } = await scenario((opts) => {
            new AIMClusterConfig("default", { imagePullSecrets: [{ name: "regcred" }] }, opts);
            llamaImage(opts);
            new AIMClusterServiceTemplate("a", { aimImageName: "llama", metric: "throughput", gpuSelector: { count: 8, model: "MI325X" } }, opts);
            new AIMServiceTemplate("b", {
                namespace: "ml-team",
                aimImageName: "llama",
                precision: "bf16",
                env: [{ name: "HF_TOKEN", value: pulumi.secret("hf_abc") }],
            }, opts);
        });
        const jobs = resources.filter((r) => r.type === JOB);
        assert.strictEqual(jobs.length, 2);
        for (const job of jobs) await validateManifest(job.inputs);
        await assert.rejects(validateManifest({ ...jobs[0].inputs, spec: { backoffLimit: "3" } }));
    });

    it("9. a new pull secret on config production changes exactly the Jobs of templates using it", async () => {
        const jobsWith = async (productionSecrets: string[]) => {
            const { resources } = await scenario((opts) => {
                new AIMClusterConfig("default", { imagePullSecrets: [{ name: "regcred" }] }, opts);
                new AIMClusterConfig("production", { imagePullSecrets: productionSecrets.map((name) => ({ name })) }, opts);
                llamaImage(opts);
                new AIMClusterServiceTemplate("prod-cluster", { aimImageName: "llama", configName: "production" }, opts);
                new AIMServiceTemplate("prod-team", { namespace: "ml-team", aimImageName: "llama", configName: "production" }, opts);
                new AIMServiceTemplate("dev-team", { namespace: "ml-team", aimImageName: "llama" }, opts);
            });
            return Object.fromEntries(resources.filter((r) => r.type === JOB).map((j) => [j.name, JSON.stringify(j.inputs)]));
        };
        const before = await jobsWith(["prod-cred"]);
        const after = await jobsWith(["prod-cred", "mirror-cred"]);
        const changed = Object.keys(before).filter((name) => before[name] !== after[name]);
        assert.deepStrictEqual(changed.sort(), ["prod-cluster-discovery", "prod-team-discovery"]);
        assert.ok(after["prod-team-discovery"].includes('"mirror-cred"'));
    });

    it("exposes each config's AIM name and full spec with defaults", async () => {
        const { result } = await scenario((opts) =>
            new AIMClusterConfig("prod", { name: "production", cacheStorageClassName: "nfs", routing: { gateway: { name: "gw" } } }, opts),
        );
        assert.strictEqual(await valueOf(result.aimName), "production");
        assert.deepStrictEqual(await valueOf(result.spec), {
            name: "production",
            source: "AIMClusterConfig",
            imagePullSecrets: [],
            caching: { storageClassName: "nfs", cacheAimImageBase: false },
            routing: { autoCreateRoute: true, gateway: { name: "gw", group: "gateway.networking.k8s.io", kind: "Gateway" } },
        });
    });

    it("rejects a second config of the same name on one cluster", async () => {
        const { error } = await scenarioThrows((opts) => {
            new AIMClusterConfig("a", { name: "default" }, opts);
            new AIMClusterConfig("b", { name: "default" }, opts);
        });
        assert.strictEqual(error.message, 'AIMClusterConfig "default": name: already declared for this cluster, by AIMClusterConfig "default" (Pulumi resource "a")');
    });

    it("reports missing args from JavaScript callers as validation errors, not TypeErrors", async () => {
        const { error } = await scenarioThrows((opts) => new AIMServiceTemplate("chat", null as any, opts));
        assert.strictEqual(error.message, 'AIMServiceTemplate "chat": args: must be an object of AIMServiceTemplate arguments, not null');
    });

    it("imports configs managed by another stack; lookups then treat them like declared ones", async () => {
        const platformExport = {
            name: "production",
            source: "AIMClusterConfig",
            imagePullSecrets: [{ name: "prod-cred" }],
            caching: { cacheAimImageBase: false },
            routing: { autoCreateRoute: true, gateway: { name: "gw", group: "gateway.networking.k8s.io", kind: "Gateway" } },
        };
        const { result, resources } = await scenario(
            async (opts) => {
                const platform = new pulumi.StackReference("platform", { name: "organization/platform/prod" });
                importClusterConfig(await platform.getOutputValue("aimConfig"), { provider: opts.provider });
                importNamespaceConfig({ name: "production", namespace: "ml-team", imagePullSecrets: [{ name: "team-cred" }] }, opts);
                llamaImage(opts);
                return [
                    new AIMClusterServiceTemplate("cluster", { aimImageName: "llama", configName: "production" }, opts),
                    new AIMServiceTemplate("team", { namespace: "ml-team", aimImageName: "llama", configName: "production" }, opts),
                ];
            },
            { stackOutputs: { aimConfig: platformExport } },
        );
        const [cluster, team] = await Promise.all(result.map((t) => valueOf(t.resolvedConfig)));
        assert.deepStrictEqual(cluster, { ...platformExport, source: "AIMClusterConfig" });
        assert.deepStrictEqual([team.source, team.imagePullSecrets], ["merged", [{ name: "team-cred" }]]);
        assert.deepStrictEqual(podSpec(named(resources, "cluster-discovery")).imagePullSecrets, [{ name: "prod-cred" }]);

        await assert.rejects(
            scenario((opts) => importClusterConfig({ name: "production", routing: { gateway: { name: "gw", port: 0 } } }, opts)),
            (err: Error) => pulumi.ResourceError.isInstance(err) && err.message === 'AIMClusterConfig "production": routing.gateway.port: must be >= 1',
        );
        await assert.rejects(
            scenario(() => importClusterConfig(pulumi.output(platformExport) as never)),
            (err: Error) => pulumi.ResourceError.isInstance(err) && /^AIMClusterConfig "\(imported\)": args: an import takes a plain value, not a Pulumi Output: await it first/.test(err.message),
        );
        await assert.rejects(
            scenario(() => importClusterConfig(undefined as never)),
            (err: Error) => pulumi.ResourceError.isInstance(err) && err.message === 'AIMClusterConfig "(imported)": args: must be an object of AIMClusterConfig arguments, not undefined',
        );
    });
});
