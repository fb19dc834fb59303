// Layer 3 (and the naming parts of layer 2) without Pulumi: deterministic names, sizes, paths and images.

import * as assert from "assert";
import { baseImageOf } from "../render/baseImageCacher";
import { deviceIds } from "../render/gpu";
import { routePath } from "../resolve/routing";
import { discoveryJobName, modelCacheName, toLabelValue } from "../resolve/names";
import { pvcSize, quantityNanos } from "../validate/quantity";
import { derivedTemplateName } from "../resolve/template";
import { LLAMA_IMAGE } from "./fixtures";

describe("render", () => {
    it("sanitizes label values as upstream does", () => {
        assert.strictEqual(toLabelValue("meta/llama-3-8b:1.1+20240915"), "meta_llama-3-8b_1.1_20240915");
        assert.strictEqual(toLabelValue("///"), "unknown");
        assert.strictEqual(toLabelValue("a".repeat(70)).length, 63);
    });

    it("names model caches after the model, short enough for their download Job", () => {
        assert.strictEqual(modelCacheName("amd/Llama-3.1-8B-Instruct-FP8-KV"), "amd-llama-3-1-8b-instruct-fp8-kv");
        const long = modelCacheName(`org/${"very-long-model-name-".repeat(5)}`);
        assert.ok(`${long}-cache-download`.length <= 63 && !long.endsWith("-"), long);
    });

    it("keeps discovery Job names within 63 characters", () => {
        const name = discoveryJobName("t".repeat(80), "x");
        assert.strictEqual(name.length, "discover-".length + 45 + 9);
        assert.match(name, /^discover-t{45}-[0-9a-f]{8}$/);
    });

    it("sizes PVCs with 10 % headroom rounded up to whole Gi", () => {
        assert.strictEqual(pvcSize(["9094593249"]), "10Gi");
        assert.strictEqual(pvcSize(["8Gi"]), "9Gi");
        assert.strictEqual(pvcSize(["100G"]), "103Gi");
        // Several models share one scratch volume: the headroom goes on their sum (8.8Gi + 1.1Gi → 10Gi, not 9 + 2).
        assert.strictEqual(pvcSize(["8Gi", "1Gi"]), "10Gi");
        // Quantities in nano-units, exactly; a value finer than 1n rounds up, as the API server rounds it.
        assert.strictEqual(quantityNanos("1.5Ki"), 1536n * 10n ** 9n);
        assert.strictEqual(quantityNanos("2e3"), 2000n * 10n ** 9n);
        assert.strictEqual(quantityNanos("500m"), 5n * 10n ** 8n);
        assert.strictEqual(quantityNanos("0.0001m"), 100n);
        assert.strictEqual(quantityNanos("1e-400"), 1n);
        assert.strictEqual(quantityNanos("0e999999999"), 0n);
        assert.strictEqual(quantityNanos("1e999999999"), 10n ** 40n);
        assert.strictEqual(quantityNanos("20GB"), undefined);
        assert.strictEqual(quantityNanos("."), undefined);
    });

    it("derives the base image by upstream's naming rule, or none", () => {
        assert.strictEqual(baseImageOf(LLAMA_IMAGE), "ghcr.io/silogen/aim-base:0.4.0");
        assert.strictEqual(baseImageOf("ghcr.io/silogen/aim:0.4.0"), undefined);
        assert.strictEqual(baseImageOf("ghcr.io/silogen/aim-meta-llama-llama-3-1-8b-instruct:0.7.0"), undefined);
        assert.strictEqual(baseImageOf("localhost:5000/aim"), undefined);
    });

    it("names derived templates as upstream: <base>-ovr-<sha256 of the overrides JSON>", () => {
        assert.strictEqual(derivedTemplateName("base", { metric: "throughput" }), "base-ovr-99ad0cdb");
        // Key order is fixed (metric, precision, gpuSelector), whatever order the user wrote.
        assert.strictEqual(
            derivedTemplateName("base", { gpuSelector: { model: "MI300X", count: 2 } as never, precision: "fp8" }),
            derivedTemplateName("base", { precision: "fp8", gpuSelector: { count: 2, model: "MI300X" } }),
        );
        const long = derivedTemplateName("b".repeat(70), { metric: "latency" });
        assert.strictEqual(long.length, 63);
    });

    it("renders route paths from templates as upstream's examples", () => {
        const context = {
            name: "llama-chat",
            namespace: "ml-team",
            labels: { project: "Conversational AI", team: "NLP" },
            annotations: { "example.com/Route": "Team_A", team: " Team A / Ops.2 ", blank: "  " },
            spec: { aimImageName: "Llama-3.1", replicas: 2, overrides: { metric: "latency" }, env: [], hfToken: "hf_secret" },
        };
        assert.strictEqual(routePath(undefined, context), "/ml-team/llama-chat");
        assert.strictEqual(routePath("/{.metadata.namespace}/{.metadata.name}", context), "/ml-team/llama-chat");
        assert.strictEqual(routePath("/ml/{.metadata.namespace}/{.metadata.labels['project']}", context), "/ml/ml-team/conversational-ai");
        assert.strictEqual(routePath("//a///b/", context), "/a/b");
        // A path that normalises to "/" would take every request of the gateway that no other route matches.
        assert.throws(() => routePath("/", context), /^Error: the path is "\/", a catch-all that takes every request no other route on the gateway matches: give the service a path of its own$/);
        assert.throws(() => routePath("/_/./", context), /^Error: the path "\/_\/.\/" normalises to "\/", a catch-all that takes every request no other route on the gateway matches: give the service a path of its own$/);
        assert.strictEqual(routePath('/{.metadata.labels["team"]}/{.metadata.labels[\'team"]}', context), "/nlp/nlp");
        // Upstream's JSONPath on the service: args fields normalised (dots too), annotation values inserted trimmed,
        // then every segment normalised with the literal text around it.
        assert.strictEqual(routePath("/{.spec.aimImageName}/{.spec.replicas}/{.spec.overrides.metric}", context), "/llama-3-1/2/latency");
        assert.strictEqual(routePath("/{.metadata.annotations['example.com/Route']}", context), "/team-a");
        assert.strictEqual(routePath('/x{.metadata.annotations["team"]}y', context), "/xteam-a/ops-2y");
        assert.strictEqual(routePath("/API/V1.2/{.metadata.name}", context), "/api/v1-2/llama-chat");
        assert.strictEqual(routePath("a b/ c /{.metadata.labels['project']}!", context), "/a-b/c/conversational-ai");
        // Characters that would be no valid PathPrefix are normalised away rather than refused.
        assert.strictEqual(routePath("/a\u0000b/%2F/../x%zz/./_/{.metadata.name}", context), "/a-b/2f/x-zz/llama-chat");
        assert.strictEqual(routePath(`/${"Ω".repeat(10)}${"x".repeat(70)}`, context), `/${"x".repeat(63)}`);
        // Go lowercases and replaces per code point: İ → i (JS's toLowerCase gives i + U+0307), an emoji → one "-".
        assert.strictEqual(routePath("/İ😀x/\u00a0y\u0085", context), "/i-x/y");
        assert.throws(() => routePath("/{.metadata.annotations['blank']}", context), /^Error: the path is "\/", a catch-all/);
        assert.throws(() => routePath("  {.metadata.annotations['blank']} ", context), /^Error: the rendered path is empty$/);
        // The trailing "/" is trimmed before the length is measured.
        assert.strictEqual(routePath(`/${"a".repeat(63)}/${"b".repeat(135)}/`, context), `/${"a".repeat(63)}/${"b".repeat(63)}`);
        assert.throws(() => routePath(`/${"a".repeat(100)}/${"b".repeat(99)}`, context), /^Error: the rendered path is 201 characters, more than 200$/);
        // Upstream counts UTF-8 bytes before normalising: 1 + 100 × 2 bytes is too long although "/" is what remains.
        assert.throws(() => routePath(`/${"é".repeat(100)}`, context), /^Error: the rendered path is 201 characters, more than 200$/);
        assert.throws(() => routePath(`/${"é".repeat(99)}`, context), /^Error: the path "\/é+" normalises to "\/", a catch-all/);
        assert.throws(() => routePath("/{.spec.templateRef}", context), /^Error: \.spec\.templateRef is not set on the service$/);
        assert.throws(() => routePath("/{.spec.model.ref}", context), /\(upstream's spec\.model\.ref is aimImageName here: \{\.spec\.aimImageName\}\)$/);
        assert.throws(() => routePath("/{.spec.env.length}", context), /\.spec\.env\.length is not set on the service/);
        assert.throws(() => routePath("/{.spec.overrides}", context), /\.spec\.overrides is not a single value/);
        assert.throws(() => routePath("/{.spec.hfToken}", context), /^Error: \{\.spec\.hfToken\} is a secret and never goes into a route path$/);
        assert.throws(() => routePath("/{.status.x}", context), /unsupported placeholder \{\.status\.x\}/);
    });

    it("knows the device ids of AMD Instinct GPUs, sorted", () => {
        assert.deepStrictEqual(deviceIds("MI300X"), ["74a1", "74a9", "74b5", "74bd"]);
        assert.deepStrictEqual(deviceIds("mi325x"), ["74a5", "74b9"]);
        assert.deepStrictEqual(deviceIds("AMD Instinct_MI325X"), ["74a5", "74b9"]);
        assert.deepStrictEqual(deviceIds("A100"), []);
        assert.deepStrictEqual(deviceIds(undefined), []);
    });
});
