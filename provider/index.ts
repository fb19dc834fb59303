// The multi-language entry: hosts every component that ../index.ts exports through the Node SDK's component
// provider host, which serves GetSchema and Construct over gRPC and prints its port on stdout. The engine starts it
// as `node @pulumi/pulumi/cmd/run-plugin <this directory> <engine address>` (pulumi-language-nodejs RunPlugin), which
// requires this file under ts-node.
//
// The host is started explicitly rather than by exporting the components for run-plugin's auto-discovery: that would
// take the provider name from the nearest package.json and infer the schema from this directory, while the sources
// the schema describes (index.ts and the Args interfaces) sit at the package root.

import { componentProviderHost } from "@pulumi/pulumi/provider/experimental";
import { providerOptions } from "./host";

void componentProviderHost(providerOptions());
