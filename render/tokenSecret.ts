// A Hugging Face token for gated models: a Kubernetes Secret, read by containers as HF_TOKEN through secretKeyRef.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EnvVar } from "../types";

const TOKEN_KEY = "token";

/** `HF_TOKEN` from the token Secret. */
export function hfTokenEnv(secretName: string): EnvVar {
    return { name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: secretName, key: TOKEN_KEY } } };
}

/** The Secret holding the token; the token is made a Pulumi secret, so it never shows in plaintext. */
export function renderTokenSecret(name: string, namespace: string, labels: Record<string, string>, token: pulumi.Input<string>) {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name, namespace, labels },
        type: "Opaque",
        stringData: { [TOKEN_KEY]: pulumi.secret(token) },
    } satisfies k8s.core.v1.SecretArgs;
}
