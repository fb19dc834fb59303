// Image lookup (design §4.3): a namespaced AIMImage first, then the AIMClusterImage of the same name.

import { ResolvedImage } from "../types";
import { fieldError } from "../validate/common";
import { Catalog, Dependent, ImageEntry } from "./catalog";
import { didYouMean } from "./names";

/** Finds the image entry a dependent in `namespace` (none: a cluster-scoped dependent) means by `aimImageName`. */
export function findImage(catalog: Catalog, dependent: Dependent, namespace: string | undefined, aimImageName: string): ImageEntry {
    const entry =
        (namespace !== undefined ? catalog.images.lookup(namespace, aimImageName) : undefined) ??
        catalog.clusterImages.lookup(undefined, aimImageName);
    if (entry) return entry;
    // Upstream words the cluster-scoped case differently because only AIMClusterImages are searched.
    const searched = namespace !== undefined ? "AIMImage or AIMClusterImage" : "AIMClusterImage";
    const declared = [...(namespace !== undefined ? catalog.images.names(namespace) : []), ...catalog.clusterImages.names(undefined)];
    throw fieldError(
        dependent.kind,
        dependent.aimName,
        "aimImageName",
        `No ${searched} found for image name "${aimImageName}" ` +
            `(declare it before the objects that use it, for the same Kubernetes provider${didYouMean(aimImageName, declared)})`,
    );
}

export function resolvedImage(entry: ImageEntry): ResolvedImage {
    return { name: entry.spec.name, scope: entry.scope, image: entry.spec.image };
}

