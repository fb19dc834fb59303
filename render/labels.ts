// Labels of rendered objects: the app.kubernetes.io recommended set plus the aim.silogen.ai keys upstream uses.

import { toLabelValue } from "../resolve/names";

export const AIM_GROUP = "aim.silogen.ai";
export const MANAGED_BY = "pulumi-aim";

/** The recommended `app.kubernetes.io/*` labels of one rendered object. */
export function standardLabels(name: string, component: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/managed-by": MANAGED_BY,
    };
}

/** An `aim.silogen.ai/<key>` label with a sanitized value. */
export function aimLabel(key: string, value: string): Record<string, string> {
    return { [`${AIM_GROUP}/${key}`]: toLabelValue(value) };
}
