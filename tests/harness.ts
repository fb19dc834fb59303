// The test harness every spec shares: mocks that record each registered resource, scenarios in update or preview
// mode, and settle() for outputs that may be unknown.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { resetCatalogs } from "../resolve/catalog";
import { Registered, urnOf } from "../review/diff";

// Both are @internal in the SDK's typings but stable: waitForRPCs is how the program host waits for the program's
// registrations before it disconnects; deserializeProperties is what the mock monitor itself uses.
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
const { deserializeProperties } = require("@pulumi/pulumi/runtime/rpc") as { deserializeProperties(s: unknown): any };

export type { Registered };

export interface ScenarioResult<T> {
    result: T;
    /** Every resource registered by the program, in registration order, the test's provider excluded. */
    resources: Registered[];
    /** Texts of `pulumi.log.warn` calls made while the program ran. */
    warnings: string[];
}

/** What the mock random provider "generates" for a RandomPassword: tests look for it in plaintext. */
export const MOCK_PASSWORD = "mock-generated-password-0123456789";

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

let scenarioCount = 0;

export interface ScenarioOptions {
    /** Run as `pulumi preview` (unknown computed outputs) rather than `pulumi up`. */
    preview?: boolean;
    /** Outputs of the previous deployment, as a StackReference to this stack reads them. */
    stackOutputs?: Record<string, unknown>;
    /**
     * Pulumi name of the scenario's Kubernetes provider. Default: a fresh one per scenario. Two scenarios given one
     * name run against one cluster identity, as two revisions of a program do (tests/revisions.ts).
     */
    cluster?: string;
}

/** Installs fresh recording mocks and returns the list they record into. */
async function installMocks({ preview = false, stackOutputs = {} }: ScenarioOptions): Promise<Registered[]> {
    const recorded: Registered[] = [];
    // Each `pulumi up` runs the program in a fresh process: no catalog survives from the last scenario.
    resetCatalogs();
    await pulumi.runtime.setMocks(
        {
            newResource: (args) =>
                args.type === "pulumi:pulumi:StackReference"
                    ? { id: args.inputs.name, state: { ...args.inputs, outputs: stackOutputs } }
                    : args.type === "random:index/randomPassword:RandomPassword"
                      ? { id: `${args.name}-id`, state: { ...args.inputs, result: MOCK_PASSWORD } }
                      : { id: args.inputs?.metadata?.name ?? `${args.name}-id`, state: args.inputs },
            call: (args) => args.inputs,
        },
        "aim",
        "test",
        preview,
        "organization",
    );
    // MockResourceArgs carries no parent or options, so read them off the request itself.
    const monitor = pulumi.runtime.getMonitor() as any;
    // URNs as the engine makes them (the mock's keep only the parent's last type): see urnOf.
    monitor.newUrn = (parent: string, type: string, name: string) => urnOf(pulumi.getStack(), pulumi.getProject(), parent, type, name);
    const registerResource = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: unknown, res: any) => void) =>
        registerResource(req, (err: unknown, res: any) => {
            if (!err) {
                recorded.push({
                    type: req.getType(),
                    name: req.getName(),
                    urn: res.getUrn(),
                    parent: req.getParent(),
                    inputs: deserializeProperties(req.getObject()),
                    dependencies: req.getDependenciesList(),
                    protect: req.getProtect(),
                    retainOnDelete: req.getRetainondelete(),
                    replaceOnChanges: req.getReplaceonchangesList(),
                });
            }
            callback(err, res);
        });
    return recorded;
}

/**
 * Runs `program` against a cluster of its own (a fresh Kubernetes provider, unless `options.cluster` names one) and
 * waits until every registration has finished.
 */
export async function scenario<T>(
    program: (opts: { provider: k8s.Provider }) => T | Promise<T>,
    options: ScenarioOptions = {},
): Promise<ScenarioResult<T>> {
    const recorded = await installMocks(options);
    const provider = new k8s.Provider(options.cluster ?? `cluster-${++scenarioCount}`, {});
    const warnings: string[] = [];
    const consoleWarn = console.warn;
    console.warn = (msg: unknown) => warnings.push(String(msg).replace(/^warning: \[runtime\] /, ""));
    try {
        const result = await program({ provider });
        await waitForRPCs();
        return { result, resources: recorded.filter((r) => r.type !== "pulumi:providers:kubernetes"), warnings };
    } finally {
        console.warn = consoleWarn;
    }
}

