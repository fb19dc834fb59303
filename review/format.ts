// The review printed for people: Markdown for a pull-request comment (at most MARKDOWN_LIMIT characters), text for
// a terminal. Both print one layout — a summary first (counts, capacity, each replacement and deletion with what it
// destroys, new warnings), then one collapsible block per group of changes with their diffs — from blocks that the
// two renderers print with and without markup.

import { Capacity, formatBytes } from "./capacity";
import { quantityToBytes } from "../validate/quantity";
import type { ChangeGroup, Review, ReviewChange, ReviewedRevision } from "./report";

/** GitHub refuses comments over 65,536 characters; the rest is headroom for what a workflow adds around the report. */
export const MARKDOWN_LIMIT = 60_000;
/** Rows and names listed before the rest are counted (the JSON report lists everything). */
const ROWS = 100;
const NAMES = 10;
const WARNINGS = 50;

/** Inline text: `code` spans and **bold**, which Markdown keeps and text drops. */
type Block =
    | { kind: "heading"; text: string }
    | { kind: "para"; text: string }
    | { kind: "table"; header: string[]; rows: string[][]; numeric: boolean[] }
    | { kind: "list"; items: string[] }
    | { kind: "code"; text: string; diff: boolean }
    | { kind: "details"; summary: string; blocks: Block[] };

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

function listed(items: string[], limit = NAMES): string {
    return items.length <= limit ? items.join(", ") : `${items.slice(0, limit).join(", ")} and ${items.length - limit} more`;
}

function plural(count: number, noun: string): string {
    if (count === 1) return `${count} ${noun}`;
    return `${count} ${/(s|x|ch|sh)$/.test(noun) ? `${noun}es` : /[^aeiou]y$/.test(noun) ? `${noun.slice(0, -1)}ies` : `${noun}s`}`;
}

const PAST: Record<ReviewChange["op"], string> = { create: "created", update: "updated", replace: "replaced", delete: "deleted" };
const kindOf = (c: ReviewChange) => c.type.slice(c.type.lastIndexOf(":") + 1);
const objectOf = (c: ReviewChange) => c.object ?? `${kindOf(c)} ${c.name}`;

function title(review: Review): string {
    const failed = [review.base, review.head].filter((r) => !r.ok);
    if (failed.length === 2) return "AIM review: both revisions failed";
    if (failed.length === 1) return `AIM review: the ${failed[0] === review.base ? "base" : "head"} revision failed`;
    const { summary } = review;
    const parts = (["replace", "delete", "create", "update"] as const).filter((op) => summary[op] > 0).map((op) => `${summary[op]} to ${op}`);
    return `AIM review: ${parts.length > 0 ? parts.join(", ") : "no changes"}`;
}

const revisionLabel = (r: ReviewedRevision) => `${code(r.program)} (stack ${code(r.stack)})`;

function capacityTable(base: Capacity | null, head: Capacity | null): Block {
    const rows: string[][] = [];
    const gpu = (c: Capacity | null, model: string) => c?.gpus[model] ?? 0;
    for (const model of [...new Set([...Object.keys(base?.gpus ?? {}), ...Object.keys(head?.gpus ?? {})])].sort()) {
        const delta = gpu(head, model) - gpu(base, model);
        rows.push([`GPUs ${model}`, String(gpu(base, model)), String(gpu(head, model)), delta === 0 ? "" : `${delta > 0 ? "+" : ""}${delta}`]);
    }
    const bytes = (c: Capacity | null, cls: string) => quantityToBytes(c?.storage[cls] ?? "0");
    for (const cls of [...new Set([...Object.keys(base?.storage ?? {}), ...Object.keys(head?.storage ?? {})])].sort()) {
        const delta = bytes(head, cls) - bytes(base, cls);
        const sign = delta > 0 ? "+" : delta < 0 ? "-" : "";
        rows.push([`storage ${code(cls)}`, formatBytes(bytes(base, cls)), formatBytes(bytes(head, cls)), delta === 0 ? "" : `${sign}${formatBytes(Math.abs(delta))}`]);
    }
    if (rows.length === 0) return { kind: "para", text: "Capacity: no GPUs and no persistent storage in either revision." };
    return { kind: "table", header: ["capacity", "base", "head", "change"], rows, numeric: [false, true, true, true] };
}

