// Renders the argument reference, docs/components/<Kind>.md, from provider/schema.json: the schema is generated from
// the TSDoc of the Args interfaces and the classes (`npm run schema`), so it is the one place every input's type,
// description and default is written, and what other languages' SDKs are generated from. Each page takes its prose
// (what the component renders) from a hand-written file in docs/prose/. `npm run docs` writes the pages;
// tests/docs.test.ts fails when the committed pages differ from what this renders.
//
// No maintained tool renders a Pulumi package schema to Markdown outside Pulumi's own registry pipeline (Go, Hugo
// pages), and JSON Schema renderers do not read a package schema's resources, `#/types/` references, `plain` or
// `secret`; so this is a small renderer of exactly the parts of the schema the package uses.

import * as fs from "node:fs";
import * as path from "node:path";

export const COMPONENTS_DIR = path.join(__dirname, "components");
const PROSE_DIR = path.join(__dirname, "prose");
const SCHEMA_PATH = path.join(__dirname, "..", "provider", "schema.json");

/** The parts of a Pulumi package schema the pages show. */
interface PropertySpec {
    type?: string;
    $ref?: string;
    items?: PropertySpec;
    additionalProperties?: PropertySpec;
    description?: string;
    plain?: boolean;
    secret?: boolean;
}
interface ResourceSpec {
    description?: string;
    inputProperties: Record<string, PropertySpec>;
    requiredInputs?: string[];
    properties: Record<string, PropertySpec>;
    required?: string[];
}
interface EnumValue {
    name: string;
    value: string | number;
    description?: string;
}
interface TypeSpec {
    type: string;
    description?: string;
    properties?: Record<string, PropertySpec>;
    required?: string[];
    enum?: EnumValue[];
}
export interface PackageSchema {
    name: string;
    resources: Record<string, ResourceSpec>;
    types: Record<string, TypeSpec>;
}

/** The prose file (docs/prose/<file>.md) of each component: a cluster kind and its namespaced twin share one. */
const PROSE: Record<string, string> = {
    AIMClusterConfig: "config",
    AIMNamespaceConfig: "config",
    AIMClusterImage: "image",
    AIMImage: "image",
    AIMClusterServiceTemplate: "template",
    AIMServiceTemplate: "template",
    AIMTemplateCache: "templateCache",
    AIMService: "service",
};

const TYPE_PREFIX = "#/types/";
const nameOf = (token: string): string => token.slice(token.lastIndexOf(":") + 1);
const refToken = (ref: string): string => ref.slice(TYPE_PREFIX.length);

/** A table cell: one line, pipes escaped. */
const cell = (text: string): string => text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");

/**
 * Splits a description into its text and its default: the package writes every optional input's default as a
 * sentence `Default: <value>.` (the schema carries no `default` values, which generated SDKs would send explicitly).
 */
export function splitDefault(description: string): { text: string; default?: string } {
    const match = /(^|\s)Default: (.*?)\.(?=\s|$)/.exec(description);
    if (!match) return { text: description };
    const text = `${description.slice(0, match.index)}${description.slice(match.index + match[0].length)}`.trim();
    return { text, default: match[2] };
}

/** The type of a property as a reader needs it, with links to the types on the same page. */
function typeText(spec: PropertySpec): string {
    if (spec.$ref) {
        const name = nameOf(refToken(spec.$ref));
        return `[${name}](#${name.toLowerCase()})`;
    }
    if (spec.type === "array" && spec.items) return `${typeText(spec.items)}[]`;
    if (spec.type === "object" && spec.additionalProperties) return `map of ${typeText(spec.additionalProperties)}`;
    return `${spec.type}`;
}

/** Type tokens a property refers to, directly or through its items. */
function refsOf(spec: PropertySpec): string[] {
    if (spec.$ref) return [refToken(spec.$ref)];
    return [spec.items, spec.additionalProperties].flatMap((inner) => (inner ? refsOf(inner) : []));
}

/** Every type reachable from `properties`, in the order a reader meets them (breadth first). */
function reachableTypes(schema: PackageSchema, properties: PropertySpec[]): string[] {
    const seen: string[] = [];
    const queue = properties.flatMap(refsOf);
    while (queue.length > 0) {
        const token = queue.shift()!;
        if (seen.includes(token)) continue;
        seen.push(token);
        queue.push(...Object.values(schema.types[token]?.properties ?? {}).flatMap(refsOf));
    }
    return seen;
}

/**
 * A table of properties. In an input's table, a property without `plain` takes a `pulumi.Input` (an Output, a
 * secret); every other input is a plain value, since it decides names or which children exist.
 */
