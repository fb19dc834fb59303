// Deterministic names and label values (aim-reference §2.1, §2.11): the same input gives the same names. They are
// part of planning (what exists, and under which name), so they live with the resolve layer.

import { createHash } from "crypto";
import { distance } from "fastest-levenshtein";

/** First 8 hex characters of the SHA-256 of `input`, as upstream suffixes derived names. */
export function shortHash(input: string): string {
    return createHash("sha256").update(input).digest("hex").slice(0, 8);
}

/** Cuts `name` to `max` characters without leaving a trailing '-' or '.'. */
export function truncateName(name: string, max: number): string {
    return name.slice(0, max).replace(/[-.]+$/, "");
}

/** Upstream's label-value sanitizer: `meta/llama-3-8b:1.1+20240915` → `meta_llama-3-8b_1.1_20240915`. */
export function toLabelValue(value: string): string {
    const cleaned = value.replace(/[^a-zA-Z0-9._-]+/g, "_").replace(/^[_.-]+|[_.-]+$/g, "");
    return cleaned.slice(0, 63).replace(/[_.-]+$/, "") || "unknown";
}

/**
 * `name` when it has at most `max` characters; else its start, `-` and 8 hex of SHA-256 of `original` (the whole
 * input the name stands for), so that inputs sharing a long prefix still get names of their own.
 */
export function shortenName(name: string, max: number, original = name): string {
    return name.length <= max ? name : `${truncateName(name, max - 9)}-${shortHash(original)}`;
}

/** Upstream's `MakeRFC1123Compliant` without its cut: `amd/Llama-3.1-8B` → `amd-llama-3-1-8b` when dots are dashed first. */
export function rfc1123(value: string): string {
    return value
        .toLowerCase()
        .replace(/[^a-z0-9.-]+/g, "-")
        .replace(/^[-.]+|[-.]+$/g, "")
        .replace(/[-.]{2,}/g, "-");
}

/** Upstream's `MakeRFC1123Compliant`, cut to a DNS label's 63 characters. */
export function toDnsLabel(value: string): string {
    return truncateName(rfc1123(value), 63);
}

/**
 * The discovery Job of a template: `discover-<template>-<8 hex>`. The template part is cut to 45 characters so
 * the name stays a valid label value (≤ 63), which Kubernetes needs for the Job's `job-name` pod label.
 */
export function discoveryJobName(templateName: string, hashInput: string): string {
    return `discover-${truncateName(templateName, 45)}-${shortHash(hashInput)}`;
}

/**
 * KServe names the predictor's host `<isvc>-predictor-<namespace>`, a DNS label (≤ 63), so upstream (VF
 * `GenerateInferenceServiceName`) keeps a service's name only while `len(name) ≤ 52 − len(namespace)`; otherwise it
 * takes the first `43 − len(namespace)` characters (at least one) + `-` + 8 hex of SHA-256(name), RFC 1123-cleaned.
 */
export function inferenceServiceName(serviceName: string, namespace: string): string {
    const max = 63 - "-predictor-".length - namespace.length;
    if (serviceName.length <= max) return serviceName;
    const prefix = serviceName.slice(0, Math.max(1, max - 9));
    return toDnsLabel(`${prefix}-${shortHash(serviceName)}`);
}

/** KServe's predictor Service (and, in raw deployment mode, Deployment) of an InferenceService. */
export function predictorName(isvcName: string): string {
    return `${isvcName}-predictor`;
}

/**
 * Model-cache name: RFC 1123 of the model name with dots dashed (`amd/Llama-3.1-8B` → `amd-llama-3-1-8b`), as
 * upstream names it. A longer name than 48 characters (so that `<cache>-cache-download` is still a valid Job name,
 * ≤ 63) is shortened with a hash of the model name: `…-Instruct-FP8` and `…-Instruct-FP16` stay two caches.
 */
export function modelCacheName(modelName: string): string {
    return shortenName(rfc1123(modelName.replace(/\./g, "-")), 48, modelName);
}

/** `<cache>-cache`, as upstream names a model cache's PVC. */
export function cachePvcName(cacheName: string): string {
    return `${cacheName}-cache`;
}

/** `<cache>-cache-download`: the Job that fills a model cache's PVC. */
export function downloadJobName(cacheName: string): string {
    return `${cachePvcName(cacheName)}-download`;
}

/**
 * `<owner>-hf-token`: the Secret of a service's token or of a model cache's download (owners of at most 63
 * characters, so the name is always a valid Secret name).
 */
export function tokenSecretName(owner: string): string {
    return `${owner}-hf-token`;
}

/** `<cache>-cache-hf-token`: the token of a model cache's download, shared with its PVC and Job. */
export function downloadTokenSecretName(cacheName: string): string {
    return tokenSecretName(cachePvcName(cacheName));
}

/** `; did you mean "<x>"?` for the closest declared name within edit distance 2, else "". */
export function didYouMean(name: string, declared: string[]): string {
    let best: { candidate: string; d: number } | undefined;
    for (const candidate of declared) {
        const d = distance(name, candidate);
        if (d <= 2 && (!best || d < best.d)) best = { candidate, d };
    }
    return best ? `; did you mean "${best.candidate}"?` : "";
}

// aim-engine's GPU model token (internal/utils/resources.go `gpuModelTokenRegex` at 9223504).
const GPU_MODEL_TOKEN = /^(MI|ME|RX|RTX|GTX|A|H|L|T|V|K|P|QUADRO|TESLA|GRID)?[A-Z]*[0-9]+[A-Z0-9]*$/;

/** The tokens of a GPU model name that look like a model (`AMD Instinct-MI300X` → `MI300X`), upper case, `_` as `-`. */
export function gpuModelTokens(model: string): string[] {
    const tokens = model.trim().toUpperCase().replaceAll("_", "-").split(/[- /:]/);
    return tokens.filter((t) => t !== "AMD" && t !== "INSTINCT" && GPU_MODEL_TOKEN.test(t)).map((t) => t.replace(/^INSTINCT/, ""));
}

/**
 * A GPU model as aim-engine's `NormalizeGPUModel` compares it: its first model token (`Instinct-MI325X` is `MI325X`,
 * `MI300X (rev 2)` is `MI300X`); undefined when no token looks like a GPU model.
 */
export function normalizeGpuModel(model: string): string | undefined {
    return gpuModelTokens(model)[0];
}