function summaryBlocks(review: Review): Block[] {
    const blocks: Block[] = [
        { kind: "heading", text: title(review) },
        {
            kind: "para",
            text:
                `${revisionLabel(review.base)} → ${revisionLabel(review.head)}, each rendered offline as a preview ` +
                "(Pulumi's mock runtime: no cluster, no credentials).",
        },
    ];
    const failed = [review.base, review.head].filter((r) => !r.ok);
    for (const r of failed) {
        blocks.push({ kind: "para", text: `**The ${r === review.base ? "base" : "head"} revision failed** its preview:` });
        blocks.push({ kind: "code", text: r.error ?? "", diff: false });
    }
    if (failed.length > 0) {
        blocks.push({ kind: "para", text: "Nothing is compared until both revisions render." });
        return blocks;
    }
    const { summary } = review;
    blocks.push({
        kind: "table",
        header: ["create", "update", "replace", "delete", "unchanged"],
        rows: [[summary.create, summary.update, summary.replace, summary.delete, summary.same].map(String)],
        numeric: [true, true, true, true, true],
    });
    blocks.push(capacityTable(review.base.capacity, review.head.capacity));
    const destructive = review.changes.filter((c) => c.op === "replace" || c.op === "delete");
    const risky = destructive.filter((c) => c.risk !== null);
    if (destructive.length > 0) {
        blocks.push({ kind: "heading", text: "Replaced or deleted" });
        if (risky.length > 0) {
            const rows = risky.slice(0, ROWS).map((c) => [`**${c.op}**`, code(objectOf(c)), c.replaceReasons.map(code).join(", "), c.risk!]);
            blocks.push({ kind: "table", header: ["", "object", "forced by", "risk"], rows, numeric: [false, false, false, false] });
        }
        if (risky.length > ROWS) blocks.push({ kind: "para", text: `… and ${risky.length - ROWS} more (the JSON report lists every one).` });
        const quiet = destructive.length - risky.length;
        if (quiet > 0) {
            const what = plural(quiet, risky.length > 0 ? "more resource" : "resource");
            blocks.push({ kind: "para", text: `${what} ${quiet === 1 ? "holds" : "hold"} nothing in the cluster (AIM components, providers).` });
        }
    }
    if (review.newWarnings.length > 0) {
        blocks.push({ kind: "heading", text: "New warnings" });
        const items = review.newWarnings.slice(0, WARNINGS).map((w) => `${code(w.resource)}: ${w.message.replace(/\s*\n\s*/g, " ")}`);
        if (review.newWarnings.length > WARNINGS) items.push(`… and ${review.newWarnings.length - WARNINGS} more`);
        blocks.push({ kind: "list", items });
    }
    return blocks;
}

/** The +/- lines of a diff: changes with the same ones are one change made to several objects. */
const changedLines = (diff: string) => diff.split("\n").filter((l) => l.startsWith("+") || l.startsWith("-")).join("\n");

interface GroupLayout {
    summary: string;
    /** Every block of the group; diffs are the `code` blocks, which a size limit may cut. */
    blocks: Block[];
}

