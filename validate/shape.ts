// The raw args of a component, inspected before zod sees them. zod recurses into whatever it is given and builds
// its output with plain assignments, so three kinds of value must be caught first, each with its field path and
// in well under a second: cyclic values (zod and Pulumi's serializer would recurse forever), absurdly deep ones (a
// stack overflow while serializing), and `__proto__` keys (an assignment sets the prototype: the key would vanish).

import * as pulumi from "@pulumi/pulumi";
import { fieldError, formatPath } from "./common";

/** Deeper than any Args shape of the package, far below what would exhaust the stack. */
export const MAX_ARGS_DEPTH = 32;

/** Values Pulumi resolves itself: nothing inside them is the component's to inspect. */
function isOpaque(value: object): boolean {
    return pulumi.Output.isInstance(value) || pulumi.Resource.isInstance(value) || typeof (value as { then?: unknown }).then === "function";
}

/** Throws an AimError naming the field when `args` is not an object the schemas can safely parse. */
export function inspectArgs(kind: string, aimName: string, args: unknown): void {
    if (args === null || typeof args !== "object" || Array.isArray(args) || isOpaque(args)) {
        throw fieldError(kind, aimName, "args", `must be an object of ${kind} arguments, not ${describeValue(args)}`);
    }
    const ancestors = new Set<object>();
    const walk = (value: unknown, path: PropertyKey[]): void => {
        if (value === null || typeof value !== "object" || isOpaque(value)) return;
        const field = formatPath(path) || "args";
        if (ancestors.has(value)) throw fieldError(kind, aimName, field, "must not contain itself (a cyclic value)");
        if (path.length > MAX_ARGS_DEPTH) throw fieldError(kind, aimName, field, `is nested more than ${MAX_ARGS_DEPTH} levels deep`);
        ancestors.add(value);
        for (const key of Object.keys(value)) {
            // An array's own non-index key (`__proto__` defined on it) is named as a key, not as index NaN.
            const at = [...path, Array.isArray(value) && /^\d+$/.test(key) ? Number(key) : key];
            if (key === "__proto__") throw fieldError(kind, aimName, formatPath(at), "is not a valid key");
            // Descriptors, not reads: a getter of the caller's must not run (or throw) inside validation, nor later.
            const descriptor = Object.getOwnPropertyDescriptor(value, key);
            if (descriptor && !("value" in descriptor)) throw fieldError(kind, aimName, formatPath(at), "must be a plain value, not a getter or setter");
            walk(descriptor?.value, at);
        }
        ancestors.delete(value);
    };
    walk(args, []);
}

function describeValue(value: unknown): string {
    if (value === null) return "null";
    if (value === undefined) return "undefined";
    if (Array.isArray(value)) return "an array";
    if (typeof value === "object") return "a Pulumi Output or Promise";
    return `${typeof value} ${String(value)}`.slice(0, 60);
}
