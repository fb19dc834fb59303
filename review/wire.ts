// Property values as the engine receives them, and the one way they are printed: every secret as "[secret]".

/** The key of the SDK's special objects on the wire (`runtime/rpc.ts` specialSigKey). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** The signature of a secret (`runtime/rpc.ts` specialSecretSig). */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export const SECRET = "[secret]";
export const UNKNOWN = "[unknown]";

export function isSecret(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

export function secretOf(value: unknown): { [SIG_KEY]: string; value: unknown } {
    return { [SIG_KEY]: SECRET_SIG, value };
}

/** A copy fit to print: each secret replaced by "[secret]". */
export function masked(value: unknown): any {
    if (isSecret(value)) return SECRET;
    if (Array.isArray(value)) return value.map(masked);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v)]));
    return value;
}

/** `kubernetes:<group>/<version>:<Kind>` of a Kubernetes Secret, whose `data` and `stringData` are always secret. */
export const KUBERNETES_SECRET = "kubernetes:core/v1:Secret";
