// Secrets of the package: a Hugging Face token for gated models (read by containers as HF_TOKEN through secretKeyRef),
// and the generated API key of a protected service.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EnvVar } from "../types";

const TOKEN_KEY = "token";

/** `HF_TOKEN` from the token Secret. */
export function hfTokenEnv(secretName: string): EnvVar {
    return { name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: secretName, key: TOKEN_KEY } } };
}

/** An Opaque Secret of one value; the value is made a Pulumi secret, so it never shows in plaintext. */
export function renderSecret(name: string, namespace: string, labels: Record<string, string>, key: string, value: pulumi.Input<string>) {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name, namespace, labels },
        type: "Opaque",
        stringData: { [key]: pulumi.secret(value) },
    } satisfies k8s.core.v1.SecretArgs;
}

/** The Secret holding the token. */
export function renderTokenSecret(name: string, namespace: string, labels: Record<string, string>, token: pulumi.Input<string>) {
    return renderSecret(name, namespace, labels, TOKEN_KEY, token);
}
