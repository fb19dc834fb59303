// Layer 1 without Pulumi: every schema rejects bad fields with the kind, the AIM name and the field path.

import * as assert from "assert";
import { AimError, parseArgs } from "../validate/common";
import { clusterConfigSchema, namespaceConfigSchema } from "../validate/config";
import { clusterImageSchema } from "../validate/image";
import { clusterServiceTemplateSchema, serviceTemplateSchema } from "../validate/template";

function problem(kind: string, name: string, schema: Parameters<typeof parseArgs>[2], input: object): string {
    try {
        parseArgs(kind, name, schema, { name, ...input });
    } catch (err) {
        assert.ok(err instanceof AimError);
        return err.message;
    }
    assert.fail("expected a validation error");
}

describe("validate", () => {
    const template = (input: object) =>
        problem("AIMServiceTemplate", "prod-template", serviceTemplateSchema, {
            namespace: "ml",
            aimImageName: "llama",
            ...input,
        });

    it("names kind, AIM name and field for each bad template field", () => {
        assert.strictEqual(template({ metric: "fast" }), 'AIMServiceTemplate "prod-template": metric: must be one of latency, throughput');
        assert.strictEqual(
            template({ precision: "fp64" }),
            'AIMServiceTemplate "prod-template": precision: must be one of auto, fp4, fp8, fp16, fp32, bf16, int4, int8',
        );
        assert.strictEqual(template({ gpuSelector: { count: -1, model: "MI300X" } }), 'AIMServiceTemplate "prod-template": gpuSelector.count: must be >= 0');
        assert.strictEqual(template({ gpuSelector: { count: 1, model: "" } }), 'AIMServiceTemplate "prod-template": gpuSelector.model: must not be empty');
        assert.strictEqual(template({ gpuSelector: { count: 2 } }), 'AIMServiceTemplate "prod-template": gpuSelector.model: is required');
        assert.strictEqual(
            template({ modelSources: [{ name: "m", sourceUri: "http://x", size: "1Gi" }] }),
            'AIMServiceTemplate "prod-template": modelSources[0].sourceUri: must match ^(hf|s3)://… (no whitespace)',
        );
        assert.strictEqual(
            template({ modelSources: [{ name: "m", sourceUri: "hf://x", size: "20GB" }] }),
            'AIMServiceTemplate "prod-template": modelSources[0].size: must be a Kubernetes quantity such as 9094593249, 500Mi or 8Gi',
        );
        assert.strictEqual(
            template({ env: [{ name: "A", value: "1" }, { name: "A", value: "2" }] }),
            'AIMServiceTemplate "prod-template": env[1].name: duplicate environment variable "A"',
        );
    });

    it("reports every bad field at once, the first problem of each", () => {
        assert.strictEqual(
            template({ metric: "fast", gpuSelector: { count: -1, model: "" } }),
            'AIMServiceTemplate "prod-template": metric: must be one of latency, throughput; gpuSelector.count: must be >= 0; gpuSelector.model: must not be empty',
        );
    });

    it("rejects namespace-only fields on cluster templates, and unknown fields", () => {
        assert.strictEqual(
            problem("AIMClusterServiceTemplate", "t", clusterServiceTemplateSchema, { aimImageName: "x", env: [] }),
            'AIMClusterServiceTemplate "t": args: unknown field(s) env',
        );
    });

    it("checks gateway references as the Gateway API does", () => {
        const config = (gateway: object) => problem("AIMClusterConfig", "production", clusterConfigSchema, { routing: { gateway } });
        assert.strictEqual(config({ name: "gw", port: 70000 }), 'AIMClusterConfig "production": routing.gateway.port: must be <= 65535');
        assert.strictEqual(config({ namespace: "x" }), 'AIMClusterConfig "production": routing.gateway.name: is required');
        assert.strictEqual(config({ name: "gw", kind: "1Gateway" }), 'AIMClusterConfig "production": routing.gateway.kind: must be a valid kind name');
    });

    it("rejects empty images and non-DNS names", () => {
        assert.strictEqual(problem("AIMClusterImage", "llama", clusterImageSchema, { image: "" }), 'AIMClusterImage "llama": image: must not be empty');
        assert.strictEqual(
            problem("AIMClusterImage", "Llama_3", clusterImageSchema, { image: "x" }),
            "AIMClusterImage \"Llama_3\": name: must be a lowercase RFC 1123 subdomain (a-z, 0-9, '-', '.'; start and end alphanumeric)",
        );
        assert.strictEqual(
            problem("AIMNamespaceConfig", "default", namespaceConfigSchema, { namespace: "ML" }),
            "AIMNamespaceConfig \"default\": namespace: must be a lowercase RFC 1123 label (a-z, 0-9, '-'; start and end alphanumeric)",
        );
    });

    it("folds the legacy cacheStorageClassName into caching.storageClassName", () => {
        const legacy = parseArgs("AIMClusterConfig", "c", clusterConfigSchema, { name: "c", cacheStorageClassName: "nfs" });
        assert.deepStrictEqual(legacy, { name: "c", caching: { storageClassName: "nfs" } });
        const both = parseArgs("AIMClusterConfig", "c", clusterConfigSchema, {
            name: "c",
            cacheStorageClassName: "nfs",
            caching: { storageClassName: "ceph", cacheAimImageBase: true },
        });
        assert.deepStrictEqual(both, { name: "c", caching: { storageClassName: "ceph", cacheAimImageBase: true } });
    });
});
