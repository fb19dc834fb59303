// Automatic template selection for a service that names no template (aim-reference §4.3): upstream's
// `selectBestTemplate` (aim-engine internal/aimservice/selection.go at 9223504), run at preview on the templates the
// program declared. Upstream's first two stages need the live cluster and are not run: template readiness (its
// discovery Job has not run at preview) and the optimized-profile filter (profiles come from discovery). The GPU
// stage runs when Pulumi config `aim:availableGpuModels` lists the cluster's GPU models.

import { fieldError } from "../validate/common";
import { gpuCountOf } from "../validate/resources";
import { CandidateStatus, ResolvedImage, Scope, ServiceOverrides, TemplateCandidate } from "../types";
import { Catalog, Dependent, indexKey, TemplateDeclaration, TemplateEntry } from "./catalog";
import { normalizeGpuModel } from "./names";

/** Why a candidate was chosen or not: upstream's reasons, plus `NamespaceTemplatePreferred` (upstream drops those silently). */
const CandidateReason = {
    BestMatch: "BestMatch",
    LowerPreferenceRank: "LowerPreferenceRank",
    ServiceOverridesNotMatched: "ServiceOverridesNotMatched",
    RequiredGPUNotInCluster: "RequiredGPUNotInCluster",
    NamespaceTemplatePreferred: "NamespaceTemplatePreferred",
} as const;

// Upstream's preference orders, most preferred first; anything else ranks after all of them.
const GPU_PREFERENCE = ["MI325X", "MI300X", "MI250X", "MI210"];
const METRIC_PREFERENCE = ["LATENCY", "THROUGHPUT"];
const PRECISION_PREFERENCE = ["FP4", "INT4", "FP8", "INT8", "FP16", "BF16", "FP32"];

const normalize = (value: string | undefined) => (value ?? "").trim().toUpperCase();
/** Two GPU models are the same when their model tokens are (`Instinct-MI300X` is `MI300X`). */
const sameGpu = (a: string, b: string) => (normalizeGpuModel(a) ?? normalize(a)) === (normalizeGpuModel(b) ?? normalize(b));

function preference(order: string[], value: string | undefined): number {
    const index = order.indexOf(normalize(value));
    return index === -1 ? order.length : index;
}

/** The ranking keys of a template, lower first: GPU tier, metric, precision. */
function rank(template: TemplateDeclaration): number[] {
    const { spec } = template;
    // Upstream ranks the model as written (upper-cased), not normalised as it filters: `AMD Instinct MI300X` ranks last.
    return [preference(GPU_PREFERENCE, spec.gpuSelector?.model), preference(METRIC_PREFERENCE, spec.metric), preference(PRECISION_PREFERENCE, spec.precision)];
}

function compareRanks(a: number[], b: number[]): number {
    const differing = a.findIndex((value, i) => value !== b[i]);
    return differing === -1 ? 0 : a[differing] - b[differing];
}

const scopeOrder = (scope: Scope) => (scope === "Namespace" ? 0 : 1);

/** Upstream compares metric and precision case-insensitively, a GPU model and count only when the template states them. */
function overrideMismatches(template: TemplateDeclaration, overrides: ServiceOverrides): string[] {
    const { spec } = template;
    const problems: string[] = [];
    const differs = (wanted: string | undefined, actual: string | undefined) => wanted !== undefined && normalize(wanted) !== normalize(actual);
    if (differs(overrides.metric, spec.metric)) problems.push(`metric ${spec.metric ?? "unset"} ≠ ${overrides.metric}`);
    if (differs(overrides.precision, spec.precision)) problems.push(`precision ${spec.precision ?? "unset"} ≠ ${overrides.precision}`);
    const gpu = overrides.gpuSelector;
    // A template states its GPU count in `gpuSelector` or as `amd.com/gpu` in its resources (validation keeps them equal).
    const count = gpuCountOf(spec.resources) ?? spec.gpuSelector?.count;
    if (gpu && spec.gpuSelector && !sameGpu(gpu.model, spec.gpuSelector.model)) {
        problems.push(`GPU model ${spec.gpuSelector.model} ≠ ${gpu.model}`);
    }
    if (gpu && count !== undefined && gpu.count !== count) problems.push(`GPU count ${count} ≠ ${gpu.count}`);
    return problems;
}

/** Why a template is filtered out before ranking (upstream stages 3 and 4), or nothing when it is kept. */
function rejection(template: TemplateDeclaration, request: SelectionRequest): { reason: string; detail: string } | undefined {
    const problems = request.overrides ? overrideMismatches(template, request.overrides) : [];
    if (problems.length > 0) return { reason: CandidateReason.ServiceOverridesNotMatched, detail: problems.join(", ") };
    const gpu = template.spec.gpuSelector?.model;
    const available = request.availableGpuModels;
    // A template of zero GPUs runs on any node (its pods get no GPU node affinity): its model need not be in the cluster.
    const gpus = gpuCountOf(template.spec.resources) ?? template.spec.gpuSelector?.count;
    if (available && gpu && gpus !== 0 && !available.some((model) => sameGpu(model, gpu))) {
        return { reason: CandidateReason.RequiredGPUNotInCluster, detail: `${gpu} is not in aim:availableGpuModels [${available.join(", ")}]` };
    }
    return undefined;
}

