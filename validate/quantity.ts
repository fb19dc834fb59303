// Kubernetes quantities: enough of resource.Quantity to compare requests with limits and to size cache PVCs.

const SUFFIX_FACTORS: Record<string, number> = {
    "": 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};

/** The largest quantity Kubernetes stores: its value is a signed 64-bit integer. */
export const MAX_QUANTITY = 2 ** 63 - 1;

/**
 * The value of a non-negative quantity (`9094593249`, `8.5Gi`, `10G`, `1e9`) in base units (bytes, cores); NaN for
 * a string that is not one, so that validation reports its syntax rather than a crash.
 */
export function quantityToBytes(quantity: string): number {
    const match = /^(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+)|([KMGTPE]i|[mkMGTPE]))?$/.exec(quantity);
    if (!match) return NaN;
    const [, number, exponent, suffix] = match;
    return Number(number) * (exponent !== undefined ? 10 ** Number(exponent) : SUFFIX_FACTORS[suffix ?? ""]);
}
