// Routing for a service (design §5, aim-reference §3.2): the service's `routing` wins field by field over the
// resolved config.

import { GatewayParentReference, ResolvedConfig, ServiceRouting } from "../components/types";
import { AimError } from "../validate/common";
import { withGatewayDefaults } from "./config";

export interface EffectiveRouting {
    /** The parent reference with `group`, `kind` and `namespace` filled in. */
    gateway: GatewayParentReference;
    pathTemplate?: string;
    annotations: Record<string, string>;
    requestTimeout?: string;
}

/**
 * Whether the service gets a route, and how. With no `routing.enabled` on the service, the config's
 * `autoCreateRoute` decides, but only a config that exists and a known gateway create a route implicitly: a missing
 * default config never routes on its own, and there is nothing to attach a route to without a gateway. A route
 * enabled explicitly without a gateway anywhere is an error.
 */
export function resolveRouting(
    service: { aimName: string; namespace: string; routing?: ServiceRouting },
    config: ResolvedConfig,
): EffectiveRouting | undefined {
    const gateway = service.routing?.gateway ?? config.routing.gateway;
    const implicitlyEnabled = config.source !== "none" && config.routing.autoCreateRoute && gateway !== undefined;
    if (!(service.routing?.enabled ?? implicitlyEnabled)) return undefined;
    if (!gateway) {
        throw new AimError(
            `AIMService "${service.aimName}": routing.gateway: routing is enabled but no gateway is set on the service ` +
                `or in the resolved config "${config.name}"`,
        );
    }
    return {
        gateway: { ...withGatewayDefaults(gateway), namespace: gateway.namespace || service.namespace },
        pathTemplate: service.routing?.pathTemplate,
        annotations: service.routing?.annotations ?? {},
        requestTimeout: service.routing?.requestTimeout,
    };
}
