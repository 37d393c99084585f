// Test data for the e2e specs, logged through the server's own HTTP port with the generated
// client (gRPC-Web, the unary "twin" RPCs browsers use), so the specs need nothing but
// LABBOOK_UI_URL: no SDK, no second address.
import { create } from "@bufbuild/protobuf";
import type { Interceptor } from "@connectrpc/connect";
import { type Api, createApiFor } from "../src/api/client";
import { ValueSchema } from "../src/gen/labbook/v1/common_pb";
import { LogLevel, LogStream } from "../src/gen/labbook/v1/log_pb";
import { type Run, RunStatus } from "../src/gen/labbook/v1/run_pb";

/** The API as an admin: with the token when the server wants one (LABBOOK_E2E_TOKEN). */
export function seedApi(baseUrl: string, token = process.env["LABBOOK_E2E_TOKEN"] ?? ""): Api {
  const bearer: Interceptor = (next) => (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  return createApiFor(baseUrl, token ? [bearer] : []);
}

export type ParamValue = string | number | boolean | bigint;

function value(v: ParamValue) {
  if (typeof v === "string") return create(ValueSchema, { kind: { case: "stringValue", value: v } });
  if (typeof v === "boolean") return create(ValueSchema, { kind: { case: "boolValue", value: v } });
  if (typeof v === "bigint") return create(ValueSchema, { kind: { case: "intValue", value: v } });
  return create(ValueSchema, Number.isInteger(v) ? { kind: { case: "intValue", value: BigInt(v) } } : { kind: { case: "doubleValue", value: v } });
}

/** A unique name per test run, so that specs never see each other's data. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

export async function openRun(api: Api, experiment: string, name: string, params: Record<string, ParamValue> = {}, project = "default"): Promise<Run> {
  const res = await api.runs.openRun({
    project,
    experimentName: experiment,
    createExperimentIfMissing: true,
    name,
    params: Object.entries(params).map(([key, v]) => ({ key, value: value(v) })),
    source: { script: "train.py", args: ["--epochs", "3"], host: "e2e-host" },
  });
  return res.run!;
}

/** Logs `steps` points of each key: value = f(key index, step). */
export async function logMetrics(api: Api, runId: string, keys: string[], steps: number[], f: (k: number, step: number) => number): Promise<void> {
  const keyIndex: number[] = [];
  const step: bigint[] = [];
  const timestampMs: bigint[] = [];
  const values: number[] = [];
  const now = Date.now();
  keys.forEach((_, k) => {
    for (const s of steps) {
      keyIndex.push(k);
      step.push(BigInt(s));
      timestampMs.push(BigInt(now + s * 10));
      values.push(f(k, s));
    }
  });
  await api.metrics.batchLogMetrics({ batch: { runId, keys, keyIndex, step, timestampMs, value: values } });
}

export async function logLines(api: Api, runId: string, texts: string[], level = LogLevel.INFO, stream = LogStream.STDOUT): Promise<void> {
  const now = BigInt(Date.now());
  await api.logs.appendLogLines({ runId, lines: texts.map((text) => ({ text, level, stream, timestampMs: now })) });
}

export async function finish(api: Api, runId: string): Promise<void> {
  await api.runs.finishRun({ runId, status: RunStatus.COMPLETED });
}
