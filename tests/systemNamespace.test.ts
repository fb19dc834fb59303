// The system namespace over a program's life (issue 20 item 1): no edit deletes it, everything the package renders
// into it waits for it, whatever the declaration order, and each Kubernetes provider (cluster) has its own.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import {
    AIMClusterConfig,
    AIMClusterConfigArgs,
    AIMClusterImage,
    AIMClusterServiceTemplate,
    AIMService,
    AIMServiceTemplate,
    AIMTemplateCache,
} from "../index";
import { KAIWO_GATEWAY, LLAMA_IMAGE, LLAMA_SOURCE } from "./fixtures";
import { NAMESPACE, Opts, Registered, scenario, single, withStackConfig } from "./harness";

/**
 * The scenario's own provider (`cluster-<n>`, and the hash of its URN that tags shared objects) under one name: two
 * revisions of a program run on one cluster.
 */
const sameCluster = (urn: string) => urn.replace(/cluster-\d+/g, "<cluster>").replace(/::aim@[0-9a-f]{8}:/g, "::aim@<cluster>:");

/** One revision of a program: its registrations by URN. */
async function revision(program: (opts: Opts) => void, stackConfig: Record<string, string> = {}): Promise<Map<string, Registered>> {
    const { resources } = await withStackConfig(stackConfig, () => scenario(program));
    return new Map(resources.map((r) => [sameCluster(r.urn), r]));
}

/** What `pulumi up` from revision `a` to `b` deletes: the URNs of `a` that `b` no longer registers. */
const deletedBy = (a: Map<string, Registered>, b: Map<string, Registered>) => [...a.keys()].filter((urn) => !b.has(urn)).sort();

const NAMESPACE_URN = "urn:pulumi:test::aim::pulumi:providers:kubernetes$kubernetes:core/v1:Namespace::<cluster>-aim-system-namespace";
const PREFIX = "urn:pulumi:test::aim::";

function llamaImage(opts: Opts, config: AIMClusterConfigArgs = {}) {
    new AIMClusterConfig("default", config, opts);
    new AIMClusterImage("llama", { image: LLAMA_IMAGE }, opts);
}

/** A cluster template: without model sources it runs its discovery Job in the system namespace. */
const clusterTemplate = (opts: Opts, modelSources?: (typeof LLAMA_SOURCE)[]) =>
    new AIMClusterServiceTemplate("discovered", { aimImageName: "llama", modelSources }, opts);

