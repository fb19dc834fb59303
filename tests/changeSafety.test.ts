// Change safety (issue 20, items 3–5): programs that failed over two revisions, or with names the tests did not
// cover. Revisions are compared by URN as the engine computes it (see engineUrns).

import * as assert from "assert";
import * as fc from "fast-check";
import {
    AIMClusterConfig,
    AIMClusterImage,
    AIMClusterServiceTemplate,
    AIMImage,
    AIMNamespaceConfig,
    AIMService,
    AIMServiceTemplate,
    AIMTemplateCache,
} from "../index";
import { LLAMA_IMAGE, LLAMA_SOURCE } from "./fixtures";
import { DAEMONSET, JOB, Opts, PVC, Registered, scenario, TEMPLATE, valueOf } from "./harness";
import { llamaChat, llamaCluster } from "./llamaCluster";
import { derivedTemplateName } from "../resolve/template";
import { modelCacheName, rfc1123 } from "../resolve/names";
import { Metric, Precision, ServiceOverrides } from "../types";

/** A URN without what differs only because each scenario has a provider of its own (the cluster's tag or name). */
const sameCluster = (urn: string) => urn.replace(/::aim@[0-9a-f]{8}:/, "::aim:").replace(/::cluster-\d+-aim-system-namespace$/, "::<cluster>-aim-system-namespace");

/**
 * Every registration's URN as the engine computes it (`NewURN`, pulumi/pulumi sdk/go/common/resource/urn): the
 * parent's whole qualified type, then the type, then the name. The mock monitor's URN keeps only the parent's last
 * type, which hides collisions between children of different parents and invents some. Each scenario runs on a
 * cluster of its own, whose traces in names are dropped (sameCluster) so that two revisions compare as they would on
 * one cluster.
 */
function engineUrns(resources: Registered[]): Map<string, Registered[]> {
    const byMockUrn = new Map(resources.map((r) => [r.urn, r]));
    const qualifiedType = (r: Registered): string => {
        const parent = byMockUrn.get(r.parent);
        return parent ? `${qualifiedType(parent)}$${r.type}` : r.type;
    };
    const urns = new Map<string, Registered[]>();
    for (const r of resources) {
        const urn = sameCluster(`urn:pulumi:test::aim::${qualifiedType(r)}::${r.name}`);
        urns.set(urn, [...(urns.get(urn) ?? []), r]);
    }
    return urns;
}

/** The URNs registered more than once: the engine would fail the update with "Duplicate resource URN". */
const duplicates = (urns: Map<string, Registered[]>) => [...urns].filter(([, rs]) => rs.length > 1).map(([urn]) => urn);

/** What the engine would diff for the resources of `types`: URN → inputs and options. */
function shared(urns: Map<string, Registered[]>, types: string[]): Record<string, string> {
    return Object.fromEntries(
        [...urns]
            .filter(([, [r]]) => types.includes(r.type))
            .map(([urn, [r]]) => [urn, JSON.stringify([r.inputs, r.protect, r.retainOnDelete, r.dependencies.map(sameCluster)])]),
    );
}

