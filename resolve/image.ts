// Image lookup (design §4.3): a namespaced AIMImage first, then the AIMClusterImage of the same name.

import { ResolvedImage } from "../types";
import { fieldError } from "../validate/common";
import { Catalog, Dependent, ImageEntry, indexKey } from "./catalog";
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

/**
 * Finds the image entry of a container image URI for a service in `namespace`, as upstream resolves `model.image`:
 * the AIMImage with that image in the namespace, else the AIMClusterImage; two in the same scope are ambiguous
 * (upstream `MultipleModelsFound`). Upstream creates an image entry when there is none; the package does not
 * (that entry would be an object nobody declared), so none is an error.
 */
export function findImageByUri(catalog: Catalog, dependent: Dependent, namespace: string, uri: string): ImageEntry {
    const namespaced = catalog.imagesByUri.find(indexKey(namespace, uri));
    const found = namespaced.length > 0 ? namespaced : catalog.imagesByUri.find(indexKey(undefined, uri));
    const fail = (problem: string) => fieldError(dependent.kind, dependent.aimName, "image", problem);
    if (found.length === 1) return found[0];
    if (found.length === 0) {
        throw fail(
            `No AIMImage in namespace "${namespace}" or AIMClusterImage found with image "${uri}" (declare one before the ` +
                `service, for the same Kubernetes provider: the package does not create image entries as the operator does)`,
        );
    }
    const names = found.map((entry) => `"${entry.spec.name}"`).join(", ");
    const where = found[0].scope === "Namespace" ? `AIMImages in namespace "${namespace}"` : "AIMClusterImages";
    throw fail(`MultipleImagesFound: ${found.length} ${where} have image "${uri}": ${names}; name one with aimImageName instead`);
}

export function resolvedImage(entry: ImageEntry): ResolvedImage {
    return { name: entry.spec.name, scope: entry.scope, image: entry.spec.image };
}