function propertyTable(properties: Record<string, PropertySpec>, required: string[], inputs: boolean): string[] {
    if (inputs) {
        const rows = Object.entries(properties).map(([name, spec]) => {
            const { text, default: fallback } = splitDefault(spec.description ?? "");
            const notes = [spec.plain ? "" : "accepts an Output", spec.secret ? "secret" : ""].filter(Boolean).join(", ");
            const type = `${typeText(spec)}${notes ? ` (${notes})` : ""}`;
            const given = required.includes(name) ? "**required**" : fallback !== undefined ? cell(fallback) : "—";
            return `| \`${name}\` | ${type} | ${given} | ${cell(text)} |`;
        });
        return ["| argument | type | default | description |", "|---|---|---|---|", ...rows];
    }
    const rows = Object.entries(properties).map(([name, spec]) => {
        const notes = [required.includes(name) ? "" : "optional", spec.secret ? "secret" : ""].filter(Boolean).join(", ");
        return `| \`${name}\` | ${typeText(spec)}${notes ? ` (${notes})` : ""} | ${cell(spec.description ?? "")} |`;
    });
    return ["| output | type | description |", "|---|---|---|", ...rows];
}

/** The section of one object or enum type. */
function typeSection(schema: PackageSchema, token: string, inputs: boolean): string[] {
    const type = schema.types[token];
    const lines = [`### \`${nameOf(token)}\``, ""];
    if (type.description) lines.push(type.description.trim(), "");
    if (type.enum) {
        lines.push("| value | name in the SDKs | description |", "|---|---|---|");
        for (const member of type.enum) lines.push(`| \`${JSON.stringify(member.value)}\` | \`${member.name}\` | ${cell(member.description ?? "—")} |`);
    } else {
        const table = propertyTable(type.properties ?? {}, type.required ?? [], inputs);
        // Fields of an object type, not arguments of a component.
        lines.push(...(inputs ? [table[0].replace("| argument |", "| field |"), ...table.slice(1)] : table));
    }
    return [...lines, ""];
}

/** The reference page of one component. */
export function renderComponent(schema: PackageSchema, token: string, prose: string): string {
    const resource = schema.resources[token];
    const kind = nameOf(token);
    const inputTypes = reachableTypes(schema, Object.values(resource.inputProperties));
    const outputTypes = reachableTypes(schema, Object.values(resource.properties)).filter((t) => !inputTypes.includes(t));
    const lines = [
        `<!-- Generated by \`npm run docs\` (docs/generate.ts) from provider/schema.json and docs/prose/${PROSE[kind]}.md: edit those, not this file. -->`,
        "",
        `# ${kind}`,
        "",
        `\`new aim.${kind}(name, args, opts?)\` · type token \`${token}\``,
        "",
        (resource.description ?? "").trim(),
        "",
        prose.trim(),
        "",
        "## Arguments",
        "",
        ...propertyTable(resource.inputProperties, resource.requiredInputs ?? [], true),
        "",
        "## Outputs",
        "",
        ...propertyTable(resource.properties, resource.required ?? [], false),
        "",
    ];
    if (inputTypes.length > 0) lines.push("## Types of the arguments", "", ...inputTypes.flatMap((t) => typeSection(schema, t, true)));
    if (outputTypes.length > 0) lines.push("## Types of the outputs", "", ...outputTypes.flatMap((t) => typeSection(schema, t, false)));
    return `${lines.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
}

/** Every page, file name → content, from the committed schema and prose. */
export function renderAll(): Map<string, string> {
    const schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8")) as PackageSchema;
    const pages = new Map<string, string>();
    for (const token of Object.keys(schema.resources)) {
        const kind = nameOf(token);
        if (!PROSE[kind]) throw new Error(`docs/generate.ts: no prose file for ${kind}: add it to PROSE`);
        pages.set(`${kind}.md`, renderComponent(schema, token, fs.readFileSync(path.join(PROSE_DIR, `${PROSE[kind]}.md`), "utf8")));
    }
    return pages;
}

if (require.main === module) {
    const pages = renderAll();
    fs.mkdirSync(COMPONENTS_DIR, { recursive: true });
    for (const file of fs.readdirSync(COMPONENTS_DIR)) if (!pages.has(file)) fs.rmSync(path.join(COMPONENTS_DIR, file));
    for (const [file, content] of pages) fs.writeFileSync(path.join(COMPONENTS_DIR, file), content);
    console.log(`docs/components: ${[...pages.keys()].join(", ")}`);
}
