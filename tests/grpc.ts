// The provider through the real protocol: an engine and resource monitor implemented here with the SDK's gRPC
// definitions, and the provider started as pulumi-language-nodejs RunPlugin starts it
// (`node @pulumi/pulumi/cmd/run-plugin <plugin directory> <engine address>`, the project directory as working
// directory): run-plugin registers ts-node, and provider/index.js runs the compiled host in bin/ (build it first). No Pulumi CLI is involved: the test calls GetSchema and Construct itself, in the
// order the engine would (a resource's Construct only after those it depends on have returned).

import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { EngineService } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { LogRequest, LogSeverity } from "@pulumi/pulumi/proto/engine_pb";
import { ResourceMonitorService } from "@pulumi/pulumi/proto/resource_grpc_pb";
import { InvokeResponse } from "@pulumi/pulumi/proto/provider_pb";
import {
    RegisterResourceOutputsRequest,
    ResourceInvokeRequest,
    RegisterResourceRequest,
    RegisterResourceResponse,
    SupportsFeatureRequest,
    SupportsFeatureResponse,
} from "@pulumi/pulumi/proto/resource_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { ConstructRequest, ConstructResponse, GetSchemaRequest, GetSchemaResponse } from "@pulumi/pulumi/proto/provider_pb";

const REPO_ROOT = path.resolve(__dirname, "..");
const PROJECT = "aim-grpc";
const STACK = "dev";
const STACK_TYPE = "pulumi:pulumi:Stack";
export const STACK_URN = `urn:pulumi:${STACK}::${PROJECT}::${STACK_TYPE}::${PROJECT}-${STACK}`;

/** The id of every Kubernetes provider resource (tests pass references `<urn>::<PROVIDER_ID>`). */
export const PROVIDER_ID = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Monitor features the Node SDK asks about; the ones answered `true` are those this monitor implements. */
const SUPPORTED_FEATURES = new Set(["secrets", "resourceReferences"]);

/** One RegisterResource call the monitor received. */
export interface Registration {
    urn: string;
    type: string;
    name: string;
    parent: string;
    custom: boolean;
    inputs: Record<string, unknown>;
    dependencies: string[];
    retainOnDelete: boolean;
}

/** One Log call the engine received. */
export interface LogEntry {
    severity: "debug" | "info" | "warning" | "error";
    message: string;
    urn: string;
}

const SEVERITIES: Record<LogSeverity, LogEntry["severity"]> = {
    [LogSeverity.DEBUG]: "debug",
    [LogSeverity.INFO]: "info",
    [LogSeverity.WARNING]: "warning",
    [LogSeverity.ERROR]: "error",
};

/** The URN the engine gives a resource: the parent's type chain (the stack not included), then type and name. */
function urnOf(type: string, name: string, parentUrn: string): string {
    const parentType = parentUrn === "" ? STACK_TYPE : parentUrn.split("::")[2];
    const qualifiedType = parentType === STACK_TYPE ? type : `${parentType}$${type}`;
    return `urn:pulumi:${STACK}::${PROJECT}::${qualifiedType}::${name}`;
}

type Handler<Req, Res> = grpc.handleUnaryCall<Req, Res>;

/**
 * The engine side of a preview: a resource monitor that records registrations and answers custom resources with
 * their inputs as outputs and no id (as a preview does), and an engine that records log messages.
 */
export class FakeEngine {
    readonly registrations: Registration[] = [];
    readonly logs: LogEntry[] = [];
    /** The outputs each component registered with registerOutputs, by URN. */
    readonly componentOutputs = new Map<string, Record<string, unknown>>();

    private constructor(
        private readonly server: grpc.Server,
        readonly address: string,
    ) {}

