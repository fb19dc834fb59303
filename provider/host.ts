// What the component provider hosts, shared by the entry (main.ts) and the schema check (npm run schema, tests).

import * as path from "node:path";
import { ComponentProvider, getPulumiComponents, type ComponentProviderOptions } from "@pulumi/pulumi/provider/experimental";
import * as aim from "../index";

/** The provider name: the first part of every type token (`aim:index:<Class>`), frozen once released. */
export const PROVIDER_NAME = "aim";

/**
 * Options for `ComponentProvider`. `dirname` is the package root: the schema analyzer reads package.json (version,
 * description), tsconfig.json and the entry point index.ts there, and follows its imports to the component classes
 * and their Args interfaces.
 */
export function providerOptions(): Required<ComponentProviderOptions> {
    return {
        name: PROVIDER_NAME,
        // The npm scope, as run-plugin's auto-discovery would derive it from "@aim-pulumi/aim": generated SDKs are
        // then named like the npm package (`@aim-pulumi/aim` for Node.js, `pulumi_aim` for Python).
        namespace: "aim-pulumi",
        // Found by the package's own name (Node resolves a package's self-reference through its `exports`), as the
        // sources run from provider/ and the build from bin/provider/.
        dirname: path.dirname(require.resolve("@aim-pulumi/aim/package.json")),
        components: getPulumiComponents(aim),
    };
}

/**
 * The properties whose values are secrets, as [component, schema section, property]. Schema inference has no way to
 * say so (no TSDoc tag, no type), and without `secret: true` the Python, Go, .NET and YAML SDKs would treat a Hugging
 * Face token or a generated API key as plain values.
 */
export const SECRET_PROPERTIES = [
    ["AIMService", "inputProperties", "hfToken"],
    ["AIMTemplateCache", "inputProperties", "hfToken"],
    ["AIMService", "properties", "apiKey"],
] as const;

type Schema = { resources: Record<string, Record<string, Record<string, { secret?: boolean }>>> };

/** The inferred schema with SECRET_PROPERTIES marked `secret: true`. */
export function markSecrets(inferred: string): string {
    const schema = JSON.parse(inferred) as Schema;
    for (const [component, section, property] of SECRET_PROPERTIES) {
        const spec = schema.resources[`${PROVIDER_NAME}:index:${component}`]?.[section]?.[property];
        if (!spec) throw new Error(`the inferred schema has no ${component} ${section}.${property} to mark secret`);
        spec.secret = true;
    }
    return JSON.stringify(schema);
}

/** The SDK's component provider, serving the inferred schema with its secrets marked. */
export class AimComponentProvider extends ComponentProvider {
    private marked?: string;

    constructor() {
        super(providerOptions());
    }

    override async getSchema(): Promise<string> {
        this.marked ??= markSecrets(await super.getSchema());
        return this.marked;
    }
}
