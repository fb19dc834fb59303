// Values the specs share: the image and gateway of upstream's own examples.

export const LLAMA_IMAGE = "ghcr.io/silogen/aim:0.4.0-meta-llama-llama-3.1-8b-instruct-v20251006";
export const LLAMA_SOURCE = {
    name: "amd/Llama-3.1-8B-Instruct-FP8-KV",
    sourceUri: "hf://amd/Llama-3.1-8B-Instruct-FP8-KV",
    size: "9094593249",
};
export const KAIWO_GATEWAY = { name: "kaiwo-gateway", namespace: "kaiwo-system" };
