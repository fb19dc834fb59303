// `npm run schema`: infers the package schema from the sources, as GetSchema does, and writes provider/schema.json.
// The schema is what Python, Go, .NET, Java and YAML programs see; the tests fail while the committed file differs,
// so a change to it is reviewed like code.

import * as fs from "node:fs";
import * as path from "node:path";
import { AimComponentProvider } from "./host";

export const SCHEMA_PATH = path.join(__dirname, "schema.json");

/** The schema the provider serves, parsed. */
export async function inferSchema(): Promise<unknown> {
    return JSON.parse(await new AimComponentProvider().getSchema());
}

if (require.main === module) {
    void inferSchema().then((schema) => fs.writeFileSync(SCHEMA_PATH, JSON.stringify(schema, null, 2) + "\n"));
}
