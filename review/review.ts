// Reviews two revisions of a program: renders both offline, each in a process of its own and at the same time,
// and compares them (review/report.ts).

import { randomBytes } from "crypto";
import { buildReview, Review } from "./report";
import { renderRevision, RevisionSpec } from "./revision";

export interface ReviewOptions {
    base: RevisionSpec;
    head: RevisionSpec;
    /** How the report names the two programs. Default: their directories. */
    programs?: { base: string; head: string };
    /** How long a revision may take. Default: 600 s. */
    timeoutSeconds?: number;
}

export async function review(options: ReviewOptions): Promise<Review> {
    // One key for both revisions: their secrets' digests compare, and mean nothing outside this review.
    const secretKey = randomBytes(32);
    const timeoutSeconds = options.timeoutSeconds ?? 600;
    const base = renderRevision(options.base, { secretKey, timeoutSeconds });
    // The head is the next deployment of the base's stack: a reference to its own stack reads what the base exports.
    const previousOutputs = options.base.stack === options.head.stack ? async () => (await base).run?.stackOutputs : undefined;
    const head = renderRevision(options.head, { secretKey, timeoutSeconds, previousOutputs });
    return buildReview(await base, await head, options.programs ?? { base: options.base.dir, head: options.head.dir });
}
