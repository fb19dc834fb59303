// Route path templates (aim-reference §3.2, "Path-template rendering"): their syntax, checked wherever one is written
// (a config or a service), and the rules the rendered path prefix must meet. Filling in a service's values is
// resolution (resolve/routing.ts); everything here needs no service, so a bad config fails even before it has one.

export const MAX_PATH_LENGTH = 200;

/** A `{…}` placeholder: the AIMService's own name, namespace or one of its labels. */
export type Placeholder = { field: "name" } | { field: "namespace" } | { field: "label"; key: string };
/** Literal text, or a placeholder. */
export type TemplatePart = string | Placeholder;

// What a PathPrefix value may contain (RFC 3986 path characters).
const PATH_CHARACTER = /[A-Za-z0-9._~!$&'()*+,;=:@%/-]/;
// Marks where a service's value goes in a template checked without a service; it is no path character, so no
// rule can match across it.
const SERVICE_VALUE = "\u0000";

function placeholder(expression: string): Placeholder {
    if (expression === ".metadata.name") return { field: "name" };
    if (expression === ".metadata.namespace") return { field: "namespace" };
    const label = /^\.metadata\.labels\['([^']+)'\]$/.exec(expression);
    if (label) return { field: "label", key: label[1] };
    throw new Error(
        `unsupported placeholder {${expression}}: use {.metadata.name}, {.metadata.namespace} or {.metadata.labels['<key>']}`,
    );
}

/** Splits a template into literal text and placeholders; throws an Error on unbalanced braces or an unknown placeholder. */
export function parsePathTemplate(template: string): TemplatePart[] {
    const parts: TemplatePart[] = [];
    let from = 0;
    const literal = (to: number) => {
        const text = template.slice(from, to);
        const brace = /[{}]/.exec(text);
        if (brace) throw new Error(`unbalanced "${brace[0]}" at character ${from + brace.index + 1} of "${template}"`);
        if (text) parts.push(text);
    };
    for (const match of template.matchAll(/\{([^{}]*)\}/g)) {
        literal(match.index);
        parts.push(placeholder(match[1].trim()));
        from = match.index + match[0].length;
    }
    literal(template.length);
    return parts;
}

/** Upstream's normalisation: empty segments dropped, a leading `/`, no trailing one (`""` → `/`). */
export function normalizePath(raw: string): string {
    return `/${raw.split("/").filter((segment) => segment !== "").join("/")}`;
}

/**
 * Throws an Error unless `path` (normalised; `SERVICE_VALUE` where a service's value goes) can be an HTTPRoute's
 * PathPrefix. `shown` is how the message quotes it.
 */
function checkPath(path: string, shown: string): void {
    const literal = path.replaceAll(SERVICE_VALUE, "");
    const bad = [...literal].find((c) => !PATH_CHARACTER.test(c));
    if (bad !== undefined) throw new Error(`${shown} is not a valid URL path (${JSON.stringify(bad)} is not allowed)`);
    // The HTTPRoute CRD's own rules for a PathPrefix (CEL in gateway-api v1.2.1): no dot segments, no encoded
    // slash, and `%` only as a percent-encoding (a `%` right before a service's value may still become one).
    if (/(^|\/)\.\.?(\/|$)/.test(path) || /%2f/i.test(path) || /%(?![0-9A-Fa-f]{2})(?![0-9A-Fa-f]?\u0000)/.test(path)) {
        throw new Error(`${shown} is not a path the Gateway API accepts (no "." or ".." segments, no %2F, "%" only before two hex digits)`);
    }
    // A service's value may be empty (a label), so the literal text alone is the shortest the path can get.
    const length = normalizePath(literal).length;
    if (length > MAX_PATH_LENGTH) {
        throw new Error(
            path.includes(SERVICE_VALUE)
                ? `${shown} renders at least ${length} characters for any service, more than ${MAX_PATH_LENGTH}`
                : `the rendered path is ${length} characters, more than ${MAX_PATH_LENGTH}`,
        );
    }
}

/** The checks that need no service: syntax, and the literal text as part of a path. Throws an Error. */
export function checkPathTemplate(template: string): void {
    const skeleton = parsePathTemplate(template).map((p) => (typeof p === "string" ? p : SERVICE_VALUE));
    checkPath(normalizePath(skeleton.join("")), `"${template}"`);
}

/** Throws an Error unless a service's rendered (normalised) path can be an HTTPRoute's PathPrefix. */
export function checkRenderedPath(path: string): void {
    checkPath(path, `"${path}"`);
}
