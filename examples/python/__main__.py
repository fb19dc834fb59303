"""AIM quick start in Python: the default-config pattern through the component provider in provider/.

    cd examples/python
    pulumi package add ../../provider   # generates the pulumi_aim SDK under sdks/ and adds it to requirements.txt
    pulumi stack init dev && pulumi preview

The Python SDK registers resources asynchronously, so each dependent lists what it references in depends_on: the
engine then constructs it only after the config, image and template it names, and the provider has them in its
catalog when it resolves the dependent (and after the namespace it deploys into).
"""

import pulumi
import pulumi_aim as aim
import pulumi_kubernetes as k8s

# The namespace the template's discovery Job and the service run in: the package creates no application namespace.
# The pull secret ghcr-pull must exist in it too.
ml_team = k8s.core.v1.Namespace("ml-team", metadata=k8s.meta.v1.ObjectMetaArgs(name="ml-team"))

default_config = aim.AIMClusterConfig(
    "default",
    image_pull_secrets=[aim.LocalObjectReferenceArgs(name="ghcr-pull")],
    routing=aim.ConfigRoutingArgs(
        gateway=aim.GatewayParentReferenceArgs(name="kaiwo-gateway", namespace="kaiwo-system"),
    ),
)

image = aim.AIMClusterImage(
    "llama-3-8b",
    image="ghcr.io/silogen/aim:0.4.0-meta-llama-llama-3.1-8b-instruct-v20251006",
    opts=pulumi.ResourceOptions(depends_on=[default_config]),
)

# No config_name: the template uses "default"; its discovery Job gets the config's pull secrets.
template = aim.AIMServiceTemplate(
    "llama-3-8b-latency",
    namespace="ml-team",
    aim_image_name="llama-3-8b",
    metric=aim.Metric.LATENCY,
    precision=aim.Precision.FP8,
    gpu_selector=aim.GpuSelectorArgs(count=1, model="MI300X"),
    opts=pulumi.ResourceOptions(depends_on=[ml_team, default_config, image]),
)

# A GPU Deployment and a Service, routed through the config's gateway at /ml-team/llama-chat.
chat = aim.AIMService(
    "llama-chat",
    namespace="ml-team",
    aim_image_name="llama-3-8b",
    template_ref="llama-3-8b-latency",
    # The route makes the endpoint reachable through the Gateway: require a generated key (vLLM's VLLM_API_KEY).
    api_key=aim.ServiceApiKeyArgs(enabled=True),
    opts=pulumi.ResourceOptions(depends_on=[ml_team, default_config, image, template]),
)

pulumi.export("discoveryJob", template.discovery_job_name)
pulumi.export("config", chat.resolved_config)
pulumi.export("path", chat.route_path)
pulumi.export("endpoint", chat.endpoint)
pulumi.export("apiKey", chat.api_key)
