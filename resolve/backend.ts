// Which serving backend a template's services use: the template's own `servingBackend`, else the stack's Pulumi
// config `aim:servingBackend`, else the Deployment backend. Services follow their (effective) template, so which
// children exist never depends on declaration order.

import { ServingBackend } from "../types";
import { fieldError } from "../validate/common";
import { TemplateSpec } from "../validate/template";

/** Longest Kubernetes label value. */
const MAX_LABEL_VALUE = 63;

/**
 * The template's backend. A KServe template's name is its (Cluster)ServingRuntime's, which every InferenceService
 * running it names in `predictor.model.runtime` and carries as its `aim.silogen.ai/template` label (upstream copies
 * the name there unsanitised): a name that is not a valid label value is refused rather than shortened, so the
 * label always selects exactly the services of that runtime.
 */
export function templateBackend(kind: string, spec: TemplateSpec, stackBackend: ServingBackend): ServingBackend {
    const backend = spec.servingBackend ?? stackBackend;
    if (backend === ServingBackend.KServe && spec.name.length > MAX_LABEL_VALUE) {
        const source = spec.servingBackend ? "servingBackend" : "Pulumi config aim:servingBackend";
        throw fieldError(
            kind,
            spec.name,
            "name",
            `must be at most ${MAX_LABEL_VALUE} characters to be served by KServe (${source} is "kserve"): it names the ` +
                `ServingRuntime and is the aim.silogen.ai/template label of its InferenceServices (got ${spec.name.length})`,
        );
    }
    return backend;
}
