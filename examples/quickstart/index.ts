// Quick start: the single-default-config pattern.
//
// One AIMClusterConfig named "default" carries the pull secret and the Gateway; nothing below names a config, so
// every dependent resolves "default". Preview it offline with `npm run example`, or with the Pulumi CLI from the
// repository root (`pulumi preview`: the root Pulumi.yaml points here).

// In your own program: import * as aim from "@aim-pulumi/aim";
// (this repository's examples import the package's source, which is not installed under its own name here)
import * as aim from "../../index";

// Declare configs first: dependents see what the program declared before them, like variables.
new aim.AIMClusterConfig("default", {
    imagePullSecrets: [{ name: "ghcr-pull" }],
    routing: { gateway: { name: "kaiwo-gateway", namespace: "kaiwo-system" } },
});

new aim.AIMClusterImage("llama-3-8b", {
    image: "ghcr.io/silogen/aim:0.4.0-meta-llama-llama-3.1-8b-instruct-v20251006",
});

// A cluster-wide template: its discovery Job runs in the system namespace (Pulumi config aim:systemNamespace,
// default aim-system). modelSources let the service size its model cache at preview time.
const template = new aim.AIMClusterServiceTemplate("llama-3-8b-mi300x", {
    aimImageName: "llama-3-8b",
    gpuSelector: { model: "MI300X", count: 1 },
    modelSources: [
        {
            name: "amd/Llama-3.1-8B-Instruct-FP8-KV",
            sourceUri: "hf://amd/Llama-3.1-8B-Instruct-FP8-KV",
            size: "9094593249",
        },
    ],
});

// A GPU Deployment, a Service and an HTTPRoute on kaiwo-gateway; cacheModel adds a PVC and its download Job.
const chat = new aim.AIMService("llama-chat", {
    namespace: "ml-team",
    aimImageName: "llama-3-8b",
    templateRef: "llama-3-8b-mi300x",
    cacheModel: true,
});

export const discoveryJob = template.discoveryJobName;
export const deployment = chat.deploymentName;
export const service = chat.serviceName;
export const routePath = chat.routePath;
export const config = chat.resolvedConfig;
