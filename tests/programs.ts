// Generated AIM programs for the property suite (tests/properties.test.ts) and the long fuzz run (tests/fuzz.ts):
// mostly valid programs of every kind, mutated with the inputs users get wrong or that attack the validation
// (wrong types, prototype keys, cycles, deep nesting, Outputs where plain values are expected, out-of-range
// numbers and quantities, missing, late and duplicate references, non-object args). `runProgram` runs one program
// on a cluster of its own and checks what the package promises for any input: each component either registers
// cleanly or throws a ResourceError `<Kind> "<name>": <field>: <problem>` having registered nothing; no failure
// after the program; no hfToken in plaintext; every registered Kubernetes object valid.

import * as pulumi from "@pulumi/pulumi";
import * as fc from "fast-check";
import { Worker } from "worker_threads";
import {
    AIMClusterConfig,
    AIMClusterImage,
    AIMClusterServiceTemplate,
    AIMImage,
    AIMNamespaceConfig,
    AIMService,
    AIMServiceTemplate,
    AIMTemplateCache,
} from "../index";
import { LLAMA_IMAGE } from "./fixtures";
import { maskSecrets, MOCK_PASSWORD, Registered, scenario, settle } from "./harness";
import { validateManifest } from "./k8sSchemas";
import { podSecurityViolations } from "./podSecurity";

const { deserializeProperties } = require("@pulumi/pulumi/runtime/rpc") as { deserializeProperties(s: unknown): any };
// @internal in the SDK's typings; Resource constructors call it through the module object, so a wrapper sees them all.
const runtimeResource = require("@pulumi/pulumi/runtime/resource") as {
    registerResource(res: unknown, parent: unknown, type: string, name: string, ...rest: unknown[]): void;
};

export type ComponentClass = new (name: string, args: any, opts: pulumi.ComponentResourceOptions) => pulumi.ComponentResource;

/** Every kind, in the order a well-written program declares them. */
export const COMPONENTS = {
    AIMClusterConfig,
    AIMNamespaceConfig,
    AIMClusterImage,
    AIMImage,
    AIMClusterServiceTemplate,
    AIMServiceTemplate,
    AIMTemplateCache,
    AIMService,
} satisfies Record<string, ComponentClass>;
export type Kind = keyof typeof COMPONENTS;
export const KINDS = Object.keys(COMPONENTS) as Kind[];

/**
 * A value made only when the program runs: Outputs need the scenario's runtime, and cycles, deep nesting and
 * prototype keys must not pass through fast-check's own copying and printing.
 */
export class Special {
    constructor(
        readonly label: string,
        /** Makes the value; `container` is the object it is stored in, `root` the whole args. */
        readonly make: (container: object, root: unknown) => unknown,
    ) {}
    [fc.toStringMethod](): string {
        return this.label;
    }
}

/** A Hugging Face token: the one value that must never show in plaintext, however it is given. */
export class Token extends Special {
    constructor(
        readonly token: string,
        given: "string" | "secret" | "output",
    ) {
        const make = { string: () => token, secret: () => pulumi.secret(token), output: () => pulumi.output(token) }[given];
        super(given === "string" ? JSON.stringify(token) : `${given}(${JSON.stringify(token)})`, make);
    }
}

// ---- Values, from small pools so that references often hit, and sometimes miss by a typo ----

/** A name of exactly `length` characters, as long as the field allows. */
const long = (prefix: string, length: number) => `${prefix}-${"x".repeat(length - prefix.length - 2)}9`;
// aim-system: the system namespace too, where whatever a user declares must wait for the package's Namespace.
const NAMESPACES = ["ml", "team-a", "aim-system", long("ns", 63)];
const CONFIGS = ["default", "prod", long("cfg", 253)];
const IMAGES = ["llama", "qwen", "llama.v1", long("img", 253)];
// "base-ml" is "base" and namespace "ml" joined with "-", as child names are.
const TEMPLATES = ["base", "fast", "base.v2", "base-ml", long("tmpl", 253)];
const SERVICES = ["chat", "chat-b", long("svc", 63)];
const SECRET_NAMES = ["regcred", "ghcr-pull", long("pull", 253)];
const STORAGE_CLASSES = ["fast-rwx", "nfs", long("sc", 253)];
/** A DNS subdomain of 254 characters: a label-key prefix the API server rejects (at most 253). */
const LONG_PREFIX = `${"p".repeat(63)}.${"q".repeat(63)}.${"r".repeat(63)}.${"s".repeat(62)}`;
/** AIM names (and so Pulumi names, when no `name` is given) that are no Kubernetes names. */
const BAD_NAMES = ["", "Chat", "my chat", "a_b", "x".repeat(300), "-x", "x."];
/** Numbers and quantities out of range, or no numbers at all. */
const BAD_NUMBERS = [1e10, -1, NaN, Infinity, -Infinity, 1.5, 2 ** 31, -0, 0, Number.MAX_SAFE_INTEGER + 2];
const BAD_QUANTITIES = ["1e400", "1e-400", "99999999999999999999Ei", "-1", "0", "1.5.5", "8Ei", "9Ei", "0.0001m", "1e18", " 1Gi"];

/** A name (or model) from a pool, mostly its first one: programs that reuse names reference (or share) each other. */
const oneOf = <T>(pool: T[]) => fc.oneof({ weight: 4, arbitrary: fc.constant(pool[0]) }, { weight: 1, arbitrary: fc.constantFrom(...pool) });

/** An optional field mostly left out (given as undefined), where some combinations of fields are errors. */
const rarely = <T>(value: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: value });

const token = fc
    .tuple(fc.stringMatching(/^[A-Za-z0-9]{24}$/), fc.constantFrom("string" as const, "secret" as const, "output" as const))
    .map(([body, given]) => new Token(`hf_${body}`, given));
const metric = fc.constantFrom("latency", "throughput");
const precision = fc.constantFrom("fp8", "bf16", "fp16");
/** Model names with their source URIs. */
const MODELS: [string, string][] = [
    ["amd/Llama-3.1-8B-Instruct-FP8-KV", "hf://amd/Llama-3.1-8B-Instruct-FP8-KV"],
    ["Qwen/Qwen2.5-7B", "hf://Qwen/Qwen2.5-7B"],
    ["tiny", "hf://org/tiny?revision=main#x"],
    // Cache "base" of "ml/tiny" and cache "base-ml" of "tiny": one name when joined with "-".
    ["ml/tiny", "hf://ml/tiny"],
    ["Org/Model (8B) ünï", "s3://models/llama"],
    ["meta-llama/Llama-3.3-70B-Instruct-quantized.w8a8-FP8", "hf://meta-llama/Llama-3.3-70B-Instruct-quantized.w8a8-FP8"],
    ["meta-llama/Llama-3.3-70B-Instruct-quantized.w8a8-FP16", "hf://meta-llama/Llama-3.3-70B-Instruct-quantized.w8a8-FP16"],
];
const IMAGE_URIS = [
    LLAMA_IMAGE,
    "ghcr.io/silogen/aim:0.4.0-qwen-qwen2.5-7b",
    "docker.io/example/custom:1",
    "localhost:5000/aim:1.0-x",
    "aim:0.1-y",
    `registry.example.com/${"r".repeat(200)}/aim:${"9".repeat(100)}-z`,
    "ghcr.io/silogen/aim@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
];

