// `aim-review --base-ref`: the program directory as it is at another commit, checked out into a temporary git
// worktree. The base runs with the head's installed packages: the head's node_modules (the one its program resolves
// @pulumi/pulumi from) is linked at the same place in the checkout, so both revisions run one set of dependencies
// and a change of versions in the lock file is not part of the review.

import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

function git(args: string[], cwd: string): string {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

export interface Checkout {
    /** The program directory in the checkout. */
    dir: string;
    /** `<ref>:<program directory in the repository>`, how the report names the base. */
    label: string;
    remove(): void;
}

/** The node_modules directory `dir`'s program loads @pulumi/pulumi from; undefined when it has none. */
function nodeModulesOf(dir: string): string | undefined {
    try {
        return path.resolve(require.resolve("@pulumi/pulumi/package.json", { paths: [dir] }), "../../..");
    } catch {
        return undefined;
    }
}

/** Checks out `ref` of the repository holding `headDir`; the checkout's copy of `headDir` is the base program. */
export function checkoutRef(ref: string, headDir: string): Checkout {
    const head = fs.realpathSync(headDir);
    let top: string;
    let commit: string;
    try {
        top = git(["rev-parse", "--show-toplevel"], head);
        commit = git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], head);
    } catch {
        throw new Error(
            `--base-ref ${ref}: no such commit in the git repository of ${headDir} (a CI checkout needs the history: fetch-depth: 0)`,
        );
    }
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "aim-review-base-"));
    git(["worktree", "add", "--detach", "--quiet", work, commit], top);
    const links: string[] = [];
    const modules = nodeModulesOf(head);
    if (modules !== undefined) {
        const owner = path.relative(top, path.dirname(modules));
        const at = path.join(work, owner.startsWith("..") ? "" : owner, "node_modules");
        if (!fs.existsSync(at)) {
            fs.mkdirSync(path.dirname(at), { recursive: true });
            fs.symlinkSync(modules, at, "junction");
            links.push(at);
        }
    }
    return {
        dir: path.join(work, path.relative(top, head)),
        label: `${ref}:${path.relative(top, head) || "."}`,
        remove() {
            for (const link of links) fs.unlinkSync(link);
            git(["worktree", "remove", "--force", work], top);
        },
    };
}
