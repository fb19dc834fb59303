// Layer 2 without Pulumi: config merging and defaults, image lookup order.

import * as assert from "assert";
import { Catalog } from "../resolve/catalog";
import { resolveConfig } from "../resolve/config";
import { findImage } from "../resolve/image";
import { KAIWO_GATEWAY } from "./fixtures";

const request = { kind: "AIMServiceTemplate", aimName: "t" };

describe("resolve", () => {
    it("fills every default of a cluster config", () => {
        const catalog = new Catalog();
        catalog.clusterConfigs.declare(undefined, "default", { spec: { routing: { gateway: KAIWO_GATEWAY } } });
        const { config, warning } = resolveConfig(catalog, request);
        assert.strictEqual(warning, undefined);
        assert.deepStrictEqual(config, {
            name: "default",
            source: "AIMClusterConfig",
            imagePullSecrets: [],
            caching: { cacheAimImageBase: false },
            routing: {
                autoCreateRoute: true,
                gateway: { ...KAIWO_GATEWAY, group: "gateway.networking.k8s.io", kind: "Gateway" },
            },
        });
    });

    it("merges a namespace config over the cluster config field by field", () => {
        const catalog = new Catalog();
        catalog.clusterConfigs.declare(undefined, "default", { spec: {
            imagePullSecrets: [{ name: "cluster-cred" }],
            caching: { storageClassName: "ceph", cacheAimImageBase: true },
            routing: { gateway: KAIWO_GATEWAY },
        } });
        catalog.namespaceConfigs.declare("ml-team", "default", { spec: {
            imagePullSecrets: [{ name: "team-cred" }],
            routing: { autoCreateRoute: false },
        } });
        const { config } = resolveConfig(catalog, { ...request, namespace: "ml-team" });
        assert.deepStrictEqual(config, {
            name: "default",
            source: "merged",
            imagePullSecrets: [{ name: "team-cred" }],
            caching: { storageClassName: "ceph", cacheAimImageBase: true },
            routing: {
                autoCreateRoute: false,
                gateway: { ...KAIWO_GATEWAY, group: "gateway.networking.k8s.io", kind: "Gateway" },
            },
        });
        // Other namespaces and cluster-scoped dependents see the cluster config alone.
        assert.strictEqual(resolveConfig(catalog, { ...request, namespace: "other" }).config.source, "AIMClusterConfig");
        assert.strictEqual(resolveConfig(catalog, request).config.source, "AIMClusterConfig");
    });

    it("uses a namespace config alone when no cluster config of that name exists", () => {
        const catalog = new Catalog();
        catalog.namespaceConfigs.declare("ml-team", "team", { spec: { imagePullSecrets: [{ name: "team-cred" }] } });
        const { config } = resolveConfig(catalog, { ...request, namespace: "ml-team", configName: "team" });
        assert.strictEqual(config.source, "AIMNamespaceConfig");
        assert.deepStrictEqual(config.imagePullSecrets, [{ name: "team-cred" }]);
        assert.throws(
            () => resolveConfig(catalog, { ...request, namespace: "other", configName: "team" }),
            /^AimError: AIMServiceTemplate "t": configName: failed to get AIMClusterConfig "team": not found/,
        );
    });

    it("warns and proceeds when the implicit default is missing; fails when an explicit one is", () => {
        const catalog = new Catalog();
        const { config, warning } = resolveConfig(catalog, request);
        assert.strictEqual(config.source, "none");
        assert.deepStrictEqual(config.imagePullSecrets, []);
        assert.match(warning!, /^DefaultConfigNotFound: AIMClusterConfig "default" not found, proceeding with defaults/);
        // Naming "default" explicitly is an explicit reference: it must exist.
        assert.throws(() => resolveConfig(catalog, { ...request, configName: "default" }), /failed to get AIMClusterConfig "default": not found/);
    });

    it("names a declared config of a similar name when the implicit default is missing", () => {
        const catalog = new Catalog();
        catalog.clusterConfigs.declare(undefined, "defualt", { spec: {} });
        catalog.namespaceConfigs.declare("ml-team", "Default", { spec: {} });
        const defaults = "(no image pull secrets from config, no routing unless the service sets it, the cluster's default storage class";
        // The closest of the cluster configs and the dependent's own namespace configs.
        assert.strictEqual(
            resolveConfig(catalog, request).warning,
            `DefaultConfigNotFound: AIMClusterConfig "default" not found, proceeding with defaults ${defaults}; did you mean "defualt"?)`,
        );
        assert.strictEqual(
            resolveConfig(catalog, { ...request, namespace: "ml-team" }).warning,
            `DefaultConfigNotFound: AIMClusterConfig "default" not found, proceeding with defaults ${defaults}; did you mean "Default"?)`,
        );
        // Nothing close: no hint.
        const far = new Catalog();
        far.clusterConfigs.declare(undefined, "production", { spec: {} });
        assert.strictEqual(resolveConfig(far, request).warning, `DefaultConfigNotFound: AIMClusterConfig "default" not found, proceeding with defaults ${defaults})`);
    });

    it("finds a namespaced image before a cluster image; cluster dependents see cluster images only", () => {
        const catalog = new Catalog();
        catalog.clusterImages.declare(undefined, "llama", { scope: "Cluster", spec: { name: "llama", image: "cluster:1" } });
        catalog.images.declare("ml", "llama", { scope: "Namespace", spec: { name: "llama", image: "ns:1" } });
        const dependent = { kind: "AIMServiceTemplate", aimName: "t" };
        assert.strictEqual(findImage(catalog, dependent, "ml", "llama").spec.image, "ns:1");
        assert.strictEqual(findImage(catalog, dependent, "other", "llama").spec.image, "cluster:1");
        assert.strictEqual(findImage(catalog, dependent, undefined, "llama").spec.image, "cluster:1");
        assert.throws(
            () => findImage(catalog, dependent, "ml", "qwen"),
            /^AimError: AIMServiceTemplate "t": aimImageName: No AIMImage or AIMClusterImage found for image name "qwen" \(.*\)$/,
        );
        assert.throws(
            () => findImage(catalog, dependent, undefined, "lama"),
            /^AimError: AIMServiceTemplate "t": aimImageName: No AIMClusterImage found for image name "lama" \(.*; did you mean "llama"\?\)$/,
        );
    });

    it("rejects a second declaration of a name in the same scope", () => {
        const catalog = new Catalog();
        catalog.clusterConfigs.declare(undefined, "default", { spec: {} });
        assert.throws(() => catalog.clusterConfigs.declare(undefined, "default", { spec: {} }), /^AimError: AIMClusterConfig "default": name: already declared for this cluster, by AIMClusterConfig "default"$/);
        catalog.namespaceConfigs.declare("a", "default", { spec: {} });
        catalog.namespaceConfigs.declare("b", "default", { spec: {} });
    });
});
