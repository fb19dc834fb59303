// What a replacement or deletion destroys, in words a reviewer acts on: the data of a claim, everything in a
// Namespace, a gap in serving. `protect` and `retainOnDelete` of the object as deployed (the base revision) change
// what happens, and the wording says so.

import { AIM_GROUP } from "../render/labels";
import { gpusPerPod, podsOf } from "./capacity";
import type { Registration } from "./offline";

const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";
/** How many of a Namespace's objects a risk names before it counts the rest. */
const LISTED = 10;

const kindOf = (r: Registration): string | undefined => (r.type.startsWith("kubernetes:") ? r.inputs.kind : undefined);
const hostOf = (r: Registration) => `${r.inputs.metadata?.name}.${r.inputs.metadata?.namespace}.svc`;
const nameOf = (r: Registration) => `${r.inputs.metadata?.namespace ? `${r.inputs.metadata.namespace}/` : ""}${r.inputs.metadata?.name}`;

/**
 * Whether the old object is deleted before the new one is created. pulumi-kubernetes does so itself for an object
 * named in the program that keeps its name and namespace, as the two cannot coexist (provider/pkg/provider/
 * provider.go, `Diff`: `DeleteBeforeReplace` when the replaced object is not autonamed and keeps its name); the
 * `deleteBeforeReplace` option asks for it for any resource.
 */
export function deletesFirst(old: Registration, now: Registration): boolean {
    if (now.deleteBeforeReplace) return true;
    const [a, b] = [old.inputs.metadata, now.inputs.metadata];
    return kindOf(old) !== undefined && typeof a?.name === "string" && a.name === b?.name && a?.namespace === b?.namespace;
}

function list(items: string[]): string {
    return items.length <= LISTED ? items.join(", ") : `${items.slice(0, LISTED).join(", ")} and ${items.length - LISTED} more`;
}

/** What deleting the object destroys; undefined when nothing in the cluster is lost (components, providers). */
function destroyed(old: Registration, base: readonly Registration[]): string | undefined {
    const kind = kindOf(old);
    const spec = old.inputs.spec ?? {};
    if (old.type === RANDOM_PASSWORD) return "the generated value is lost: a new one would differ";
    if (kind === undefined) return undefined;
    if (kind === "PersistentVolumeClaim") {
        const size = spec.resources?.requests?.storage ?? "its";
        const storageClass = spec.storageClassName ? `storage class \`${spec.storageClassName}\`` : "the default storage class";
        const model = old.inputs.metadata?.labels?.[`${AIM_GROUP}/source-model`];
        const cache = model ? `; it caches the model ${model}, which is downloaded again` : "";
        return `data loss: the claim's ${size} of data on ${storageClass} is deleted${cache}`;
    }
    if (kind === "Namespace") {
        const name = old.inputs.metadata?.name;
        const inside = base.filter((r) => kindOf(r) !== undefined && r.inputs.metadata?.namespace === name).map((r) => `${r.inputs.kind} ${r.inputs.metadata?.name}`);
        return (
            `Kubernetes deletes everything in namespace \`${name}\`` +
            (inside.length > 0 ? `: ${inside.length} object(s) of this program (${list(inside)}) and anything else in it` : ", whatever else put there")
        );
    }
    const pods = podsOf(old);
    if (pods) {
        const gpus = pods.replicas * gpusPerPod(pods);
        return `serving stops: ${kind} ${nameOf(old)} (${pods.replicas} replica(s)${gpus > 0 ? `, ${gpus} GPU(s)` : ""}) goes away`;
    }
    if (kind === "Service") return `${hostOf(old)} stops answering: its clients fail`;
    if (kind === "HTTPRoute") {
        const paths = (spec.rules ?? []).flatMap((rule: any) => (rule.matches ?? []).map((m: any) => m.path?.value)).filter(Boolean);
        return `requests to ${paths.length > 0 ? paths.map((p: string) => `\`${p}\``).join(", ") : "its paths"} through the Gateway fail (no route)`;
    }
    if (kind === "Job") return "the finished run, its pods and logs are deleted";
    if (kind === "Secret") return "pods that read it fail to start while it is missing";
    if (kind === "DaemonSet") return "its pods on every node are deleted";
    return "the object is deleted from the cluster";
}

/** Risk of deleting `old` (as deployed by the base revision); null when nothing is lost. */
export function deletionRisk(old: Registration, base: readonly Registration[]): string | null {
    const what = destroyed(old, base);
    if (what === undefined) return null;
    if (old.protect) return `protected: \`pulumi up\` fails rather than delete it; without \`protect\`: ${what}`;
    if (old.retainOnDelete) return "retainOnDelete: Pulumi forgets it and it stays in the cluster, with its data";
    return what;
}

/** Risk of replacing `old` (the base revision's) with `now` (the head's); null when nothing is lost. */
export function replacementRisk(old: Registration, now: Registration, base: readonly Registration[]): string | null {
    const what = destroyed(old, base);
    if (what === undefined) return null;
    const first = deletesFirst(old, now);
    const kind = kindOf(old);
    const pods = podsOf(old);
    let how = what;
    if (old.type === RANDOM_PASSWORD) how = "a new value is generated: whoever holds the old one is rejected once the new one is in use";
    else if (kind === "Job") how = "the Job runs again; the finished run, its pods and logs are deleted";
    else if (kind === "Service") {
        how = first ? `a gap: ${hostOf(old)} stops answering until it is created again (with a new cluster IP)` : `${hostOf(old)} gets a new cluster IP`;
    } else if (pods && first) how = `serving stops: ${kind} ${nameOf(old)} is deleted before the new one is created, so nothing serves until the new pods are ready`;
    else if (pods) {
        const gpus = pods.replicas * gpusPerPod(pods);
        how = `both run at once: the new ${kind} starts beside the old one, which is deleted once it is ready${gpus > 0 ? `, so the cluster needs ${gpus} more GPU(s) meanwhile` : ""}`;
    }
    if (old.protect) return `protected: \`pulumi up\` fails rather than replace it; without \`protect\`: ${how}`;
    if (old.retainOnDelete) {
        return first
            ? "retainOnDelete: the old object stays in the cluster, so creating the new one of the same name fails (already exists) until the old one is removed by hand"
            : "retainOnDelete: the old object stays in the cluster beside the new one";
    }
    return how;
}
