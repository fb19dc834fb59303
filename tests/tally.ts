// Counts of what generated programs did, shared by the property suite and `npm run fuzz`.

import { CLUSTER_TEMPLATE, DEPLOYMENT, ISVC, Registered, SECRET, TEMPLATE, TEMPLATE_CACHE, unwrapSecrets } from "./harness";
import { CaseOutcome, Kind, KINDS, Problem, PROBLEMS, ProblemKind, Program, tokensOf } from "./programs";

export class Tally {
    cases = 0;
    components = 0;
    registered = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
    cleanErrors = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
    problems = Object.fromEntries(PROBLEMS.map((p) => [p, 0])) as Record<ProblemKind, number>;
    /** The first few problems of each kind, with the case they come from. */
    examples: (Problem & { caseNumber: number })[] = [];
    /** Registered Kubernetes objects by kind. */
    objects: Record<string, number> = {};
    /** Token Secrets holding a generated hfToken as a Pulumi secret: the plaintext check is not vacuous. */
    tokenSecrets = 0;
    /** Combinations only valid programs reach (see reach). */
    reached = { derivedTemplates: 0, templateOwnedCaches: 0, sharedClaims: 0 };
    /** Texts of clean errors, with the AIM name and quoted values blanked, counted. */
    messages = new Map<string, number>();
    times: number[] = [];

    add(program: Program, outcome: CaseOutcome): void {
        const caseNumber = this.cases++;
        this.times.push(outcome.ms);
        for (const step of outcome.steps) {
            this.components++;
            if (step.status === "registered") this.registered[step.kind]++;
            if (step.status === "clean error") {
                this.cleanErrors[step.kind]++;
                const text = step.message!.replace(/"[^"]*"/g, '"…"');
                this.messages.set(text, (this.messages.get(text) ?? 0) + 1);
            }
        }
        for (const problem of outcome.problems) {
            this.problems[problem.kind]++;
            if (this.examples.filter((e) => e.kind === problem.kind).length < 3) this.examples.push({ ...problem, caseNumber });
        }
        const tokens = tokensOf(program);
        this.reach(outcome.resources);
        for (const r of outcome.resources) {
            if (r.type.startsWith("kubernetes:")) this.objects[r.inputs.kind] = (this.objects[r.inputs.kind] ?? 0) + 1;
            // The plaintext check has already failed the case if the token were not wrapped as a secret.
            if (r.type === SECRET && tokens.includes(unwrapSecrets(r.inputs).stringData?.token)) this.tokenSecrets++;
        }
    }

    /**
     * Counts templates derived from a service's overrides (AIMServiceTemplates under a template), template caches
     * made for a template (a service's cacheModel, a template's pre-warming) and claims mounted by more than one
     * workload (a cache shared by source).
     */
    private reach(resources: Registered[]): void {
        const types = new Map(resources.map((r) => [r.urn, r.type]));
        const underTemplate = (r: Registered) => [TEMPLATE, CLUSTER_TEMPLATE].includes(types.get(r.parent) ?? "");
        this.reached.derivedTemplates += resources.filter((r) => r.type === TEMPLATE && underTemplate(r)).length;
        this.reached.templateOwnedCaches += resources.filter((r) => r.type === TEMPLATE_CACHE && underTemplate(r)).length;
        const mounts = new Map<string, number>();
        for (const r of resources.filter((r) => [DEPLOYMENT, ISVC].includes(r.type))) {
            const pod = r.type === ISVC ? r.inputs.spec?.predictor : r.inputs.spec?.template?.spec;
            for (const v of pod?.volumes ?? []) {
                const claim = v.persistentVolumeClaim?.claimName;
                if (claim) mounts.set(`${r.inputs.metadata.namespace}/${claim}`, (mounts.get(`${r.inputs.metadata.namespace}/${claim}`) ?? 0) + 1);
            }
        }
        this.reached.sharedClaims += [...mounts.values()].filter((n) => n > 1).length;
    }

    /** Whether some clean error's text contains `fragment`. */
    sawError(fragment: string): boolean {
        return [...this.messages.keys()].some((m) => m.includes(fragment));
    }

    percentile(p: number): number {
        const sorted = [...this.times].sort((a, b) => a - b);
        return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
    }

    report(seconds: number): string {
        const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
        const byKind = (r: Record<Kind, number>) => KINDS.map((k) => `${k} ${r[k]}`).join(", ");
        const fraction = (k: Kind) => {
            const tried = this.registered[k] + this.cleanErrors[k];
            return `${k} ${((100 * this.registered[k]) / Math.max(1, tried)).toFixed(1)}% (${this.registered[k]}/${tried})`;
        };
        const lines = [
            `cases                      ${this.cases} (${this.components} components)`,
            `valid registrations        ${sum(this.registered)} (${byKind(this.registered)})`,
            `clean errors               ${sum(this.cleanErrors)} (${byKind(this.cleanErrors)})`,
            `valid fraction             ${KINDS.map(fraction).join(", ")}`,
            `reached                    derived templates ${this.reached.derivedTemplates}, template caches made for a template ` +
                `${this.reached.templateOwnedCaches}, claims mounted by 2+ workloads ${this.reached.sharedClaims}, HTTPRoutes ${this.objects.HTTPRoute ?? 0}`,
            ...PROBLEMS.map((p) => `${p.padEnd(27)}${this.problems[p]}`),
            `kubernetes objects         ${Object.entries(this.objects).map(([k, n]) => `${k} ${n}`).join(", ")}`,
            `token secrets checked      ${this.tokenSecrets}`,
            `time                       ${seconds.toFixed(1)} s (${((seconds * 1000) / Math.max(1, this.cases)).toFixed(1)} ms/case; ` +
                `per case p50 ${this.percentile(50)} ms, p99 ${this.percentile(99)} ms, max ${this.percentile(100)} ms)`,
        ];
        for (const e of this.examples) lines.push(`  case ${e.caseNumber}: ${e.kind}: ${e.detail}`);
        return lines.join("\n");
    }
}