function candidate(template: TemplateDeclaration, status: CandidateStatus, reason: string): TemplateCandidate {
    return { name: template.spec.name, scope: template.scope, status, reason };
}

/** What a service selecting a template asks for. */
export interface SelectionRequest extends Dependent {
    namespace: string;
    /** The service's image entry: candidates are the templates that run it (its name, resolved in the same scope). */
    image: Pick<ResolvedImage, "name" | "scope">;
    overrides?: ServiceOverrides;
    /** GPU models present in the cluster (Pulumi config `aim:availableGpuModels`); unknown when absent. */
    availableGpuModels?: string[];
}

export interface TemplateSelection {
    template: TemplateEntry;
    /** Every template considered, with why it was chosen or not (upstream `status.templateMatching.candidates`). */
    candidates: TemplateCandidate[];
}

/**
 * Selects the template of a service that names none: the templates of its image in its namespace and the cluster,
 * filtered by its overrides and the cluster's GPU models, namespace templates over cluster ones, then the best by GPU
 * tier, metric and precision. No candidate left, or a tie for best, is an error naming the templates and why.
 */
export function selectTemplate(catalog: Catalog, request: SelectionRequest): TemplateSelection {
    const { namespace, image } = request;
    const aimImageName = image.name;
    const fail = (problem: string) => fieldError(request.kind, request.aimName, "templateRef", problem);
    // A cluster template of the same image name runs the AIMClusterImage, not a namespace AIMImage that hides it.
    const runsImage = (template: TemplateDeclaration) => template.image.scope === image.scope;
    const kept = (template: TemplateDeclaration) => rejection(template, request) === undefined;
    // A later template the filters would keep could change the choice, one they would drop could not, and a cluster
    // template could not once a namespace template was chosen (read when the later template is declared).
    let namespaceChosen = false;
    const all = [
        ...catalog.templatesByImage.find(indexKey(namespace, aimImageName), (later) => runsImage(later) && kept(later)),
        ...catalog.templatesByImage.find(indexKey(undefined, aimImageName), (later) => runsImage(later) && !namespaceChosen && kept(later)),
    ]
        .filter(runsImage)
        // Upstream lists namespace templates, then cluster templates, each by name: the output does not depend on
        // the order of declarations.
        .sort((a, b) => scopeOrder(a.scope) - scopeOrder(b.scope) || (a.spec.name < b.spec.name ? -1 : a.spec.name > b.spec.name ? 1 : 0));
    if (all.length === 0) {
        throw fail(
            `TemplateNotFound: no templateRef, no defaultServiceTemplate on image "${aimImageName}", and no template of the ` +
                `image to select: declare an AIMServiceTemplate in namespace "${namespace}" or an AIMClusterServiceTemplate ` +
                `with aimImageName "${aimImageName}" before the service, or set templateRef`,
        );
    }
    const rejected: TemplateCandidate[] = [];
    const why: string[] = [];
    for (const template of all) {
        const filtered = rejection(template, request);
        if (!filtered) continue;
        rejected.push(candidate(template, "rejected", filtered.reason));
        why.push(`"${template.spec.name}" (${filtered.reason}: ${filtered.detail})`);
    }
    const survivors = all.filter(kept);
    if (survivors.length === 0) {
        throw fail(`TemplateNotFound: no template of image "${aimImageName}" matches the service: ${why.join("; ")}`);
    }
    namespaceChosen = survivors.some((t) => t.scope === "Namespace");
    const preferred = namespaceChosen ? survivors.filter((t) => t.scope === "Namespace") : survivors;
    for (const template of survivors) {
        if (!preferred.includes(template)) rejected.push(candidate(template, "rejected", CandidateReason.NamespaceTemplatePreferred));
    }
    const ranked = preferred.map((template) => ({ template, rank: rank(template) }));
    // Stable: among equals the order above stays, so the tie error lists templates by name.
    ranked.sort((a, b) => compareRanks(a.rank, b.rank));
    const best = ranked.filter((r) => compareRanks(r.rank, ranked[0].rank) === 0);
    if (best.length > 1) {
        const { spec } = best[0].template;
        const profile = `GPU ${spec.gpuSelector?.model ?? "unset"}, metric ${spec.metric ?? "unset"}, precision ${spec.precision ?? "unset"}`;
        throw fail(
            `TemplateSelectionAmbiguous: ${best.length} templates of image "${aimImageName}" rank equally (${profile}): ` +
                `${best.map((r) => `"${r.template.spec.name}" (${r.template.scope})`).join(", ")}; set templateRef or overrides to choose`,
        );
    }
    return {
        template: ranked[0].template,
        candidates: [
            ...rejected,
            ...ranked.map((r, i) => candidate(r.template, i === 0 ? "chosen" : "rejected", i === 0 ? CandidateReason.BestMatch : CandidateReason.LowerPreferenceRank)),
        ],
    };
}
