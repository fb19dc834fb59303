// Unified diffs of two texts, line by line (Myers' O(ND) algorithm), as `diff -u` prints them.

type Edit = { op: " " | "-" | "+"; line: string };

/** The shortest edit script from `a` to `b` (E. Myers, "An O(ND) Difference Algorithm and Its Variations", 1986). */
function editScript(a: readonly string[], b: readonly string[]): Edit[] {
    let start = 0;
    while (start < a.length && start < b.length && a[start] === b[start]) start++;
    let endA = a.length;
    let endB = b.length;
    while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) [endA, endB] = [endA - 1, endB - 1];
    const n = endA - start;
    const m = endB - start;
    const max = n + m;
    const offset = max + 1;
    const v = new Int32Array(2 * max + 3);
    const trace: Int32Array[] = [];
    let found = max === 0;
    for (let d = 0; d <= max && !found; d++) {
        trace.push(v.slice());
        for (let k = -d; k <= d; k += 2) {
            let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
            let y = x - k;
            while (x < n && y < m && a[start + x] === b[start + y]) [x, y] = [x + 1, y + 1];
            v[offset + k] = x;
            if (x >= n && y >= m) {
                found = true;
                break;
            }
        }
    }
    // Walk the trace back from (n, m) to (0, 0).
    const middle: Edit[] = [];
    let [x, y] = [n, m];
    for (let d = trace.length - 1; d >= 0 && (x > 0 || y > 0); d--) {
        const vd = trace[d];
        const k = x - y;
        const down = k === -d || (k !== d && vd[offset + k - 1] < vd[offset + k + 1]);
        const prevK = down ? k + 1 : k - 1;
        const prevX = d === 0 ? 0 : vd[offset + prevK];
        const prevY = prevX - prevK;
        while (x > prevX && y > prevY) {
            y--;
            middle.push({ op: " ", line: a[start + --x] });
        }
        if (d > 0) middle.push(down ? { op: "+", line: b[start + --y] } : { op: "-", line: a[start + --x] });
    }
    middle.reverse();
    return [
        ...a.slice(0, start).map((line) => ({ op: " " as const, line })),
        ...middle,
        ...a.slice(endA).map((line) => ({ op: " " as const, line })),
    ];
}

/**
 * The hunks of a unified diff from `before` to `after` with `context` unchanged lines around each change, headed
 * `@@ -l,s +l,s @@`; empty when the texts are equal. Texts end with a newline or not at all; lines are compared whole.
 */
export function unifiedDiff(before: string, after: string, context = 3): string[] {
    const lines = (text: string) => (text === "" ? [] : text.replace(/\n$/, "").split("\n"));
    const edits = editScript(lines(before), lines(after));
    const changed = edits.map((e, i) => (e.op === " " ? -1 : i)).filter((i) => i >= 0);
    if (changed.length === 0) return [];
    const out: string[] = [];
    let i = 0;
    while (i < changed.length) {
        // A hunk spans changes less than 2 × context unchanged lines apart.
        let j = i;
        while (j + 1 < changed.length && changed[j + 1] - changed[j] <= 2 * context + 1) j++;
        const from = Math.max(0, changed[i] - context);
        const to = Math.min(edits.length, changed[j] + context + 1);
        const lineA = edits.slice(0, from).filter((e) => e.op !== "+").length;
        const lineB = edits.slice(0, from).filter((e) => e.op !== "-").length;
        const hunk = edits.slice(from, to);
        const sizeA = hunk.filter((e) => e.op !== "+").length;
        const sizeB = hunk.filter((e) => e.op !== "-").length;
        const range = (line: number, size: number) => `${size === 0 ? line : line + 1},${size}`;
        out.push(`@@ -${range(lineA, sizeA)} +${range(lineB, sizeB)} @@`, ...hunk.map((e) => e.op + e.line));
        i = j + 1;
    }
    return out;
}