function groupLayout(group: ChangeGroup, changes: ReadonlyMap<string, ReviewChange>, labels: ReadonlyMap<string, string>): GroupLayout {
    const members = group.changes.map((urn) => changes.get(urn)!);
    const effects = new Map<string, number>();
    for (const c of members) effects.set(`${kindOf(c)}\n${c.op}`, (effects.get(`${kindOf(c)}\n${c.op}`) ?? 0) + 1);
    const effect = [...effects].map(([key, n]) => {
        const [kind, op] = key.split("\n");
        return `${plural(n, kind)} ${PAST[op as ReviewChange["op"]]}`;
    });
    const causes = group.causes.length > 0 ? group.causes : ["Resources outside AIM components"];
    const cause = causes.slice(0, 3).map((c) => `**${c}**`).join("; ") + (causes.length > 3 ? ` and ${causes.length - 3} more` : "");
    const blocks: Block[] = [];
    if (group.causes.length > 3) blocks.push({ kind: "list", items: group.causes });
    const components = group.components.filter((c): c is string => c !== null).map((urn) => labels.get(urn) ?? urn);
    if (components.length > 0) blocks.push({ kind: "para", text: `Components: ${listed(components.map(code))}` });
    const alike = new Map<string, ReviewChange[]>();
    for (const c of members) {
        const key = `${c.type}\n${c.op}\n${changedLines(c.diff)}`;
        alike.set(key, [...(alike.get(key) ?? []), c]);
    }
    for (const [first, ...rest] of alike.values()) {
        const same = rest.length > 0 ? `, and ${rest.length} more with the same change: ${listed(rest.map((c) => code(objectOf(c))))}` : "";
        const fields = first.op === "update" || first.op === "replace" ? `; fields ${listed(first.fields.map(code))}` : "";
        const forced = first.op === "replace" ? `; replaced because of ${first.replaceReasons.map(code).join(", ")}` : "";
        const risk = first.risk ? `; risk: ${first.risk}` : "";
        blocks.push({ kind: "para", text: `**${first.op}** ${code(objectOf(first))}${same}${fields}${forced}${risk}` });
        if (first.diff !== "") blocks.push({ kind: "code", text: first.diff, diff: true });
    }
    return { summary: `${cause} → ${effect.join(", ")}`, blocks };
}

function layout(review: Review): { head: Block[]; groups: GroupLayout[] } {
    const changes = new Map(review.changes.map((c) => [c.urn, c]));
    // A component's label: its AIM kind and Pulumi name, from its URN.
    const labels = new Map(
        review.groups.flatMap((g) => g.components).filter((c): c is string => c !== null).map((urn) => {
            const [, , type, ...name] = urn.split("::");
            return [urn, `${type.slice(type.lastIndexOf(":") + 1)} ${name.join("::")}`];
        }),
    );
    const head = summaryBlocks(review);
    if (review.groups.length > 0) head.push({ kind: "heading", text: "Changes by AIM component" });
    return { head, groups: review.groups.map((g) => groupLayout(g, changes, labels)) };
}

// ---- Markdown ----

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Inline Markdown as HTML, for a `<summary>`, where Markdown is not rendered. */
function inlineHtml(text: string): string {
    return escapeHtml(text)
        .replace(/`([^`]*)`/g, "<code>$1</code>")
        .replace(/\*\*([^*]+)\*\*/g, "<b>$1</b>");
}

function fence(text: string): string {
    const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
    return "`".repeat(longest + 1);
}

function markdown(block: Block): string {
    switch (block.kind) {
        case "heading":
            return `### ${block.text}`;
        case "para":
            return block.text;
        case "list":
            return block.items.map((item) => `- ${item}`).join("\n");
        case "table": {
            const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
            const row = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
            return [row(block.header), `|${block.numeric.map((n) => (n ? "---:" : "---")).join("|")}|`, ...block.rows.map(row)].join("\n");
        }
        case "code": {
            const f = fence(block.text);
            return `${f}${block.diff ? "diff" : "text"}\n${block.text}\n${f}`;
        }
        case "details":
            return `<details><summary>${inlineHtml(block.summary)}</summary>\n\n${block.blocks.map(markdown).join("\n\n")}\n\n</details>`;
    }
}

const cutNote = (lines: number) =>
    `_Diff of ${lines} lines cut to keep this comment under ${MARKDOWN_LIMIT.toLocaleString("en-US")} characters: the JSON report (\`--format json\`) has it._`;

/**
 * The review as Markdown of at most MARKDOWN_LIMIT characters: past that, the largest diffs are cut first, then the
 * last groups, each with a note that the JSON report has everything.
 */
