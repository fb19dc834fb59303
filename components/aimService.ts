import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { routePath, renderHttpRoute } from "../render/httpRoute";
import { hfTokenEnv, renderDeployment, renderService, renderTokenSecret, serviceLabels } from "../render/inference";
import { mergeEnv, mergePullSecrets } from "../render/pod";
import { requireModelSources } from "../resolve/cache";
import { Catalog, ModelCacheEntry, TemplateEntry } from "../resolve/catalog";
import { findImage } from "../resolve/image";
import { resolveRouting } from "../resolve/routing";
import { deriveTemplate, findTemplate, hasOverrides } from "../resolve/template";
import { AimError } from "../validate/common";
import { serviceSchema, ServiceSpec } from "../validate/service";
import { AIMServiceTemplate } from "./aimServiceTemplate";
import { AIMTemplateCache } from "./aimTemplateCache";
import { catalogOf, orFail, resolveConfigOf, typeToken, validateArgs } from "./internal";
import {
    EnvVar,
    GatewayParentReference,
    LocalObjectReference,
    ResolvedConfig,
    ResolvedTemplate,
    ServiceOverrides,
    ServiceResources,
    ServiceRouting,
} from "./types";

export interface AIMServiceArgs {
    /** AIM name; it names the Deployment, Service and HTTPRoute (an RFC 1035 label). Default: the Pulumi resource name. @default the Pulumi resource name */
    name?: string;
    /** Namespace to deploy to. */
    namespace: string;
    /** AIMImage (in the namespace) or AIMClusterImage to serve. */
    aimImageName: string;
    /** Template to deploy with. Default: the image's `defaultServiceTemplate`. @default the image's `defaultServiceTemplate` */
    templateRef?: string;
    /** Number of inference pods. Default: 1. @default 1 */
    replicas?: number;
    /** Cache the template's models in the namespace and mount them. Default: false. @default false */
    cacheModel?: boolean;
    /** Config to use. Default: "default". @default "default" */
    configName?: string;
    /** Profile knobs over the template: they derive the template `<base>-ovr-<8 hex>`, shared by identical overrides. */
    overrides?: ServiceOverrides;
    /** Environment of the inference container; it wins over the template's. */
    env?: EnvVar[];
    /** Pull secrets of the inference pods, before the resolved config's. */
    imagePullSecrets?: LocalObjectReference[];
    /** Container resources over the per-GPU defaults (4 CPUs and 32Gi requested, 48Gi limit, per GPU). */
    resources?: ServiceResources;
    /** Labels of the rendered objects (the package's own labels win), also usable in `routing.pathTemplate`. */
    labels?: Record<string, string>;
    /** Routing through a Gateway; each field set here wins over the resolved config. */
    routing?: ServiceRouting;
    /** Hugging Face token: stored in a Kubernetes Secret and passed as `HF_TOKEN` through `secretKeyRef`. */
    hfToken?: pulumi.Input<string>;
}

/**
 * The effective template: the base, or the template derived from the service's overrides. A derived template is
 * shared by every service with the same overrides and config, so it is parented to the base template and named
 * after it, never after the service that happened to come first.
 */
function effectiveTemplate(catalog: Catalog, spec: ServiceSpec, base: TemplateEntry): TemplateEntry {
    if (!hasOverrides(spec.overrides)) return base;
    const derived = deriveTemplate(base, spec.namespace, spec.overrides, spec.configName);
    const existing = catalog.templates.get(spec.namespace, derived.spec.name);
    if (existing) return existing;
    new AIMServiceTemplate(derived.pulumiName, derived.spec, { parent: base.declaredBy.resource });
    return catalog.templates.get(spec.namespace, derived.spec.name)!;
}

/**
 * The caches of the effective template in the service's namespace: a declared template cache, or one created for
 * the template (parented to it, for the same reason as derived templates), passing the token on to the downloads.
 */
function templateCaches(
    catalog: Catalog,
    spec: ServiceSpec,
    config: ResolvedConfig,
    template: TemplateEntry,
    tokenEnv: EnvVar[],
    tokenSecret: k8s.core.v1.Secret | undefined,
): ModelCacheEntry[] {
    const { namespace } = spec;
    const declared = catalog.templateCaches.values().find((c) => c.namespace === namespace && c.template === template);
    if (declared && declared.configName !== config.name) {
        throw new AimError(
            `AIMService "${spec.name}": cacheModel: template "${template.spec.name}" is already cached in namespace ` +
                `"${namespace}" with config "${declared.configName}", not "${config.name}": declare one AIMTemplateCache ` +
                `for it, or use the same configName`,
        );
    }
    if (declared) return declared.caches;
    new AIMTemplateCache(
        `${template.declaredBy.pulumiName}-${namespace}-cache`,
        {
            name: template.spec.name,
            namespace,
            templateRef: template.spec.name,
            configName: spec.configName,
            env: mergeEnv(spec.env, tokenEnv),
        },
        { parent: template.declaredBy.resource, dependsOn: tokenSecret ? [tokenSecret] : [] },
    );
    return catalog.templateCaches.get(namespace, template.spec.name)!.caches;
}

/**
 * An inference service: a GPU Deployment running the AIM container of its template, a Service on port 80, and —
 * when routing is enabled — a Gateway API HTTPRoute at `/<namespace>/<name>`. The Deployment waits for the
 * template's discovery Job (and the model downloads when `cacheModel` is set), so a failed discovery stops the rollout.
 */
