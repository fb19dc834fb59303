// The package schema as Pulumi's component provider infers it from the TypeScript sources: the API every other
// language sees. Each kind's Args fields, required inputs and outputs are listed in KINDS below; adding a component
// (e.g. AIMTemplateCache, AIMService) to index.ts means adding its row there.
//
// Entry point: the analyzer tries package.json `exports`, then `main` with `.js` replaced by `.ts` (bin/index.ts,
// which never exists: bin/ holds only compiled .js/.d.ts), then falls back to ./index.ts. So this runs the same on a
// clean clone and after `npm run build`.

import * as assert from "node:assert/strict";
import * as path from "node:path";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as aim from "../index";

/** The parts of a Pulumi package schema this test reads. */
interface PropertySpec {
    type?: string;
    $ref?: string;
    items?: PropertySpec;
}
interface ResourceSpec {
    isComponent?: boolean;
    inputProperties: Record<string, PropertySpec>;
    requiredInputs: string[];
    properties: Record<string, PropertySpec>;
    required: string[];
}
interface TypeSpec {
    type: string;
    enum?: { name: string; value: string | number }[];
}
interface PackageSchema {
    name: string;
    resources: Record<string, ResourceSpec>;
    types: Record<string, TypeSpec>;
}

const PACKAGE = "aim";
const REPO_ROOT = path.resolve(__dirname, "..");
const token = (name: string): string => `${PACKAGE}:index:${name}`;

/** Schema type of an output property: a primitive or a reference to one of the package's types. */
const STRING: PropertySpec = { type: "string" };
const ref = (typeName: string): PropertySpec => ({ $ref: `#/types/${token(typeName)}` });

interface KindSpec {
    /** Every field of the kind's Args interface, inherited ones included. */
    inputs: string[];
    /** The Args fields declared without `?`. */
    requiredInputs: string[];
    /** Every output property of the class and its schema type. */
    outputs: Record<string, PropertySpec>;
    /** Outputs typed `T | undefined`: absent from `required`. */
    optionalOutputs?: string[];
}

const CONFIG_OUTPUTS = { aimName: STRING, spec: ref("ResolvedConfig") };
const IMAGE_OUTPUTS = { aimName: STRING, image: STRING, resolvedConfig: ref("ResolvedConfig") };
const TEMPLATE_OUTPUTS = {
    aimName: STRING,
    resolvedConfig: ref("ResolvedConfig"),
    resolvedImage: ref("ResolvedImage"),
    discoveryJobName: STRING,
};

/** One row per exported component class, keyed by class name (the last part of its type token). */
const KINDS: Record<string, KindSpec> = {
    AIMClusterConfig: {
        inputs: ["name", "imagePullSecrets", "caching", "cacheStorageClassName", "routing"],
        requiredInputs: [],
        outputs: CONFIG_OUTPUTS,
    },
    AIMNamespaceConfig: {
        inputs: ["name", "namespace", "imagePullSecrets", "caching", "cacheStorageClassName", "routing"],
        requiredInputs: ["namespace"],
        outputs: CONFIG_OUTPUTS,
    },
    AIMClusterImage: {
        inputs: ["name", "image", "defaultServiceTemplate", "configName"],
        requiredInputs: ["image"],
        outputs: IMAGE_OUTPUTS,
    },
    AIMImage: {
        inputs: ["name", "namespace", "image", "defaultServiceTemplate", "configName"],
        requiredInputs: ["image", "namespace"],
        outputs: IMAGE_OUTPUTS,
    },
    AIMClusterServiceTemplate: {
        inputs: ["name", "aimImageName", "metric", "precision", "gpuSelector", "configName", "servingBackend", "modelSources"],
        requiredInputs: ["aimImageName"],
        outputs: TEMPLATE_OUTPUTS,
        optionalOutputs: ["discoveryJobName"],
    },
    AIMServiceTemplate: {
        inputs: [
            "name",
            "namespace",
            "aimImageName",
            "metric",
            "precision",
            "gpuSelector",
            "configName",
            "servingBackend",
            "modelSources",
            "env",
            "imagePullSecrets",
            "caching",
        ],
        requiredInputs: ["namespace", "aimImageName"],
        outputs: TEMPLATE_OUTPUTS,
        optionalOutputs: ["discoveryJobName"],
    },
    AIMTemplateCache: {
        inputs: [
            "name",
            "namespace",
            "templateRef",
            "env",
            "imagePullSecrets",
            "storageClassName",
            "configName",
            "downloadImage",
            "downloadTimeoutSeconds",
            "retainOnDelete",
            "protect",
            "hfToken",
        ],
        requiredInputs: ["namespace", "templateRef"],
        outputs: {
            aimName: STRING,
            resolvedConfig: ref("ResolvedConfig"),
            persistentVolumeClaims: { type: "array", items: STRING },
        },
    },
    AIMService: {
        inputs: [
            "name",
            "namespace",
            "aimImageName",
            "templateRef",
            "replicas",
            "cacheModel",
            "configName",
            "overrides",
            "env",
            "imagePullSecrets",
            "resources",
            "labels",
            "routing",
            "hfToken",
            "annotations",
            "serviceAccountName",
            "awaitTimeoutSeconds",
            "skipAwait",
            "apiKey",
            "scratch",
        ],
        requiredInputs: ["namespace", "aimImageName"],
        outputs: {
            resolvedConfig: ref("ResolvedConfig"),
            resolvedTemplate: ref("ResolvedTemplate"),
            routeGateway: ref("GatewayParentReference"),
            routePath: STRING,
            deploymentName: STRING,
            serviceName: STRING,
            inferenceServiceName: STRING,
            endpoint: STRING,
            apiKey: STRING,
        },
        optionalOutputs: ["routeGateway", "routePath", "inferenceServiceName", "apiKey"],
    },
};

