// Validates rendered objects against the published Kubernetes and Gateway API schemas (kubernetes-models and
// @kubernetes-models/gateway-api), KServe's objects against KServe's CRDs (tests/kserveCrds.ts) and aim-engine's
// against aim-engine's (tests/aimEngineCrds.ts). The model packages are ESM-only; `module: node16` keeps these dynamic imports real.

import { Registered, unwrapSecrets } from "./harness";
import { validateAimEngine } from "./aimEngineCrds";
import { validateKServe } from "./kserveCrds";

interface Model {
    validate(): void;
}
type ModelClass = new (data: object) => Model;

const modelModules: Record<string, () => Promise<Record<string, unknown>>> = {
    "batch/v1/Job": () => import("kubernetes-models/batch/v1/Job"),
    "apps/v1/Deployment": () => import("kubernetes-models/apps/v1/Deployment"),
    "apps/v1/DaemonSet": () => import("kubernetes-models/apps/v1/DaemonSet"),
    "v1/Service": () => import("kubernetes-models/v1/Service"),
    "v1/Secret": () => import("kubernetes-models/v1/Secret"),
    "v1/Namespace": () => import("kubernetes-models/v1/Namespace"),
    "v1/PersistentVolumeClaim": () => import("kubernetes-models/v1/PersistentVolumeClaim"),
    "gateway.networking.k8s.io/v1/HTTPRoute": () =>
        import("@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute"),
};

/**
 * Throws if `manifest` (a rendered object, or a recorded resource's inputs) is not valid for its apiVersion and
 * kind, or if no schema is known for that kind.
 */
export async function validateManifest(manifest: { apiVersion?: string; kind?: string }): Promise<void> {
    // KServe's kinds have no model package: they are checked against KServe's own CRDs.
    if (manifest.apiVersion?.startsWith("serving.kserve.io/")) return validateKServe(unwrapSecrets(manifest));
    if (manifest.apiVersion?.startsWith("aim.eai.amd.com/")) return validateAimEngine(unwrapSecrets(manifest));
    const key = `${manifest.apiVersion}/${manifest.kind}`;
    const load = modelModules[key];
    if (!load) throw new Error(`no schema for ${key}`);
    const Class = (await load())[manifest.kind as string] as ModelClass;
    new Class(unwrapSecrets(manifest)).validate();
}

/** Throws unless every Kubernetes object among the registered resources validates (AIM components and others skipped). */
export async function validateKubernetesObjects(resources: Registered[]): Promise<void> {
    for (const r of resources) if (r.type.startsWith("kubernetes:")) await validateManifest(r.inputs);
}
