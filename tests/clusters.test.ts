// One catalog per Kubernetes provider, keyed by the provider's URN (issue 20 item 6): providers that share a name,
// or a path of names, are still distinct clusters, and a provider rebuilt from its URN (as Construct rebuilds the
// providers it is handed) is the cluster it names. tests/provider.test.ts drives the same through Construct itself.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import { AIMClusterConfig, AIMClusterImage } from "../index";
import { clusterKeyOf } from "../components/internal";
import { LLAMA_IMAGE } from "./fixtures";
import { scenario, valueOf } from "./harness";

const PREFIX = "urn:pulumi:test::aim::";

/** A component of the program's own that providers are declared in. */
const component = (type: string, name: string, parent?: pulumi.Resource) => new pulumi.ComponentResource(type, name, {}, { parent });

/** A provider as the SDK rebuilds a provider reference (provider/server.js `createProviderResource`): from its URN, without parents. */
const rebuilt = (urn: string) =>
    pulumi.runtime.getResourcePackage("kubernetes", undefined)!.constructProvider(urn.split("::").pop()!, "pulumi:providers:kubernetes", urn);

/** What an image on `provider` resolved as its config: whether the config declared on the other cluster serves it. */
const image = (pulumiName: string, provider: pulumi.ProviderResource) =>
    new AIMClusterImage(pulumiName, { name: "llama", image: LLAMA_IMAGE }, { provider }).resolvedConfig.apply((c) => [c.source, c.imagePullSecrets]);

const SERVED = ["AIMClusterConfig", [{ name: "west-pull" }]];
const NOT_SERVED = ["none", []];

describe("one catalog per Kubernetes provider, keyed by its URN", () => {
    it("is the URN the engine gives the provider: its parents' whole type chain, then its name", async () => {
        const { result } = await scenario(async () => {
            const west = component("test:index:West", "west", component("test:index:Region", "eu"));
            const nested = new k8s.Provider("k8s", {}, { parent: west });
            const root = new k8s.Provider("west/k8s", {});
            const child = new k8s.Provider("k8s", {}, { parent: component("test:index:East", "east") });
            // Under a root component the mock runtime's URN is the engine's too (it keeps only the parent's last type).
            return [clusterKeyOf(nested), clusterKeyOf(root), clusterKeyOf(child), await valueOf(child.urn), clusterKeyOf(undefined)];
        });
        assert.deepStrictEqual(result, [
            `${PREFIX}test:index:Region$test:index:West$pulumi:providers:kubernetes::k8s`,
            `${PREFIX}pulumi:providers:kubernetes::west/k8s`,
            `${PREFIX}test:index:East$pulumi:providers:kubernetes::k8s`,
            `${PREFIX}test:index:East$pulumi:providers:kubernetes::k8s`,
            "default",
        ]);
    });

    it("a config declared for the root provider `west/k8s` does not serve the provider `k8s` inside component `west`", async () => {
        const { result, warnings } = await scenario(async () => {
            const root = new k8s.Provider("west/k8s", {});
            const nested = new k8s.Provider("k8s", {}, { parent: component("test:index:West", "west") });
            new AIMClusterConfig("west-default", { name: "default", imagePullSecrets: [{ name: "west-pull" }] }, { provider: root });
            // The same AIM name on each: two catalogs, so neither is "already declared".
            return Promise.all([valueOf(image("llama-nested", nested)), valueOf(image("llama-root", root))]);
        });
        assert.deepStrictEqual(result, [NOT_SERVED, SERVED]);
        assert.deepStrictEqual(warnings.map((w) => w.split(",")[0]), ['DefaultConfigNotFound: AIMClusterConfig "default" not found']);
    });

    it("providers rebuilt from their URNs, without parents, are the clusters they name, not one per name", async () => {
        const { result, warnings } = await scenario(async () => {
            // Two providers `k8s` in components both named `region`, of two types: two URNs, two clusters. (Types of
            // this test's own: catalogs live as long as the process, and a URN another test declared on is its cluster.)
            const [west, east] = ["test:index:North", "test:index:South"].map((type) => new k8s.Provider("k8s", {}, { parent: component(type, "region") }));
            const [westUrn, eastUrn] = await Promise.all([valueOf(west.urn), valueOf(east.urn)]);
            new AIMClusterConfig("west-default", { name: "default", imagePullSecrets: [{ name: "west-pull" }] }, { provider: rebuilt(westUrn) });
            return Promise.all([
                valueOf(image("llama-east", rebuilt(eastUrn))),
                // Rebuilt again (another Construct call) and the provider object itself: the same cluster.
                valueOf(image("llama-west", rebuilt(westUrn))),
                valueOf(new AIMClusterImage("mistral-west", { name: "mistral", image: "ghcr.io/silogen/aim:0.4.0-mistral" }, { provider: west }).resolvedConfig.apply((c) => c.source)),
            ]);
        });
        assert.deepStrictEqual(result, [NOT_SERVED, SERVED, "AIMClusterConfig"]);
        assert.deepStrictEqual(warnings.map((w) => w.split(",")[0]), ['DefaultConfigNotFound: AIMClusterConfig "default" not found']);
    });
});
