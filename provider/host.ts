// What the component provider hosts, shared by the entry (index.ts) and the schema check (npm run schema, tests).

import * as path from "node:path";
import { getPulumiComponents, type ComponentProviderOptions } from "@pulumi/pulumi/provider/experimental";
import * as aim from "../index";

/** The provider name: the first part of every type token (`aim:index:<Class>`), frozen once released. */
export const PROVIDER_NAME = "aim";

/**
 * Options for `componentProviderHost` and `ComponentProvider`. `dirname` is the package root: the schema analyzer
 * reads package.json (version, description), tsconfig.json and the entry point index.ts there, and follows its
 * imports to the component classes and their Args interfaces.
 */
export function providerOptions(): Required<ComponentProviderOptions> {
    return {
        name: PROVIDER_NAME,
        // The npm scope, as run-plugin's auto-discovery would derive it from "@aim-pulumi/aim": generated SDKs are
        // then named like the npm package (`@aim-pulumi/aim` for Node.js, `pulumi_aim` for Python).
        namespace: "aim-pulumi",
        dirname: path.resolve(__dirname, ".."),
        components: getPulumiComponents(aim),
    };
}