/**
 * Args of each kind, `name` excepted (see `declaration`). `wild` args mix edge cases (valid or not) into every
 * field, duplicates into lists, near misses into references and contradictions between fields; the others draw
 * only values meant to be valid together, so that whole programs register (with `cohere` pointing their
 * references at what is declared) and reach the combinations only valid programs reach: derived templates,
 * shared caches, routes.
 */
function kindArgs(wild: boolean): Record<Kind, fc.Arbitrary<Record<string, unknown>>> {
    /** Values that are fine, and (wild) now and then an edge case (valid or not) from `edges`. */
    const mostly = <T>(valid: T[], edges: T[]) =>
        wild ? fc.oneof({ weight: 24, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: fc.constantFrom(...edges) }) : fc.constantFrom(...valid);
    /** An integer field: mostly in `min`..`max`, (wild) sometimes out of range or no integer at all. */
    const integer = (min: number, max: number) =>
        wild ? fc.oneof({ weight: 12, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: fc.constantFrom(...BAD_NUMBERS) }) : fc.integer({ min, max });
    /** A reference: usually a declared-looking name, (wild) sometimes a near miss ("did you mean") or a missing one. */
    const ref = (pool: string[]) =>
        wild ? fc.oneof({ weight: 12, arbitrary: oneOf(pool) }, { weight: 1, arbitrary: fc.constantFrom(`${pool[0]}x`, "missing") }) : oneOf(pool);
    /** Arrays of a few distinct items (by `key`), and (wild) now and then a duplicate. */
    const few = <T>(item: fc.Arbitrary<T>, key: (t: T) => unknown, maxLength = 2) =>
        wild
            ? fc.oneof({ weight: 6, arbitrary: fc.uniqueArray(item, { selector: key, maxLength }) }, { weight: 1, arbitrary: fc.array(item, { maxLength }) })
            : fc.uniqueArray(item, { selector: key, maxLength });

    /** An optional reference to a config: mostly left out, since a config named explicitly must exist. */
    const configName = rarely(ref(CONFIGS));
    const namespace = oneOf(NAMESPACES);
    const gateway = fc.record(
        {
            name: fc.constantFrom("kaiwo-gateway", "gw", long("gw", 253)),
            namespace: fc.constantFrom("kaiwo-system", "ml"),
            sectionName: fc.constantFrom("https", "listener.v1"),
            port: mostly([80, 443, 65535], BAD_NUMBERS),
        },
        { requiredKeys: ["name"] },
    );
    const pullSecrets = few(fc.record({ name: oneOf(SECRET_NAMES) }), (s) => s.name);
    const env = few(
        fc.oneof(
            fc.record({
                name: fc.constantFrom("LOG_LEVEL", "HF_HOME", "HF_TOKEN", "my.var-1", "AIM_METRIC"),
                value: fc.constantFrom("debug", "/tmp/hf", "", "a=b; c", "v".repeat(5000)),
            }),
            fc.record({
                name: fc.constantFrom("HF_TOKEN", "API_KEY"),
                valueFrom: fc.record({ secretKeyRef: fc.record({ name: fc.constantFrom("hf", "keys"), key: fc.constantFrom("token") }) }),
            }),
        ),
        (e) => e.name,
    );
    const gpuSelector = fc.record({ count: integer(0, 8), model: fc.constantFrom("MI300X", "MI325X") });
    /** Pools of which the last few are edge cases (wild only). */
    const edgy = <T>(pool: T[], edges: number) => fc.constantFrom(...(wild ? pool : pool.slice(0, -edges)));
    // Coherent sources: names and URIs of one model together (two names that differ only past the 48 characters a
    // cache name keeps), else two sources of one name would need one cache; mostly the first, so that templates
    // share sources and their caches share claims.
    const modelSource = wild
        ? fc.record({
              name: edgy(
                  ["amd/Llama-3.1-8B-Instruct-FP8-KV", "Qwen/Qwen2.5-7B", "amd/Llama_3.1_8B-Instruct-FP8-KV", "tiny", "Org/Model (8B) ünï", `org/${"M".repeat(300)}`, "..a.."],
                  2,
              ),
              sourceUri: edgy(["hf://amd/Llama-3.1-8B-Instruct-FP8-KV", "hf://Qwen/Qwen2.5-7B", "s3://models/llama", "hf://org/tiny?revision=main#x", `s3://${"b".repeat(500)}`], 1),
              size: mostly(["9094593249", "15Gi", "8.5Gi", "1e9"], ["1", "0.5Ki", "7.9Ei", "9223372036854775807", "1.5e3M", ...BAD_QUANTITIES]),
          })
        : fc
              .tuple(oneOf(MODELS), fc.constantFrom("9094593249", "15Gi", "8.5Gi", "1e9", "140Gi"))
              .map(([[name, sourceUri], size]) => ({ name, sourceUri, size }));
    const quantity = mostly(["1", "500m", "8", "64Gi", "96Gi", "1.5", "2G"], ["0", "7Ei", "1e3", "0.001", ...BAD_QUANTITIES]);
    // A GPU count is a whole number of devices (zero included): mostly one, sometimes a quantity that is not. Given
    // beside a gpuSelector it may contradict it: wild only.
    const gpuEntry = fc.tuple(fc.constant("amd.com/gpu"), mostly(["1", "2", "8", "0"], ["500m", "1.5", "99999999999", "-1"]));
    const resourceEntry = fc.tuple(mostly(["cpu", "memory", "ephemeral-storage"], ["hugepages-2Mi", "example.com/fpga", "kubernetes.io/x"]), quantity);
    const resourceList = fc
        .uniqueArray(wild ? fc.oneof({ weight: 3, arbitrary: resourceEntry }, { weight: 1, arbitrary: gpuEntry }) : resourceEntry, {
            maxLength: 2,
            selector: ([key]) => key,
        })
        .map((entries) => Object.fromEntries(entries));
    // Requests and limits drawn apart may have a request above its limit: wild only.
    const resources = wild
        ? fc.record({ requests: resourceList, limits: resourceList }, { requiredKeys: [] })
        : fc.oneof(fc.record({ requests: resourceList }), fc.record({ limits: resourceList }));
    const labelKey = mostly(["team", "app.kubernetes.io/part-of", "example.com/tier"], ["app.kubernetes.io/name", `${LONG_PREFIX}/k`, `k${"y".repeat(62)}`]);
    const labels = fc.dictionary(labelKey, mostly(["a", "ml", "Team_A.1"], ["x".repeat(63), ""]), { maxKeys: 2 });
    // A template reading a label or annotation fails a service without it: wild only.
    const pathTemplate = wild
        ? mostly(
              ["/{.metadata.namespace}/{.metadata.name}", "/{.metadata.labels['team']}/chat", "/v1/{ .metadata.name }", '/{.metadata.annotations["note"]}/x'],
              [
                  "/{.metadata.labels['constructor']}",
                  "/{.metadata.labels['hasOwnProperty']}/x",
                  "/{.metadata.labels['__proto__']}",
                  "/{.metadata.uid}",
                  "/a/{.metadata.name",
                  "/Chat Bots/../V1.2/{.metadata.name}",
                  "/x%2F\u0000{.metadata.labels['team']}",
                  `/${"a".repeat(100)}/${"b".repeat(100)}`,
                  " /{.metadata.annotations['note']} ",
              ],
          )
        : fc.constantFrom("/{.metadata.namespace}/{.metadata.name}", "/v1/{ .metadata.name }", "/{.metadata.namespace}/v1/{.metadata.name}");
    const requestTimeout = mostly(["30s", "1m30s"], ["2 minutes", "0.5s"]);

    const configFields = {
        imagePullSecrets: pullSecrets,
        caching: fc.record({ storageClassName: oneOf(STORAGE_CLASSES), cacheAimImageBase: fc.boolean() }, { requiredKeys: [] }),
        cacheStorageClassName: fc.constantFrom("legacy-rwx"),
        routing: fc.record({ autoCreateRoute: fc.boolean(), gateway, pathTemplate: rarely(pathTemplate), requestTimeout: rarely(requestTimeout) }, { requiredKeys: [] }),
    };
    const imageFields = {
        image: fc.constantFrom(...IMAGE_URIS),
        // A default template must exist when a service uses it: `cohere` names a declared one.
        defaultServiceTemplate: wild ? fc.constantFrom(...TEMPLATES, "") : rarely(fc.constantFrom(...TEMPLATES)),
        configName,
        resources: rarely(resources),
    };
    const templateFields = {
        aimImageName: ref(IMAGES),
        servingBackend: fc.constantFrom("deployment", "kserve"),
        metric,
        precision,
        gpuSelector,
        configName,
        // Coherent templates mostly have sources (to be cached); without, they run discovery.
        modelSources: wild
            ? few(modelSource, (s) => s.sourceUri)
            : fc.oneof(
                  { weight: 3, arbitrary: fc.uniqueArray(modelSource, { selector: (s) => s.sourceUri, minLength: 1, maxLength: 2 }) },
                  { weight: 1, arbitrary: fc.constant(undefined) },
              ),
        resources: rarely(resources),
    };
    const annotations = (values: fc.Arbitrary<string>) =>
        rarely(fc.dictionary(mostly(["example.com/owner", "note"], [`${LONG_PREFIX}/k`]), values, { maxKeys: 2 }));

    return {
        AIMClusterConfig: fc.record(configFields, { requiredKeys: [] }),
        AIMNamespaceConfig: fc.record({ ...configFields, namespace }, { requiredKeys: ["namespace"] }),
        AIMClusterImage: fc.record(imageFields, { requiredKeys: ["image"] }),
        AIMImage: fc.record({ ...imageFields, namespace }, { requiredKeys: ["image", "namespace"] }),
        AIMClusterServiceTemplate: fc.record(templateFields, { requiredKeys: wild ? ["aimImageName"] : ["aimImageName", "modelSources"] }),
        AIMServiceTemplate: fc
            .record(
                {
                    ...templateFields,
                    namespace,
                    env,
                    imagePullSecrets: pullSecrets,
                    caching: fc.record({ enabled: fc.boolean(), env }, { requiredKeys: [] }),
                },
                { requiredKeys: wild ? ["aimImageName", "namespace"] : ["aimImageName", "namespace", "modelSources"] },
            )
            // Only a template with model sources can be cached.
            .map((args) => (wild || (args.modelSources?.length ?? 0) > 0 || !args.caching?.enabled ? args : { ...args, caching: { ...args.caching, enabled: false } })),
        AIMTemplateCache: fc.record(
            {
                namespace,
                templateRef: ref(TEMPLATES),
                templateScope: rarely(fc.constantFrom("Namespace", "Cluster")),
                env,
                imagePullSecrets: pullSecrets,
                storageClassName: oneOf(STORAGE_CLASSES),
                configName,
                downloadImage: fc.constantFrom("kserve/storage-initializer:v0.16.0", "localhost:5000/init@sha256:abc"),
                downloadTimeoutSeconds: integer(1, 7200),
                retainOnDelete: fc.boolean(),
                protect: fc.boolean(),
                hfToken: token,
            },
            { requiredKeys: ["namespace", "templateRef"] },
        ),
        AIMService: fc
            .record(
                {
                    namespace,
                    aimImageName: ref(IMAGES),
                    templateRef: ref(TEMPLATES),
                    replicas: integer(0, 4),
                    cacheModel: fc.boolean(),
                    configName,
                    overrides: fc.record({ metric, precision, gpuSelector }, { requiredKeys: [] }),
                    env,
                    imagePullSecrets: pullSecrets,
                    resources,
                    labels,
                    routing: fc.record(
                        {
                            enabled: fc.boolean(),
                            gateway,
                            pathTemplate,
                            annotations: annotations(mostly(["me", ""], ["z".repeat(300_000)])),
                            requestTimeout,
                        },
                        { requiredKeys: [] },
                    ),
                    hfToken: token,
                    annotations: annotations(mostly(["me", ""], [" Team A/../x%2F ", "é".repeat(150)])),
                    serviceAccountName: rarely(oneOf(["aim-inference", long("sa", 253)])),
                    awaitTimeoutSeconds: rarely(integer(1, 7200)),
                    skipAwait: rarely(fc.boolean()),
                    // An API key secret's name or key with the key disabled is an error: wild only.
                    apiKey: rarely(
                        wild
                            ? fc.record(
                                  { enabled: fc.boolean(), secretName: oneOf(SECRET_NAMES), secretKey: mostly(["api-key", "token"], ["bad key", ""]) },
                                  { requiredKeys: [] },
                              )
                            : fc.oneof(
                                  fc.oneof(
                                      fc.constant({ enabled: true }),
                                      fc.record({ enabled: fc.constant(true), secretName: oneOf(SECRET_NAMES), secretKey: fc.constantFrom("api-key", "token") }, { requiredKeys: ["enabled", "secretName"] }),
                                  ),
                                  fc.constant({ enabled: false }),
                              ),
                    ),
                    scratch: rarely(fc.record({ size: quantity, storageClassName: oneOf(STORAGE_CLASSES), emptyDir: fc.boolean() }, { requiredKeys: [] })),
                },
                { requiredKeys: ["namespace", "aimImageName"] },
            )
            // Scratch space with cacheModel, and an await timeout with skipAwait, have no effect, which is an error: wild only.
            .map((args) => (wild ? args : { ...args, ...(args.cacheModel && { scratch: undefined }), ...(args.skipAwait && { awaitTimeoutSeconds: undefined }) }))
            .chain((args) =>
                // Mostly by name; sometimes by container image instead (or, wild, as well, which is an error).
                fc.oneof(
                    { weight: 6, arbitrary: fc.constant(args) },
                    { weight: 2, arbitrary: imageFields.image.map((image) => ({ ...args, aimImageName: undefined, image })) },
                    ...(wild ? [{ weight: 1, arbitrary: imageFields.image.map((image) => ({ ...args, image })) }] : []),
                ),
            ),
    };
}

