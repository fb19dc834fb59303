// The component provider through the real protocol (see tests/grpc.ts): GetSchema, and Construct for the YAML
// example's config, image, template and routed service in the program's order, the DefaultConfigNotFound warning
// through the engine's Log, and a failing Construct for a missing explicit config.

import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { FakeEngine, PROVIDER_ID, ProviderProcess, STACK_URN, type Constructed } from "./grpc";
import { validateManifest } from "./k8sSchemas";

const REPO_ROOT = path.resolve(__dirname, "..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const EXAMPLE = path.resolve(__dirname, "../examples/yaml/Pulumi.yaml");
const SCHEMA = path.resolve(__dirname, "../provider/schema.json");

/** A reference to an explicit Kubernetes provider (another cluster), as the engine passes it: `<urn>::<id>`. */
const cluster = (name: string): string => `urn:pulumi:dev::aim-grpc::pulumi:providers:kubernetes::${name}::${PROVIDER_ID}`;
const STAGING_CLUSTER = cluster("staging");

interface YamlResource {
    type: string;
    properties: Record<string, unknown>;
    options?: { dependsOn?: string[] };
}
interface YamlProgram {
    resources: Record<string, YamlResource>;
    outputs: Record<string, string>;
}

/** `${name}` or `${name.property}` in a YAML program. */
function interpolation(expr: string): { resource: string; property?: string } {
    const match = /^\$\{([A-Za-z][\w-]*)(?:\.(\w+))?\}$/.exec(expr);
    assert.ok(match, `not an interpolation: ${expr}`);
    return { resource: match[1], property: match[2] };
}

describe("component provider over gRPC (started as the engine starts it)", function () {
    // The build, then the provider's schema inference (a TypeScript program over the package): seconds each.
    this.timeout(180_000);

    let engine: FakeEngine;
    let provider: ProviderProcess;

    before(async function () {
        // The provider runs the compiled host in bin/: build it from the sources under test.
        const build = spawnSync(NPM, ["run", "build"], { cwd: REPO_ROOT, encoding: "utf8" });
        assert.equal(build.status, 0, `npm run build:\n${build.stdout}${build.stderr}`);
        engine = await FakeEngine.start();
        provider = await ProviderProcess.start(engine);
    });

    after(async function () {
        await provider?.stop();
        engine?.stop();
    });

    it("tells a clone that was not built what to run, instead of starting", function () {
        const clone = fs.mkdtempSync(path.join(os.tmpdir(), "aim-unbuilt-"));
        try {
            fs.mkdirSync(path.join(clone, "provider"));
            fs.copyFileSync(path.join(REPO_ROOT, "provider/index.js"), path.join(clone, "provider/index.js"));
            const run = spawnSync(process.execPath, [path.join(clone, "provider")], { encoding: "utf8" });
            assert.notEqual(run.status, 0);
            const expected = `Error: ${path.join(clone, "bin/provider/main.js")} does not exist: run \`npm ci\` (or \`npm run build\`) in ${clone} first`;
            assert.ok(run.stderr.includes(expected), run.stderr);
        } finally {
            fs.rmSync(clone, { recursive: true, force: true });
        }
    });

    it("serves the committed provider/schema.json through GetSchema", async function () {
        assert.deepEqual(await provider.getSchema(), JSON.parse(fs.readFileSync(SCHEMA, "utf8")));
    });

    it("logs DefaultConfigNotFound through the engine when a cluster has no default config, and proceeds", async function () {
        const image = await provider.construct(
            "aim:index:AIMClusterImage",
            "staging-llama",
            { image: "ghcr.io/silogen/aim:0.4.0-meta-llama-llama-3.1-8b-instruct-v20251006" },
            { kubernetesProvider: STAGING_CLUSTER },
        );
        const warnings = engine.logs.filter((l) => l.severity === "warning");
        assert.deepEqual(warnings, [
            {
                severity: "warning",
                message: warnings[0]?.message,
                urn: "urn:pulumi:dev::aim-grpc::aim:index:AIMClusterImage::staging-llama",
            },
        ]);
        assert.match(warnings[0].message, /^DefaultConfigNotFound: AIMClusterConfig "default" not found, proceeding with defaults/);
        assert.equal(image.urn, warnings[0].urn);
        assert.deepEqual(image.state.resolvedConfig, {
            name: "default",
            source: "none",
            imagePullSecrets: [],
            caching: { cacheAimImageBase: false },
            routing: { autoCreateRoute: true },
        });
    });

    it('fails Construct on a missing explicit config with `failed to get AIMClusterConfig "production": not found`', async function () {
        const rejected = provider.construct(
            "aim:index:AIMClusterImage",
            "production-llama",
            { image: "ghcr.io/silogen/aim:0.4.0-meta-llama-llama-3.1-8b-instruct-v20251006", configName: "production" },
            { kubernetesProvider: STAGING_CLUSTER },
        );
        await assert.rejects(rejected, (err: Error & { details?: string }) => {
            assert.match(err.details ?? "", /failed to get AIMClusterConfig "production": not found/);
            assert.match(err.details ?? "", /AIMClusterImage "production-llama"/);
            return true;
        });
        assert.deepEqual(
            engine.registrations.filter((r) => r.name === "production-llama"),
            [],
            "a failing component registers nothing",
        );
    });

    it("shares one catalog per cluster across Construct calls: a config constructed with a provider serves a later call with it", async function () {
        const prod = cluster("prod");
        await provider.construct(
            "aim:index:AIMClusterConfig",
            "prod-default",
            { name: "default", imagePullSecrets: [{ name: "prod-pull" }] },
            { kubernetesProvider: prod },
        );
        const warningsBefore = engine.logs.filter((l) => l.severity === "warning").length;
        const image = await provider.construct(
            "aim:index:AIMClusterImage",
            "prod-llama",
            { image: "ghcr.io/silogen/aim:0.4.0-meta-llama-llama-3.1-8b-instruct-v20251006" },
            { kubernetesProvider: prod },
        );
        assert.deepEqual(image.state.resolvedConfig, {
            name: "default",
            source: "AIMClusterConfig",
            imagePullSecrets: [{ name: "prod-pull" }],
            caching: { cacheAimImageBase: false },
            routing: { autoCreateRoute: true },
        });
        assert.equal(engine.logs.filter((l) => l.severity === "warning").length, warningsBefore, "no DefaultConfigNotFound");
    });

    it("keeps apart two providers of one name under parents of different types: Construct rebuilds both without parents", async function () {
        // As a program with `new West("region")` and `new East("region")`, each with a provider `k8s`, passes them.
        const [west, east] = ["West", "East"].map((type) => `urn:pulumi:dev::aim-grpc::test:index:${type}$pulumi:providers:kubernetes::k8s::${PROVIDER_ID}`);
        await provider.construct("aim:index:AIMClusterConfig", "west-default", { name: "default", imagePullSecrets: [{ name: "west-pull" }] }, { kubernetesProvider: west });
        const image = { name: "llama", image: "ghcr.io/silogen/aim:0.4.0-meta-llama-llama-3.1-8b-instruct-v20251006" };
        const warningsBefore = engine.logs.filter((l) => l.severity === "warning").length;
        // The same AIM name on each: two catalogs, so neither is "already declared".
        const onEast = await provider.construct("aim:index:AIMClusterImage", "east-llama", image, { kubernetesProvider: east });
        const onWest = await provider.construct("aim:index:AIMClusterImage", "west-llama", image, { kubernetesProvider: west });
        const served = (c: { state: Record<string, unknown> }) => {
            const config = c.state.resolvedConfig as { source: string; imagePullSecrets: unknown[] };
            return [config.source, config.imagePullSecrets];
        };
        assert.deepStrictEqual([served(onEast), served(onWest)], [["none", []], ["AIMClusterConfig", [{ name: "west-pull" }]]]);
        assert.deepStrictEqual(
            engine.logs.filter((l) => l.severity === "warning").slice(warningsBefore).map((l) => [l.urn, l.message.split(",")[0]]),
            [[onEast.urn, 'DefaultConfigNotFound: AIMClusterConfig "default" not found']],
        );

        // Each cluster gets its own system Namespace, the child of its provider, and its discovery Job waits for it.
        for (const [cluster, ref] of [["West", west], ["East", east]]) {
            const template = await provider.construct("aim:index:AIMClusterServiceTemplate", `${cluster.toLowerCase()}-discovered`, { aimImageName: "llama" }, { kubernetesProvider: ref });
            const namespaceUrn = `urn:pulumi:dev::aim-grpc::test:index:${cluster}$pulumi:providers:kubernetes$kubernetes:core/v1:Namespace::k8s-aim-system-namespace`;
            const namespace = engine.registrations.find((r) => r.urn === namespaceUrn);
            assert.deepStrictEqual(
                namespace && [namespace.parent, (namespace.inputs.metadata as { name: string }).name, namespace.retainOnDelete],
                [`urn:pulumi:dev::aim-grpc::test:index:${cluster}$pulumi:providers:kubernetes::k8s`, "aim-system", true],
            );
            assert.deepStrictEqual(engine.childrenOf(template.urn).map((r) => [r.type, r.dependencies]), [["kubernetes:batch/v1:Job", [namespaceUrn]]]);
        }
        assert.strictEqual(engine.registrations.filter((r) => r.type === "kubernetes:core/v1:Namespace").length, 2);
    });

    it("takes the stack's aim:target from the engine's config: on the operator target an image registers its AIMClusterModel", async function () {
        const edge = cluster("edge");
        const config = { "aim:target": "operator" };
        await provider.construct("aim:index:AIMClusterConfig", "edge-default", { name: "default", imagePullSecrets: [{ name: "edge-pull" }] }, { kubernetesProvider: edge, config });
        const image = await provider.construct(
            "aim:index:AIMClusterImage",
            "edge-llama",
            { image: "ghcr.io/silogen/aim:0.4.0-meta-llama-llama-3.1-8b-instruct-v20251006" },
            { kubernetesProvider: edge, config },
        );
        const model = engine.childrenOf(image.urn);
        assert.deepEqual(
            model.map((r) => [r.type, r.name]),
            [["kubernetes:aim.eai.amd.com/v1alpha1:AIMClusterModel", "edge-llama-model"]],
        );
        assert.deepEqual((model[0].inputs as { spec: unknown }).spec, {
            image: "ghcr.io/silogen/aim:0.4.0-meta-llama-llama-3.1-8b-instruct-v20251006",
            imagePullSecrets: [{ name: "edge-pull" }],
            discovery: { createServiceTemplates: false },
        });
        await validateManifest(model[0].inputs);
    });

    describe("the YAML example (examples/yaml), constructed in the program's order", function () {
        const program = parse(fs.readFileSync(EXAMPLE, "utf8")) as YamlProgram;
        const constructed = new Map<string, Constructed>();
        let logsBefore = 0;
        const urn = (qualifiedType: string, name: string): string => `urn:pulumi:dev::aim-grpc::${qualifiedType}::${name}`;

        before(async function () {
            logsBefore = engine.logs.length;
            for (const [name, resource] of Object.entries(program.resources)) {
                const dependsOn = (resource.options?.dependsOn ?? []).map((expr) => {
                    const dependency = constructed.get(interpolation(expr).resource);
                    assert.ok(dependency, `${name} depends on ${expr}, which the program declares after it`);
                    return dependency.urn;
                });
                // A Kubernetes resource of the program (its namespace) is the engine's to register, not the provider's.
                constructed.set(
                    name,
                    resource.type.startsWith("aim:")
                        ? await provider.construct(resource.type, name, resource.properties, { dependsOn })
                        : { urn: urn(resource.type, name), state: resource.properties },
                );
            }
        });

        it("creates every namespace it deploys into, before the resources deployed there", async function () {
            const namespaces = new Map<string, string>();
            for (const [name, resource] of Object.entries(program.resources)) {
                if (resource.type !== "kubernetes:core/v1:Namespace") continue;
                await validateManifest({ apiVersion: "v1", kind: "Namespace", ...resource.properties });
                namespaces.set((resource.properties.metadata as { name: string }).name, `\${${name}}`);
            }
            const deployed = Object.entries(program.resources).filter(([, r]) => r.properties.namespace !== undefined);
            assert.deepEqual(
                deployed.map(([name, r]) => [name, r.properties.namespace, namespaces.has(r.properties.namespace as string)]),
                [
                    ["latencyTemplate", "ml-team", true],
                    ["chat", "ml-team", true],
                ],
            );
            for (const [name, r] of deployed) {
                assert.ok(r.options?.dependsOn?.includes(namespaces.get(r.properties.namespace as string)!), `${name} depends on its namespace`);
            }
        });

        it("registers each component under the stack, with the program's dependencies", function () {
            const ML_TEAM = urn("kubernetes:core/v1:Namespace", "mlTeam");
            const components = engine.registrations.filter((r) => !r.custom && Object.keys(program.resources).includes(r.name));
            assert.deepEqual(
                components.map((r) => [r.urn, r.parent, r.dependencies]),
                [
                    [urn("aim:index:AIMClusterConfig", "defaultConfig"), STACK_URN, []],
                    [urn("aim:index:AIMClusterImage", "llamaImage"), STACK_URN, [urn("aim:index:AIMClusterConfig", "defaultConfig")]],
                    [
                        urn("aim:index:AIMServiceTemplate", "latencyTemplate"),
                        STACK_URN,
                        [ML_TEAM, urn("aim:index:AIMClusterConfig", "defaultConfig"), urn("aim:index:AIMClusterImage", "llamaImage")],
                    ],
                    [
                        urn("aim:index:AIMService", "chat"),
                        STACK_URN,
                        [
                            ML_TEAM,
                            urn("aim:index:AIMClusterConfig", "defaultConfig"),
                            urn("aim:index:AIMClusterImage", "llamaImage"),
                            urn("aim:index:AIMServiceTemplate", "latencyTemplate"),
                        ],
                    ],
                ],
            );
        });

        it("registers the template's discovery Job and the service's Deployment, Service and HTTPRoute as children", async function () {
            const children = (parent: string) =>
                engine.childrenOf(constructed.get(parent)!.urn).map((r) => [r.type, r.name, (r.inputs.metadata as { name: string } | undefined)?.name]);
            assert.deepEqual(engine.childrenOf(constructed.get("defaultConfig")!.urn), []);
            assert.deepEqual(engine.childrenOf(constructed.get("llamaImage")!.urn), []);
            const jobName = constructed.get("latencyTemplate")!.state.discoveryJobName as string;
            assert.match(jobName, /^discover-llama-3-8b-latency-[0-9a-f]{8}$/);
            assert.deepEqual(children("latencyTemplate"), [["kubernetes:batch/v1:Job", "latencyTemplate-discovery", jobName]]);
            assert.deepEqual(
                children("chat").sort(),
                [
                    ["kubernetes:apps/v1:Deployment", "chat-deployment", "llama-chat"],
                    ["kubernetes:core/v1:Service", "chat-service", "llama-chat"],
                    ["kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "chat-route", "llama-chat"],
                    ["kubernetes:core/v1:Secret", "chat-api-key", "llama-chat-api-key"],
                    ["random:index/randomPassword:RandomPassword", "chat-api-key", undefined],
                ].sort(),
            );
            for (const child of engine.registrations.filter((r) => r.custom && r.parent !== "" && r.type.startsWith("kubernetes:"))) {
                // The API key Secret's data is the generated password, unknown in a preview: nothing to validate yet.
                if (JSON.stringify(child.inputs).includes("04da6b54-80e4-46f7-96ec-b56ff0331ba9")) continue;
                await validateManifest(child.inputs);
            }
            const job = engine.childrenOf(constructed.get("latencyTemplate")!.urn)[0].inputs as {
                spec: { template: { spec: { imagePullSecrets: { name: string }[] } } };
            };
            assert.deepEqual(job.spec.template.spec.imagePullSecrets, [{ name: "ghcr-pull" }], "the default config's pull secret");
        });

        it("returns the outputs the program exports", function () {
            const outputs = Object.fromEntries(
                Object.entries(program.outputs).map(([key, expr]) => {
                    const { resource, property } = interpolation(expr);
                    return [key, constructed.get(resource)!.state[property!]];
                }),
            );
            assert.deepEqual(outputs, {
                discoveryJob: constructed.get("latencyTemplate")!.state.discoveryJobName,
                config: {
                    name: "default",
                    source: "AIMClusterConfig",
                    imagePullSecrets: [{ name: "ghcr-pull" }],
                    caching: { cacheAimImageBase: false },
                    routing: {
                        autoCreateRoute: true,
                        gateway: { group: "gateway.networking.k8s.io", kind: "Gateway", name: "kaiwo-gateway", namespace: "kaiwo-system" },
                    },
                },
                path: "/ml-team/llama-chat",
                endpoint: "http://llama-chat.ml-team.svc",
                // A preview: the generated key is not known yet (the engine's unknown sentinel).
                apiKey: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
            });
        });

        it("logs no warning: every dependent found the declared default config", function () {
            assert.deepEqual(engine.logs.slice(logsBefore).filter((l) => l.severity !== "debug"), []);
        });
    });
});
