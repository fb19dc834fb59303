// Team-specific configs: the platform team declares the cluster-wide default; each team namespace overrides what
// differs with an AIMNamespaceConfig of the same name ("default"), field by field — fields it leaves unset (here
// the Gateway) are inherited from the cluster config. A namespace without one uses the cluster config as it is.
//
// Offline: npm run example:teams

import * as k8s from "@pulumi/kubernetes";
import * as aim from "@aim-pulumi/aim";

// The platform default: shared pull secret and Gateway for every namespace.
new aim.AIMClusterConfig("default", {
    imagePullSecrets: [{ name: "ghcr-pull" }],
    routing: { gateway: { name: "kaiwo-gateway", namespace: "kaiwo-system" } },
});

interface Team {
    namespace: string;
    /** The team's own registry credentials, replacing the platform's in its namespace. */
    pullSecret?: string;
    /** Storage class of the team's model caches. */
    storageClass?: string;
}

const teams: Team[] = [
    { namespace: "team-nlp", pullSecret: "nlp-registry" },
    { namespace: "team-vision", pullSecret: "vision-registry", storageClass: "vision-nvme-rwx" },
    { namespace: "team-research" }, // no namespace config: the platform default applies as is
];

// Teams override configs before anything uses them: dependents see what was declared before them.
for (const team of teams.filter((t) => t.pullSecret || t.storageClass)) {
    new aim.AIMNamespaceConfig(`${team.namespace}-default`, {
        name: "default",
        namespace: team.namespace,
        imagePullSecrets: team.pullSecret ? [{ name: team.pullSecret }] : undefined,
        caching: team.storageClass ? { storageClassName: team.storageClass } : undefined,
    });
}

new aim.AIMClusterImage("llama-3-8b", {
    image: "ghcr.io/silogen/aim:0.4.0-meta-llama-llama-3.1-8b-instruct-v20251006",
});

// The program creates each team's namespace; a team's pull secret must exist in it.
const namespaces = teams.map((team) => new k8s.core.v1.Namespace(team.namespace, { metadata: { name: team.namespace } }));

// The model caches that cacheModel creates are shared by the template's services that set it, so they hang under it;
// their PVCs and download Jobs wait for what the service creating them depends on (its namespace, below).
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

// One chat service per team, each named "chat" in its own namespace (Pulumi names must be unique, AIM names only
// per namespace), with an API key of its own.
const services = teams.map(
    (team, i) =>
        new aim.AIMService(
            `${team.namespace}-chat`,
            {
                name: "chat",
                namespace: team.namespace,
                aimImageName: "llama-3-8b",
                templateRef: "llama-3-8b-mi300x",
                cacheModel: true,
                apiKey: { enabled: true },
            },
            { dependsOn: [namespaces[i]] },
        ),
);

/** Per team namespace: where its config came from and the pull secrets its pods get. */
export const teamConfigs = Object.fromEntries(
    teams.map((team, i) => [
        team.namespace,
        services[i].resolvedConfig.apply((c) => ({
            source: c.source,
            imagePullSecrets: c.imagePullSecrets.map((s) => s.name),
            storageClassName: c.caching.storageClassName ?? "(cluster default)",
            gateway: c.routing.gateway?.name,
        })),
    ]),
);
export const routePaths = services.map((s) => s.routePath);
export const endpoints = services.map((s) => s.endpoint);