const WILD_ARGS = kindArgs(true);
export const CLEAN_ARGS = kindArgs(false);

/** The pool AIM names of each kind come from. */
const NAMES: Record<Kind, string[]> = {
    AIMClusterConfig: CONFIGS,
    AIMNamespaceConfig: CONFIGS,
    AIMClusterImage: IMAGES,
    AIMImage: IMAGES,
    AIMClusterServiceTemplate: TEMPLATES,
    AIMServiceTemplate: TEMPLATES,
    // "chat": a cache's token Secret and a service's would be the same object.
    AIMTemplateCache: [...TEMPLATES, "warm", "chat"],
    AIMService: SERVICES,
};

// ---- Mutations ----

/** Field names of every kind: a mutation may add any of them anywhere (mostly where they do not belong). */
const FIELD_NAMES = [
    "name",
    "namespace",
    "aimImageName",
    "image",
    "templateRef",
    "templateScope",
    "configName",
    "replicas",
    "labels",
    "resources",
    "requests",
    "limits",
    "env",
    "routing",
    "gateway",
    "pathTemplate",
    "annotations",
    "overrides",
    "gpuSelector",
    "count",
    "modelSources",
    "size",
    "port",
    "hfToken",
    "downloadTimeoutSeconds",
];
const PROTOTYPE_KEYS = ["constructor", "valueOf", "hasOwnProperty", "toString", "__defineGetter__", "isPrototypeOf"];

