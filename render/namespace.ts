// The system namespace (Pulumi config `aim:systemNamespace`): where cluster templates' discovery Jobs and the
// base-image DaemonSets run. Upstream's operator is installed into it; here nothing else would create it.

import * as k8s from "@pulumi/kubernetes";
import { standardLabels } from "./labels";

/** Pulumi name of the system namespace of a cluster: fixed per Kubernetes provider, whoever needed it first. */
export function systemNamespacePulumiName(providerName: string | undefined): string {
    return providerName ? `${providerName}-aim-system-namespace` : "aim-system-namespace";
}

export function renderSystemNamespace(name: string) {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name, labels: standardLabels("aim", "system-namespace") },
    } satisfies k8s.core.v1.NamespaceArgs;
}