    static async start(): Promise<FakeEngine> {
        const server = new grpc.Server();
        const port = await new Promise<number>((resolve, reject) =>
            server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
                err ? reject(err) : resolve(p),
            ),
        );
        const engine = new FakeEngine(server, `127.0.0.1:${port}`);
        server.addService(ResourceMonitorService, {
            supportsFeature: engine.supportsFeature,
            registerResource: engine.registerResource,
            registerResourceOutputs: engine.registerResourceOutputs,
            invoke: engine.invoke,
        });
        server.addService(EngineService, { log: engine.log });
        return engine;
    }

    /** Registrations under `parentUrn` (its direct children), in registration order. */
    childrenOf(parentUrn: string): Registration[] {
        return this.registrations.filter((r) => r.parent === parentUrn);
    }

    stop(): void {
        this.server.forceShutdown();
    }

    private readonly supportsFeature: Handler<SupportsFeatureRequest, SupportsFeatureResponse> = (call, callback) => {
        callback(null, new SupportsFeatureResponse().setHassupport(SUPPORTED_FEATURES.has(call.request.getId())));
    };

    private readonly registerResource: Handler<RegisterResourceRequest, RegisterResourceResponse> = (call, callback) => {
        const req = call.request;
        const registration: Registration = {
            urn: urnOf(req.getType(), req.getName(), req.getParent()),
            type: req.getType(),
            name: req.getName(),
            parent: req.getParent(),
            custom: req.getCustom(),
            inputs: (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
            dependencies: req.getDependenciesList(),
            retainOnDelete: req.getRetainondelete() ?? false,
        };
        this.registrations.push(registration);
        const res = new RegisterResourceResponse().setUrn(registration.urn);
        // A custom resource's outputs in a preview: its inputs, no id yet. A component has no outputs of its own.
        if (registration.custom) res.setObject(req.getObject() ?? new Struct());
        callback(null, res);
    };

    private readonly registerResourceOutputs: Handler<RegisterResourceOutputsRequest, Empty> = (call, callback) => {
        const outputs = (call.request.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
        this.componentOutputs.set(call.request.getUrn(), outputs);
        callback(null, new Empty());
    };

    /**
     * The one invoke the SDK makes here: `pulumi:pulumi:getResource`, by which a provider reference passed to
     * Construct becomes a provider resource again. The state of the provider itself does not matter to components.
     */
    private readonly invoke: Handler<ResourceInvokeRequest, InvokeResponse> = (call, callback) => {
        const req = call.request;
        if (req.getTok() !== "pulumi:pulumi:getResource") {
            callback({ code: grpc.status.UNIMPLEMENTED, details: `unexpected invoke ${req.getTok()}` }, null);
            return;
        }
        const { urn } = req.getArgs()!.toJavaScript() as { urn: string };
        const ret = Struct.fromJavaScript({ urn, id: PROVIDER_ID, state: {} });
        callback(null, new InvokeResponse().setReturn(ret));
    };

    private readonly log: Handler<LogRequest, Empty> = (call, callback) => {
        const req = call.request;
        this.logs.push({ severity: SEVERITIES[req.getSeverity()], message: req.getMessage(), urn: req.getUrn() });
        callback(null, new Empty());
    };
}

/** What a Construct call returned. */
export interface Constructed {
    urn: string;
    state: Record<string, unknown>;
}

/** The provider process and a gRPC client connected to it. */
export class ProviderProcess {
    private stderr = "";
    private client!: ResourceProviderClient;

    private constructor(
        private readonly child: ChildProcess,
        private readonly engine: FakeEngine,
    ) {
        child.stderr?.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    }

    /** Starts provider/ as RunPlugin does, and resolves once it has printed its port. */
    static async start(engine: FakeEngine): Promise<ProviderProcess> {
        const runPlugin = require.resolve("@pulumi/pulumi/cmd/run-plugin");
        const child = spawn(process.execPath, [runPlugin, path.join(REPO_ROOT, "provider"), engine.address], {
            cwd: REPO_ROOT,
            env: { ...process.env, PULUMI_NODEJS_TYPESCRIPT: "true" },
            stdio: ["ignore", "pipe", "pipe"],
        });
        const provider = new ProviderProcess(child, engine);
        const port = await new Promise<string>((resolve, reject) => {
            let stdout = "";
            child.stdout.on("data", (chunk: Buffer) => {
                stdout += chunk.toString();
                const line = /^(\d+)\n/.exec(stdout);
                if (line) resolve(line[1]);
            });
            child.once("exit", (code) => reject(new Error(`provider exited (${code}) before printing its port:\n${provider.stderr}`)));
        });
        provider.client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        return provider;
    }

    async getSchema(): Promise<unknown> {
        const res = await new Promise<GetSchemaResponse>((resolve, reject) =>
            this.client.getSchema(new GetSchemaRequest().setVersion(0), (err, r) => (err ? reject(err) : resolve(r))),
        );
        return JSON.parse(res.getSchema());
    }

    /**
     * Calls Construct for a component as the engine does during a preview of the program, parented to the stack.
     * `dependsOn` are the URNs of the resources the program made it depend on; `kubernetesProvider` a provider
     * reference (`<urn>::<id>`) when the program passed an explicit Kubernetes provider; `config` the stack's config
     * (`aim:target` …), which the engine passes with every Construct.
     */
    async construct(
        type: string,
        name: string,
        inputs: Record<string, unknown>,
        opts: { dependsOn?: string[]; kubernetesProvider?: string; config?: Record<string, string> } = {},
    ): Promise<Constructed> {
        const req = new ConstructRequest()
            .setProject(PROJECT)
            .setStack(STACK)
            .setOrganization("organization")
            .setDryrun(true)
            .setParallel(16)
            .setMonitorendpoint(this.engine.address)
            .setType(type)
            .setName(name)
            .setParent(STACK_URN)
            .setInputs(Struct.fromJavaScript(inputs as Parameters<typeof Struct.fromJavaScript>[0]))
            .setDependenciesList(opts.dependsOn ?? [])
            .setAcceptsOutputValues(true);
        if (opts.kubernetesProvider) req.getProvidersMap().set("kubernetes", opts.kubernetesProvider);
        for (const [key, value] of Object.entries(opts.config ?? {})) req.getConfigMap().set(key, value);
        const res = await new Promise<ConstructResponse>((resolve, reject) =>
            this.client.construct(req, (err, r) => (err ? reject(err) : resolve(r))),
        );
        return { urn: res.getUrn(), state: (res.getState()?.toJavaScript() ?? {}) as Record<string, unknown> };
    }

    /** Stops the provider (as the engine does at the end of a deployment) and the client. */
    async stop(): Promise<void> {
        this.client.close();
        if (this.child.exitCode !== null) return;
        const exited = new Promise((resolve) => this.child.once("exit", resolve));
        this.child.kill();
        await exited;
    }
}