describe("the system namespace over a program's life", () => {
    describe("no edit deletes it: a revision that stops needing it drops it from the stack and leaves it in the cluster", () => {
        const discovering = (opts: Opts) => {
            llamaImage(opts);
            clusterTemplate(opts);
        };
        const discoveryJob = `${PREFIX}aim:index:AIMClusterServiceTemplate$kubernetes:batch/v1:Job::discovered-discovery`;
        const edits: [string, (opts: Opts) => void, (opts: Opts) => void, Record<string, string>, string[]][] = [
            ["the cluster template gains inline modelSources", discovering, (opts) => (llamaImage(opts), clusterTemplate(opts, [LLAMA_SOURCE])), {}, [discoveryJob]],
            [
                "the last cluster template is removed",
                discovering,
                (opts) => llamaImage(opts),
                {},
                [`${PREFIX}aim:index:AIMClusterServiceTemplate::discovered`, discoveryJob],
            ],
            [
                "the config stops pre-pulling base images",
                (opts) => llamaImage(opts, { caching: { cacheAimImageBase: true } }),
                (opts) => llamaImage(opts, { caching: { cacheAimImageBase: false } }),
                {},
                [`${PREFIX}kubernetes:apps/v1:DaemonSet::aim@<cluster>:aim-system/aim-base-cacher-6c1538d8`],
            ],
            ["aim:createSystemNamespace becomes false", discovering, discovering, { "aim:createSystemNamespace": "false" }, []],
        ];
        for (const [edit, before, after, afterConfig, alsoDeleted] of edits) {
            it(`when ${edit}`, async () => {
                const a = await revision(before);
                const b = await revision(after, afterConfig);
                assert.deepStrictEqual(deletedBy(a, b), [...alsoDeleted, NAMESPACE_URN].sort());
                // The engine keeps the options of the last registration: with retainOnDelete, it never calls Delete.
                const namespace = a.get(NAMESPACE_URN)!;
                assert.deepStrictEqual([namespace.inputs.metadata.name, namespace.retainOnDelete], ["aim-system", true]);
            });
        }

        it("and a revision that needs it for something else keeps the same registration", async () => {
            const a = await revision(discovering);
            const b = await revision((opts) => {
                llamaImage(opts, { caching: { cacheAimImageBase: true } });
                clusterTemplate(opts, [LLAMA_SOURCE]);
            });
            const [before, after] = [a.get(NAMESPACE_URN)!, b.get(NAMESPACE_URN)!];
            assert.deepStrictEqual(
                [after.inputs, sameCluster(after.parent), after.retainOnDelete],
                [before.inputs, sameCluster(before.parent), true],
            );
        });
    });

    describe("everything rendered into it depends on it, whoever renders it and in whatever order", () => {
        /** A user's service, template and cache declared in the system namespace, and the package's own workloads there. */
        const inSystemNamespace = (opts: Opts, order: "package first" | "user first", namespace = "aim-system") => {
            new AIMClusterConfig("default", { routing: { gateway: KAIWO_GATEWAY }, caching: { cacheAimImageBase: order === "package first" } }, opts);
            new AIMClusterImage("llama", { image: LLAMA_IMAGE, defaultServiceTemplate: "base" }, opts);
            if (order === "package first") clusterTemplate(opts);
            new AIMClusterServiceTemplate("base", { aimImageName: "llama", gpuSelector: { count: 1, model: "MI300X" }, modelSources: [LLAMA_SOURCE] }, opts);
            new AIMServiceTemplate("served", { namespace, aimImageName: "llama", servingBackend: "kserve" }, opts);
            new AIMTemplateCache("base-cache", { namespace, templateRef: "base", hfToken: pulumi.secret("hf_x") }, opts);
            new AIMService("chat", { namespace, aimImageName: "llama", hfToken: pulumi.secret("hf_y"), apiKey: { enabled: true } }, opts);
            new AIMService("served-chat", { namespace, aimImageName: "llama", templateRef: "served" }, opts);
            if (order === "user first") {
                clusterTemplate(opts);
                new AIMClusterConfig("warm", { caching: { cacheAimImageBase: true } }, opts);
                new AIMClusterImage("warm-llama", { image: LLAMA_IMAGE, configName: "warm" }, opts);
            }
        };
        const type = (r: Registered) => r.type.split(":").pop();
        const placed = [
            "DaemonSet",
            "Deployment",
            "HTTPRoute",
            "HTTPRoute",
            "InferenceService",
            "Job",
            "Job",
            "Job",
            "PersistentVolumeClaim",
            "Secret",
            "Secret",
            "Secret",
            "Service",
            "ServingRuntime",
        ];

        for (const order of ["package first", "user first"] as const) {
            it(`${order}`, async () => {
                const { resources } = await scenario((opts) => inSystemNamespace(opts, order));
                const namespace = single(resources, NAMESPACE);
                assert.strictEqual(sameCluster(namespace.urn), NAMESPACE_URN);
                const inIt = resources.filter((r) => r.inputs?.metadata?.namespace === "aim-system");
                assert.deepStrictEqual(inIt.map(type).sort(), placed);
                for (const r of inIt) assert.ok(r.dependencies.includes(namespace.urn), `${r.type} ${r.name} does not depend on the Namespace`);
            });
        }

        it("not when it is elsewhere (aim:systemNamespace), nor when the package does not create it", async () => {
            const elsewhere = await withStackConfig({ "aim:systemNamespace": "aim-ops" }, () => scenario((opts) => inSystemNamespace(opts, "package first")));
            const namespace = single(elsewhere.resources, NAMESPACE);
            assert.strictEqual(namespace.inputs.metadata.name, "aim-ops");
            const dependents = elsewhere.resources.filter((r) => r.dependencies.includes(namespace.urn));
            assert.deepStrictEqual(dependents.map((r) => [type(r), r.inputs.metadata.namespace]).sort(), [
                ["DaemonSet", "aim-ops"],
                ["Job", "aim-ops"],
            ]);

            const unmanaged = await withStackConfig({ "aim:createSystemNamespace": "false" }, () => scenario((opts) => inSystemNamespace(opts, "user first")));
            assert.deepStrictEqual(unmanaged.resources.filter((r) => r.type === NAMESPACE), []);
        });
    });

    it("is one per Kubernetes provider: two providers named k8s under parents of different types are two clusters", async () => {
        const { resources } = await scenario(() => {
            for (const type of ["test:index:WestDatacenter", "test:index:EastDatacenter"]) {
                const region = new pulumi.ComponentResource(type, "region");
                const provider = new k8s.Provider("k8s", {}, { parent: region });
                llamaImage({ provider });
                clusterTemplate({ provider });
            }
        });
        // The mock monitor keeps only the parent's last type in a URN, so it gives both Namespaces one URN; the engine
        // prefixes the parent's whole type chain. (The providers' own URNs are the same either way: their parents are roots.)
        const engineUrn = (r: Registered) => `${r.parent.substring(0, r.parent.lastIndexOf("::"))}$${r.type}::${r.name}`;
        assert.deepStrictEqual(
            resources.filter((r) => r.type === NAMESPACE).map((r) => [r.parent, engineUrn(r), r.retainOnDelete]),
            ["WestDatacenter", "EastDatacenter"].map((region) => [
                `${PREFIX}test:index:${region}$pulumi:providers:kubernetes::k8s`,
                `${PREFIX}test:index:${region}$pulumi:providers:kubernetes$kubernetes:core/v1:Namespace::k8s-aim-system-namespace`,
                true,
            ]),
        );
    });
});
