// The system namespace (Pulumi config `aim:systemNamespace`): where cluster templates' discovery Jobs and the
// base-image DaemonSets run. Upstream's operator is installed into it; here nothing else would create it.
// (components/internal.ts `namespaceDependencies` says when it is created and why it is never deleted.)

import * as k8s from "@pulumi/kubernetes";
import { standardLabels } from "./labels";

/**
 * Pulumi name of the system namespace of a cluster, whoever needed it first. It is the provider's child, so its URN
 * carries the provider's type chain, and the provider's name makes it distinct among the providers of one chain.
 */
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
