// The generated labbook.v1 clients over gRPC-Web, talking to the server that served the page
// (same origin: no CORS, no second address to configure).
import { type Client, createClient, type Transport } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { ArtifactService } from "../gen/labbook/v1/artifact_pb";
import { ExperimentService } from "../gen/labbook/v1/experiment_pb";
import { LogService } from "../gen/labbook/v1/log_pb";
import { MetricService } from "../gen/labbook/v1/metric_pb";
import { ProjectService } from "../gen/labbook/v1/project_pb";
import { RunService } from "../gen/labbook/v1/run_pb";

export interface Api {
  projects: Client<typeof ProjectService>;
  experiments: Client<typeof ExperimentService>;
  runs: Client<typeof RunService>;
  metrics: Client<typeof MetricService>;
  logs: Client<typeof LogService>;
  artifacts: Client<typeof ArtifactService>;
}

export function createApi(transport: Transport): Api {
  return {
    projects: createClient(ProjectService, transport),
    experiments: createClient(ExperimentService, transport),
    runs: createClient(RunService, transport),
    metrics: createClient(MetricService, transport),
    logs: createClient(LogService, transport),
    artifacts: createClient(ArtifactService, transport),
  };
}

/** gRPC-Web in binary protobuf, the format every gRPC-Web server speaks. */
export function createApiFor(baseUrl: string): Api {
  return createApi(createGrpcWebTransport({ baseUrl, useBinaryFormat: true }));
}

let instance: Api | null = null;

/** The API of the server this page came from. */
export function api(): Api {
  return (instance ??= createApiFor(window.location.origin));
}
