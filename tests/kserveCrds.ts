// Validates rendered KServe objects (InferenceService, ServingRuntime, ClusterServingRuntime) against KServe's own
// CRDs (v0.15.2, copied into tests/crds/kserve with their licence), offline, with ajv. There is no published
// model package for them as there is for core kinds and the Gateway API, so the CRD's openAPIV3Schema is turned
// into a JSON Schema that ajv enforces the way the API server does for what our objects use:
//  - unknown fields are errors (the API server prunes them; kubectl's default --validate=strict rejects them): every
//    structural object schema without `additionalProperties` or `x-kubernetes-preserve-unknown-fields` is closed;
//  - `x-kubernetes-int-or-string` accepts exactly an integer or a string;
//  - `x-kubernetes-list-type: map` / `set` reject duplicate keys / items (e.g. two env vars of one name);
//  - int32 / int64 formats are range-checked; root `metadata` is ObjectMeta (known fields only, name a DNS-1123
//    subdomain, label keys and values valid), with a namespace exactly when the kind is namespaced.
// Not evaluated: defaulting (our objects set every field they rely on), CEL rules and embedded resources (these
// CRDs have none), and admission webhooks.

import Ajv, { ValidateFunction } from "ajv";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

const CRD_DIR = path.join(__dirname, "crds", "kserve");
const CRD_FILES = [
    "serving.kserve.io_inferenceservices.yaml",
    "serving.kserve.io_servingruntimes.yaml",
    "serving.kserve.io_clusterservingruntimes.yaml",
];

type Schema = Record<string, any>;
const isObject = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

const stringMap = { type: "object", additionalProperties: { type: "string" } };
const OBJECT_META: Schema = {
    type: "object",
    additionalProperties: false,
    required: ["name"],
    properties: {
        name: { type: "string", maxLength: 253, pattern: DNS_SUBDOMAIN.source },
        namespace: { type: "string", maxLength: 63, pattern: DNS_LABEL.source },
        labels: {
            type: "object",
            propertyNames: { maxLength: 317, pattern: LABEL_KEY.source },
            additionalProperties: { type: "string", pattern: LABEL_VALUE.source },
        },
        annotations: { ...stringMap, propertyNames: { pattern: LABEL_KEY.source } },
    },
};

/** The CRD's schema as JSON Schema, closed and with the Kubernetes extensions spelled out (see the header). */
function convert(node: unknown, root = false, branch = false): unknown {
    if (Array.isArray(node)) return node.map((n) => convert(n, false, branch));
    if (!isObject(node)) return node;
    const s: Schema = { ...node };
    if (s["x-kubernetes-int-or-string"] && !s.type && !s.anyOf) s.anyOf = [{ type: "integer" }, { type: "string" }];
    if (s.properties) {
        s.properties = Object.fromEntries(
            Object.entries(s.properties).map(([k, v]) => [k, root && k === "metadata" ? OBJECT_META : convert(v, false, branch)]),
        );
    }
    if (isObject(s.additionalProperties)) s.additionalProperties = convert(s.additionalProperties, false, branch);
    if (s.items) s.items = convert(s.items, false, branch);
    // Inside allOf/anyOf/oneOf/not a structural schema only adds value checks: closing objects there would be wrong.
    for (const k of ["allOf", "anyOf", "oneOf"]) if (Array.isArray(s[k])) s[k] = s[k].map((x: unknown) => convert(x, false, true));
    if (s.not) s.not = convert(s.not, false, true);
    if (!branch && s.type === "object" && s.additionalProperties === undefined && !s["x-kubernetes-preserve-unknown-fields"]) {
        s.additionalProperties = false;
        s.properties ??= {};
    }
    if (root) s.required = [...new Set([...(s.required ?? []), "apiVersion", "kind", "metadata"])];
    return s;
}

function makeAjv(): Ajv {
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
    ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
    ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?$/);
    for (const keyword of ["x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string", "x-kubernetes-map-type", "x-kubernetes-list-map-keys"]) {
        ajv.addKeyword({ keyword });
    }
    ajv.addKeyword({
        keyword: "x-kubernetes-list-type",
        type: "array",
        schemaType: "string",
        errors: false,
        validate: (listType: string, data: unknown[], parent?: Schema) => {
            if (listType === "atomic") return true;
            const keyOf = (item: any) =>
                listType === "map" ? JSON.stringify((parent?.["x-kubernetes-list-map-keys"] as string[]).map((k) => item?.[k])) : JSON.stringify(item);
            return new Set(data.map(keyOf)).size === data.length;
        },
    });
    return ajv;
}

