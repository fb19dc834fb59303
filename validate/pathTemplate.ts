// Route path templates (aim-reference §3.2, "Path-template rendering"): their syntax, checked wherever one is written
// (a config or a service), and upstream's normalisation of the rendered text. Filling in a service's values is
// resolution (resolve/routing.ts); everything here needs no service, so a bad config fails even before it has one.
// Upstream: aim-engine internal/aimservice/httproute_template.go (commit 9223504).

export const MAX_PATH_LENGTH = 200;

/**
 * A `{…}` placeholder: the AIMService's name, namespace, one of its labels or annotations, or a field of its args
 * (`{.spec.aimImageName}`; upstream's JSONPath reads its own spec, e.g. `{.spec.model.ref}`).
 */
export type Placeholder =
    | { field: "name" }
    | { field: "namespace" }
    | { field: "label"; key: string }
    | { field: "annotation"; key: string }
    | { field: "spec"; path: string[] };
/** Literal text, or a placeholder. */
export type TemplatePart = string | Placeholder;

const SUPPORTED =
    "use {.metadata.name}, {.metadata.namespace}, {.metadata.labels['<key>']}, {.metadata.annotations['<key>']} or " +
    "{.spec.<field>} (a field of the AIMService's args, e.g. {.spec.aimImageName})";

/** Args that must never reach a route path: a token would be in every access log. */
const SECRET_FIELDS = new Set(["hfToken"]);

function placeholder(expression: string): Placeholder {
    if (expression === ".metadata.name") return { field: "name" };
    if (expression === ".metadata.namespace") return { field: "namespace" };
    // Upstream's labelAccessPattern/annotationAccessPattern: either quote on each side, no quote in the key.
    const keyed = /^\.metadata\.(labels|annotations)\[['"]([^'"]+)['"]\]$/.exec(expression);
    if (keyed) return { field: keyed[1] === "labels" ? "label" : "annotation", key: keyed[2] };
    if (/^\.spec(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(expression)) {
        const path = expression.split(".").slice(2);
        // Checked with the syntax, so that a config naming it fails at once rather than each of its services.
        if (SECRET_FIELDS.has(path[0])) throw new Error(`{${expression}} is a secret and never goes into a route path`);
        return { field: "spec", path };
    }
    throw new Error(`unsupported placeholder {${expression}}: ${SUPPORTED}`);
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
        parts.push(placeholder(trimSpace(match[1])));
        from = match.index + match[0].length;
    }
    literal(template.length);
    return parts;
}

// Go's unicode.IsSpace, which strings.TrimSpace strips (JS's trim() differs: it strips U+FEFF, keeps U+0085).
const GO_SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const EDGE_SPACE = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, "g");

/** Go's `strings.TrimSpace`, as upstream trims placeholder values, segments and the rendered path. */
export function trimSpace(text: string): string {
    return text.replace(EDGE_SPACE, "");
}

/**
 * aim-engine `MakeRFC1123Compliant` (internal/utils/utils.go, commit 9223504): lowercase, every character outside
 * `[a-z0-9-]` becomes `-`, `-` trimmed from both ends, cut to 63, `-` trimmed from the end again. Unlike
 * resolve/names.ts `toDnsLabel`, dots become `-` too. Go lowercases and replaces per code point: `İ` → `i` (JS's
 * toLowerCase gives two code points), an emoji → one `-`.
 */
export function makeRfc1123Compliant(value: string): string {
    const lowered = [...value].map((c) => (c === "\u0130" ? "i" : c.toLowerCase())).join("");
    return lowered
        .replace(/[^a-z0-9-]/gu, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 63)
        .replace(/-+$/, "");
}

/** Upstream measures with Go's `len`: UTF-8 bytes. */
function byteLength(text: string): number {
    return Buffer.byteLength(text, "utf8");
}

/** The rendered text as upstream's `normalizeRoutePath` first makes it: trimmed, a leading `/`, no trailing one. */
function rawPath(rendered: string): string {
    const trimmed = trimSpace(rendered);
    return (trimmed.startsWith("/") ? trimmed : `/${trimmed}`).replace(/\/+$/, "") || "/";
}

/**
 * Upstream's `normalizeRoutePath`: every non-empty segment trimmed and made RFC 1123-compliant, empty results
 * dropped. Every segment of the result is `[a-z0-9-]{1,63}` (`""` → `/`), so it is always a PathPrefix the Gateway
 * API accepts. Upstream checks the length again after this; normalising never lengthens a path, so that check
 * cannot fail and is not repeated. Throws an Error if the text is empty or its raw path is over 200 (UTF-8 bytes).
 */
function normalizeRoutePath(rendered: string): string {
    if (trimSpace(rendered) === "") throw new Error("the rendered path is empty");
    const raw = rawPath(rendered);
    const length = byteLength(raw);
    if (length > MAX_PATH_LENGTH) throw new Error(`the rendered path is ${length} characters, more than ${MAX_PATH_LENGTH}`);
    const segments = raw
        .split("/")
        .map((segment) => makeRfc1123Compliant(trimSpace(segment)))
        .filter((segment) => segment !== "");
    return `/${segments.join("/")}`;
}

/**
 * A service's route path: the rendered text normalised as upstream does, which must not be `/`. Upstream routes `/`,
 * but a PathPrefix `/` matches every request on the listener, so the service would silently take all traffic that no
 * other route's longer prefix matches. Throws an Error.
 */
export function servicePath(rendered: string): string {
    const path = normalizeRoutePath(rendered);
    if (path === "/") {
        const shown = trimSpace(rendered);
        const what = shown === "/" ? `the path is "/"` : `the path "${shown}" normalises to "/"`;
        throw new Error(`${what}, a catch-all that takes every request no other route on the gateway matches: give the service a path of its own`);
    }
    return path;
}

/**
 * The checks that need no service: syntax, and what the literal text alone makes of the path. A service's value
 * may be empty (a label), and empty values give the shortest raw path, so a template whose literal text is over
 * 200 characters fails for every service. A template without placeholders renders the same for every service.
 * Throws an Error.
 */
export function checkPathTemplate(template: string): void {
    const parts = parsePathTemplate(template);
    const literal = parts.filter((p): p is string => typeof p === "string").join("");
    if (parts.every((p) => typeof p === "string")) {
        servicePath(literal);
        return;
    }
    const length = byteLength(rawPath(literal));
    if (length > MAX_PATH_LENGTH) {
        throw new Error(`"${template}" renders at least ${length} characters for any service, more than ${MAX_PATH_LENGTH}`);
    }
}
