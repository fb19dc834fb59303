// AIMTemplateCache.templateScope (issue 11 part 5), re-expressing aim-engine's e2e tests tests/e2e/aimtemplatecache/*
// (aim-engine 9223504). Their `templateName` is our `templateRef`, their `modelId` our model source `name`; their
// AIMArtifacts (one per model source) are our PVC `<model>-cache` and download Job `<model>-cache-download` per source,
// and their `ReferenceNotFound` condition is our preview error naming the scope.

import * as assert from "assert";
import { AIMClusterImage, AIMClusterServiceTemplate, AIMService, AIMServiceTemplate, AIMTemplateCache } from "../../index";
import { children, JOB, ofType, Opts, PVC, Registered, scenario, scenarioThrows } from "../harness";

const NAMESPACE = "aim-e2e";
const TINY_GPT2 = { name: "sshleifer/tiny-gpt2", sourceUri: "hf://sshleifer/tiny-gpt2", size: "2Gi" };
const SMOL_LM = { name: "HuggingFaceTB/SmolLM-135M", sourceUri: "hf://HuggingFaceTB/SmolLM-135M", size: "4Gi" };

const image = (opts: Opts) => new AIMClusterImage("test-model", { image: "ghcr.io/silogen/aim-dummy:0.1.1" }, opts);

/** PVC and Job names, the Jobs' source URIs and their HF_TOKEN, in registration order. */
function artifacts(resources: Registered[]) {
    return {
        pvcs: ofType(resources, PVC).map((r) => [r.inputs.metadata.name, r.inputs.spec.resources.requests.storage]),
        jobs: ofType(resources, JOB).map((r) => {
            const container = r.inputs.spec.template.spec.containers[0];
            const token = container.env.find((e: { name: string }) => e.name === "HF_TOKEN");
            return [r.inputs.metadata.name, container.args[0], token?.value];
        }),
    };
}

const EXPECTED = {
    // 2Gi and 4Gi with 10 % headroom, rounded up to whole Gi.
    pvcs: [
        ["sshleifer-tiny-gpt2-cache", "3Gi"],
        ["huggingfacetb-smollm-135m-cache", "5Gi"],
    ],
    jobs: [
        ["sshleifer-tiny-gpt2-cache-download", "hf://sshleifer/tiny-gpt2", "my-token"],
        ["huggingfacetb-smollm-135m-cache-download", "hf://HuggingFaceTB/SmolLM-135M", "my-token"],
    ],
};

describe("aim-engine aimtemplatecache/happy-path-namespace", () => {
    // Upstream: an AIMServiceTemplate with two model sources and a cache of it with templateScope Namespace and env
    // HF_TOKEN; asserts an artifact per source (scope label Namespace), the env on the first. Ours: a PVC and a
    // download Job per source, HF_TOKEN on each download; a cluster template of the same name is not used.
    it("caches the namespace template's sources", async () => {
        const { resources } = await scenario((opts) => {
            image(opts);
            new AIMClusterServiceTemplate("cluster-twin", { name: "happy-path-namespace", aimImageName: "test-model", modelSources: [TINY_GPT2] }, opts);
            new AIMServiceTemplate("happy-path-namespace", { namespace: NAMESPACE, aimImageName: "test-model", modelSources: [TINY_GPT2, SMOL_LM] }, opts);
            new AIMTemplateCache(
                "happy-path-namespace",
                { namespace: NAMESPACE, templateRef: "happy-path-namespace", templateScope: "Namespace", env: [{ name: "HF_TOKEN", value: "my-token" }] },
                opts,
            );
        });
        assert.deepStrictEqual(artifacts(resources), EXPECTED);
    });
});

describe("aim-engine aimtemplatecache/happy-path-cluster", () => {
    // Upstream: the same with an AIMClusterServiceTemplate and templateScope Cluster (scope label Cluster). Ours: a
    // namespace template of the same name (one source only) exists too and is passed over for the cluster one.
    it("caches the cluster template's sources, passing over a namespace template of the same name", async () => {
        const { resources } = await scenario((opts) => {
            image(opts);
            new AIMClusterServiceTemplate("happy-path-cluster", { aimImageName: "test-model", modelSources: [TINY_GPT2, SMOL_LM] }, opts);
            new AIMServiceTemplate("ns-twin", { name: "happy-path-cluster", namespace: NAMESPACE, aimImageName: "test-model", modelSources: [TINY_GPT2] }, opts);
            new AIMTemplateCache(
                "happy-path-cluster",
                { namespace: NAMESPACE, templateRef: "happy-path-cluster", templateScope: "Cluster", env: [{ name: "HF_TOKEN", value: "my-token" }] },
                opts,
            );
        });
        assert.deepStrictEqual(artifacts(resources), EXPECTED);
    });
});

