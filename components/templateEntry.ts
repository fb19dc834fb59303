// One implementation for AIMServiceTemplate and AIMClusterServiceTemplate: plan (validate, resolve image and
// config, render the discovery Job unless inline model sources make it moot, check the pre-warming cache) before the
// component exists, then register the Job and record the template in the catalog.
// (Each class still declares its own output properties: schema inference reads only a class's own members.)

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as z from "zod/mini";
import { renderDiscoveryJob } from "../render/discoveryJob";
import { implicitCacheArgs, planImplicitCache, templateCachePulumiName } from "../resolve/cache";
import { findImage, resolvedImage } from "../resolve/image";
import { mergePullSecrets, resolveConfig } from "../resolve/config";
import { namespaceFields, TemplateSpec } from "../validate/template";
import { AIMTemplateCache } from "./aimTemplateCache";
import { renderServingRuntime } from "../render/kserve";
import { templateBackend } from "../resolve/backend";
import { templateGpuCount } from "../resolve/resources";
import { checkGpuModels, namespaceDependencies, planComponent, Planned, stackServingBackend, systemNamespaceSettings, warnAll } from "./internal";
import { ResolvedConfig, ResolvedImage, Scope, ServingBackend } from "../types";
import { indexKey, scopeOf } from "../resolve/catalog";
import { planOperatorTemplate, registerOperatorTemplate } from "./operator";

export interface TemplateOutputs {
    aimName: pulumi.Output<string>;
    resolvedConfig: pulumi.Output<ResolvedConfig>;
    resolvedImage: pulumi.Output<ResolvedImage>;
    discoveryJobName: pulumi.Output<string | undefined>;
}

type TemplateKind = "AIMServiceTemplate" | "AIMClusterServiceTemplate";

export function planTemplate(kind: TemplateKind, pulumiName: string, schema: z.ZodMiniType<TemplateSpec>, args: unknown, opts: pulumi.ComponentResourceOptions | undefined) {
    return planComponent(kind, pulumiName, schema, args, opts, (spec, catalog, declarer) => {
        const { namespace, imagePullSecrets, env, caching } = namespaceFields(spec);
        const aimName = spec.name;
        (namespace === undefined ? catalog.clusterTemplates : catalog.templates).ensureDeclarable(namespace, aimName);
        // Upstream resolves the image before the config, so a missing image is the error a user sees first.
        const imageEntry = findImage(catalog, { kind, aimName }, namespace, spec.aimImageName);
        const image = resolvedImage(imageEntry);
        const candidate = !catalog.derivedTemplates.has(indexKey(namespace, aimName));
        // A derived template's GPU model is its service's override, checked (and reported) on the service.
        const gpuWarnings = candidate ? checkGpuModels(kind, aimName, "gpuSelector.model", [spec.gpuSelector?.model]) : [];
        if (candidate) {
            const declaration = { scope: scopeOf(namespace), spec, image };
            catalog.templatesByImage.ensureAddable(indexKey(namespace, spec.aimImageName), `image "${spec.aimImageName}"`, declaration, { kind, aimName, field: "aimImageName" });
        }
        const { config, warning } = resolveConfig(catalog, { kind, aimName, namespace, configName: spec.configName });
        const backend = templateBackend(kind, spec, stackServingBackend(kind, aimName));
        const pullSecrets = mergePullSecrets(imagePullSecrets, config.imagePullSecrets);
        const operator = planOperatorTemplate(kind, spec, namespace, pullSecrets);
        // Inline model sources make discovery moot, as upstream skips it since kaiwo fa8a3e90 ("Using in-line model
        // sources, skipping discovery"): nothing reads a dry-run's output at preview, and it pulls the whole image.
        const discover = !spec.modelSources?.length;
        // Cluster templates discover in the system namespace.
        const system = systemNamespaceSettings(kind, aimName);
        const job = discover ? renderDiscoveryJob({
            templateName: aimName,
            templateScope: scopeOf(namespace),
            namespace: namespace ?? system.name,
            aimImageName: spec.aimImageName,
            image: image.image,
            metric: spec.metric,
            precision: spec.precision,
            gpuSelector: spec.gpuSelector,
            env,
            imagePullSecrets: pullSecrets,
        }) : undefined;
        const runtime =
            backend === ServingBackend.KServe
                ? renderServingRuntime({
                      templateName: aimName,
                      namespace,
                      aimImageName: spec.aimImageName,
                      image: image.image,
                      gpuCount: templateGpuCount(spec, imageEntry.spec),
                      imagePullSecrets: pullSecrets,
                  })
                : undefined;
        // The pre-warming cache is planned here too, so that nothing is registered when it cannot be made.
        const prewarm = caching?.enabled && namespace !== undefined ? implicitCacheArgs(spec, Scope.Namespace, namespace, spec.configName) : undefined;
        if (prewarm) planImplicitCache(catalog, { kind, aimName, field: "caching.enabled" }, prewarm, config, spec);
        catalog.claimObjects(declarer, [
            ...(job ? [{ kind: "Job", namespace: job.metadata.namespace, name: job.metadata.name }] : []),
            ...(runtime ? [{ kind: runtime.kind, namespace: runtime.metadata.namespace, name: runtime.metadata.name }] : []),
        ]);
        // On the operator target the operator discovers and serves: the template registers its custom resource only.
        const workloads = operator ? {} : { job, system, runtime };
        return { candidate, image, config, warnings: [warning, ...gpuWarnings], prewarm, backend, ...workloads, operator };
    });
}