describe("change safety (issue 20)", () => {
    it("3. a shared PVC, its download Job and the base-image DaemonSet keep URN and inputs when another declarer comes first", async () => {
        const revision = (tunedFirst: boolean, imagesSwapped: boolean) =>
            scenario((opts) => {
                llamaCluster(opts);
                // Two teams whose same-named configs pre-pull base images with the same secret: one DaemonSet.
                for (const team of ["team-a", "team-b"]) {
                    new AIMNamespaceConfig(`${team}-default`, { name: "default", namespace: team, imagePullSecrets: [{ name: "regcred" }], caching: { cacheAimImageBase: true } }, opts);
                }
                const images = ["team-a", "team-b"].map((team) => () => new AIMImage(`${team}-llama`, { name: "llama", namespace: team, image: LLAMA_IMAGE }, opts));
                for (const image of imagesSwapped ? images.reverse() : images) image();
                // Revision B adds, before the team's cache, a service whose overrides derive a template that it
                // caches: that cache is now the first declarer of the model's PVC.
                if (tunedFirst) llamaChat(opts, { templateRef: "base", overrides: { metric: "throughput" }, cacheModel: true }, "tuned");
                new AIMTemplateCache("team-cache", { namespace: "ml-team", templateRef: "base" }, opts);
                llamaChat(opts, { templateRef: "base", cacheModel: true }, "chat");
            });
        const a = engineUrns((await revision(false, false)).resources);
        const b = engineUrns((await revision(true, true)).resources);
        const types = [PVC, JOB, DAEMONSET];
        assert.deepStrictEqual(Object.keys(shared(a, types)).sort(), [
            "urn:pulumi:test::aim::kubernetes:apps/v1:DaemonSet::aim:aim-system/aim-base-cacher-292bc787",
            "urn:pulumi:test::aim::kubernetes:batch/v1:Job::aim:ml-team/amd-llama-3-1-8b-instruct-fp8-kv-cache-download",
            "urn:pulumi:test::aim::kubernetes:core/v1:PersistentVolumeClaim::aim:ml-team/amd-llama-3-1-8b-instruct-fp8-kv-cache",
        ]);
        assert.deepStrictEqual(shared(b, types), shared(a, types));
        // B adds the derived template, its cache and the service, and changes nothing A had.
        for (const [urn, [r]] of a) assert.deepStrictEqual(JSON.stringify(b.get(urn)?.[0].inputs), JSON.stringify(r.inputs), urn);
        assert.deepStrictEqual([duplicates(a), duplicates(b)], [[], []]);
    });

    it("4. long names that share a start stay apart: two derived templates, two model caches", async () => {
        const longBase = (team: string) => `llama-3-1-70b-instruct-fp8-kv-mi300x-throughput-tp2-${team}`;
        const { result, resources } = await scenario((opts) => {
            new AIMClusterConfig("default", {}, opts);
            new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
            const sources = ["FP8", "FP16"].map((precision) => ({
                name: `amd/Llama-3.1-70B-Instruct-with-a-long-model-card-name-${precision}`,
                sourceUri: `hf://amd/Llama-3.1-70B-Instruct-with-a-long-model-card-name-${precision}`,
                size: "140Gi",
            }));
            for (const team of ["research", "platform"]) {
                new AIMServiceTemplate(longBase(team), {
                    namespace: "ml-team",
                    aimImageName: "llama",
                    modelSources: [LLAMA_SOURCE],
                    env: [{ name: "TEAM", value: team }],
                }, opts);
            }
            new AIMClusterServiceTemplate("two-precisions", { aimImageName: "llama", modelSources: sources }, opts);
            new AIMTemplateCache("both", { namespace: "ml-team", templateRef: "two-precisions" }, opts);
            return ["research", "platform"].map((team) =>
                llamaChat(opts, { templateRef: longBase(team), overrides: { metric: "latency" } }, `chat-${team}`),
            );
        });
        // Upstream cuts both bases to the same 50 characters: both services would run the research team's template.
        const derived = resources.filter((r) => r.type === TEMPLATE && r.inputs.name.includes("-ovr-"));
        assert.deepStrictEqual(
            derived.map((t) => [t.inputs.name, t.inputs.env]),
            [
                ["llama-3-1-70b-instruct-fp8-kv-mi300x-thro-f654e37e-ovr-20c78c7a", [{ name: "TEAM", value: "research" }]],
                ["llama-3-1-70b-instruct-fp8-kv-mi300x-thro-66c240cc-ovr-20c78c7a", [{ name: "TEAM", value: "platform" }]],
            ],
        );
        assert.deepStrictEqual(
            await Promise.all(result.map(async (service) => (await valueOf(service.resolvedTemplate)).name)),
            derived.map((t) => t.inputs.name),
        );
        // Upstream cuts both model names to the same 48 characters and refuses them as "not distinct".
        assert.deepStrictEqual(
            resources.filter((r) => r.type === PVC).map((p) => p.inputs.metadata.name),
            ["amd-llama-3-1-70b-instruct-with-a-long-1fc7736e-cache", "amd-llama-3-1-70b-instruct-with-a-long-c5ab8c79-cache"],
        );
    });

    it("4. property: distinct inputs give distinct names, valid DNS names, in upstream's form when they fit", () => {
        const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
        const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
        const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
        // Names that share a long start, so that shortening meets them at their worst.
        const prefix = fc.constantFrom("", "l", "llama-3-1-70b-instruct-fp8-kv-mi300x-throughput-tp2-");
        const base = fc.tuple(prefix, fc.array(label, { minLength: 1, maxLength: 4 })).map(([p, labels]) => `${p}${labels.join(".")}`.slice(0, 253));
        const overrides: fc.Arbitrary<ServiceOverrides> = fc.record(
            {
                metric: fc.constantFrom(...Object.values(Metric)),
                precision: fc.constantFrom(...Object.values(Precision)),
                gpuSelector: fc.record({ count: fc.integer({ min: 1, max: 8 }), model: fc.constantFrom("MI300X", "MI325X") }),
            },
            { requiredKeys: [] },
        );
        const derived = fc.tuple(base.filter((b) => DNS_SUBDOMAIN.test(b)), overrides, fc.option(label, { nil: undefined }));
        fc.assert(
            fc.property(derived, derived, ([b1, o1, c1], [b2, o2, c2]) => {
                const [n1, n2] = [derivedTemplateName(b1, o1, c1), derivedTemplateName(b2, o2, c2)];
                for (const [name, b] of [[n1, b1], [n2, b2]]) {
                    assert.ok(name.length <= 63 && DNS_SUBDOMAIN.test(name), name);
                    if (b.length <= 50) assert.ok(name.startsWith(`${b}-ovr-`), name);
                }
                const same = b1 === b2 && JSON.stringify([o1.metric, o1.precision, o1.gpuSelector, c1]) === JSON.stringify([o2.metric, o2.precision, o2.gpuSelector, c2]);
                assert.strictEqual(n1 === n2, same, `${n1} for ${JSON.stringify([b1, o1, c1])} and ${JSON.stringify([b2, o2, c2])}`);
            }),
            { seed: 20, numRuns: 2000 },
        );

        const modelName = fc
            .tuple(fc.constantFrom("", "amd/Llama-3.1-70B-Instruct-with-a-long-model-card-name-"), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,40}$/))
            .map(([p, rest]) => `${p}${rest}`);
        fc.assert(
            fc.property(modelName, modelName, (m1, m2) => {
                const [n1, n2] = [modelCacheName(m1), modelCacheName(m2)];
                for (const [name, m] of [[n1, m1], [n2, m2]]) {
                    assert.ok(name.length <= 48 && DNS_LABEL.test(name) && `${name}-cache-download`.length <= 63, name);
                    const upstream = rfc1123(m.replace(/\./g, "-"));
                    if (upstream.length <= 48) assert.strictEqual(name, upstream);
                }
                // Only upstream's own, unshortened sanitizing may meet (`Llama` and `llama`): the cache is refused
                // as not distinct then, never shared.
                if (m1 !== m2 && n1 === n2) assert.strictEqual(rfc1123(m1.replace(/\./g, "-")), n1);
            }),
            { seed: 20, numRuns: 2000 },
        );
    });

    it("5. children of different inputs never share a URN: templates llama and llama-prod, caches a + b-c and a-b + c", async () => {
        const { resources } = await scenario((opts: Opts) => {
            llamaCluster(opts);
            // A service's cache of template `llama` in namespace `prod`, and template `llama-prod`'s own (prewarm) cache.
            new AIMServiceTemplate("llama", { namespace: "prod", aimImageName: "llama", modelSources: [LLAMA_SOURCE] }, opts);
            new AIMServiceTemplate("llama-prod", { namespace: "prod", aimImageName: "llama", metric: "latency", modelSources: [LLAMA_SOURCE], caching: { enabled: true } }, opts);
            new AIMService("chat", { namespace: "prod", aimImageName: "llama", templateRef: "llama", cacheModel: true }, opts);
            // Caches of the cluster template `base` in namespace `x-prod` and of the cluster template `base-x` in `prod`.
            new AIMClusterServiceTemplate("base-x", { aimImageName: "llama", gpuSelector: { count: 2, model: "MI300X" }, modelSources: [LLAMA_SOURCE] }, opts);
            new AIMService("chat-x-prod", { name: "chat", namespace: "x-prod", aimImageName: "llama", templateRef: "base", cacheModel: true }, opts);
            new AIMService("chat-base-x", { name: "chat-base-x", namespace: "prod", aimImageName: "llama", templateRef: "base-x", cacheModel: true }, opts);
            // Cache `a` of model `b-c`, cache `a-b` of model `c`.
            const model = (name: string) => ({ name, sourceUri: `hf://org/${name}`, size: "1Gi" });
            new AIMClusterServiceTemplate("t-bc", { aimImageName: "llama", modelSources: [model("b-c")] }, opts);
            new AIMClusterServiceTemplate("t-c", { aimImageName: "llama", modelSources: [model("c")] }, opts);
            new AIMTemplateCache("a", { namespace: "prod", templateRef: "t-bc" }, opts);
            new AIMTemplateCache("a-b", { namespace: "prod", templateRef: "t-c" }, opts);
        });
        const urns = engineUrns(resources);
        assert.deepStrictEqual(duplicates(urns), []);
        const names = (type: string) => resources.filter((r) => r.type === type).map((r) => r.name.replace(/^aim@[0-9a-f]{8}:/, "aim:")).sort();
        // (Upstream's `-`-joined names gave llama-prod-cache twice, base-x-prod-cache twice, a-b-c-pvc twice.)
        assert.deepStrictEqual(names("aim:index:AIMTemplateCache"), ["a", "a-b", "base-cache:x-prod", "base-x-cache:prod", "llama-cache", "llama-prod-cache"]);
        assert.deepStrictEqual(names(PVC), ["aim:prod/amd-llama-3-1-8b-instruct-fp8-kv-cache", "aim:prod/b-c-cache", "aim:prod/c-cache", "aim:x-prod/amd-llama-3-1-8b-instruct-fp8-kv-cache"]);
    });
});
