// The Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards, the `latest` version of
// Kubernetes 1.31): the controls of the `baseline` and `restricted` profiles, checked on a rendered pod spec. Written
// from the standard's tables, control by control; the pod-template annotations (AppArmor's legacy keys) are outside a
// pod spec and not checked.

export type PodSecurityLevel = "baseline" | "restricted";

// Baseline "Capabilities": what a container may add.
const BASELINE_CAPABILITIES = [
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
];
// Baseline "Sysctls": the safe set.
const SAFE_SYSCTLS = [
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
];
// Baseline "SELinux": the allowed types.
const SELINUX_TYPES = ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];
// Restricted "Volume Types": the only sources a volume may have.
const RESTRICTED_VOLUMES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

/** Every control of `level` a pod spec violates, one line each: empty when the profile admits it. */
export function podSecurityViolations(pod: any, level: PodSecurityLevel): string[] {
    const out: string[] = [];
    const podContext = pod.securityContext ?? {};
    const containers: any[] = [...(pod.initContainers ?? []), ...(pod.containers ?? []), ...(pod.ephemeralContainers ?? [])];
    const each = (check: (c: any, ctx: any) => string | undefined) => {
        for (const c of containers) {
            const problem = check(c, c.securityContext ?? {});
            if (problem) out.push(`container ${c.name}: ${problem}`);
        }
    };

    // Baseline.
    if (podContext.windowsOptions?.hostProcess) out.push("HostProcess: securityContext.windowsOptions.hostProcess");
    each((_, ctx) => (ctx.windowsOptions?.hostProcess ? "HostProcess: windowsOptions.hostProcess" : undefined));
    for (const field of ["hostNetwork", "hostPID", "hostIPC"]) if (pod[field]) out.push(`Host Namespaces: ${field}`);
    each((_, ctx) => (ctx.privileged ? "Privileged Containers: privileged" : undefined));
    each((_, ctx) => {
        const added = (ctx.capabilities?.add ?? []).filter((cap: string) => !BASELINE_CAPABILITIES.includes(cap));
        return added.length > 0 ? `Capabilities: adds ${added.join(", ")}` : undefined;
    });
    for (const v of pod.volumes ?? []) if (v.hostPath) out.push(`HostPath Volumes: volume ${v.name}`);
    each((c) => ((c.ports ?? []).some((p: any) => p.hostPort) ? "Host Ports: hostPort" : undefined));
    const appArmor = (ctx: any) => ctx.appArmorProfile?.type !== undefined && !["RuntimeDefault", "Localhost"].includes(ctx.appArmorProfile.type);
    if (appArmor(podContext)) out.push("AppArmor: securityContext.appArmorProfile");
    each((_, ctx) => (appArmor(ctx) ? "AppArmor: appArmorProfile" : undefined));
    const seLinux = (ctx: any) => {
        const o = ctx.seLinuxOptions;
        return o !== undefined && (!SELINUX_TYPES.includes(o.type ?? "") || (o.user ?? "") !== "" || (o.role ?? "") !== "");
    };
    if (seLinux(podContext)) out.push("SELinux: securityContext.seLinuxOptions");
    each((_, ctx) => (seLinux(ctx) ? "SELinux: seLinuxOptions" : undefined));
    each((_, ctx) => (ctx.procMount !== undefined && ctx.procMount !== "Default" ? "/proc Mount Type: procMount" : undefined));
    if (podContext.seccompProfile?.type === "Unconfined") out.push("Seccomp: securityContext.seccompProfile Unconfined");
    each((_, ctx) => (ctx.seccompProfile?.type === "Unconfined" ? "Seccomp: seccompProfile Unconfined" : undefined));
    for (const s of podContext.sysctls ?? []) if (!SAFE_SYSCTLS.includes(s.name)) out.push(`Sysctls: ${s.name}`);
    if (level === "baseline") return out;

    // Restricted, on top of baseline.
    for (const v of pod.volumes ?? []) {
        const source = Object.keys(v).filter((key) => key !== "name");
        if (!source.every((key) => RESTRICTED_VOLUMES.includes(key))) out.push(`Volume Types: volume ${v.name} (${source.join(", ")})`);
    }
    each((_, ctx) => (ctx.allowPrivilegeEscalation !== false ? "Privilege Escalation: allowPrivilegeEscalation is not false" : undefined));
    // Running as Non-root: the pod says so and no container says otherwise, or every container says so.
    if (!containers.every((c) => (c.securityContext?.runAsNonRoot ?? podContext.runAsNonRoot) === true)) out.push("Running as Non-root: runAsNonRoot is not true");
    if (podContext.runAsUser === 0) out.push("Running as Non-root user: securityContext.runAsUser 0");
    each((_, ctx) => (ctx.runAsUser === 0 ? "Running as Non-root user: runAsUser 0" : undefined));
    const seccompSet = (ctx: any) => ["RuntimeDefault", "Localhost"].includes(ctx?.seccompProfile?.type);
    if (!containers.every((c) => seccompSet(c.securityContext) || (c.securityContext?.seccompProfile === undefined && seccompSet(podContext)))) {
        out.push("Seccomp: no RuntimeDefault or Localhost profile");
    }
    each((_, ctx) => {
        const drop: string[] = ctx.capabilities?.drop ?? [];
        const added = (ctx.capabilities?.add ?? []).filter((cap: string) => cap !== "NET_BIND_SERVICE");
        return !drop.includes("ALL") ? "Capabilities: does not drop ALL" : added.length > 0 ? `Capabilities: adds ${added.join(", ")}` : undefined;
    });
    return out;
}
