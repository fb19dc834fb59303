// One program, a serving backend per environment.
//
// Pulumi config `aim:servingBackend` picks the backend for the stack: `deployment` (the default; dev, a cluster
// without KServe) or `kserve` (prod: what the AIM operator itself creates — a ClusterServingRuntime per cluster
// template, a ServingRuntime per namespace template, an InferenceService per service). A template's own
// `servingBackend` wins over the stack's, and services follow the template they run, so a template can stay on
// Deployments while the rest moves (here: the embedding model, whose clients call the Service by its own name).
//
// Offline: npm run example:kserve (stack dev), npm run example:kserve:prod (stack prod).

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as aim from "@aim-pulumi/aim";

const config = new pulumi.Config();
const replicas = config.getNumber("replicas") ?? 1;

// The namespace of the services (the pull secret ghcr-pull must exist in it).
const mlTeam = new k8s.core.v1.Namespace("ml-team", { metadata: { name: "ml-team" } });

new aim.AIMClusterConfig("default", {
    imagePullSecrets: [{ name: "ghcr-pull" }],
    routing: { gateway: { name: "kaiwo-gateway", namespace: "kaiwo-system" } },
});

new aim.AIMClusterImage("llama-3-8b", {
    image: "ghcr.io/silogen/aim:0.4.0-meta-llama-llama-3.1-8b-instruct-v20251006",
});

// Follows the stack: a ClusterServingRuntime named "llama-3-8b-mi300x" in prod, nothing in dev.
new aim.AIMClusterServiceTemplate("llama-3-8b-mi300x", {
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

// Pinned to the Deployment backend in every stack.
new aim.AIMServiceTemplate(
    "llama-3-8b-embed",
    { namespace: "ml-team", aimImageName: "llama-3-8b", servingBackend: "deployment", gpuSelector: { model: "MI300X", count: 1 } },
    { dependsOn: [mlTeam] },
);

// Routed through kaiwo-gateway, so each requires an API key on /v1/* (on either backend).
const chat = new aim.AIMService(
    "llama-chat",
    { namespace: "ml-team", aimImageName: "llama-3-8b", templateRef: "llama-3-8b-mi300x", replicas, apiKey: { enabled: true } },
    { dependsOn: [mlTeam] },
);

const embed = new aim.AIMService(
    "llama-embed",
    { namespace: "ml-team", aimImageName: "llama-3-8b", templateRef: "llama-3-8b-embed", apiKey: { enabled: true } },
    { dependsOn: [mlTeam] },
);

export const backend = new pulumi.Config("aim").get("servingBackend") ?? "deployment";
// What serves the chat: the InferenceService (KServe creates the Deployment and Service <isvc>-predictor), or ours.
export const chatWorkload = pulumi
    .all([chat.inferenceServiceName, chat.deploymentName])
    .apply(([isvc, deployment]) => (isvc ? `InferenceService ${isvc}` : `Deployment ${deployment}`));
export const chatService = chat.serviceName;
// Follows the backend: http://llama-chat.ml-team.svc, or KServe's llama-chat-predictor.
export const chatEndpoint = chat.endpoint;
export const chatRoutePath = chat.routePath;
export const embedService = embed.serviceName;
