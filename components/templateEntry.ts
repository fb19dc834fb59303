// One implementation for AIMServiceTemplate and AIMClusterServiceTemplate: validate → resolve image and config →
// render the discovery Job → register it and record the template in the catalog.
// (Each class still declares its own output properties: schema inference reads only a class's own members.)

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { renderDiscoveryJob } from "../render/discoveryJob";
import { planImplicitCache } from "../resolve/cache";
import { mergePullSecrets } from "../render/pod";
import { findImage, resolvedImage } from "../resolve/image";
import { namespaceFields, TemplateSpec } from "../validate/template";
import { AIMTemplateCache } from "./aimTemplateCache";
import { catalogOf, orFail, resolveConfigOf, systemNamespace, systemNamespaceResource, validateArgs } from "./internal";
import { ResolvedConfig, ResolvedImage } from "./types";
import { scopeOf } from "../resolve/catalog";

export interface TemplateOutputs {
    aimName: pulumi.Output<string>;
    resolvedConfig: pulumi.Output<ResolvedConfig>;
    resolvedImage: pulumi.Output<ResolvedImage>;
    discoveryJobName: pulumi.Output<string | undefined>;
}

export function declareTemplate(
    component: pulumi.ComponentResource,
    kind: "AIMServiceTemplate" | "AIMClusterServiceTemplate",
    pulumiName: string,
    schema: z.ZodType<TemplateSpec>,
    args: object,
): TemplateOutputs {
    const spec = validateArgs(component, kind, pulumiName, schema, args);
    const { namespace, imagePullSecrets, env, caching } = namespaceFields(spec);
    const catalog = catalogOf(component);

    // Upstream resolves the image before the config, so a missing image is the error a user sees first.
    const image = resolvedImage(orFail(component, () => findImage(catalog, namespace, spec.aimImageName)));
    const { config } = resolveConfigOf(component, { kind, aimName: spec.name, namespace, configName: spec.configName });
    const scope = scopeOf(namespace);
    // Inline model sources make discovery moot, as upstream skips it since kaiwo fa8a3e90 ("Using in-line model
    // sources, skipping discovery"): nothing reads a dry-run's output at preview, and it pulls the whole image.
    const discover = !spec.modelSources?.length;
    const job = discover && renderDiscoveryJob({
        templateName: spec.name,
        templateScope: scope,
        namespace: namespace ?? systemNamespace(component),
        aimImageName: spec.aimImageName,
        image: image.image,
        metric: spec.metric,
        precision: spec.precision,
        gpuSelector: spec.gpuSelector,
        env,
        imagePullSecrets: mergePullSecrets(imagePullSecrets, config.imagePullSecrets),
    });

    const registry = namespace === undefined ? catalog.clusterTemplates : catalog.templates;
    orFail(component, () => registry.ensureFree(namespace, spec.name));
    // The pre-warming cache is planned here too, so that nothing is registered when it cannot be made.
    if (caching?.enabled && namespace !== undefined) {
        orFail(component, () =>
            planImplicitCache(catalog, { kind, aimName: spec.name, field: "caching.enabled" }, namespace, config, spec),
        );
    }

    const systemNs = namespace === undefined && job ? systemNamespaceResource(component) : undefined;
    const discovery = job
        ? new k8s.batch.v1.Job(`${pulumiName}-discovery`, job, { parent: component, dependsOn: systemNs ? [systemNs] : [] })
        : undefined;
    const declaredBy = { resource: component, pulumiName };
    registry.declare(namespace, spec.name, { scope, spec, image, config, declaredBy, discoveryJob: discovery });
    if (caching?.enabled && namespace !== undefined) {
        // Pre-warming: the template's own cache, named after it and using the template's config.
        new AIMTemplateCache(
            `${pulumiName}-cache`,
            { name: spec.name, namespace, templateRef: spec.name, configName: spec.configName, env: caching.env },
            { parent: component },
        );
    }
    return {
        aimName: pulumi.output(spec.name),
        resolvedConfig: pulumi.output(config),
        resolvedImage: pulumi.output(image),
        discoveryJobName: discovery ? discovery.metadata.name : pulumi.output(undefined),
    };
}