/** Any Kubernetes object, as far as CRD validation reads it. */
export interface CrdObject {
    apiVersion?: string;
    kind?: string;
    metadata?: { name?: string; namespace?: string };
}

/** A compiled CRD: its validator, scope and served `<group>/<version>`s, and its raw schema (for checks ajv cannot do). */
export interface CrdKind {
    validate: ValidateFunction;
    namespaced: boolean;
    versions: string[];
    schema: Schema;
}

/** Compiles parsed CRDs (one served version each) into kinds keyed `<group>/<Kind>`; `source` names them in errors. */
export function compileCrds(crds: { source: string; crd: any }[]): Map<string, CrdKind> {
    const ajv = makeAjv();
    const compiled = new Map<string, CrdKind>();
    for (const { source, crd } of crds) {
        const served = crd.spec.versions.filter((v: any) => v.served);
        // Each of these CRDs serves one version; a second would need a schema per version.
        if (served.length !== 1) throw new Error(`${source}: expected one served version, found ${served.length}`);
        const schema = served[0].schema.openAPIV3Schema;
        compiled.set(`${crd.spec.group}/${crd.spec.names.kind}`, {
            validate: ajv.compile(convert(schema, true) as Schema),
            namespaced: crd.spec.scope === "Namespaced",
            versions: served.map((v: any) => `${crd.spec.group}/${v.name}`),
            schema,
        });
    }
    return compiled;
}

/**
 * The problems of an object against its kind among `compiled`, one `<path>: <message>` per problem (none: valid).
 * Throws for an object of another group or kind, so a test cannot silently validate nothing.
 */
export function crdProblems(compiled: Map<string, CrdKind>, object: CrdObject, what: string): string[] {
    const group = object.apiVersion?.split("/")[0];
    const kind = compiled.get(`${group}/${object.kind}`);
    if (!kind) throw new Error(`no ${what} CRD for ${object.apiVersion} ${object.kind}`);
    const problems: string[] = [];
    if (!kind.versions.includes(object.apiVersion!)) problems.push(`apiVersion: ${object.apiVersion} is not served (${kind.versions.join(", ")})`);
    if (!kind.validate(object)) {
        // A bad label key is reported twice: by its pattern, and by the propertyNames wrapper around it.
        for (const e of (kind.validate.errors ?? []).filter((e) => e.keyword !== "propertyNames")) {
            const detail = e.keyword === "additionalProperties" ? `unknown field "${e.params.additionalProperty}"` : e.message;
            problems.push(`${e.instancePath || "<root>"}: ${detail}`);
        }
    }
    const hasNamespace = object.metadata?.namespace !== undefined;
    if (hasNamespace !== kind.namespaced) {
        problems.push(`/metadata/namespace: ${kind.namespaced ? "required: the kind is namespaced" : "must be absent: the kind is cluster-scoped"}`);
    }
    return problems;
}

let kinds: Map<string, CrdKind> | undefined;

/**
 * Compiles the three CRDs once (the InferenceService schema is 1 MB: seconds). Specs call it in a `before` hook with
 * a long timeout, so the cost never counts against one test's timeout.
 */
export function loadKinds(): Map<string, CrdKind> {
    kinds ??= compileCrds(
        CRD_FILES.map((file) => {
            const text = fs.readFileSync(path.join(CRD_DIR, file), "utf8");
            // What this validator does not evaluate must stay absent from the CRDs it loads (see the header).
            const unsupported = text.match(/x-kubernetes-(embedded-resource|validations)/);
            if (unsupported) throw new Error(`${file}: ${unsupported[0]} is not supported by this validator`);
            return { source: file, crd: YAML.parse(text) };
        }),
    );
    return kinds;
}

/** The problems of a KServe object against its CRD (see crdProblems). */
export function kserveProblems(object: CrdObject): string[] {
    return crdProblems(loadKinds(), object, "KServe");
}

/** Throws with every problem if `object` is not valid for its KServe CRD. */
export function validateKServe(object: CrdObject): void {
    const problems = kserveProblems(object);
    if (problems.length > 0) {
        throw new Error(`${object.kind} "${object.metadata?.name}" is not valid for KServe v0.15.2:\n  ${problems.join("\n  ")}`);
    }
}
