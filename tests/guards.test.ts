// Issue 20, items 7–9: programs the cluster would have accepted and then served wrongly, or rejected at apply. Each
// is the user's program that failed; each now fails the preview naming what is at fault, or renders what it says.

import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import * as fc from "fast-check";
import { AIMClusterConfig, AIMClusterConfigArgs, AIMClusterImage, AIMClusterServiceTemplate, AIMService, AIMServiceArgs } from "../index";
import { quantity } from "../validate/common";
import { pvcSize } from "../validate/quantity";
import { containerResources } from "../validate/resources";
import { clusterServiceTemplateSchema } from "../validate/template";
import { KAIWO_GATEWAY, LLAMA_IMAGE, LLAMA_SOURCE } from "./fixtures";
import { DEPLOYMENT, ISVC, ofType, Opts, PVC, Registered, ROUTE, scenario, scenarioThrows, single } from "./harness";
import { validateKubernetesObjects } from "./k8sSchemas";
import { loadKinds } from "./kserveCrds";

type Backend = "deployment" | "kserve";

/** A default config routing through kaiwo's gateway (and `config` over it), the llama image, its template `base`. */
function cluster(opts: Opts, backend: Backend = "deployment", config: AIMClusterConfigArgs = {}) {
    new AIMClusterConfig("default", { ...config, routing: { gateway: KAIWO_GATEWAY, ...config.routing } }, opts);
    new AIMClusterImage("llama", { image: LLAMA_IMAGE, defaultServiceTemplate: "base" }, opts);
    new AIMClusterServiceTemplate(
        "base",
        { aimImageName: "llama", gpuSelector: { count: 1, model: "MI300X" }, modelSources: [LLAMA_SOURCE], servingBackend: backend },
        opts,
    );
}

function service(opts: Opts, name: string, args: Partial<AIMServiceArgs> = {}) {
    return new AIMService(name, { namespace: "ml", aimImageName: "llama", apiKey: { enabled: false }, ...args }, opts);
}

/** Runs `program`, which must throw a ResourceError: its message, and what was registered before it. */
async function failure(program: (opts: Opts) => void): Promise<{ message: string; resources: Registered[] }> {
    const { error, resources } = await scenarioThrows(program);
    assert.ok(pulumi.ResourceError.isInstance(error), `a ResourceError, not ${error?.constructor?.name}: ${error?.message}`);
    return { message: error.message, resources };
}

/** The registered HTTPRoutes by Pulumi name (registrations finish in no fixed order). */
const routes = (resources: Registered[]) =>
    ofType(resources, ROUTE)
        .map((r) => ({ name: r.name, parentRefs: r.inputs.spec.parentRefs, path: r.inputs.spec.rules[0].matches[0].path.value }))
        .sort((a, b) => a.name.localeCompare(b.name));

const GATEWAY_REF = { ...KAIWO_GATEWAY, group: "gateway.networking.k8s.io", kind: "Gateway" };
const CONFLICT =
    ": the Gateway API serves only the oldest route of a path on a listener, so one of the two would get no traffic; give each " +
    "service its own path (routing.pathTemplate) or listener (routing.gateway.sectionName)";
const CATCH_ALL = ", a catch-all that takes every request no other route on the gateway matches: give the service a path of its own";