const plain = (label: string, value: unknown) => new Special(label, () => value);
const BAD_STRINGS = ["", "Bad Name", "a".repeat(64), "b".repeat(254), "x:y", "-lead", "trail-", "ünïcode", "a\nb", "chat", "default"];
const BAD_VALUES: Special[] = [
    ...BAD_NUMBERS.map((n) => plain(String(n), n)),
    ...BAD_QUANTITIES.map((q) => plain(JSON.stringify(q), q)),
    ...BAD_STRINGS.map((s) => plain(JSON.stringify(s), s)),
    plain("true", true),
    plain("null", null),
    plain("undefined", undefined),
    new Special("[]", () => []),
    new Special("{}", () => ({})),
    new Special("[1]", () => [1]),
    new Special("new Date(0)", () => new Date(0)),
    new Special('new Map([["team","a"]])', () => new Map([["team", "a"]])),
    new Special("Symbol()", () => Symbol("s")),
    new Special("() => {}", () => () => undefined),
    new Special("10n", () => 10n),
];
/**
 * Pulumi Inputs where plain values are expected (and, for `value` and `hfToken`, where they are allowed). Of strings
 * only: `Input<string>` is the one Input type of the args, and what an Output resolves to cannot be checked while
 * the program runs (an `Output<number>` as hfToken breaks the type contract, as `hfToken: 2` from TypeScript would).
 */
const WRAPPED_VALUES: Special[] = ["llama", "default", "ml", "2"].flatMap((v) => [
    new Special(`output(${JSON.stringify(v)})`, () => pulumi.output(v)),
    new Special(`secret(${JSON.stringify(v)})`, () => pulumi.secret(v)),
    new Special(`Promise(${JSON.stringify(v)})`, () => Promise.resolve(v)),
]);

/** A chain of `depth` nested objects (or arrays). */
function nested(depth: number, array: boolean): unknown {
    let value: unknown = "leaf";
    for (let i = 0; i < depth; i++) value = array ? [value] : { a: value };
    return value;
}

const STRUCTURAL: Special[] = [
    new Special("<its container>", (container) => container),
    new Special("<the whole args>", (_, root) => root),
    new Special("<an object containing itself>", () => {
        const o: Record<string, unknown> = { a: 1 };
        o.self = o;
        return o;
    }),
    new Special("<a list containing itself>", () => {
        const l: unknown[] = [];
        l.push(l);
        return l;
    }),
    new Special("<3000 nested objects>", () => nested(3000, false)),
    new Special("<3000 nested arrays>", () => nested(3000, true)),
    new Special("<40 nested objects>", () => nested(40, false)),
    new Special('JSON.parse(\'{"__proto__":{"team":"x"},"a":"b"}\')', () => JSON.parse('{"__proto__":{"team":"x"},"a":"b"}')),
    new Special("<object with prototype {team}>", () => Object.create({ team: "a", name: "llama" })),
    new Special("Object.create(null)", () => Object.assign(Object.create(null), { team: "a" })),
];

/** How a mutation changes a container of the args. */
type Operation =
    | { op: "set"; value: Special }
    | { op: "delete" }
    /** Own `__proto__` key, defined as JSON.parse and Object.defineProperty make it. */
    | { op: "define __proto__"; value: Special };

export interface Mutation {
    /** Which container (object or array, in depth-first order), modulo their number. */
    at: number;
    /** Which key of it: its own keys, then field names, then prototype keys, modulo their number. */
    key: number;
    operation: Operation;
}

const value = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...BAD_VALUES) },
    { weight: 2, arbitrary: fc.constantFrom(...WRAPPED_VALUES) },
    { weight: 2, arbitrary: fc.constantFrom(...STRUCTURAL) },
);
const mutation: fc.Arbitrary<Mutation> = fc.record({
    at: fc.nat(),
    key: fc.nat(),
    operation: fc.oneof(
        { weight: 8, arbitrary: value.map((v) => ({ op: "set" as const, value: v })) },
        { weight: 1, arbitrary: fc.constant({ op: "delete" as const }) },
        { weight: 1, arbitrary: value.map((v) => ({ op: "define __proto__" as const, value: v })) },
    ),
});

/** Whole args that are no object of args. */
const NOT_ARGS: Special[] = [
    plain("null", null),
    plain("undefined", undefined),
    plain("true", true),
    plain("NaN", NaN),
    plain('"x"', "x"),
    plain("0", 0),
    new Special("[]", () => []),
    new Special("output({})", () => pulumi.output({})),
    new Special("Promise({})", () => Promise.resolve({})),
];

// ---- Programs ----

export interface Declaration {
    kind: Kind;
    /** AIM name, given as `args.name` or taken from the Pulumi name. */
    aimName: string;
    nameInArgs: boolean;
    args: Record<string, unknown>;
    mutations: Mutation[];
    /** Replaces the whole args. */
    notArgs?: Special;
    /** Drawn as valid args whose references `cohere` points at what the program declares before it. */
    coherent: boolean;
    /** Seeds the choices `cohere` makes for it. */
    pick: number;
    /** Its Pulumi name, where it must not depend on its position (revision pairs); else see pulumiNames. */
    pulumiName?: string;
}

export interface Program {
    declarations: Declaration[];
}

/** A coherent declaration of `kind`: valid args, to be pointed at what the program declares (cohere). */
export const coherentDeclaration = (kind: Kind): fc.Arbitrary<Declaration> =>
    fc.record({
        kind: fc.constant(kind),
        // Any name of the pool: references are pointed at what is declared, whatever its name (cohere).
        aimName: fc.constantFrom(...NAMES[kind]),
        nameInArgs: fc.boolean(),
        args: CLEAN_ARGS[kind],
        mutations: fc.constant<Mutation[]>([]),
        coherent: fc.constant(true),
        pick: fc.nat(),
    });