describe("aim-engine aimtemplatecache/fails-if-service-template-has-wrong-scope", () => {
    // Upstream: a namespace template and a cluster template, each cached with the other scope; asserts both caches
    // fail with ReferenceNotFound. Ours: each cache fails the preview naming the scope, and renders nothing.
    const templates = (opts: Opts) => {
        image(opts);
        new AIMServiceTemplate(
            "service-template-wrong-scope-namespace",
            { namespace: NAMESPACE, aimImageName: "test-model", modelSources: [TINY_GPT2, SMOL_LM] },
            opts,
        );
        new AIMClusterServiceTemplate("service-template-wrong-scope-cluster", { aimImageName: "test-model", modelSources: [TINY_GPT2] }, opts);
    };
    const cases = [
        {
            cache: "failure-service-template-not-found-cluster",
            templateRef: "service-template-wrong-scope-namespace",
            templateScope: "Cluster" as const,
            message:
                'AIMTemplateCache "failure-service-template-not-found-cluster": templateRef: Template "service-template-wrong-scope-namespace" ' +
                "not found in scope Cluster (no AIMClusterServiceTemplate \"service-template-wrong-scope-namespace\" is declared before its users; " +
                "the Namespace scope has one: set templateScope to Namespace, or leave it unset)",
        },
        {
            cache: "failure-service-template-not-found-namespace",
            templateRef: "service-template-wrong-scope-cluster",
            templateScope: "Namespace" as const,
            message:
                'AIMTemplateCache "failure-service-template-not-found-namespace": templateRef: Template "service-template-wrong-scope-cluster" ' +
                'not found in scope Namespace (no AIMServiceTemplate "service-template-wrong-scope-cluster" in namespace "aim-e2e" is declared ' +
                "before its users; the Cluster scope has one: set templateScope to Cluster, or leave it unset)",
        },
    ];
    for (const { cache, templateRef, templateScope, message } of cases) {
        it(`fails a cache with templateScope ${templateScope} of a template in the other scope`, async () => {
            const { error, resources } = await scenarioThrows((opts) => {
                templates(opts);
                new AIMTemplateCache(cache, { namespace: NAMESPACE, templateRef, templateScope }, opts);
            });
            assert.strictEqual(error.message, message);
            assert.deepStrictEqual([...ofType(resources, PVC), ...ofType(resources, JOB)], []);
        });
    }
});

describe("aim-engine aimtemplatecache/fails-if-service-template-not-found", () => {
    // Upstream: a cache of `not-existing` with templateScope Namespace; asserts ReferenceNotFound. Ours: the preview
    // error, with the closest declared namespace template suggested.
    it("fails a cache of a template that exists in no scope", async () => {
        const { error, resources } = await scenarioThrows((opts) => {
            image(opts);
            new AIMServiceTemplate("not-existin", { namespace: NAMESPACE, aimImageName: "test-model", modelSources: [TINY_GPT2] }, opts);
            new AIMTemplateCache("failure-service-template-not-found", { namespace: NAMESPACE, templateRef: "not-existing", templateScope: "Namespace" }, opts);
        });
        assert.strictEqual(
            error.message,
            'AIMTemplateCache "failure-service-template-not-found": templateRef: Template "not-existing" not found in scope Namespace ' +
                '(no AIMServiceTemplate "not-existing" in namespace "aim-e2e" is declared before its users; did you mean "not-existin"?)',
        );
        assert.deepStrictEqual(children(resources).map((r) => r.type), []);
    });

    it("rejects a scope that is neither Namespace nor Cluster", async () => {
        const { error } = await scenarioThrows((opts) =>
            new AIMTemplateCache("bad-scope", { namespace: NAMESPACE, templateRef: "x", templateScope: "Global" as any }, opts),
        );
        assert.strictEqual(error.message, 'AIMTemplateCache "bad-scope": templateScope: must be one of Namespace, Cluster');
    });
});

describe("ours: the cache a service creates for cacheModel names its template's scope", () => {
    // aim-engine internal/aimservice/caching.go l.124 sets templateScope from the template the service resolved.
    it("passes Cluster for a cluster template: the cache caches exactly the template the service resolved", async () => {
        const { resources } = await scenario((opts) => {
            image(opts);
            new AIMClusterServiceTemplate("base", { aimImageName: "test-model", modelSources: [TINY_GPT2] }, opts);
            new AIMService("chat", { namespace: NAMESPACE, aimImageName: "test-model", templateRef: "base", cacheModel: true }, opts);
        });
        const cache = resources.find((r) => r.type === "aim:index:AIMTemplateCache")!;
        assert.strictEqual(cache.inputs.templateScope, "Cluster");
        assert.deepStrictEqual(ofType(resources, PVC).map((r) => r.inputs.metadata.name), ["sshleifer-tiny-gpt2-cache"]);
    });
});
