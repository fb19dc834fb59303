// Image lookup (design §4.3): a namespaced AIMImage first, then the AIMClusterImage of the same name.

import { ResolvedImage } from "../types";
import { AimError } from "../validate/common";
import { Catalog, ImageEntry } from "./catalog";

/** Finds the image entry a dependent in `namespace` (none: a cluster-scoped dependent) means by `aimImageName`. */
export function findImage(catalog: Catalog, namespace: string | undefined, aimImageName: string): ImageEntry {
    const entry =
        (namespace !== undefined ? catalog.images.get(namespace, aimImageName) : undefined) ??
        catalog.clusterImages.get(undefined, aimImageName);
    if (entry) return entry;
    // Upstream words the cluster-scoped case differently because only AIMClusterImages are searched.
    const searched = namespace !== undefined ? "AIMImage or AIMClusterImage" : "AIMClusterImage";
    throw new AimError(
        `No ${searched} found for image name "${aimImageName}" ` +
            `(declare it before the objects that use it, for the same Kubernetes provider)`,
    );
}

export function resolvedImage(entry: ImageEntry): ResolvedImage {
    return { name: entry.spec.name, scope: entry.scope, image: entry.spec.image };
}