export class AIMService extends pulumi.ComponentResource {
    /** The config this service resolved, with every default filled in. */
    public readonly resolvedConfig: pulumi.Output<ResolvedConfig>;
    /** The template the service runs, after overrides. */
    public readonly resolvedTemplate: pulumi.Output<ResolvedTemplate>;
    /** The Gateway the HTTPRoute attaches to; absent without a route. */
    public readonly routeGateway: pulumi.Output<GatewayParentReference | undefined>;
    /** The route's path prefix; absent without a route. */
    public readonly routePath: pulumi.Output<string | undefined>;
    /** Name of the Deployment. */
    public readonly deploymentName: pulumi.Output<string>;
    /** Name of the Service (port 80). */
    public readonly serviceName: pulumi.Output<string>;

    constructor(name: string, args: AIMServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        // The component's inputs are kept in the state too: the token must be secret there, however it was given.
        super(typeToken("AIMService"), name, { ...args, ...(args?.hfToken !== undefined && { hfToken: pulumi.secret(args.hfToken) }) }, opts);
        const kind = "AIMService";
        const spec = validateArgs(this, kind, name, serviceSchema, args);
        const { namespace } = spec;
        const fail = (field: string, problem: string) => new AimError(`${kind} "${spec.name}": ${field}: ${problem}`);
        const catalog = catalogOf(this);

        // Resolve everything before the first child exists, so a bad reference registers nothing.
        const image = orFail(this, () => findImage(catalog, namespace, spec.aimImageName));
        const { config } = resolveConfigOf(this, { kind, aimName: spec.name, namespace, configName: spec.configName });
        const baseName = spec.templateRef ?? (image.spec.defaultServiceTemplate || undefined);
        const base = orFail(this, () => {
            if (!baseName) {
                throw fail(
                    "templateRef",
                    "No template reference specified and no default template found on the image. " +
                        "Provide templateRef or configure the image's defaultServiceTemplate field.",
                );
            }
            const found = findTemplate(catalog, namespace, baseName);
            if (found.spec.aimImageName !== spec.aimImageName) {
                throw fail("templateRef", `template "${baseName}" runs image "${found.spec.aimImageName}", not "${spec.aimImageName}"`);
            }
            return found;
        });
        if (spec.cacheModel) orFail(this, () => requireModelSources(kind, spec.name, "cacheModel", base));
        const routing = orFail(this, () => resolveRouting({ aimName: spec.name, namespace, routing: spec.routing }, config));
        const path =
            routing &&
            orFail(this, () => {
                try {
                    return routePath(routing.pathTemplate, { name: spec.name, namespace, labels: spec.labels ?? {} });
                } catch (err) {
                    throw fail("routing.pathTemplate", (err as Error).message);
                }
            });

        const template = orFail(this, () => effectiveTemplate(catalog, spec, base));
        const labelInput = { serviceName: spec.name, templateName: template.spec.name, aimImageName: spec.aimImageName, labels: spec.labels };
        const tokenSecretName = `${spec.name}-hf-token`;
        const tokenSecret =
            spec.hfToken !== undefined
                ? new k8s.core.v1.Secret(
                      `${name}-hf-token`,
                      renderTokenSecret(tokenSecretName, namespace, serviceLabels(labelInput), pulumi.secret(spec.hfToken)),
                      { parent: this },
                  )
                : undefined;
        const tokenEnv = tokenSecret ? [hfTokenEnv(tokenSecretName)] : [];
        const caches = spec.cacheModel
            ? orFail(this, () => templateCaches(catalog, spec, config, template, tokenEnv, tokenSecret))
            : [];
        const gpuCount = template.spec.gpuSelector?.count ?? 1;

        const deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            renderDeployment({
                ...labelInput,
                namespace,
                image: template.image.image,
                replicas: spec.replicas,
                gpuCount,
                gpuModel: template.spec.gpuSelector?.model,
                metric: template.spec.metric,
                precision: template.spec.precision,
                templateEnv: "env" in template.spec ? template.spec.env : undefined,
                serviceEnv: spec.env,
                hfTokenSecretName: tokenSecret && tokenSecretName,
                imagePullSecrets: mergePullSecrets(spec.imagePullSecrets, config.imagePullSecrets),
                resources: spec.resources,
                caches: caches.map((c) => ({ claimName: c.pvcName, modelName: c.modelName })),
            }),
            {
                parent: this,
                dependsOn: [template.declaredBy.resource, ...caches.flatMap((c) => c.resources), ...(tokenSecret ? [tokenSecret] : [])],
            },
        );
        const service = new k8s.core.v1.Service(`${name}-service`, renderService({ ...labelInput, namespace }), { parent: this });
        if (routing && path) {
            new k8s.apiextensions.CustomResource(
                `${name}-route`,
                renderHttpRoute({
                    serviceName: spec.name,
                    namespace,
                    labels: serviceLabels(labelInput),
                    annotations: routing.annotations,
                    gateway: routing.gateway,
                    path,
                    requestTimeout: routing.requestTimeout,
                }),
                { parent: this, dependsOn: [service] },
            );
        }

        this.resolvedConfig = pulumi.output(config);
        this.resolvedTemplate = pulumi.output({
            name: template.spec.name,
            scope: template.scope,
            ...(template.spec.metric && { metric: template.spec.metric }),
            ...(template.spec.precision && { precision: template.spec.precision }),
            ...(template.spec.gpuSelector && { gpuModel: template.spec.gpuSelector.model }),
            gpuCount,
        });
        this.routeGateway = pulumi.output(routing?.gateway);
        this.routePath = pulumi.output(path);
        this.deploymentName = deployment.metadata.name;
        this.serviceName = service.metadata.name;
        this.registerOutputs({
            resolvedConfig: this.resolvedConfig,
            resolvedTemplate: this.resolvedTemplate,
            routeGateway: this.routeGateway,
            routePath: this.routePath,
            deploymentName: this.deploymentName,
            serviceName: this.serviceName,
        });
    }
}

