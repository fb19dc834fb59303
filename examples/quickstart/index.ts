// Quick start: the single-default-config pattern.
//
// One AIMClusterConfig named "default" carries the pull secret and the Gateway; nothing below names a config, so
// every dependent resolves "default". Preview it offline with `npm run example`, or with the Pulumi CLI from the
// repository root (`pulumi preview`: the root Pulumi.yaml points here).
//
// This renders what the AIM operator would create. On a cluster that runs AMD's aim-engine operator, the same program
// on the operator target (Pulumi config aim:target: operator, the stack of examples/operator: `npm run
// example:operator`) registers aim-engine's custom resources instead, for the operator to reconcile.

import * as k8s from "@pulumi/kubernetes";
// In your own program: import * as aim from "@aim-pulumi/aim";
// (this repository's examples import the package's source, which is not installed under its own name here)
import * as aim from "../../index";

// The namespace the service runs in. The pull secret ghcr-pull must exist in every namespace that pulls with it:
// here ml-team, and the system namespace aim-system where the base-image DaemonSet runs.
const mlTeam = new k8s.core.v1.Namespace("ml-team", { metadata: { name: "ml-team" } });

// Declare configs first: dependents see what the program declared before them, like variables.
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

// A cluster-wide template. modelSources let the service size its model cache at preview time, and make a discovery
// Job unnecessary (without them, one would run in the system namespace). The model cache that cacheModel creates is
// shared by every service of the template, so it hangs under the template: depending on ml-team here orders it.
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
    { dependsOn: [mlTeam] },
);

// A GPU Deployment (readiness and startup probes, metrics on), a Service and an HTTPRoute on kaiwo-gateway; cacheModel
// adds a PVC and its download Job, mounted at AIM_CACHE_PATH. apiKey generates a key that /v1/* then requires.
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

export const endpoint = chat.endpoint;
// A secret output: `pulumi stack output apiKey --show-secrets`.
export const apiKey = chat.apiKey;
export const deployment = chat.deploymentName;
export const service = chat.serviceName;
export const routePath = chat.routePath;
export const config = chat.resolvedConfig;
