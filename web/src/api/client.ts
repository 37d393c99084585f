// The generated labbook.v1 clients over gRPC-Web, talking to the server that served the page
// (same origin: no CORS, no second address to configure; the session cookie goes along).
import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { AccessService } from "../gen/labbook/v1/access_pb";
import { ArtifactService } from "../gen/labbook/v1/artifact_pb";
import { ExperimentService } from "../gen/labbook/v1/experiment_pb";
import { LogService } from "../gen/labbook/v1/log_pb";
import { MetricService } from "../gen/labbook/v1/metric_pb";
import { ProjectService } from "../gen/labbook/v1/project_pb";
import { RunService } from "../gen/labbook/v1/run_pb";
import { ServerService } from "../gen/labbook/v1/server_pb";
import { noteCallError } from "./session";

export interface Api {
  projects: Client<typeof ProjectService>;
  experiments: Client<typeof ExperimentService>;
  runs: Client<typeof RunService>;
  metrics: Client<typeof MetricService>;
  logs: Client<typeof LogService>;
  artifacts: Client<typeof ArtifactService>;
  access: Client<typeof AccessService>;
  server: Client<typeof ServerService>;
}

export function createApi(transport: Transport): Api {
  return {
    projects: createClient(ProjectService, transport),
    experiments: createClient(ExperimentService, transport),
    runs: createClient(RunService, transport),
    metrics: createClient(MetricService, transport),
    logs: createClient(LogService, transport),
    artifacts: createClient(ArtifactService, transport),
    access: createClient(AccessService, transport),
    server: createClient(ServerService, transport),
  };
}

/**
 * Tells the session about every failed call, so that an UNAUTHENTICATED one (no, an expired or a
 * revoked token) brings up the sign-in view, whichever page made it. A stream can fail at its
 * start or later, so both are watched.
 */
export const sessionInterceptor: Interceptor = (next) => async (req) => {
  try {
    const res = await next(req);
    if (!res.stream) return res;
    const messages = res.message;
    return {
      ...res,
      message: (async function* () {
        try {
          yield* messages;
        } catch (e) {
          noteCallError(e);
          throw e;
        }
      })(),
    };
  } catch (e) {
    noteCallError(e);
    throw e;
  }
};

/** gRPC-Web in binary protobuf, the format every gRPC-Web server speaks. */
export function createApiFor(baseUrl: string, interceptors: Interceptor[] = [sessionInterceptor]): Api {
  return createApi(createGrpcWebTransport({ baseUrl, useBinaryFormat: true, interceptors }));
}

let instance: Api | null = null;

/** The API of the server this page came from. */
export function api(): Api {
  return (instance ??= createApiFor(window.location.origin));
}