export function toMarkdown(review: Review): string {
    const { head, groups } = layout(review);
    const headText = head.map(markdown).join("\n\n");
    const blocks = groups.map((g) => [...g.blocks]);
    const render = (i: number) => markdown({ kind: "details", summary: groups[i].summary, blocks: blocks[i] });
    const sizes = groups.map((_, i) => render(i).length + 2);
    const reserve = 300; // the note on left-out groups
    let total = headText.length + 1 + sizes.reduce((a, b) => a + b, 0);
    if (total > MARKDOWN_LIMIT) {
        const diffs = blocks
            .flatMap((bs, g) => bs.map((b, i) => ({ g, i, b })))
            .filter(({ b }) => b.kind === "code")
            .sort((x, y) => (y.b as { text: string }).text.length - (x.b as { text: string }).text.length || x.g - y.g || x.i - y.i);
        for (const { g, i, b } of diffs) {
            if (total + reserve <= MARKDOWN_LIMIT) break;
            blocks[g][i] = { kind: "para", text: cutNote((b as { text: string }).text.split("\n").length) };
            const size = render(g).length + 2;
            total += size - sizes[g];
            sizes[g] = size;
        }
    }
    let kept = groups.length;
    while (kept > 0 && total + reserve > MARKDOWN_LIMIT) total -= sizes[--kept];
    const parts = [headText, ...blocks.slice(0, kept).map((_, i) => render(i))];
    if (kept < groups.length) {
        parts.push(
            `_${groups.length - kept} more group(s) of changes left out to keep this comment under ` +
                `${MARKDOWN_LIMIT.toLocaleString("en-US")} characters: the JSON report (\`--format json\`) has every change._`,
        );
    }
    return parts.join("\n\n") + "\n";
}

// ---- Text ----

const ANSI = { red: "\x1b[31m", green: "\x1b[32m", cyan: "\x1b[36m", bold: "\x1b[1m", reset: "\x1b[0m" };

function plain(text: string, color: boolean): string {
    const stripped = text.replace(/`([^`]*)`/g, "$1");
    return color ? stripped.replace(/\*\*([^*]+)\*\*/g, `${ANSI.bold}$1${ANSI.reset}`) : stripped.replace(/\*\*([^*]+)\*\*/g, "$1");
}

function text(block: Block, color: boolean, indent = ""): string {
    const lines = (s: string) => s.split("\n").map((l) => indent + l).join("\n");
    switch (block.kind) {
        case "heading": {
            const t = plain(block.text, color);
            return lines(`${t}\n${"=".repeat(t.replace(/\x1b\[\d+m/g, "").length)}`);
        }
        case "para":
            return lines(plain(block.text, color));
        case "list":
            return lines(block.items.map((item) => `- ${plain(item, color)}`).join("\n"));
        case "table": {
            const rows = [block.header, ...block.rows].map((r) => r.map((c) => plain(c, false)));
            const widths = block.header.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
            const pad = (c: string, i: number) => (block.numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]));
            return lines(rows.map((r) => r.map(pad).join("  ").trimEnd()).join("\n"));
        }
        case "code": {
            const paint = (l: string) =>
                !color || !block.diff ? l : l.startsWith("+") ? ANSI.green + l + ANSI.reset : l.startsWith("-") ? ANSI.red + l + ANSI.reset : l.startsWith("@@") ? ANSI.cyan + l + ANSI.reset : l;
            return block.text.split("\n").map((l) => `${indent}    ${paint(l)}`).join("\n");
        }
        case "details":
            return [lines(`▸ ${plain(block.summary, color)}`), ...block.blocks.map((b) => text(b, color, `${indent}    `))].join("\n\n");
    }
}

/** The review as text for a terminal; `color` adds ANSI colours (for a TTY). */
export function toText(review: Review, color: boolean): string {
    const { head, groups } = layout(review);
    const blocks = [...head, ...groups.map((g): Block => ({ kind: "details", summary: g.summary, blocks: g.blocks }))];
    return blocks.map((b) => text(b, color)).join("\n\n") + "\n";
}

/** The review as JSON: the documented schema (review/report.ts, docs/review.md). */
export function toJson(review: Review): string {
    return JSON.stringify(review, null, 2) + "\n";
}
