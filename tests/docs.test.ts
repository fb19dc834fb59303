// The documentation stays true to its sources: the component reference is what docs/generate.ts renders from
// provider/schema.json (as tests/schema.test.ts holds schema.json to the TSDoc), the README's quick start is the
// example program `npm run example` runs, and every relative link leads somewhere.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { COMPONENTS_DIR, renderAll, splitDefault } from "../docs/generate";

const ROOT = path.join(__dirname, "..");
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), "utf8");
const README = "README.md";

/** Markdown without its fenced code blocks, where nothing is a heading or a link. */
const prose = (markdown: string): string => markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");

/** The anchors GitHub gives a file's headings: lowercased, punctuation dropped, spaces dashed, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
    const anchors = new Set<string>();
    for (const [, heading] of prose(markdown).matchAll(/^#{1,6} (.*)$/gm)) {
        const base = heading
            .trim()
            .toLowerCase()
            .replace(/[^\p{L}\p{N}\s_-]/gu, "")
            .replace(/\s/g, "-");
        let anchor = base;
        for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
        anchors.add(anchor);
    }
    return anchors;
}

/** Every Markdown file a reader sees: the README, RELEASING and docs/ (but docs/prose/, which pages include). */
function markdownFiles(): string[] {
    const docs = fs
        .readdirSync(path.join(ROOT, "docs"), { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".md") && !file.startsWith(`prose${path.sep}`))
        .map((file) => path.join("docs", file));
    return [README, "RELEASING.md", ...docs].sort();
}

describe("documentation", () => {
    describe("docs/components (npm run docs)", () => {
        const pages = renderAll();

        it("has a page for each of the eight components and no other file", () => {
            assert.deepEqual(fs.readdirSync(COMPONENTS_DIR).sort(), [...pages.keys()].sort());
            assert.equal(pages.size, 8);
        });

        for (const [file, content] of pages) {
            it(`${file} is what docs/generate.ts renders from provider/schema.json (after a change: npm run docs)`, () => {
                assert.equal(fs.readFileSync(path.join(COMPONENTS_DIR, file), "utf8"), content);
            });
        }

        it("lists every input of the schema with its default, and every output", () => {
            const schema = JSON.parse(read("provider/schema.json"));
            const service = pages.get("AIMService.md")!;
            for (const input of Object.keys(schema.resources["aim:index:AIMService"].inputProperties)) {
                assert.match(service, new RegExp(`^\\| \`${input}\` \\|`, "m"), input);
            }
            assert.match(service, /^\| `awaitTimeoutSeconds` \| number \| 3600 \| How long `pulumi up` waits/m);
            assert.match(service, /^\| `hfToken` \| string \(accepts an Output, secret\) \| — \|/m);
            assert.match(service, /^\| `namespace` \| string \| \*\*required\*\* \| Namespace to deploy to\. \|$/m);
            assert.match(service, /^\| `apiKey` \| string \(optional, secret\) \|/m);
            assert.match(service, /^### `ServiceRouting`$/m);
        });

        it("takes a description's `Default: …` sentence as the default, and nothing else", () => {
            assert.deepEqual(splitDefault("Number of inference pods. Default: 1."), { text: "Number of inference pods.", default: "1" });
            assert.deepEqual(splitDefault('Group. Default: "gateway.networking.k8s.io".'), { text: "Group.", default: '"gateway.networking.k8s.io"' });
            assert.deepEqual(splitDefault("Protect it. Default: true when set, else false. `enabled: false` also silences it."), {
                text: "Protect it. `enabled: false` also silences it.",
                default: "true when set, else false",
            });
            assert.deepEqual(splitDefault("`templateRef`, `imageDefault`, or `selected`."), { text: "`templateRef`, `imageDefault`, or `selected`." });
        });
    });

    describe("README", () => {
        const readme = read(README);

        it("shows examples/quickstart/index.ts as its quick start, byte for byte", () => {
            const section = readme.slice(readme.indexOf("\n## Quick start\n"));
            const block = /^```ts\n([\s\S]*?)^```$/m.exec(section);
            assert.ok(block, "a ts code block in the Quick start section");
            assert.equal(block[1], read("examples/quickstart/index.ts"));
        });

        it("shows the set-up commands that package.json and .ci/run run", () => {
            assert.match(readme, /^```sh\nnpm ci && npm run example\n```$/m);
            assert.match(readme, /^```sh\nnpm ci && npm test\n```$/m);
            const scripts = JSON.parse(read("package.json")).scripts;
            assert.equal(scripts.example, "ts-node --transpile-only examples/run-offline.ts examples/quickstart");
            const ci = read(".ci/run").split("\n").filter((line) => /^npm /.test(line));
            assert.deepEqual(ci, ["npm ci --no-audit --no-fund", "npm test"]);
        });

        it("reads in a few minutes: at most 400 lines", () => {
            assert.ok(readme.split("\n").length <= 400, `${readme.split("\n").length} lines`);
        });
    });

    it("every relative link in the README and docs/ leads to a file, and to a heading where it names one", () => {
        const broken: string[] = [];
        for (const file of markdownFiles()) {
            for (const [, target] of prose(read(file)).matchAll(/\]\(([^)\s]+)\)/g)) {
                if (/^[a-z]+:/.test(target)) continue;
                const [linked, anchor] = target.split("#");
                const resolved = linked === "" ? file : path.join(path.dirname(file), linked);
                if (!fs.existsSync(path.join(ROOT, resolved))) broken.push(`${file}: ${target} (no ${resolved})`);
                else if (anchor !== undefined && !anchorsOf(read(resolved)).has(anchor)) broken.push(`${file}: ${target} (no heading #${anchor})`);
            }
        }
        assert.deepEqual(broken, []);
    });
});
