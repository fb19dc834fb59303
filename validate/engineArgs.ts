// `AIM_ENGINE_ARGS`: a JSON object of engine arguments that upstream deep-merges across the levels of env that reach the
// inference container instead of replacing it (kaiwo internal/controller/aim/helpers/merge.go `MergeEnvVars` at
// fa8a3e90; aim-engine internal/aimservice/kserve.go `buildMergedEnvVars` l.344–400 at 9223504). So each level's value
// must be one: checked where it is written.

import * as z from "zod/mini";
import { envList } from "./common";

export const ENGINE_ARGS_ENV = "AIM_ENGINE_ARGS";

export type JsonObject = { [key: string]: unknown };

export const isJsonObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The object a value of `AIM_ENGINE_ARGS` holds, or why it holds none. An empty value adds nothing, as upstream's
 * `MergeJSONEnvVarValues` treats it (undefined object, no problem).
 */
export function parseEngineArgs(value: string): { object?: JsonObject; problem?: string } {
    if (value === "") return {};
    let parsed: unknown;
    try {
        parsed = JSON.parse(value);
    } catch (err) {
        return { problem: `${ENGINE_ARGS_ENV} is not a JSON object: ${(err as Error).message}` };
    }
    if (!isJsonObject(parsed)) return { problem: `${ENGINE_ARGS_ENV} is not a JSON object: ${parsed === null ? "null" : Array.isArray(parsed) ? "an array" : typeof parsed}` };
    return { object: parsed };
}

/** The env of a template or service: its `AIM_ENGINE_ARGS`, when given as a plain value, must be a JSON object. */
export const inferenceEnvList = envList.check(
    z.superRefine((env, ctx) => {
        env.forEach((e, i) => {
            const problem = e.name === ENGINE_ARGS_ENV && typeof e.value === "string" ? parseEngineArgs(e.value).problem : undefined;
            if (problem) ctx.addIssue({ code: "custom", path: [i, "value"], message: problem });
        });
    }),
);
