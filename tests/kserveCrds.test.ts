// The KServe CRD validator itself: it must accept a valid object and reject each kind of mistake it claims to catch,
// or the CRD checks on rendered objects would prove nothing.

import * as assert from "assert";
import { kserveProblems, loadKinds } from "./kserveCrds";

function isvc(predictor: object, metadata: object = { name: "chat", namespace: "ml" }) {
    return { apiVersion: "serving.kserve.io/v1beta1", kind: "InferenceService", metadata, spec: { predictor } };
}

const model = { modelFormat: { name: "aim", version: "1" }, runtime: "base" };

describe("KServe CRD validator (v0.15.2)", () => {
    before(function () {
        this.timeout(120_000);
        loadKinds();
    });

    it("accepts a valid InferenceService, ServingRuntime and ClusterServingRuntime", () => {
        assert.deepStrictEqual(kserveProblems(isvc({ minReplicas: 1, maxReplicas: 1, model: { ...model, resources: { limits: { "amd.com/gpu": "1", cpu: 4 } } } })), []);
        const runtime = {
            supportedModelFormats: [{ name: "aim", version: "1" }],
            containers: [{ name: "kserve-container", image: "ghcr.io/silogen/aim:1", ports: [{ name: "http", containerPort: 8000, protocol: "TCP" }] }],
        };
        const sr = { apiVersion: "serving.kserve.io/v1alpha1", kind: "ServingRuntime", metadata: { name: "base", namespace: "ml" }, spec: runtime };
        assert.deepStrictEqual(kserveProblems(sr), []);
        assert.deepStrictEqual(kserveProblems({ ...sr, kind: "ClusterServingRuntime", metadata: { name: "base" } }), []);
    });

    it("rejects unknown fields, wrong types, bad quantities, duplicate list-map keys and bad metadata", () => {
        assert.deepStrictEqual(kserveProblems(isvc({ minReplicas: "1", model: { ...model, runtme: "x" } })), [
            "/spec/predictor/minReplicas: must be integer",
            '/spec/predictor/model: unknown field "runtme"',
        ]);
        assert.deepStrictEqual(kserveProblems(isvc({ model: { ...model, resources: { limits: { memory: "64GB" } } } })), [
            "/spec/predictor/model/resources/limits/memory: must match pattern " +
                '"^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$"',
        ]);
        const env = [{ name: "A", value: "1" }, { name: "A", value: "2" }];
        assert.deepStrictEqual(kserveProblems(isvc({ model: { ...model, env } })), [
            '/spec/predictor/model/env: must pass "x-kubernetes-list-type" keyword validation',
        ]);
        const badMeta = kserveProblems(isvc({ model }, { name: "Chat_1", namespace: "ml", labels: { "a/b/c": "x" } }));
        assert.deepStrictEqual(badMeta.map((p) => p.replace(/ ".*"$/, "")), ["/metadata/name: must match pattern", "/metadata/labels: must match pattern"]);
        assert.deepStrictEqual(kserveProblems(isvc({ model }, { name: "chat" })), ["/metadata/namespace: required: the kind is namespaced"]);
        assert.deepStrictEqual(kserveProblems({ ...isvc({ model }), apiVersion: "serving.kserve.io/v1alpha1" }), [
            "apiVersion: serving.kserve.io/v1alpha1 is not served (serving.kserve.io/v1beta1)",
        ]);
        assert.throws(() => kserveProblems({ apiVersion: "apps/v1", kind: "Deployment" }), /no KServe CRD for apps\/v1 Deployment/);
    });
});
