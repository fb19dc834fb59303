// The cluster most service specs start from: the llama image and a MI300X × 2 cluster template with inline model
// sources (so it runs no discovery), and the accessors they read rendered pods with.

import { AIMClusterConfig, AIMClusterConfigArgs, AIMClusterImage, AIMClusterServiceTemplate, AIMService, AIMServiceArgs } from "../index";
import { LLAMA_IMAGE, LLAMA_SOURCE } from "./fixtures";
import { Opts, Registered } from "./harness";

export const podSpec = (deployment: Registered) => deployment.inputs.spec.template.spec;
export const container = (deployment: Registered) => podSpec(deployment).containers[0];

/** A cluster with a config (unless `config` is null), the llama image and a MI300X × 2 template `base`. */
export function llamaCluster(opts: Opts, config: AIMClusterConfigArgs | null = {}) {
    if (config) new AIMClusterConfig("default", config, opts);
    new AIMClusterImage("llama", { image: LLAMA_IMAGE, defaultServiceTemplate: "base" }, opts);
    new AIMClusterServiceTemplate("base", {
        aimImageName: "llama",
        gpuSelector: { count: 2, model: "MI300X" },
        modelSources: [LLAMA_SOURCE],
    }, opts);
}

/** A cluster template `discovered` of the llama image without model sources: it runs a discovery Job. */
export function discoveredTemplate(opts: Opts) {
    new AIMClusterServiceTemplate("discovered", { aimImageName: "llama", gpuSelector: { count: 2, model: "MI300X" } }, opts);
}

export function llamaChat(opts: Opts, args: Partial<AIMServiceArgs> = {}, name = "llama-chat") {
    return new AIMService(name, { namespace: "ml-team", aimImageName: "llama", ...args }, opts);
}
