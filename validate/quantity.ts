// Kubernetes quantities, exactly: what the API server makes of a resource.Quantity (apimachinery
// pkg/api/resource/quantity.go `ParseQuantity`), in integers. A JavaScript number cannot tell 2^63 − 1 from 2^63, so
// values are BigInts of nano-units — the API server keeps a value down to 1n, rounding a finer one up.

export const NANOS_PER_UNIT = 10n ** 9n;

const DECIMAL_SUFFIX_EXPONENT: Record<string, number> = { "": 0, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX_EXPONENT: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };

/**
 * The largest value a quantity may have, in base units (bytes, cores). Kubernetes reads quantities as signed 64-bit
 * integers (`Value()`, rounding up), and parsing silently caps a binary-suffixed one there: "8Ei" becomes 2^63 − 1.
 */
export const MAX_QUANTITY = 2n ** 63n - 1n;

/**
 * Values of at least 10^40 nano-units (10^31 units) are far above MAX_QUANTITY and are all taken as 10^40:
 * `1e999999999` must not make a billion-digit BigInt. Whatever they are compared with, they fail the bound.
 */
const SATURATION_DIGITS = 40;

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/**
 * The value of a non-negative quantity (`9094593249`, `8.5Gi`, `500m`, `1e9`) in nano-units, rounded up to a whole
 * nano-unit as the API server rounds it; undefined for a string that is no quantity, so that validation reports its
 * syntax rather than a crash.
 */
export function quantityNanos(quantity: string): bigint | undefined {
    const match = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+)|([KMGTPE]i|[mkMGTPE]))?$/.exec(quantity);
    if (!match || !/\d/.test(`${match[1]}${match[2] ?? ""}`)) return undefined;
    const [, whole, fraction = "", exponent, suffix = ""] = match;
    const digits = `${whole}${fraction}`.replace(/^0+/, "");
    if (digits === "") return 0n;
    const binary = BINARY_SUFFIX_EXPONENT[suffix] ?? 0n;
    // The value is digits × 2^binary × 10^shift nano-units. The exponent may be any length: compare before using it.
    const decimal = exponent !== undefined ? Number(exponent) : (DECIMAL_SUFFIX_EXPONENT[suffix] ?? 0);
    const shift = decimal - fraction.length + 9;
    if (digits.length + shift > SATURATION_DIGITS) return 10n ** BigInt(SATURATION_DIGITS);
    // 2^60 < 10^19: below this the value is a fraction of one nano-unit, which rounds up to one.
    if (-shift > digits.length + 19) return 1n;
    const scaled = BigInt(digits) << binary;
    return shift >= 0 ? scaled * 10n ** BigInt(shift) : ceilDiv(scaled, 10n ** BigInt(-shift));
}

/** A quantity's value in base units as Kubernetes reads it (`Value()`, rounded up to a whole unit). */
export function quantityUnits(nanos: bigint): bigint {
    return ceilDiv(nanos, NANOS_PER_UNIT);
}

/**
 * Whether the API server counts the value as a whole number, as it requires of extended resources and hugepage sizes
 * (`MilliValue() % 1000 == 0`: the value is rounded up to milli-units first).
 */
export function isWholeQuantity(nanos: bigint): boolean {
    return ceilDiv(nanos, 10n ** 6n) % 1000n === 0n;
}

/** -1, 0 or 1 as quantity `a` is less than, equal to or greater than `b`; both must be quantities. */
export function compareQuantities(a: string, b: string): number {
    const [x, y] = [quantityNanos(a)!, quantityNanos(b)!];
    return x < y ? -1 : x > y ? 1 : 0;
}

/** Upstream sizes caches 10 % above the model so filesystem overhead and partial files fit. */
export const PVC_HEADROOM_PERCENT = 10n;
const GI = 2n ** 30n;
/** The largest whole number of Gi that stays within MAX_QUANTITY. */
export const MAX_PVC_GI = MAX_QUANTITY / GI;

/** Whole Gi of a PVC for models of these sizes: their sum with 10 % headroom, rounded up (9094593249 → 10). */
export function pvcGi(sizes: readonly string[]): bigint {
    const nanos = sizes.reduce((sum, size) => sum + quantityNanos(size)!, 0n);
    return ceilDiv(nanos * (100n + PVC_HEADROOM_PERCENT), 100n * GI * NANOS_PER_UNIT);
}

/** The PVC request for models of these sizes: `10Gi` for 9094593249 bytes. */
export function pvcSize(sizes: readonly string[]): string {
    return `${pvcGi(sizes)}Gi`;
}

/** A quantity's value in base units (bytes, for storage) as a number, for sums and display; NaN for no quantity. */
export function quantityToBytes(quantity: string): number {
    const nanos = quantityNanos(quantity);
    return nanos === undefined ? NaN : Number(quantityUnits(nanos));
}
