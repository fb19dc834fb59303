// The multi-language host: serves every component that ../index.ts exports (GetSchema and Construct over gRPC; it
// prints its port on stdout). The build compiles it to bin/provider/main.js, which provider/index.js starts.
//
// It does what the SDK's `componentProviderHost` does, with the provider of host.ts, whose schema marks secrets.
// The components are listed explicitly rather than exported for run-plugin's auto-discovery: that would take the
// provider name from the nearest package.json and infer the schema from this directory, while the sources the schema
// describes (index.ts and the Args interfaces) sit at the package root.

import { main } from "@pulumi/pulumi/provider";
import { AimComponentProvider } from "./host";

void main(new AimComponentProvider(), process.argv.slice(2));