/** A declaration of `kind`: mostly coherent, else wild (edge cases, mutations, bad names, no args object). */
export const declaration = (kind: Kind): fc.Arbitrary<Declaration> =>
    fc.oneof(
        { weight: 3, arbitrary: coherentDeclaration(kind) },
        {
            weight: 2,
            arbitrary: fc.record({
                kind: fc.constant(kind),
                aimName: fc.oneof({ weight: 30, arbitrary: oneOf(NAMES[kind]) }, { weight: 1, arbitrary: fc.constantFrom(...BAD_NAMES) }),
                nameInArgs: fc.boolean(),
                args: WILD_ARGS[kind],
                mutations: fc.oneof({ weight: 4, arbitrary: fc.constant<Mutation[]>([]) }, { weight: 1, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) }),
                notArgs: fc.oneof({ weight: 40, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...NOT_ARGS) }),
                coherent: fc.constant(false),
                pick: fc.nat(),
            }),
        },
    );

/**
 * How many of each kind a program declares, besides a coherent cluster image and cluster template (see program)
 * for the rest to use.
 */
const COUNTS: Record<Kind, { minLength: number; maxLength: number }> = {
    AIMClusterConfig: { minLength: 0, maxLength: 2 },
    AIMNamespaceConfig: { minLength: 0, maxLength: 1 },
    AIMClusterImage: { minLength: 0, maxLength: 1 },
    AIMImage: { minLength: 0, maxLength: 1 },
    AIMClusterServiceTemplate: { minLength: 0, maxLength: 1 },
    AIMServiceTemplate: { minLength: 0, maxLength: 2 },
    AIMTemplateCache: { minLength: 0, maxLength: 2 },
    AIMService: { minLength: 0, maxLength: 3 },
};
const BACKBONE: Kind[] = ["AIMClusterImage", "AIMClusterServiceTemplate"];

// ---- Pointing references at declarations (cohere) ----

type Args = Record<string, any>;

const namespaceOf = (d: Declaration): string | undefined => (typeof d.args.namespace === "string" ? d.args.namespace : undefined);
const sourcesOf = (d: Declaration): unknown[] => (Array.isArray(d.args.modelSources) ? d.args.modelSources : []);
const isTemplate = (d: Declaration) => d.kind === "AIMClusterServiceTemplate" || d.kind === "AIMServiceTemplate";

/** Whether `e` is of the cluster kind, or of the namespaced kind in `namespace` (none: cluster-scoped dependents). */
function inScope(e: Declaration, namespace: string | undefined, clusterKind: Kind, namespaceKind: Kind): boolean {
    return e.kind === clusterKind || (namespace !== undefined && e.kind === namespaceKind && namespaceOf(e) === namespace);
}

/** The image entry a name resolves to for a dependent in `namespace`, as the catalog does: the namespace's first. */
function imageNamed(name: unknown, namespace: string | undefined, before: Declaration[]): Declaration | undefined {
    const namespaced = namespace !== undefined ? before.find((e) => e.kind === "AIMImage" && namespaceOf(e) === namespace && e.aimName === name) : undefined;
    return namespaced ?? before.find((e) => e.kind === "AIMClusterImage" && e.aimName === name);
}

/** The template a `templateRef` resolves to (see templateScope): the namespace's first, then the cluster's. */
function templateNamed(name: unknown, scope: unknown, namespace: string | undefined, before: Declaration[]): Declaration | undefined {
    const namespaced =
        scope !== "Cluster" && namespace !== undefined
            ? before.find((e) => e.kind === "AIMServiceTemplate" && namespaceOf(e) === namespace && e.aimName === name)
            : undefined;
    return namespaced ?? (scope !== "Namespace" ? before.find((e) => e.kind === "AIMClusterServiceTemplate" && e.aimName === name) : undefined);
}

/** Deterministic choices from a declaration's `pick`. */
function chooser(seed: number): <T>(candidates: T[]) => T | undefined {
    let state = seed;
    return (candidates) => {
        state = (state * 1103515245 + 12345) % 2 ** 31;
        return candidates.length > 0 ? candidates[state % candidates.length] : undefined;
    };
}

/** The templates a template cache in `namespace` could cache: coherent, with model sources, not cached there yet. */
function cacheableTemplates(namespace: string, before: Declaration[]): Declaration[] {
    // Caches declared there, and namespace templates pre-warming themselves (a cache of their own name).
    const cached = before.flatMap((e) =>
        e.kind === "AIMTemplateCache" && namespaceOf(e) === namespace
            ? [templateNamed(e.args.templateRef, e.args.templateScope, namespace, before)]
            : e.kind === "AIMServiceTemplate" && namespaceOf(e) === namespace && (e.args.caching as Args | undefined)?.enabled
              ? [e]
              : [],
    );
    return before.filter(
        (t) => t.coherent && inScope(t, namespace, "AIMClusterServiceTemplate", "AIMServiceTemplate") && sourcesOf(t).length > 0 && !cached.includes(t),
    );
}

/**
 * The templates a service in `namespace` named `name` could run: coherent ones in scope whose image its namespace
 * resolves to the entry the template runs, found by their name, and (KServe) leaving room for KServe's host name.
 */
function runnableTemplates(namespace: string, name: string, before: Declaration[]): Declaration[] {
    return before.filter((t, i) => {
        if (!t.coherent || !inScope(t, namespace, "AIMClusterServiceTemplate", "AIMServiceTemplate")) return false;
        const image = imageNamed(t.args.aimImageName, namespaceOf(t), before.slice(0, i));
        const fits = t.args.servingBackend !== "kserve" || name.length + "-predictor-".length + namespace.length <= 63;
        return !!image?.coherent && imageNamed(t.args.aimImageName, namespace, before) === image && templateNamed(t.aimName, undefined, namespace, before) === t && fits;
    });
}

/**
 * A coherent declaration with each reference pointed at a coherent declaration before it (`before`) that it can
 * use, where there is one: configs in scope; an image entry; for a template cache, a template with model sources
 * not yet cached in its namespace; for a service, a template it can run with its image (named, by `templateRef`,
 * or left to selection). A template cache or service with nothing to use in its namespace moves to one where
 * there is something. Its name is made unique for its kind in its scope. A reference that already resolves to a
 * coherent declaration is kept; resolution follows the catalog's, over every declaration before.
 */