/** Runs `body` with Pulumi config values set (e.g. `aim:servingBackend`), as a stack's config would set them. */
export async function withStackConfig<T>(config: Record<string, string>, body: () => Promise<T>): Promise<T> {
    for (const [key, value] of Object.entries(config)) pulumi.runtime.setConfig(key, value);
    try {
        return await body();
    } finally {
        pulumi.runtime.setAllConfig({});
    }
}

/** Runs a program that must throw synchronously; returns the error and what got registered before it. */
export async function scenarioThrows(
    program: (opts: { provider: k8s.Provider }) => unknown,
    options?: ScenarioOptions,
): Promise<{ error: Error; resources: Registered[] }> {
    let error: Error | undefined;
    const { resources } = await scenario((opts) => {
        try {
            program(opts);
        } catch (err) {
            error = err as Error;
        }
    }, options);
    if (!error) throw new Error("expected the program to throw, but it did not");
    return { error, resources };
}

/** Awaits an output without hanging when it is unknown (preview) or rejected. */
export async function settle<T>(output: pulumi.Output<T>): Promise<{ known: boolean; value: T | undefined }> {
    const impl = output as any; // OutputImpl internals: isKnown and promise(withUnknowns)
    return { known: await impl.isKnown, value: await impl.promise(true) };
}

/** The value of a known output; fails the test if it is unknown. */
export async function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    const { known, value } = await settle(output);
    if (!known) throw new Error("output is unknown");
    return value as T;
}

export function isSecretWrapper(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as any)[SECRET_SIG_KEY] === SECRET_SIG;
}

/** A copy of recorded inputs with secret wrappers replaced by their values (for schema validation). */
export function unwrapSecrets(value: any): any {
    if (isSecretWrapper(value)) return unwrapSecrets(value.value);
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

/** A copy of recorded inputs with each secret replaced by "[secret]": what may show in plaintext. */
export function maskSecrets(value: unknown): unknown {
    if (isSecretWrapper(value)) return "[secret]";
    if (Array.isArray(value)) return value.map(maskSecrets);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v)]));
    return value;
}

/** Registered resources of one type token (e.g. `kubernetes:batch/v1:Job`). */
export function ofType(resources: Registered[], type: string): Registered[] {
    return resources.filter((r) => r.type === type);
}

/** The only registered resource of a type; fails if there are none or several. */
export function single(resources: Registered[], type: string): Registered {
    const found = ofType(resources, type);
    if (found.length !== 1) {
        throw new Error(`expected one ${type}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
    }
    return found[0];
}

/** The registered resource with this Pulumi name; fails if there is none. */
export function named(resources: Registered[], name: string): Registered {
    const found = resources.find((r) => r.name === name);
    if (!found) throw new Error(`no resource named ${name} among ${resources.map((r) => r.name).join(", ")}`);
    return found;
}

/** Resources other than AIM components: what a component rendered. */
export function children(resources: Registered[]): Registered[] {
    return resources.filter((r) => !r.type.startsWith("aim:index:"));
}

/** Type tokens of what the components register. */
export const JOB = "kubernetes:batch/v1:Job";
export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const DAEMONSET = "kubernetes:apps/v1:DaemonSet";
export const SERVICE = "kubernetes:core/v1:Service";
export const SECRET = "kubernetes:core/v1:Secret";
export const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
export const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
export const NAMESPACE = "kubernetes:core/v1:Namespace";
export const PASSWORD = "random:index/randomPassword:RandomPassword";
export const TEMPLATE = "aim:index:AIMServiceTemplate";
export const CLUSTER_TEMPLATE = "aim:index:AIMClusterServiceTemplate";
export const ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService";
export const RUNTIME = "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime";
export const CLUSTER_RUNTIME = "kubernetes:serving.kserve.io/v1alpha1:ClusterServingRuntime";
export const TEMPLATE_CACHE = "aim:index:AIMTemplateCache";

/** What a scenario's program gets: the options that put every component on the scenario's own cluster. */
export type Opts = { provider: k8s.Provider };
