// Development tool, never part of the build: answers the browser's gRPC-Web calls by forwarding
// each one to a running Labbook gRPC server, so that `npm run dev` shows real data before (or
// without) the server's own HTTP port. Every method of every labbook.v1 service is forwarded
// as it is; errors travel back with their codes and details. Against a server with access control
// on, LABBOOK_TOKEN is sent with every call (the page then acts as that token; there is no
// sign-in through the bridge).
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { type ConnectRouter, createClient, type Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";
import { AccessService } from "../src/gen/labbook/v1/access_pb.ts";
import { ArtifactService } from "../src/gen/labbook/v1/artifact_pb.ts";
import { ExperimentService } from "../src/gen/labbook/v1/experiment_pb.ts";
import { LogService } from "../src/gen/labbook/v1/log_pb.ts";
import { MetricService } from "../src/gen/labbook/v1/metric_pb.ts";
import { ProjectService } from "../src/gen/labbook/v1/project_pb.ts";
import { RunService } from "../src/gen/labbook/v1/run_pb.ts";
import { ServerService } from "../src/gen/labbook/v1/server_pb.ts";

const SERVICES: DescService[] = [
  AccessService,
  ArtifactService,
  ExperimentService,
  LogService,
  MetricService,
  ProjectService,
  RunService,
  ServerService,
];

type AnyClient = Record<string, (req: unknown, opts: { signal: AbortSignal }) => unknown>;

function forward(router: ConnectRouter, service: DescService, client: AnyClient): void {
  for (const method of service.methods as DescMethod[]) {
    const call = client[method.localName]!;
    if (method.methodKind === "unary") {
      router.rpc(method, ((req: unknown, ctx: { signal: AbortSignal }) =>
        call(req, { signal: ctx.signal })) as never);
    } else if (method.methodKind === "server_streaming") {
      router.rpc(method, async function* (req: unknown, ctx: { signal: AbortSignal }) {
        yield* call(req, { signal: ctx.signal }) as AsyncIterable<unknown>;
      } as never);
    }
    // Client and bidi streams cannot come from a browser; they are left unimplemented.
  }
}

/** A Node request handler that serves labbook.v1 over gRPC-Web by forwarding to `grpcUrl`. */
export function createBridgeHandler(grpcUrl: string, token = process.env["LABBOOK_TOKEN"] ?? "") {
  const bearer: Interceptor = (next) => (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  const transport = createGrpcTransport({ baseUrl: grpcUrl, interceptors: token ? [bearer] : [] });
  return connectNodeAdapter({
    grpcWeb: true,
    connect: true,
    grpc: false,
    routes: (router) => {
      for (const service of SERVICES) {
        forward(router, service, createClient(service, transport) as unknown as AnyClient);
      }
    },
  });
}