export function cohered(d: Declaration, before: Declaration[]): Declaration {
    if (!d.coherent) return d;
    const choose = chooser(d.pick);
    let args: Args = { ...d.args };
    const usable = before.filter((e) => e.coherent);
    const namespaces = (own: string) => [own, ...NAMESPACES.filter((n) => n !== own)];

    let aimName = d.aimName;
    if (d.kind === "AIMTemplateCache") {
        const current = templateNamed(args.templateRef, args.templateScope, args.namespace, before);
        let found = current && cacheableTemplates(args.namespace, before).includes(current) ? current : undefined;
        for (const ns of found ? [] : namespaces(args.namespace)) {
            found = choose(cacheableTemplates(ns, before));
            if (found) {
                args.namespace = ns;
                break;
            }
        }
        if (found) {
            args.templateRef = found.aimName;
            const scope = found.kind === "AIMServiceTemplate" ? "Namespace" : "Cluster";
            // Left out, the namespace's template of that name would win over the cluster's.
            args.templateScope = templateNamed(found.aimName, undefined, args.namespace, before) === found && choose([true, false]) ? undefined : scope;
        }
    }
    if (d.kind === "AIMService") {
        const named = templateNamed(args.templateRef, undefined, args.namespace, before);
        let template = named && runnableTemplates(args.namespace, aimName, before).includes(named) ? named : undefined;
        for (const ns of template ? [] : namespaces(args.namespace)) {
            template = choose(runnableTemplates(ns, aimName, before));
            if (template) {
                args.namespace = ns;
                break;
            }
        }
        if (template) {
            const image = imageNamed(template.args.aimImageName, args.namespace, before)!;
            // By container image only where no other entry in scope has the same one.
            const byUri = before.filter((e) => inScope(e, args.namespace, "AIMClusterImage", "AIMImage") && e.args.image === image.args.image);
            if (args.image !== undefined && byUri.length === 1) args.image = image.args.image;
            else args = withoutImage(args, image.aimName);
            if (!sourcesOf(template).length) args.cacheModel = false;
            // An enabled route needs a gateway: the service's, or its config's.
            const configName = args.configName ?? "default";
            const configured = usable.some((e) => inScope(e, args.namespace, "AIMClusterConfig", "AIMNamespaceConfig") && e.aimName === configName && (e.args.routing as Args | undefined)?.gateway);
            if (args.routing?.enabled && !args.routing.gateway && !configured) args.routing = { ...args.routing, gateway: { name: "kaiwo-gateway", namespace: "kaiwo-system" } };
            // Left to selection now and then, unless the image names a default template or the model is cached.
            const select = !image.args.defaultServiceTemplate && !args.cacheModel && choose([false, false, true]);
            args.templateRef = select ? undefined : template.aimName;
        }
    }
    const namespace = namespaceOf({ ...d, args });
    const taken = (name: string) =>
        before.some(
            (e) =>
                namespaceOf(e) === namespace &&
                ((e.kind === d.kind && e.aimName === name) ||
                    // A namespace template pre-warming itself declares a template cache of its name.
                    (d.kind === "AIMTemplateCache" && e.kind === "AIMServiceTemplate" && (e.args.caching as Args | undefined)?.enabled && e.aimName === name)),
        );
    if (taken(aimName)) aimName = NAMES[d.kind].find((n) => !taken(n)) ?? `${NAMES[d.kind][0]}-${before.length}`;

    if (args.configName !== undefined) {
        const configs = usable.filter((e) => inScope(e, namespace, "AIMClusterConfig", "AIMNamespaceConfig")).map((e) => e.aimName);
        if (!configs.includes(args.configName)) args.configName = choose(configs);
    }
    if (isTemplate(d)) {
        // A template served by KServe names the ServingRuntime and a label value: at most 63 characters.
        if (aimName.length > 63) args.servingBackend = "deployment";
        if (!imageNamed(args.aimImageName, namespace, before)?.coherent) {
            const images = usable.filter((e) => inScope(e, namespace, "AIMClusterImage", "AIMImage") && imageNamed(e.aimName, namespace, before) === e);
            args.aimImageName = choose(images)?.aimName ?? args.aimImageName;
        }
    }
    return { ...d, aimName, args };
}

/** Service args naming their image entry, not its container image. */
function withoutImage(args: Args, aimImageName: string): Args {
    const { image: _, ...rest } = args;
    return { ...rest, aimImageName };
}

/** Coheres each declaration with those before it. */
export function cohere(declarations: Declaration[]): Declaration[] {
    const done: Declaration[] = [];
    for (const d of declarations) done.push(cohered(d, done));
    return done;
}

/** Programs of 2–15 declarations of `declarationOf` (as many as `counts` says), in dependency order (configs first, services last). */
export const programOf = (declarationOf: (kind: Kind) => fc.Arbitrary<Declaration>, counts: Partial<typeof COUNTS> = {}): fc.Arbitrary<Program> =>
    fc
        .tuple(
            ...KINDS.map((kind) =>
                BACKBONE.includes(kind)
                    ? fc.tuple(coherentDeclaration(kind), fc.array(declarationOf(kind), counts[kind] ?? COUNTS[kind])).map(([first, rest]) => [first, ...rest])
                    : fc.array(declarationOf(kind), counts[kind] ?? COUNTS[kind]),
            ),
        )
        .map((lists) => ({ declarations: cohere(lists.flat()) }));

/** Programs of every kind of declaration, one in ten shuffled (references declared later). */
export const program: fc.Arbitrary<Program> = fc.tuple(programOf(declaration), fc.nat(99)).map(([{ declarations }, order]) => {
    // One program in ten is rotated, so that some dependents come before what they reference.
    const rotation = order < 90 ? 0 : order % declarations.length;
    return { declarations: [...declarations.slice(rotation), ...declarations.slice(0, rotation)] };
});

/** Programs of coherent declarations only, in dependency order: nearly all valid (tests/changeSafety.ts). */
export const coherentProgram: fc.Arbitrary<Program> = programOf(coherentDeclaration);

/** Copies generated args, making each Special. */
function realize(value: unknown, root: { value?: unknown }): unknown {
    if (value instanceof Special) return value.make({}, root.value);
    if (Array.isArray(value)) return value.map((v) => realize(v, root));
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, realize(v, root)]));
    return value;
}

/** Plain objects and arrays of `value` in depth-first order (not inside Outputs, Maps and such, nor twice). */
function containers(value: unknown, found: object[] = []): object[] {
    const plainObject = value && typeof value === "object" && [Object.prototype, Array.prototype, null].includes(Object.getPrototypeOf(value));
    if (!plainObject || found.includes(value as object) || found.length > 200) return found;
    found.push(value);
    for (const key of Object.keys(value)) containers((value as Record<string, unknown>)[key], found);
    return found;
}

function applyMutation(root: unknown, m: Mutation): void {
    const all = containers(root);
    if (all.length === 0) return;
    const container = all[m.at % all.length] as Record<string, unknown>;
    const keys = Array.isArray(container)
        ? [...container.keys(), container.length].map(String)
        : [...new Set([...Object.keys(container), ...FIELD_NAMES, ...PROTOTYPE_KEYS])];
    const key = keys[m.key % keys.length];
    const { operation } = m;
    if (operation.op === "delete") delete container[key];
    else if (operation.op === "set") container[key] = operation.value.make(container, root);
    else {
        Object.defineProperty(container, "__proto__", {
            value: operation.value.make(container, root),
            enumerable: true,
            writable: true,
            configurable: true,
        });
    }
}

/** The Pulumi name of each declaration: the AIM name when that is free for its kind, else a numbered one. */
function pulumiNames(declarations: Declaration[]): string[] {
    const used = new Set<string>();
    return declarations.map((d, i) => {
        const name = d.pulumiName ?? (used.has(`${d.kind}/${d.aimName}`) || d.nameInArgs ? `${d.aimName}-p${i}` : d.aimName);
        used.add(`${d.kind}/${name}`);
        return name;
    });
}

/** The args a declaration passes: its generated args with its name, mutated. */
export function argsOf(d: Declaration): unknown {
    if (d.notArgs) return d.notArgs.make({}, undefined);
    const root: { value?: Record<string, unknown> } = {};
    root.value = realize({ ...d.args, ...(d.nameInArgs && { name: d.aimName }) }, root) as Record<string, unknown>;
    for (const m of d.mutations) applyMutation(root.value, m);
    return root.value;
}

