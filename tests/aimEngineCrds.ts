// Validates the operator target's custom resources against aim-engine's own CRDs (v0.2.2, copied into
// tests/crds/aim-engine with their licence), offline: the openAPIV3Schema with ajv exactly as KServe's objects are
// checked (tests/kserveCrds.ts: unknown fields are errors, int-or-string, list types, formats, ObjectMeta), plus the
// CRDs' CEL rules (`x-kubernetes-validations`), which ajv cannot evaluate: each rule has a hand-written equivalent
// below, evaluated wherever the object has the field the rule sits on. Transition rules (`oldSelf`) compare an update
// with the stored object, so no single object can break them; the package answers them with `replaceOnChanges`
// (render/operator.ts IMMUTABLE_FIELDS, checked against the CRDs in tests/operator.test.ts). A rule without an
// equivalent here is an error, so a new CRD release cannot go unchecked.

import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { compileCrds, CrdKind, CrdObject, crdProblems } from "./kserveCrds";

const CRD_FILE = path.join(__dirname, "crds", "aim-engine", "crds.yaml");

type Self = Record<string, any>;
const has = (value: Self, field: string) => value[field] !== undefined;
const size = (value: unknown[] | string) => value.length;

/**
 * Every CEL rule of the CRDs, by its text, with a JavaScript equivalent of `self` (the value the rule sits on), or
 * `transition` for rules that read `oldSelf`.
 */
export const CEL_RULES: Record<string, ((self: Self) => boolean) | "transition"> = {
    "self == oldSelf": "transition",
    // AIMModel, AIMClusterModel spec: inline model sources need hardware for the templates made from them.
    "!has(self.modelSources) || size(self.modelSources) == 0 || (has(self.custom) && has(self.custom.hardware)) || !has(self.customTemplates) || size(self.customTemplates) == 0 || self.customTemplates.all(t, has(t.hardware) || (has(self.custom) && has(self.custom.hardware)))":
        (self) =>
            !has(self, "modelSources") ||
            size(self.modelSources) === 0 ||
            (has(self, "custom") && has(self.custom, "hardware")) ||
            !has(self, "customTemplates") ||
            size(self.customTemplates) === 0 ||
            self.customTemplates.every((t: Self) => has(t, "hardware") || (has(self, "custom") && has(self.custom, "hardware"))),
    // Every `hardware`: a GPU or a CPU requirement.
    "has(self.gpu) || has(self.cpu)": (self) => has(self, "gpu") || has(self, "cpu"),
    // Every `hardware.gpu`: a GPU model or a minimum VRAM, not both.
    "!(has(self.model) && size(self.model) > 0 && has(self.minVram))": (self) => !(has(self, "model") && size(self.model) > 0 && has(self, "minVram")),
    // A model's `customTemplates[]` with a custom profile.
    "!has(self.customProfile) || (has(self.aimId) && has(self.modelId) && has(self.hardware) && has(self.profile) && has(self.profile.metric) && has(self.profile.precision))":
        (self) =>
            !has(self, "customProfile") ||
            (has(self, "aimId") && has(self, "modelId") && has(self, "hardware") && has(self, "profile") && has(self.profile, "metric") && has(self.profile, "precision")),
    // A template spec with a custom profile.
    "!has(self.customProfile) || (has(self.aimId) && has(self.modelId) && has(self.hardware) && has(self.metric) && has(self.precision))": (self) =>
        !has(self, "customProfile") || (has(self, "aimId") && has(self, "modelId") && has(self, "hardware") && has(self, "metric") && has(self, "precision")),
    // AIMService `model`: exactly one way to name it.
    "(has(self.name) ? 1 : 0) + (has(self.image) ? 1 : 0) + (has(self.custom) ? 1 : 0) == 1": (self) =>
        (has(self, "name") ? 1 : 0) + (has(self, "image") ? 1 : 0) + (has(self, "custom") ? 1 : 0) === 1,
    // AIMService `model.custom`.
    "size(self.modelSources) >= 1": (self) => size(self.modelSources) >= 1,
};

/** Every `x-kubernetes-validations` rule of a schema, with the path of the field it sits on (`[]` for list items). */
export function celRulesOf(schema: any, at = ""): { path: string; rule: string; message: string }[] {
    if (typeof schema !== "object" || schema === null) return [];
    const own = (schema["x-kubernetes-validations"] ?? []).map((r: any) => ({ path: at, rule: r.rule, message: r.message }));
    const nested = [
        ...Object.entries(schema.properties ?? {}).flatMap(([key, child]) => celRulesOf(child, `${at}.${key}`)),
        ...(schema.items ? celRulesOf(schema.items, `${at}[]`) : []),
        ...(typeof schema.additionalProperties === "object" ? celRulesOf(schema.additionalProperties, `${at}{}`) : []),
    ];
    return [...own, ...nested];
}

/** The CEL rules an object breaks, evaluated where it has the field each rule sits on. */
function celProblems(schema: any, value: unknown, at: string): string[] {
    if (typeof schema !== "object" || schema === null || value === undefined) return [];
    const problems: string[] = [];
    for (const { rule, message } of schema["x-kubernetes-validations"] ?? []) {
        const check = CEL_RULES[rule];
        if (check === undefined) throw new Error(`${at || "<root>"}: no equivalent for the CEL rule ${JSON.stringify(rule)}`);
        if (check !== "transition" && !check(value as Self)) problems.push(`${at || "<root>"}: ${message}`);
    }
    if (Array.isArray(value)) value.forEach((item, i) => problems.push(...celProblems(schema.items, item, `${at}/${i}`)));
    else if (typeof value === "object" && value !== null) {
        for (const [key, child] of Object.entries(value)) {
            const childSchema = schema.properties?.[key] ?? (typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined);
            problems.push(...celProblems(childSchema, child, `${at}/${key}`));
        }
    }
    return problems;
}

let kinds: Map<string, CrdKind> | undefined;

/** The ten CRDs, compiled once. */
export function loadAimEngineKinds(): Map<string, CrdKind> {
    kinds ??= compileCrds(
        YAML.parseAllDocuments(fs.readFileSync(CRD_FILE, "utf8"))
            .map((doc) => doc.toJS())
            .filter((crd) => crd)
            .map((crd) => ({ source: `crds.yaml ${crd.spec.names.kind}`, crd })),
    );
    return kinds;
}

/** The problems of an aim-engine object: its CRD's schema, then its CEL rules. */
export function aimEngineProblems(object: CrdObject): string[] {
    const schemaProblems = crdProblems(loadAimEngineKinds(), object, "aim-engine");
    const kind = loadAimEngineKinds().get(`${object.apiVersion?.split("/")[0]}/${object.kind}`)!;
    return [...schemaProblems, ...celProblems(kind.schema, object, "")];
}

/** Throws with every problem if `object` is not valid for its aim-engine CRD. */
export function validateAimEngine(object: CrdObject): void {
    const problems = aimEngineProblems(object);
    if (problems.length > 0) {
        throw new Error(`${object.kind} "${object.metadata?.name}" is not valid for aim-engine v0.2.2:\n  ${problems.join("\n  ")}`);
    }
}