export function registerTemplate(
    component: pulumi.ComponentResource,
    pulumiName: string,
    planned: Planned<TemplateSpec, ReturnType<typeof planTemplate>["plan"]>,
    dependsOn: pulumi.ResourceOptions["dependsOn"],
): TemplateOutputs {
    const { spec, catalog, declarer, plan } = planned;
    const { namespace } = namespaceFields(spec);
    warnAll(component, plan.warnings);
    const discovery = plan.job
        ? new k8s.batch.v1.Job(`${pulumiName}-discovery`, plan.job, {
              parent: component,
              dependsOn: namespaceDependencies(component, catalog, plan.system, plan.job.metadata.namespace),
          })
        : undefined;
    // A cluster template's runtime is a ClusterServingRuntime, in no namespace.
    const runtime =
        plan.runtime &&
        new k8s.apiextensions.CustomResource(`${pulumiName}-runtime`, plan.runtime, {
            parent: component,
            dependsOn: namespace === undefined ? [] : namespaceDependencies(component, catalog, plan.system, namespace),
        });
    const declaredBy = { resource: component, pulumiName };
    const registry = namespace === undefined ? catalog.clusterTemplates : catalog.templates;
    const entry = { scope: scopeOf(namespace), spec, image: plan.image, config: plan.config, declaredBy, discoveryJob: discovery };
    const declared = { ...entry, backend: plan.backend, runtime };
    registry.declare(namespace, spec.name, declared, declarer);
    if (plan.candidate) catalog.templatesByImage.add(indexKey(namespace, spec.aimImageName), declared);
    // A template derived from a service's overrides is the operator's to derive, under a name of its own.
    if (plan.operator && plan.candidate) {
        warnAll(component, plan.operator.warnings);
        registerOperatorTemplate(component, pulumiName, plan.operator.object);
    }
    if (plan.prewarm) {
        // Pre-warming: the template's own cache, named after it and using the template's config.
        catalog.implicitTemplateCaches.set(indexKey(namespace, spec.name), "AIMServiceTemplate");
        new AIMTemplateCache(templateCachePulumiName({ scope: Scope.Namespace, pulumiName }, plan.prewarm.namespace), plan.prewarm, { parent: component, dependsOn });
    }
    return {
        aimName: pulumi.output(spec.name),
        resolvedConfig: pulumi.output(plan.config),
        resolvedImage: pulumi.output(plan.image),
        discoveryJobName: discovery ? discovery.metadata.name : pulumi.output(undefined),
    };
}