/** Tokens a program gives as hfToken. */
export function tokensOf(p: Program): string[] {
    return p.declarations.flatMap((d) => (d.args.hfToken instanceof Token ? [d.args.hfToken.token] : []));
}

// ---- Running and checking ----

export const PROBLEMS = [
    "crash-type error",
    "error-format miss",
    "partial registration",
    "async failure",
    "hang",
    "plaintext secret",
    "schema failure",
    "duplicate URN",
    "unattributed registration",
    "namespace race",
] as const;
export type ProblemKind = (typeof PROBLEMS)[number];

export interface Problem {
    kind: ProblemKind;
    detail: string;
}

export interface StepOutcome {
    kind: Kind;
    pulumiName: string;
    /** Registered, or failed with a well-formed ResourceError, or failed otherwise (reported as a problem). */
    status: "registered" | "clean error" | "bad error";
    message?: string;
}

export interface CaseOutcome {
    steps: StepOutcome[];
    /** Every resource registered, the provider excluded. */
    resources: Registered[];
    /** Which declaration (its index) constructed each registered resource, by URN: its owner in the program. */
    constructedBy: Map<string, number>;
    problems: Problem[];
    /** How long the program took to run and register (the checks after it, e.g. compiling schemas, excluded). */
    ms: number;
}

export const ERROR_FORMAT = /^(AIM\w+) "[^"]*": [^:]+: .+/;
/** What JavaScript's own errors say: such a text in a message is a crash caught and rewrapped, not a validation. */
const CRASH_TEXT = /is not a function|Cannot read propert|Cannot convert|is not iterable|Maximum call stack|is not defined|Invalid array length|Cannot set propert/;

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ROUTE_SEGMENT = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";
const ROUTE_PATH = new RegExp(`^/(${ROUTE_SEGMENT}(/${ROUTE_SEGMENT})*)?$`);
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** A label or annotation key: a qualified name whose prefix, if any, is a DNS subdomain of at most 253 characters. */
const validKey = (key: string) => QUALIFIED_NAME.test(key) && (!key.includes("/") || key.split("/")[0].length <= 253);

/** Problems of one label map (metadata.labels, a selector, a pod template's labels). */
function labelProblems(where: string, labels: Record<string, unknown> | undefined): string[] {
    return Object.entries(labels ?? {}).flatMap(([key, value]) => [
        ...(validKey(key) ? [] : [`${where}: label key ${JSON.stringify(key)}`]),
        ...(typeof value === "string" && value.length <= 63 && LABEL_VALUE.test(value) ? [] : [`${where}: label value ${JSON.stringify(value)}`]),
    ]);
}

/** Entries of `keys` given more than once. */
function duplicates(where: string, keys: unknown[]): string[] {
    return [...new Set(keys.filter((k, i) => keys.indexOf(k) !== i))].map((k) => `${where}: ${JSON.stringify(k)} twice`);
}

/**
 * What the API server (server-side apply, which Pulumi uses) rejects in a pod spec: lists keyed by name (or port,
 * or mount path) with a key twice, volume names that are no DNS labels, mounts of volumes that do not exist.
 */
function podProblems(pod: any): string[] {
    if (!pod) return [];
    const volumes: string[] = (pod.volumes ?? []).map((v: { name: string }) => v.name);
    const problems = [
        ...volumes.filter((v) => !(v.length <= 63 && DNS_LABEL.test(v))).map((v) => `volume name ${JSON.stringify(v)}`),
        ...duplicates("volumes", volumes),
        ...duplicates("imagePullSecrets", (pod.imagePullSecrets ?? []).map((s: { name: string }) => s.name)),
        ...duplicates("containers", pod.containers.map((c: { name: string }) => c.name)),
    ];
    for (const c of pod.containers) {
        problems.push(...duplicates(`container ${c.name} env`, (c.env ?? []).map((e: { name: string }) => e.name)));
        problems.push(...duplicates(`container ${c.name} ports`, (c.ports ?? []).map((p: any) => `${p.containerPort}/${p.protocol}`)));
        problems.push(...duplicates(`container ${c.name} volumeMounts`, (c.volumeMounts ?? []).map((m: { mountPath: string }) => m.mountPath)));
        for (const m of c.volumeMounts ?? []) if (!volumes.includes(m.name)) problems.push(`container ${c.name} mounts missing volume ${m.name}`);
    }
    return problems;
}

/** Names and labels the API server would reject, beyond what the published schemas check. */
function objectProblems(r: Registered): string[] {
    const { metadata = {}, kind, spec } = r.inputs;
    const name: unknown = metadata.name;
    const problems: string[] = [];
    const max = kind === "Service" || kind === "Deployment" ? 63 : 253;
    const pattern = kind === "Service" ? DNS_1035_LABEL : DNS_SUBDOMAIN;
    if (typeof name !== "string" || name.length > max || !pattern.test(name)) problems.push(`metadata.name ${JSON.stringify(name)} (${kind}, max ${max})`);
    if (typeof metadata.namespace === "string" && !(metadata.namespace.length <= 63 && DNS_LABEL.test(metadata.namespace))) {
        problems.push(`metadata.namespace ${JSON.stringify(metadata.namespace)}`);
    }
    problems.push(...labelProblems("metadata.labels", metadata.labels));
    const annotations = Object.entries(metadata.annotations ?? {});
    for (const [key] of annotations) if (!validKey(key)) problems.push(`metadata.annotations: key ${JSON.stringify(key)}`);
    if (annotations.reduce((n, [k, v]) => n + k.length + String(v).length, 0) > 256 * 1024) problems.push("metadata.annotations: more than 256 KiB");
    problems.push(...podProblems(spec?.template?.spec));
    // Pod Security: the package's own pods pass `restricted`, inference pods `baseline` (render/container.ts says why).
    const level = kind === "Deployment" ? "baseline" : "restricted";
    if (spec?.template?.spec) problems.push(...podSecurityViolations(spec.template.spec, level).map((v) => `Pod Security ${level}: ${v}`));
    // Upstream's normalisation leaves only RFC 1123 segments, which every Gateway API PathPrefix rule accepts.
    for (const rule of kind === "HTTPRoute" ? spec.rules : []) {
        for (const { path } of rule.matches) if (!(path.value.length <= 200 && ROUTE_PATH.test(path.value))) problems.push(`route path ${JSON.stringify(path.value)}`);
    }
    problems.push(...labelProblems("spec.selector.matchLabels", spec?.selector?.matchLabels));
    problems.push(...labelProblems("spec.template.metadata.labels", spec?.template?.metadata?.labels));
    return problems.map((p) => `${r.type} ${r.name}: ${p}`);
}

let rejections: unknown[] = [];
process.on("unhandledRejection", (reason) => rejections.push(reason));

function describeError(err: unknown): string {
    if (err instanceof Error) return `${err.constructor.name}: ${err.message}`.slice(0, 500);
    return `non-Error ${String(err)}`.slice(0, 500);
}

/** A macrotask: lets Node report the unhandled rejections of the program. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface RunOptions {
    /** How long the program may take before it counts as hung. */
    timeoutMs?: number;
    /** The class each kind is constructed with: the package's, or stand-ins that show the checks can fail. */
    components?: Record<Kind, ComponentClass>;
    /** Pulumi name of the Kubernetes provider (see ScenarioOptions.cluster). */
    cluster?: string;
}