describe("guards (issue 20, items 7–9)", () => {
    before(function () {
        this.timeout(120_000);
        loadKinds();
    });

    describe("7. routes that claim the same path", () => {
        it("two services of one image under a config's per-image path: the later fails naming the earlier, in either order, with either backend", async () => {
            // The user's program: one path per model, and a second team serving the same model in its own namespace.
            const config = { routing: { pathTemplate: "/llm/{.spec.aimImageName}" } };
            for (const backend of ["deployment", "kserve"] as const) {
                for (const [first, second] of [
                    ["team-a", "team-b"],
                    ["team-b", "team-a"],
                ]) {
                    const { message, resources } = await failure((opts) => {
                        cluster(opts, backend, config);
                        service(opts, `chat-${first}`, { namespace: first });
                        service(opts, `chat-${second}`, { namespace: second });
                    });
                    assert.strictEqual(
                        message,
                        `AIMService "chat-${second}": routing.pathTemplate: path "/llm/llama" on gateway "kaiwo-system/kaiwo-gateway" ` +
                            `is already routed to AIMService "chat-${first}" in namespace "${first}"${CONFLICT}`,
                    );
                    // The earlier service is whole; the later one registered nothing.
                    assert.deepStrictEqual(routes(resources), [{ name: `chat-${first}-route`, parentRefs: [GATEWAY_REF], path: "/llm/llama" }]);
                    assert.deepStrictEqual(resources.filter((r) => r.name.startsWith(`chat-${second}`)), []);
                    assert.strictEqual(ofType(resources, backend === "kserve" ? ISVC : DEPLOYMENT).length, 1);
                }
            }
        });

        it("listeners no request can share, a longer prefix, another gateway: no conflict; a failed service claims nothing", async () => {
            const routed = (path: string, gateway: object = {}) => ({ routing: { pathTemplate: path, gateway: { ...KAIWO_GATEWAY, ...gateway } } });
            const { message, resources } = await failure((opts) => {
                cluster(opts);
                service(opts, "http", routed("/x", { sectionName: "http" }));
                service(opts, "https", routed("/x", { sectionName: "https" }));
                // A listener has one port: refs to two ports share none.
                service(opts, "port-80", { namespace: "other", ...routed("/z", { port: 80 }) });
                service(opts, "port-443", routed("/z", { port: 443 }));
                // Gateway API: the longest prefix wins, so /x/y is this service's and the rest of /x the others'.
                service(opts, "longer", routed("/x/y"));
                service(opts, "elsewhere", routed("/x", { name: "internal-gateway" }));
                try {
                    // No sectionName attaches to every listener of the gateway, "http" included.
                    service(opts, "every", routed("/x", { port: 80 }));
                } finally {
                    // What failed claimed nothing: the same service with a path of its own is fine.
                    service(opts, "every", { ...routed("/every"), name: "every" });
                }
            });
            assert.strictEqual(
                message,
                `AIMService "every": routing.pathTemplate: path "/x" on gateway "kaiwo-system/kaiwo-gateway" (listener "http" and ` +
                    `port 80) is already routed to AIMService "http" in namespace "ml"${CONFLICT}`,
            );
            const ref = (extra: object) => ({ ...GATEWAY_REF, ...extra });
            assert.deepStrictEqual(routes(resources), [
                { name: "elsewhere-route", parentRefs: [ref({ name: "internal-gateway" })], path: "/x" },
                { name: "every-route", parentRefs: [GATEWAY_REF], path: "/every" },
                { name: "http-route", parentRefs: [ref({ sectionName: "http" })], path: "/x" },
                { name: "https-route", parentRefs: [ref({ sectionName: "https" })], path: "/x" },
                { name: "longer-route", parentRefs: [GATEWAY_REF], path: "/x/y" },
                { name: "port-443-route", parentRefs: [ref({ port: 443 })], path: "/z" },
                { name: "port-80-route", parentRefs: [ref({ port: 80 })], path: "/z" },
            ]);
            await validateKubernetesObjects(resources);
        });

        it("a path that normalises to / is a catch-all: an error where it is written, or for the service it renders so for", async () => {
            assert.strictEqual(
                (await failure((opts) => {
                    cluster(opts);
                    service(opts, "chat", { routing: { pathTemplate: "/" } });
                })).message,
                `AIMService "chat": routing.pathTemplate: the path is "/"${CATCH_ALL}`,
            );
            assert.strictEqual(
                (await failure((opts) => cluster(opts, "deployment", { routing: { pathTemplate: "/_/./" } }))).message,
                `AIMClusterConfig "default": routing.pathTemplate: the path "/_/./" normalises to "/"${CATCH_ALL}`,
            );
            // Per team, and a service whose team label is empty.
            const { message, resources } = await failure((opts) => {
                cluster(opts, "deployment", { routing: { pathTemplate: "/{.metadata.labels['team']}" } });
                service(opts, "nlp", { labels: { team: "nlp" } });
                service(opts, "chat", { labels: { team: "" } });
            });
            assert.strictEqual(
                message,
                `AIMService "chat": routing.pathTemplate: the path template "/{.metadata.labels['team']}" of AIMClusterConfig "default" ` +
                    `does not render for this service: the path is "/"${CATCH_ALL} (a service's own routing.pathTemplate replaces it)`,
            );
            assert.deepStrictEqual(routes(resources), [{ name: "nlp-route", parentRefs: [GATEWAY_REF], path: "/nlp" }]);
        });
    });

    describe("8. values the API server rejects", () => {
        it("a zero scratch size, fractional extended resources, hugepages off the page size: errors where they are written", async () => {
            const cases: [Partial<AIMServiceArgs>, string][] = [
                [{ scratch: { size: "0" } }, "scratch.size: must be greater than zero"],
                [{ scratch: { size: "0Gi", emptyDir: true } }, "scratch.size: must be greater than zero"],
                [
                    { resources: { limits: { "example.com/fpga": "500m" } } },
                    "resources.limits.example.com/fpga: must be a whole number: extended resources are counted in whole units, not 0.5 or 500m",
                ],
                [
                    { resources: { requests: { "example.com/fpga": "1.5" }, limits: { "example.com/fpga": "1.5" } } },
                    "resources.requests.example.com/fpga: must be a whole number: extended resources are counted in whole units, not 0.5 or 500m; " +
                        "resources.limits.example.com/fpga: must be a whole number: extended resources are counted in whole units, not 0.5 or 500m",
                ],
                [{ resources: { limits: { "hugepages-2Mi": "3Mi" } } }, "resources.limits.hugepages-2Mi: must be a whole number of 2Mi pages"],
                [
                    { resources: { limits: { "hugepages-huge": "2Mi" } } },
                    'resources.limits.hugepages-huge: names no page size: "huge" must be a positive whole quantity such as 2Mi or 1Gi',
                ],
            ];
            for (const [args, problem] of cases) {
                const { message } = await failure((opts) => {
                    cluster(opts);
                    service(opts, "chat", args);
                });
                assert.strictEqual(message, `AIMService "chat": ${problem}`);
            }
            // Whole units and whole pages are rendered as given.
            const { resources } = await scenario((opts) => {
                cluster(opts);
                service(opts, "chat", {
                    scratch: { size: "1" },
                    resources: { limits: { "example.com/fpga": "2", "hugepages-2Mi": "4Mi", "hugepages-1Gi": "0" } },
                });
            });
            const pod = single(resources, DEPLOYMENT).inputs.spec.template.spec;
            const exact = { "example.com/fpga": "2", "hugepages-2Mi": "4Mi", "hugepages-1Gi": "0" };
            assert.deepStrictEqual(pod.containers[0].resources, {
                requests: { cpu: "4", memory: "32Gi", ...exact, "amd.com/gpu": "1" },
                limits: { memory: "48Gi", ...exact, "amd.com/gpu": "1" },
            });
            assert.deepStrictEqual(
                pod.volumes.find((v: { name: string }) => v.name === "model-storage").ephemeral.volumeClaimTemplate.spec.resources,
                { requests: { storage: "1" } },
            );
            await validateKubernetesObjects(resources);
        });

        it("service annotations count with the package's own on the same object, within 256 KiB, with either backend", async () => {
            const own: Record<Backend, Record<string, string>> = {
                deployment: { "pulumi.com/timeoutSeconds": "3600" },
                kserve: {
                    "serving.kserve.io/autoscalerClass": "none",
                    "pulumi.com/waitFor": "condition=Ready",
                    "pulumi.com/timeoutSeconds": "3600",
                },
            };
            const bytes = (a: Record<string, string>) => Object.entries(a).reduce((n, [k, v]) => n + k.length + v.length, 0);
            for (const backend of ["deployment", "kserve"] as const) {
                // The user's own value of a package key is replaced, so it counts as the package's.
                const fill = 256 * 1024 - bytes(own[backend]) - "note".length;
                const annotations = { note: "z".repeat(fill), "pulumi.com/timeoutSeconds": "1" };
                const { resources } = await scenario((opts) => {
                    cluster(opts, backend);
                    service(opts, "chat", { annotations });
                });
                const workload = single(resources, backend === "kserve" ? ISVC : DEPLOYMENT);
                assert.deepStrictEqual(workload.inputs.metadata.annotations, { note: annotations.note, ...own[backend] });
                assert.strictEqual(bytes(workload.inputs.metadata.annotations), 256 * 1024);

                const { message } = await failure((opts) => {
                    cluster(opts, backend);
                    service(opts, "chat", { annotations: { ...annotations, note: `${annotations.note}z` } });
                });
                const object = backend === "kserve" ? "InferenceService" : "Deployment";
                assert.strictEqual(
                    message,
                    `AIMService "chat": annotations: with the package's own annotations of the ${object}, its annotations total ` +
                        `262145 bytes (keys and values), more than 256 KiB (262144), the API server's limit for an object's annotations`,
                );
            }
        });

        it("8Ei and the cache headroom: quantities are bounded exactly, PVC sizes after the headroom", async () => {
            const cases: [(opts: Opts) => void, string][] = [
                [(opts) => service(opts, "chat", { scratch: { size: "8Ei" } }), 'AIMService "chat": scratch.size: must be less than 8Ei (Kubernetes stores a quantity as a 64-bit integer)'],
                [
                    (opts) => service(opts, "chat", { resources: { limits: { memory: "9223372036854775808" } } }),
                    'AIMService "chat": resources.limits.memory: must be less than 8Ei (Kubernetes stores a quantity as a 64-bit integer)',
                ],
                // The largest quantity, as a model size: 10 % more, in whole Gi, is no quantity any more (a PVC of ~1.01e19 bytes).
                [
                    (opts) => new AIMClusterServiceTemplate("big", { aimImageName: "llama", modelSources: [{ ...LLAMA_SOURCE, size: "9223372036854775807" }] }, opts),
                    'AIMClusterServiceTemplate "big": modelSources[0].size: with 10 % headroom rounded up to whole Gi, its cache PVC would ' +
                        "request 9448928052Gi, more than 8589934591Gi, the largest size below 8Ei",
                ],
                [
                    (opts) => new AIMClusterServiceTemplate("big", { aimImageName: "llama", modelSources: [{ ...LLAMA_SOURCE, size: "7.5Ei" }] }, opts),
                    'AIMClusterServiceTemplate "big": modelSources[0].size: with 10 % headroom rounded up to whole Gi, its cache PVC would ' +
                        "request 8858370048Gi, more than 8589934591Gi, the largest size below 8Ei",
                ],
                // Each fits; the one scratch volume of a service without a cache holds both.
                [
                    (opts) =>
                        new AIMClusterServiceTemplate(
                            "big",
                            {
                                aimImageName: "llama",
                                modelSources: [
                                    { ...LLAMA_SOURCE, size: "4Ei" },
                                    { name: "other", sourceUri: "hf://org/other", size: "4Ei" },
                                ],
                            },
                            opts,
                        ),
                    'AIMClusterServiceTemplate "big": modelSources: with 10 % headroom rounded up to whole Gi, the scratch volume for all ' +
                        "of them (a service without a cache) would request 9448928052Gi, more than 8589934591Gi, the largest size below 8Ei",
                ],
            ];
            for (const [failing, expected] of cases) {
                const { message } = await failure((opts) => {
                    cluster(opts);
                    failing(opts);
                });
                assert.strictEqual(message, expected);
            }
            // Just below: the largest quantity is accepted, and the largest model whose cache fits gets the largest PVC.
            const largestModel = (8589934591n * 2n ** 30n * 10n) / 11n;
            const { resources } = await scenario((opts) => {
                cluster(opts);
                new AIMClusterServiceTemplate("big", { aimImageName: "llama", modelSources: [{ ...LLAMA_SOURCE, size: String(largestModel) }] }, opts);
                service(opts, "chat", { templateRef: "big", cacheModel: true, resources: { limits: { memory: "9223372036854775807" } } });
            });
            assert.strictEqual(single(resources, PVC).inputs.spec.resources.requests.storage, "8589934591Gi");
            assert.strictEqual(single(resources, DEPLOYMENT).inputs.spec.template.spec.containers[0].resources.limits.memory, "9223372036854775807");
        });

        describe("quantity bounds against an exact reference (property)", () => {
            const MAX = 2n ** 63n - 1n;
            // Kubernetes' suffixes as exact rationals [numerator, denominator], written out here independently of validate/quantity.ts.
            const SUFFIXES: Record<string, [bigint, bigint]> = {
                "": [1n, 1n],
                m: [1n, 1000n],
                k: [10n ** 3n, 1n],
                M: [10n ** 6n, 1n],
                G: [10n ** 9n, 1n],
                T: [10n ** 12n, 1n],
                P: [10n ** 15n, 1n],
                E: [10n ** 18n, 1n],
                Ki: [2n ** 10n, 1n],
                Mi: [2n ** 20n, 1n],
                Gi: [2n ** 30n, 1n],
                Ti: [2n ** 40n, 1n],
                Pi: [2n ** 50n, 1n],
                Ei: [2n ** 60n, 1n],
                "e-3": [1n, 1000n],
                e0: [1n, 1n],
                e15: [10n ** 15n, 1n],
                e18: [10n ** 18n, 1n],
            };
            const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

            /**
             * A quantity whose exact value is near `target` (a rational num/den): a mantissa with `decimals` fraction
             * digits and a suffix, `offset` units of its last digit away from the nearest mantissa. Returns the string and
             * its exact value as [numerator, denominator].
             */
            const near = (target: [bigint, bigint]) =>
                fc
                    .record({ suffix: fc.constantFrom(...Object.keys(SUFFIXES)), decimals: fc.nat(6), offset: fc.bigInt(-3000n, 3000n) })
                    .map(({ suffix, decimals, offset }) => {
                        const [num, den] = SUFFIXES[suffix];
                        const scale = 10n ** BigInt(decimals);
                        // mantissa × scale⁻¹ × num/den ≈ target
                        let mantissa = (target[0] * scale * den) / (target[1] * num) + offset;
                        if (mantissa < 0n) mantissa = -mantissa;
                        const digits = mantissa.toString().padStart(decimals + 1, "0");
                        const text = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
                        return { text: `${text}${suffix}`, value: [mantissa * num, scale * den] as [bigint, bigint] };
                    });

            it("any quantity is accepted exactly when its value, rounded up, is at most 2^63 − 1", () => {
                fc.assert(
                    fc.property(near([MAX, 1n]), ({ text, value: [num, den] }) => {
                        assert.strictEqual(quantity.safeParse(text).success, ceilDiv(num, den) <= MAX, text);
                    }),
                    { seed: 20, numRuns: 2000 },
                );
            });

            it("a model size is accepted exactly when its cache PVC (+10 %, whole Gi) stays below 8Ei, and gets that PVC", () => {
                const GI = 2n ** 30n;
                const largestGi = MAX / GI;
                const template = (sizes: string[]) =>
                    clusterServiceTemplateSchema.safeParse({
                        name: "t",
                        aimImageName: "llama",
                        modelSources: sizes.map((size, i) => ({ name: `m${i}`, sourceUri: `hf://org/m${i}`, size })),
                    }).success;
                // Sizes near the largest model whose PVC fits, alone or as two sources of a service's scratch volume.
                fc.assert(
                    fc.property(near([largestGi * GI * 10n, 11n]), near([largestGi * GI * 5n, 11n]), (alone, half) => {
                        const gi = ([num, den]: [bigint, bigint]) => ceilDiv(num * 11n, den * 10n * GI);
                        const fits = ([num, den]: [bigint, bigint]) => ceilDiv(num, den) <= MAX && num >= den && gi([num, den]) <= largestGi;
                        assert.strictEqual(template([alone.text]), fits(alone.value), alone.text);
                        if (fits(alone.value)) assert.strictEqual(pvcSize([alone.text]), `${gi(alone.value)}Gi`);
                        const [n, d] = half.value;
                        const sum: [bigint, bigint] = [n * alone.value[1] + alone.value[0] * d, d * alone.value[1]];
                        assert.strictEqual(template([half.text, alone.text]), fits(half.value) && fits(alone.value) && gi(sum) <= largestGi, `${half.text} + ${alone.text}`);
                    }),
                    { seed: 21, numRuns: 1000 },
                );
            });

            it("an extended resource is accepted exactly when the API server counts it whole (rounded up to milli-units)", () => {
                fc.assert(
                    fc.property(fc.bigInt(0n, 5000n), near([7n, 1n]), (whole, { text, value: [num, den] }) => {
                        const accepts = (q: string) => containerResources.safeParse({ limits: { "example.com/fpga": q } }).success;
                        assert.strictEqual(accepts(String(whole)), true);
                        assert.strictEqual(accepts(text), ceilDiv(num * 1000n, den) % 1000n === 0n && ceilDiv(num, den) <= MAX, text);
                    }),
                    { seed: 22, numRuns: 2000 },
                );
            });
        });
    });

    describe("9. the KServe name limit", () => {
        it("a namespace too long for any service name says so, not that the name must be at most -3 characters", async () => {
            const namespace = `team-${"x".repeat(50)}`;
            const { message } = await failure((opts) => {
                cluster(opts, "kserve");
                service(opts, "a", { namespace });
            });
            assert.strictEqual(
                message,
                `AIMService "a": namespace: is too long for the kserve backend (55 characters): KServe's predictor host ` +
                    `<isvc>-predictor-${namespace} would exceed 63 characters whatever the service's name; serve it from a namespace ` +
                    "of at most 51 characters",
            );
            // A namespace that leaves room for a short name only: the name is what to shorten.
            const shorter = `team-${"x".repeat(40)}`;
            const tooLong = await failure((opts) => {
                cluster(opts, "kserve");
                service(opts, "chat-bot", { namespace: shorter });
            });
            assert.strictEqual(
                tooLong.message,
                `AIMService "chat-bot": namespace: is too long for the kserve backend with this service name: KServe's predictor ` +
                    `host <isvc>-predictor-${shorter} would exceed 63 characters; use a service name of at most 7 characters, or a shorter namespace`,
            );
            // 51 characters and a one-letter name: the host is exactly 63.
            const longest = `team-${"x".repeat(46)}`;
            const { resources } = await scenario((opts) => {
                cluster(opts, "kserve");
                service(opts, "a", { namespace: longest });
            });
            assert.strictEqual(single(resources, ISVC).inputs.metadata.name, "a");
            assert.strictEqual(`a-predictor-${longest}`.length, 63);
        });
    });
});
