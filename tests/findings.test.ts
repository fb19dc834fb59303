// Inputs the property suite (tests/properties.test.ts, `npm run fuzz`) found accepted or misreported, each with the
// exact input: every one now fails at once with `<Kind> "<name>": <field>: <problem>`, registering nothing.

import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import { AIMClusterConfig, AIMClusterImage, AIMClusterServiceTemplate, AIMService, AIMServiceArgs } from "../index";
import { KAIWO_GATEWAY, LLAMA_IMAGE, LLAMA_SOURCE } from "./fixtures";
import { DAEMONSET, Opts, Registered, ROUTE, scenario, scenarioThrows, single } from "./harness";

/** A routed default config, the llama image and its default template `base`. */
function cluster(opts: Opts) {
    new AIMClusterConfig("default", { routing: { gateway: KAIWO_GATEWAY } }, opts);
    new AIMClusterImage("llama", { image: LLAMA_IMAGE, defaultServiceTemplate: "base" }, opts);
    new AIMClusterServiceTemplate("base", { aimImageName: "llama", gpuSelector: { count: 1, model: "MI300X" }, modelSources: [LLAMA_SOURCE] }, opts);
}

/** Runs the cluster, then `failing`: returns its ResourceError's message; nothing but the cluster may register. */
async function messageOf(failing: (opts: Opts) => unknown): Promise<string> {
    const alone = await scenario(cluster);
    const { error, resources } = await scenarioThrows((opts) => {
        cluster(opts);
        failing(opts);
    });
    assert.ok(pulumi.ResourceError.isInstance(error), `a ResourceError, not ${error?.constructor?.name}: ${error?.message}`);
    // What the cluster alone registers, by type (names differ: the system namespace is named after the provider).
    const types = (rs: Registered[]) => rs.map((r) => r.type);
    assert.deepStrictEqual(types(resources), types(alone.resources));
    assert.deepStrictEqual(resources.filter((r) => r.name.startsWith("chat")), []);
    return error.message;
}

function service(opts: Opts, args: Partial<AIMServiceArgs>) {
    return new AIMService("chat", { namespace: "ml", aimImageName: "llama", ...args }, opts);
}

/** A DNS subdomain of 254 characters: too long for the prefix of a label or annotation key. */
const LONG_PREFIX = `${"p".repeat(63)}.${"q".repeat(63)}.${"r".repeat(63)}.${"s".repeat(62)}`;

describe("inputs found by the property suite", () => {
    it("a label or annotation key whose prefix is over 253 characters is an error, not an object the API server rejects", async () => {
        assert.strictEqual(
            await messageOf((opts) => service(opts, { labels: { [`${LONG_PREFIX}/k`]: "a" } })),
            `AIMService "chat": labels.${LONG_PREFIX}/k: is not a valid key: must have a prefix (before '/') of at most 253 characters`,
        );
        assert.strictEqual(
            await messageOf((opts) => service(opts, { routing: { annotations: { [`${LONG_PREFIX}/k`]: "me" } } })),
            `AIMService "chat": routing.annotations.${LONG_PREFIX}/k: is not a valid key: must have a prefix (before '/') of at most 253 characters`,
        );
    });

    it("route annotations over 256 KiB in all are an error, not an HTTPRoute the API server rejects", async () => {
        const annotations = { note: "z".repeat(256 * 1024 - 4) };
        assert.strictEqual(
            await messageOf((opts) => service(opts, { routing: { annotations: { ...annotations, "example.com/owner": "me" } } })),
            `AIMService "chat": routing.annotations: must total at most 256 KiB (keys and values), the API server's limit for an object's annotations`,
        );
        // Exactly at the limit is accepted.
        const { resources } = await scenario((opts) => {
            cluster(opts);
            service(opts, { routing: { annotations } });
        });
        assert.deepStrictEqual(single(resources, ROUTE).inputs.metadata.annotations, annotations);
    });

    it("an own __proto__ key on an array is named by its key, not as index NaN", async () => {
        const imagePullSecrets = [{ name: "regcred" }];
        Object.defineProperty(imagePullSecrets, "__proto__", { value: { name: "x" }, enumerable: true });
        assert.strictEqual(
            await messageOf((opts) => service(opts, { imagePullSecrets })),
            `AIMService "chat": imagePullSecrets.__proto__: is not a valid key`,
        );
    });

    it("an Output or a Promise where a plain object belongs is named as such, not by its internals as unknown fields", async () => {
        const cases: [(opts: Opts) => unknown, string][] = [
            [(opts) => service(opts, { routing: pulumi.output({ enabled: true }) as any }), `routing: must be a plain object, not a Pulumi Output`],
            [(opts) => service(opts, { labels: pulumi.output({ team: "a" }) as any }), `labels: must be a plain record, not a Pulumi Output`],
            [(opts) => service(opts, { imagePullSecrets: [Promise.resolve({ name: "regcred" }) as any] }), `imagePullSecrets[0]: must be a plain object, not a Promise`],
            // Where an Input is allowed it stays allowed, and a misplaced Output at a leaf keeps its expected type.
            [(opts) => service(opts, { namespace: pulumi.output("ml") as any }), `namespace: must be a plain string, not a Pulumi Output`],
        ];
        for (const [failing, problem] of cases) assert.strictEqual(await messageOf(failing), `AIMService "chat": ${problem}`);
    });

    it("a config that lists a pull secret twice gives the base-image DaemonSet each secret once, as every other workload", async () => {
        const once = await scenario((opts) => {
            new AIMClusterConfig("default", { imagePullSecrets: [{ name: "regcred" }], caching: { cacheAimImageBase: true } }, opts);
            new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
        });
        const twice = await scenario((opts) => {
            const regcred = { name: "regcred" };
            new AIMClusterConfig("default", { imagePullSecrets: [regcred, regcred], caching: { cacheAimImageBase: true } }, opts);
            new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
        });
        const daemonSet = single(twice.resources, DAEMONSET);
        assert.deepStrictEqual(daemonSet.inputs.spec.template.spec.imagePullSecrets, [{ name: "regcred" }]);
        // The same secrets: the same DaemonSet (each scenario's cluster tags the Pulumi name differently).
        assert.strictEqual(daemonSet.inputs.metadata.name, single(once.resources, DAEMONSET).inputs.metadata.name);
    });

    it("an empty Pulumi resource name is an error in the package's format, not Pulumi's URN error", async () => {
        assert.strictEqual(
            await messageOf((opts) => new AIMService("", { name: "chat", namespace: "ml", aimImageName: "llama" }, opts)),
            `AIMService "chat": resource name: the Pulumi resource name (first constructor argument) must not be empty`,
        );
    });
});
