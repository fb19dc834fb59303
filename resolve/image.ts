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
 * Finds the image entry of a container image URI for a service in `namespace`, as upstream resolves `model.image`
 * (aim-engine `findModelsWithImage`): the AIMImages of the namespace and the AIMClusterImages with that image, pooled;
 * more than one is ambiguous (upstream `MultipleModelsFound`). Upstream creates an image entry when there is none;
 * the package does not (that entry would be an object nobody declared), so none is an error.
 */
export function findImageByUri(catalog: Catalog, dependent: Dependent, namespace: string, uri: string): ImageEntry {
    const found = [...catalog.imagesByUri.find(indexKey(namespace, uri)), ...catalog.imagesByUri.find(indexKey(undefined, uri))];
    const fail = (problem: string) => fieldError(dependent.kind, dependent.aimName, "image", problem);
    if (found.length === 1) return found[0];
    if (found.length === 0) {
        throw fail(
            `No AIMImage in namespace "${namespace}" or AIMClusterImage found with image "${uri}" (declare one before the ` +
                `service, for the same Kubernetes provider: the package does not create image entries as the operator does)`,
        );
    }
    const names = found.map((entry) => (entry.scope === "Namespace" ? `AIMImage "${entry.spec.name}"` : `AIMClusterImage "${entry.spec.name}"`));
    throw fail(`MultipleModelsFound: ${found.length} image entries have image "${uri}": ${names.join(", ")}; name one with aimImageName instead`);
}

export function resolvedImage(entry: ImageEntry): ResolvedImage {
    return { name: entry.spec.name, scope: entry.scope, image: entry.spec.image };
}

