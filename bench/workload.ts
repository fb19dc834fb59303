// The benchmark's workload, written against the package's public API only (index.ts), so it keeps working while
// the components' internals change: 3 configs, 4 cluster images, 8 cluster templates with model sources, N/10
// namespaces each with a template cache, and N services — every one routed, with pull secrets, env and labels;
// every 3rd with `cacheModel` (declared first), every 10th with `overrides`, some with `hfToken`.

import type * as k8s from "@pulumi/kubernetes";
import type * as aimModule from "../index";

const GATEWAY = { name: "kaiwo-gateway", namespace: "kaiwo-system" };

/** The three configs; a namespace uses one of them for everything in it (a template cache is tied to one config). */
const CONFIGS = [
    { name: "default", imagePullSecrets: [{ name: "aim-registry" }], caching: { cacheAimImageBase: true }, routing: { gateway: GATEWAY } },
    { name: "fast", imagePullSecrets: [{ name: "aim-registry" }, { name: "fast-mirror" }], caching: { storageClassName: "nvme-rwx" }, routing: { gateway: GATEWAY } },
    { name: "archive", caching: { storageClassName: "cephfs" }, routing: { gateway: { ...GATEWAY, sectionName: "https" } } },
];

/** Four images of upstream's naming (`ghcr.io/silogen/aim-…`, with a base image the default config pre-pulls). */
const MODELS = [
    { image: "llama", model: "amd/Llama-3.1-8B-Instruct-FP8-KV", repo: "meta-llama-llama-3.1-8b-instruct", size: "9094593249" },
    { image: "llama-70b", model: "amd/Llama-3.1-70B-Instruct-FP8-KV", repo: "meta-llama-llama-3.1-70b-instruct", size: "75.5Gi" },
    { image: "mixtral", model: "amd/Mixtral-8x7B-Instruct-v0.1-FP8-KV", repo: "mistralai-mixtral-8x7b-instruct-v0.1", size: "48Gi" },
    { image: "qwen", model: "Qwen/Qwen3-32B", repo: "qwen-qwen3-32b", size: "65Gi" },
];

/** Two templates per image (latency on 1 GPU, throughput on 2); both of an image share its model source. */
const TEMPLATES = MODELS.flatMap((m) => [
    { name: `${m.image}-latency`, model: m, metric: "latency" as const, precision: "fp8" as const, gpus: 1 },
    { name: `${m.image}-throughput`, model: m, metric: "throughput" as const, precision: "fp8" as const, gpus: 2 },
]);

const sourceOf = (m: (typeof MODELS)[number]) => ({ name: m.model, sourceUri: `hf://${m.model}`, size: m.size });

/** Namespace i of N/10 (at least one), its config and the template its AIMTemplateCache caches. */
function namespaceOf(i: number) {
    return { namespace: `team-${i}`, config: CONFIGS[i % CONFIGS.length].name, template: TEMPLATES[i % TEMPLATES.length] };
}

export function namespaceCount(n: number): number {
    return Math.max(1, Math.floor(n / 10));
}

/** Declares the whole workload with the given provider; returns how many AIM components it constructed. */
export function program(aim: typeof aimModule, provider: k8s.Provider, n: number): number {
    const opts = { provider };
    let components = 0;
    for (const { name, ...config } of CONFIGS) {
        new aim.AIMClusterConfig(name, config, opts);
        components++;
    }
    for (const m of MODELS) {
        new aim.AIMClusterImage(m.image, { image: `ghcr.io/silogen/aim-${m.repo}:0.8.5`, defaultServiceTemplate: `${m.image}-latency` }, opts);
        components++;
    }
    for (const t of TEMPLATES) {
        new aim.AIMClusterServiceTemplate(
            t.name,
            {
                aimImageName: t.model.image,
                metric: t.metric,
                precision: t.precision,
                gpuSelector: { count: t.gpus, model: "MI300X" },
                modelSources: [sourceOf(t.model)],
            },
            opts,
        );
        components++;
    }
    const namespaces = namespaceCount(n);
    for (let k = 0; k < namespaces; k++) {
        const ns = namespaceOf(k);
        new aim.AIMTemplateCache(
            `${ns.namespace}-${ns.template.name}`,
            {
                name: ns.template.name,
                namespace: ns.namespace,
                templateRef: ns.template.name,
                // No hfToken: services' cacheModel caches of the same model share its download, which runs without one.
                configName: ns.config,
            },
            opts,
        );
        components++;
    }
    const services = Array.from({ length: n }, (_, i) => {
        const ns = namespaceOf(i % namespaces);
        const template = TEMPLATES[(i * 3 + 1) % TEMPLATES.length];
        const overrides = i % 10 === 0;
        // What a service's template cache is keyed by: its namespace and its effective template.
        return { i, ns, template, overrides, cacheModel: i % 3 === 0, runs: `${ns.namespace}/${template.name}/${overrides}` };
    });
    // A service mounts the declared cache of its template in its namespace, and a `cacheModel` service the cache it
    // shares with the template's other `cacheModel` services there: declared in any order, as a program would.
    const declaredCaches = new Set(Array.from({ length: namespaces }, (_, k) => `${namespaceOf(k).namespace}/${namespaceOf(k).template.name}/false`));
    for (const { i, ns, template, overrides, cacheModel, runs } of services) {
        new aim.AIMService(
            `svc-${i}`,
            {
                namespace: ns.namespace,
                aimImageName: template.model.image,
                templateRef: template.name,
                configName: ns.config,
                replicas: 1 + (i % 2),
                imagePullSecrets: [{ name: `${ns.namespace}-pull` }],
                env: [
                    { name: "AIM_LOG_LEVEL", value: i % 4 === 0 ? "debug" : "info" },
                    { name: "OPENAI_API_KEY", valueFrom: { secretKeyRef: { name: `${ns.namespace}-api`, key: "key" } } },
                ],
                labels: { team: ns.namespace, tier: i % 5 === 0 ? "gold" : "standard", app: `svc-${i}` },
                ...(i % 5 === 2 && { routing: { requestTimeout: "120s", annotations: { "bench.aim/route": `r${i}` } } }),
                ...(cacheModel && { cacheModel: true }),
                ...(overrides && { overrides: { precision: "fp16" as const, gpuSelector: { count: 4, model: "MI300X" } } }),
                // A token only where no shared model download runs without it (no warning per service).
                ...(!cacheModel && !declaredCaches.has(runs) && i % 4 === 1 && { hfToken: `hf_bench_token_svc_${i}` }),
            },
            opts,
        );
        components++;
    }
    return components;
}
