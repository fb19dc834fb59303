// Environment-specific configs: one program, one stack per environment.
//
// Each stack's config (Pulumi.dev.yaml, Pulumi.prod.yaml) names the AIMClusterConfig of its environment and the
// values that differ: replicas, pull secret, cache storage class, Gateway. The program declares that config and
// every dependent references it explicitly with `configName`, so a preview fails at once — before anything is
// applied — if a dependent names a config the environment does not declare:
//   failed to get AIMClusterConfig "production": not found
//
// Offline: npm run example:environments (stack dev), npm run example:environments:prod (stack prod).

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as aim from "@aim-pulumi/aim";

const config = new pulumi.Config();
const configName = config.require("configName");
const gateway = config.requireObject<aim.GatewayParentReference>("gateway");
const replicas = config.getNumber("replicas") ?? 1;
const storageClassName = config.get("storageClass");
const pullSecret = config.get("pullSecret") ?? "ghcr-pull";
// Optional: `pulumi config set --secret hfToken <token>`. It lands in a Kubernetes Secret, never in plain text.
const hfToken = config.getSecret("hfToken");

// The pull secret must exist in each namespace that pulls with it: ml-team, and the system namespace (Pulumi config
// aim:systemNamespace; the package creates it) where the base-image DaemonSet runs.
const mlTeam = new k8s.core.v1.Namespace("ml-team", { metadata: { name: "ml-team" } });

new aim.AIMClusterConfig(configName, {
    imagePullSecrets: [{ name: pullSecret }],
    caching: { storageClassName, cacheAimImageBase: true },
    routing: { gateway },
});

new aim.AIMClusterImage("llama-3-8b", {
    image: "ghcr.io/silogen/aim:0.4.0-meta-llama-llama-3.1-8b-instruct-v20251006",
    configName,
});

new aim.AIMClusterServiceTemplate("llama-3-8b-mi300x", {
    aimImageName: "llama-3-8b",
    configName,
    gpuSelector: { model: "MI300X", count: 1 },
    modelSources: [
        {
            name: "amd/Llama-3.1-8B-Instruct-FP8-KV",
            sourceUri: "hf://amd/Llama-3.1-8B-Instruct-FP8-KV",
            size: "9094593249",
        },
    ],
});

// A second template of the image, for batch traffic on the newest GPUs. The batch service below names no template:
// it is selected among the image's templates (GPU tier, then metric, then precision). In dev the MI325X template
// wins; in prod, Pulumi config aim:availableGpuModels says the cluster has MI300X only, so that template is dropped
// and the MI300X one is chosen. The preview shows the choice, and why, in `batchTemplate`.
new aim.AIMClusterServiceTemplate("llama-3-8b-mi325x-throughput", {
    aimImageName: "llama-3-8b",
    configName,
    metric: "throughput",
    gpuSelector: { model: "MI325X", count: 1 },
    modelSources: [
        {
            name: "amd/Llama-3.1-8B-Instruct-FP8-KV",
            sourceUri: "hf://amd/Llama-3.1-8B-Instruct-FP8-KV",
            size: "9094593249",
        },
    ],
});

// Declared rather than left to `cacheModel`, so the model downloads get the token as well: a cache that a service
// creates is shared by the template's `cacheModel` services and takes no service's token. Every service of the template in
// ml-team mounts it, `cacheModel` or not: the chat service, and in prod the batch service too.
new aim.AIMTemplateCache(
    "llama-3-8b-mi300x-cache",
    {
        name: "llama-3-8b-mi300x",
        namespace: "ml-team",
        templateRef: "llama-3-8b-mi300x",
        configName,
        hfToken,
    },
    { dependsOn: [mlTeam] },
);

const chat = new aim.AIMService(
    "llama-chat",
    {
        namespace: "ml-team",
        aimImageName: "llama-3-8b",
        templateRef: "llama-3-8b-mi300x",
        configName,
        replicas,
        hfToken,
        apiKey: { enabled: true },
    },
    { dependsOn: [mlTeam] },
);

// Found by its container image rather than by name (the image entry with that image, in the namespace or cluster).
const batch = new aim.AIMService(
    "llama-batch",
    {
        namespace: "ml-team",
        image: "ghcr.io/silogen/aim:0.4.0-meta-llama-llama-3.1-8b-instruct-v20251006",
        configName,
        apiKey: { enabled: true },
    },
    { dependsOn: [mlTeam] },
);

export const environment = pulumi.getStack();
export const batchTemplate = batch.resolvedTemplate;
export const resolvedConfig = chat.resolvedConfig;
export const deployment = chat.deploymentName;
export const routeGateway = chat.routeGateway;
export const routePath = chat.routePath;
export const endpoint = chat.endpoint;
export const apiKey = chat.apiKey;
