// Root hooks (loaded through .mocharc.json). Mocha swallows unhandled rejections, while the real Pulumi program
// host fails the run on them (exit 32): collect every one and fail the test unless it declared it expected it.

const seen: unknown[] = [];
let expected: RegExp[] = [];

process.on("unhandledRejection", (reason) => {
    seen.push(reason);
});

/** Declares a program failure the current test expects; any other unhandled rejection still fails it. */
export function expectProgramErrors(pattern: RegExp): void {
    expected.push(pattern);
}

function describeReason(reason: unknown): string {
    return reason instanceof Error ? reason.message : String(reason);
}

export const mochaHooks = {
    afterEach(): void {
        const unexpected = seen.splice(0).filter((r) => !expected.some((re) => re.test(describeReason(r))));
        expected = [];
        if (unexpected.length > 0) {
            throw new Error(
                `unhandled rejection(s); the real engine would fail this program: ${unexpected.map(describeReason).join("; ")}`,
            );
        }
    },
};