/** The `as const` enums of types.ts that inputs use, with their values in declaration order. */
const ENUMS: Record<string, string[]> = {
    Metric: ["latency", "throughput"],
    Precision: ["auto", "fp4", "fp8", "fp16", "fp32", "bf16", "int4", "int8"],
    ServingBackend: ["deployment", "kserve"],
};

/** Inputs typed by an enum: input name → enum type name (checked on every kind that has the input). */
const ENUM_INPUTS: Record<string, string> = { metric: "Metric", precision: "Precision", servingBackend: "ServingBackend" };

const sorted = (names: Iterable<string>): string[] => [...names].sort();

describe("package schema (Pulumi component provider inference)", function () {
    const components = getPulumiComponents(aim);
    let schema: PackageSchema;

    before(async function () {
        this.timeout(60_000);
        const provider = new ComponentProvider({ components, name: PACKAGE, dirname: REPO_ROOT });
        schema = JSON.parse(await provider.getSchema()) as PackageSchema;
    });

    it("exports exactly the component classes listed in KINDS", function () {
        assert.deepEqual(sorted(components.map((c) => c.name)), sorted(Object.keys(KINDS)));
    });

    it("has a component resource for every kind and no other", function () {
        assert.equal(schema.name, PACKAGE);
        assert.deepEqual(sorted(Object.keys(schema.resources)), sorted(Object.keys(KINDS).map(token)));
        for (const name of Object.keys(KINDS)) {
            assert.equal(schema.resources[token(name)].isComponent, true, `${token(name)} is a component`);
        }
    });

    for (const [name, kind] of Object.entries(KINDS)) {
        describe(token(name), function () {
            const resource = (): ResourceSpec => {
                const r = schema.resources[token(name)];
                assert.ok(r, `${token(name)} missing from the schema`);
                return r;
            };

            it("has exactly the Args fields as inputs", function () {
                assert.deepEqual(sorted(Object.keys(resource().inputProperties)), sorted(kind.inputs));
            });

            it(`requires exactly [${kind.requiredInputs.join(", ")}]`, function () {
                assert.deepEqual(sorted(resource().requiredInputs), sorted(kind.requiredInputs));
            });

            const requiredOutputs = Object.keys(kind.outputs).filter((o) => !kind.optionalOutputs?.includes(o));
            it(`outputs exactly ${Object.keys(kind.outputs).join(", ")}, requiring ${requiredOutputs.join(", ")}`, function () {
                const { properties, required } = resource();
                assert.deepEqual(sorted(Object.keys(properties)), sorted(Object.keys(kind.outputs)));
                assert.deepEqual(sorted(required), sorted(requiredOutputs));
                for (const [output, expected] of Object.entries(kind.outputs)) {
                    const { type, $ref } = properties[output];
                    const actual = { type, $ref };
                    assert.deepEqual(actual, { type: expected.type, $ref: expected.$ref }, `type of output ${output}`);
                }
            });

            const enumInputs = kind.inputs.filter((input) => input in ENUM_INPUTS);
            if (enumInputs.length > 0) {
                it(`types ${enumInputs.join(", ")} by their enums`, function () {
                    for (const input of enumInputs) {
                        const expected = ref(ENUM_INPUTS[input]).$ref;
                        assert.equal(resource().inputProperties[input].$ref, expected, `type of input ${input}`);
                    }
                });
            }
        });
    }

    for (const [enumName, values] of Object.entries(ENUMS)) {
        it(`has the string enum ${token(enumName)} with values ${values.join(", ")}`, function () {
            const type = schema.types[token(enumName)];
            assert.ok(type, `${token(enumName)} missing from the schema's types`);
            assert.equal(type.type, "string");
            assert.deepEqual(type.enum?.map((member) => member.value), values);
        });
    }
});
