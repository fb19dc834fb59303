// The package schema as Pulumi's component provider infers it from the TypeScript sources: the API every other
// language sees. Each kind's Args fields, required inputs and outputs are listed in KINDS below; adding a component
// (e.g. AIMTemplateCache, AIMService) to index.ts means adding its row there.
//
// Entry point: the analyzer tries package.json `exports["."]` and then `main`, each with `.js` replaced by `.ts`
// (bin/index.ts, which never exists: bin/ holds only compiled .js/.d.ts), then falls back to ./index.ts. So this runs
// the same on a clean clone, after `npm run build`, and in the installed package (which ships index.ts and
// tsconfig.json for that reason; see tests/pack.ts).

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as z from "zod/mini";
import * as aim from "../index";
import { SCHEMA_PATH, inferSchema } from "../provider/writeSchema";
import { templateCacheSchema } from "../validate/cache";
import { clusterConfigSchema, namespaceConfigSchema } from "../validate/config";
import { clusterImageSchema, imageSchema } from "../validate/image";
import { serviceSchema } from "../validate/service";
import { clusterServiceTemplateSchema, serviceTemplateSchema } from "../validate/template";

/** The parts of a Pulumi package schema this test reads. */
interface PropertySpec {
    type?: string;
    $ref?: string;
    items?: PropertySpec;
    description?: string;
    secret?: boolean;
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
    properties?: Record<string, PropertySpec>;
}
interface PackageSchema {
    name: string;
    resources: Record<string, ResourceSpec>;
    types: Record<string, TypeSpec>;
}

const PACKAGE = "aim";
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
        inputs: ["name", "image", "defaultServiceTemplate", "configName", "resources"],
        requiredInputs: ["image"],
        outputs: IMAGE_OUTPUTS,
    },
    AIMImage: {
        inputs: ["name", "namespace", "image", "defaultServiceTemplate", "configName", "resources"],
        requiredInputs: ["image", "namespace"],
        outputs: IMAGE_OUTPUTS,
    },
    AIMClusterServiceTemplate: {
        inputs: ["name", "aimImageName", "metric", "precision", "gpuSelector", "configName", "servingBackend", "modelSources", "resources"],
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
            "resources",
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
            "templateScope",
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
            "image",
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
        requiredInputs: ["namespace"],
        outputs: {
            resolvedConfig: ref("ResolvedConfig"),
            resolvedImage: ref("ResolvedImage"),
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

/** The zod schema that validates each kind's args, where validate/ applies their defaults. */
const ARGS_SCHEMAS: Record<string, z.ZodMiniType> = {
    AIMClusterConfig: clusterConfigSchema,
    AIMNamespaceConfig: namespaceConfigSchema,
    AIMClusterImage: clusterImageSchema,
    AIMImage: imageSchema,
    AIMClusterServiceTemplate: clusterServiceTemplateSchema,
    AIMServiceTemplate: serviceTemplateSchema,
    AIMTemplateCache: templateCacheSchema,
    AIMService: serviceSchema,
};

/** The top-level fields of an object schema (through transforms) that zod fills with a default, and their values. */
function defaultsOf(schema: z.ZodMiniType): Record<string, unknown> {
    if (schema instanceof z.ZodMiniPipe) return defaultsOf(schema.def.in as z.ZodMiniType);
    assert.ok(schema instanceof z.ZodMiniObject, "an Args schema is an object schema");
    const defaults: Record<string, unknown> = {};
    for (const [field, fieldSchema] of Object.entries(schema.shape)) {
        if (fieldSchema instanceof z.ZodMiniDefault) defaults[field] = fieldSchema.def.defaultValue;
    }
    return defaults;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("package schema (Pulumi component provider inference)", function () {
    const components = getPulumiComponents(aim);
    let schema: PackageSchema;

    before(async function () {
        this.timeout(60_000);
        schema = (await inferSchema()) as PackageSchema;
    });

    it("is the committed provider/schema.json (after a reviewed change: npm run schema)", function () {
        const committed = JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8")) as PackageSchema;
        assert.deepEqual(schema, committed);
    });

    // Other languages' SDKs keep a value secret only when the schema says so: the tokens given and the key generated.
    it("marks exactly the Hugging Face tokens and the generated API key secret", function () {
        const secret: string[] = [];
        for (const [resourceToken, resource] of Object.entries(schema.resources)) {
            for (const section of ["inputProperties", "properties"] as const) {
                for (const [property, spec] of Object.entries(resource[section])) {
                    if (spec.secret !== undefined) secret.push(`${resourceToken} ${section}.${property}: ${spec.secret}`);
                }
            }
        }
        for (const [typeToken, type] of Object.entries(schema.types)) {
            for (const [property, spec] of Object.entries(type.properties ?? {})) {
                if (spec.secret !== undefined) secret.push(`${typeToken} properties.${property}: ${spec.secret}`);
            }
        }
        assert.deepEqual(sorted(secret), [
            "aim:index:AIMService inputProperties.hfToken: true",
            "aim:index:AIMService properties.apiKey: true",
            "aim:index:AIMTemplateCache inputProperties.hfToken: true",
        ]);
    });

    it("describes every input, of the components and of the object types they use", function () {
        const undocumented: string[] = [];
        for (const [resourceToken, resource] of Object.entries(schema.resources)) {
            for (const [input, spec] of Object.entries(resource.inputProperties)) {
                if (!spec.description?.trim()) undocumented.push(`${resourceToken}.${input}`);
            }
        }
        for (const [typeToken, type] of Object.entries(schema.types)) {
            for (const [property, spec] of Object.entries(type.properties ?? {})) {
                if (!spec.description?.trim()) undocumented.push(`${typeToken}.${property}`);
            }
        }
        assert.deepEqual(undocumented, []);
    });

    // The schema analyzer has no notion of defaults, and a schema `default` would make generated SDKs send the value
    // explicitly (an explicit configName "default" must exist, an omitted one only warns): defaults are stated in
    // the descriptions instead, as `Default: <JSON value>`.
    for (const [kind, argsSchema] of Object.entries(ARGS_SCHEMAS)) {
        const defaults = defaultsOf(argsSchema);
        if (Object.keys(defaults).length === 0) continue;
        it(`states the defaults of ${token(kind)}: ${Object.keys(defaults).join(", ")}`, function () {
            const inputs = schema.resources[token(kind)].inputProperties;
            for (const [field, value] of Object.entries(defaults)) {
                assert.match(inputs[field]?.description ?? "", new RegExp(`Default: ${escapeRegExp(JSON.stringify(value))}`), field);
            }
        });
    }

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
