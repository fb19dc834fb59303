import * as k8s from "@pulumi/kubernetes";
import * as aim from "@aim-pulumi/aim";

// The package creates no application namespace: create the ones you deploy to. The pull secret ghcr-pull must exist
// in every namespace that pulls with it: here ml-team, and the system namespace aim-system (below).
const mlTeam = new k8s.core.v1.Namespace("ml-team", { metadata: { name: "ml-team" } });

// Declare configs first: dependents see what the program declared before them, like variables. Nothing below names
// a config, so every dependent resolves "default".
// cacheAimImageBase pre-pulls the AIM base image on every node, from a DaemonSet in the system namespace (Pulumi config
// aim:systemNamespace, default aim-system), which the package creates (aim:createSystemNamespace: false to skip).
new aim.AIMClusterConfig("default", {
    imagePullSecrets: [{ name: "ghcr-pull" }],
    caching: { cacheAimImageBase: true },
    routing: { gateway: { name: "kaiwo-gateway", namespace: "kaiwo-system" } },
});

new aim.AIMClusterImage("llama-3-8b", {
    image: "ghcr.io/silogen/aim:0.4.0-meta-llama-llama-3.1-8b-instruct-v20251006",
});

// A cluster-wide template for one MI300X. modelSources let the service size its model cache at preview time, and
// make a discovery Job unnecessary (without them, one would run in the system namespace). The model cache that
// cacheModel creates is shared by the template's services that set it, so it hangs under the template; its PVC and
// download Job wait for what the service creating it depends on (ml-team, below).
new aim.AIMClusterServiceTemplate(
    "llama-3-8b-mi300x",
    {
        aimImageName: "llama-3-8b",
        gpuSelector: { model: "MI300X", count: 1 },
        modelSources: [
            {
                name: "amd/Llama-3.1-8B-Instruct-FP8-KV",
                sourceUri: "hf://amd/Llama-3.1-8B-Instruct-FP8-KV",
                size: "9094593249",
            },
        ],
    },
);

// A GPU Deployment (readiness and startup probes, metrics on), a Service and an HTTPRoute on kaiwo-gateway at
// /ml-team/llama-chat; cacheModel adds a PVC and its download Job, mounted at AIM_CACHE_PATH. apiKey generates a
// key that /v1/* then requires.
const chat = new aim.AIMService(
    "llama-chat",
    {
        namespace: "ml-team",
        aimImageName: "llama-3-8b",
        templateRef: "llama-3-8b-mi300x",
        cacheModel: true,
        apiKey: { enabled: true },
    },
    { dependsOn: [mlTeam] },
);

export const endpoint = chat.endpoint; // http://llama-chat.ml-team.svc
// A secret output: `pulumi stack output apiKey --show-secrets`.
export const apiKey = chat.apiKey;
export const deployment = chat.deploymentName;
export const service = chat.serviceName;
export const routePath = chat.routePath;
export const config = chat.resolvedConfig;
