// The `AIM_ENGINE_ARGS` of an inference container: the JSON objects of the levels of env deep-merged, the more specific
// level winning key by key (validate/engineArgs.ts says where upstream does so).

import * as pulumi from "@pulumi/pulumi";
import { EnvVar } from "../types";
import { fieldError } from "../validate/common";
import { ENGINE_ARGS_ENV, isJsonObject, JsonObject, parseEngineArgs } from "../validate/engineArgs";

/** One level of env that reaches the inference container, and the object that states it, for messages. */
export interface EnvLevel {
    kind: string;
    aimName: string;
    env?: EnvVar[];
}

/** Upstream's `DeepMergeMap`: objects merge key by key, anything else the higher level replaces. */
function deepMerge(base: JsonObject, higher: JsonObject): JsonObject {
    const keys = [...new Set([...Object.keys(base), ...Object.keys(higher)])];
    // fromEntries defines every key, `__proto__` included, as an own property (an assignment would set the prototype).
    return Object.fromEntries(
        keys.map((key) => {
            if (!Object.hasOwn(higher, key)) return [key, base[key]];
            const [b, h] = [Object.hasOwn(base, key) ? base[key] : undefined, higher[key]];
            return [key, isJsonObject(b) && isJsonObject(h) ? deepMerge(b, h) : h];
        }),
    );
}

/** JSON with object keys sorted, as Go's `json.Marshal` writes the merged map upstream: the same bytes for the same args. */
function sortedJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(sortedJson).join(",")}]`;
    if (isJsonObject(value)) {
        return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${sortedJson(value[key])}`).join(",")}}`;
    }
    return JSON.stringify(value);
}

interface Stated {
    level: EnvLevel;
    index: number;
    entry: EnvVar;
}

/** The levels' values merged: empty ones add nothing (as upstream), a single non-empty one stays as written. */
function merge(stated: Stated[], values: string[]): string {
    const contributing = values.flatMap((value, i) => {
        const { object, problem } = parseEngineArgs(value);
        const { level, index } = stated[i];
        if (problem) throw fieldError(level.kind, level.aimName, `env[${index}].value`, problem);
        return object ? [{ value, object }] : [];
    });
    if (contributing.length <= 1) return contributing[0]?.value ?? "";
    return sortedJson(contributing.map((c) => c.object).reduce(deepMerge));
}

/**
 * `AIM_ENGINE_ARGS` of the levels (lowest precedence first) deep-merged, when the env merge by name would otherwise
 * drop a level's (two or more levels set it) or pass a value unchecked (one given as an Output or a Promise, e.g. a
 * secret: merged and checked once known, in an apply); undefined when the env merge by name is right as it is.
 * A value from a Secret or ConfigMap (`valueFrom`) is unknown to the package and cannot be merged: beside another
 * level's, it is an error (upstream reads such an entry's empty `value` and drops one side without a word).
 */
export function mergeEngineArgs(levels: EnvLevel[]): pulumi.Input<string> | undefined {
    const stated: Stated[] = levels.flatMap((level) =>
        (level.env ?? []).flatMap((entry, index) => (entry.name === ENGINE_ARGS_ENV ? [{ level, index, entry }] : [])),
    );
    const fromSource = stated.find((s) => s.entry.valueFrom !== undefined);
    if (fromSource && stated.length > 1) {
        // Named after the most specific level (the service being planned), pointing at the other one.
        const own = stated[stated.length - 1];
        const theirs = own === fromSource ? stated[stated.length - 2] : fromSource;
        throw fieldError(
            own.level.kind,
            own.level.aimName,
            `env[${own.index}]`,
            `${ENGINE_ARGS_ENV} cannot be merged with ${ENGINE_ARGS_ENV} of ${theirs.level.kind} "${theirs.level.aimName}" (env[${theirs.index}]): ` +
                `a value from a Secret or ConfigMap (valueFrom) is unknown to the package; set ${ENGINE_ARGS_ENV} at one level only, or as a value at each`,
        );
    }
    if (fromSource) return undefined;
    const values = stated.map((s) => s.entry.value!);
    if (values.every((v) => typeof v === "string")) return stated.length > 1 ? merge(stated, values as string[]) : undefined;
    return pulumi.all(values).apply((known) => merge(stated, known));
}