/** Runs `p` on a cluster of its own and checks every promise (see the top of this file). */
export async function runProgram(p: Program, options: RunOptions = {}): Promise<CaseOutcome> {
    const { timeoutMs = 5000, components = COMPONENTS, cluster } = options;
    const started = Date.now();
    const problems: Problem[] = [];
    const problem = (kind: ProblemKind, detail: string) => problems.push({ kind, detail });
    const names = pulumiNames(p.declarations);
    const steps: StepOutcome[] = [];
    /**
     * Every resource constructed, with the step that constructed it: every Resource constructor calls the runtime's
     * registerResource synchronously, whatever its parent (the system Namespace's is the provider).
     */
    const constructed: { step: number; type: string; name: string; resource: pulumi.Resource }[] = [];
    let step = -1;
    const registerResource = runtimeResource.registerResource;
    runtimeResource.registerResource = (res, parent, type, name, ...rest) => {
        constructed.push({ step, type, name, resource: res as pulumi.Resource });
        return registerResource(res, parent, type, name, ...rest);
    };
    const outputs: unknown[] = [];
    rejections = [];

    const run = scenario(({ provider }) => {
        // Component outputs reach the state too: record them beside the inputs the harness records.
        const monitor = pulumi.runtime.getMonitor() as any;
        const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
        monitor.registerResourceOutputs = (req: any, callback: unknown) => {
            outputs.push(deserializeProperties(req.getOutputs()));
            return registerOutputs(req, callback);
        };
        p.declarations.forEach((d, i) => {
            step = i;
            const pulumiName = names[i];
            const args = argsOf(d);
            try {
                const Component: ComponentClass = components[d.kind];
                new Component(pulumiName, args, { provider });
                steps.push({ kind: d.kind, pulumiName, status: "registered" });
            } catch (err) {
                const match = err instanceof pulumi.ResourceError ? ERROR_FORMAT.exec(err.message) : null;
                const disguised = err instanceof pulumi.ResourceError && CRASH_TEXT.test(err.message);
                const clean = match !== null && match[1] === d.kind && !disguised;
                if (disguised) problem("crash-type error", `${d.kind} ${pulumiName}: a JavaScript error inside a ResourceError: ${describeError(err)}`);
                steps.push({ kind: d.kind, pulumiName, status: clean ? "clean error" : "bad error", message: describeError(err) });
                if (err instanceof pulumi.ResourceError && !clean && !disguised) problem("error-format miss", `${d.kind} ${pulumiName}: ${describeError(err)}`);
                if (!(err instanceof pulumi.ResourceError)) problem("crash-type error", `${d.kind} ${pulumiName}: ${describeError(err)}`);
                const partial = constructed.filter((c) => c.step === i);
                if (partial.length > 0) {
                    problem("partial registration", `${d.kind} ${pulumiName} failed after constructing ${partial.map((c) => `${c.type} ${c.name}`).join(", ")}`);
                }
            }
        });
        step = -1;
    }, { cluster });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"hang">((resolve) => (timer = setTimeout(() => resolve("hang"), timeoutMs)));
    let resources: Registered[] = [];
    try {
        const result = await Promise.race([run, timeout]);
        if (result === "hang") problem("hang", `the program did not finish within ${timeoutMs} ms`);
        else resources = result.resources;
    } catch (err) {
        problem("async failure", `the program failed: ${describeError(err)}`);
    } finally {
        clearTimeout(timer);
        runtimeResource.registerResource = registerResource;
    }
    await tick();
    await tick();
    // (Once each: mocha re-emits the event it handles itself.)
    for (const reason of new Set(rejections.splice(0))) problem("async failure", `unhandled rejection: ${describeError(reason)}`);
    const ms = Date.now() - started;
    const constructedBy = new Map<string, number>();
    if (resources.length > 0) {
        // (Step -1: the scenario's provider.)
        for (const c of constructed.filter((c) => c.step >= 0)) {
            const urn = await settle(c.resource.urn);
            if (urn.known) constructedBy.set(urn.value!, c.step);
        }
    }

    const urns = new Set<string>();
    for (const r of resources) {
        if (urns.has(r.urn)) problem("duplicate URN", r.urn);
        urns.add(r.urn);
        if (!constructed.some((c) => c.type === r.type && c.name === r.name)) problem("unattributed registration", `${r.type} ${r.name}`);
    }

    // The programs leave aim:systemNamespace at aim-system: nothing there may be applied before its Namespace.
    const systemNamespace = resources.find((r) => r.type === "kubernetes:core/v1:Namespace");
    for (const r of resources.filter((r) => r.inputs?.metadata?.namespace === "aim-system")) {
        if (!systemNamespace || !r.dependencies.includes(systemNamespace.urn)) problem("namespace race", `${r.type} ${r.name} does not depend on the system Namespace`);
    }

    // The API keys the mock random provider generates are secrets too.
    const tokens = [...tokensOf(p), MOCK_PASSWORD];
    const visible = [
        ...resources.map((r) => ({ where: `inputs of ${r.type} ${r.name}`, text: JSON.stringify(maskSecrets(r.inputs)) })),
        ...outputs.map((o, i) => ({ where: `registered outputs #${i}`, text: JSON.stringify(maskSecrets(o)) })),
        ...steps.map((s) => ({ where: `error of ${s.kind} ${s.pulumiName}`, text: s.message ?? "" })),
    ];
    for (const { where, text } of visible) {
        for (const t of tokens) if (text?.includes(t)) problem("plaintext secret", `${t} in ${where}`);
    }

    for (const r of resources.filter((r) => r.type.startsWith("kubernetes:"))) {
        try {
            await validateManifest(r.inputs);
        } catch (err) {
            problem("schema failure", `${r.type} ${r.name}: ${describeError(err)}`);
        }
        for (const detail of objectProblems(r)) problem("schema failure", detail);
    }
    return { steps, resources, constructedBy, problems, ms };
}

/**
 * Kills the process when one case blocks the event loop for `limitMs` (a synchronous hang no timeout can end),
 * after printing which case it was. Returns `enter(caseNumber)`, to call as each case starts, and `stop()`.
 */
export function startWatchdog(limitMs: number, describe: string): { enter(caseNumber: number): void; stop(): void } {
    const shared = new Int32Array(new SharedArrayBuffer(8));
    const worker = new Worker(
        `const { workerData: { shared, limitMs, describe } } = require("worker_threads");
         let last = -1, since = Date.now();
         setInterval(() => {
             const current = Atomics.load(shared, 0);
             if (current !== last) { last = current; since = Date.now(); return; }
             if (Atomics.load(shared, 1) === 1 && Date.now() - since > limitMs) {
                 require("fs").writeSync(2, "\\nhang: case " + current + " (" + describe + ") blocked the event loop for more than " + limitMs + " ms\\n");
                 process.kill(process.pid, "SIGKILL");
             }
         }, 250);`,
        { eval: true, workerData: { shared, limitMs, describe } },
    );
    worker.unref();
    return {
        enter(caseNumber: number) {
            Atomics.store(shared, 0, caseNumber);
            Atomics.store(shared, 1, 1);
        },
        stop() {
            Atomics.store(shared, 1, 0);
            void worker.terminate();
        },
    };
}
