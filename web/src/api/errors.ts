// Errors of API calls as the UI shows them: the status code, the server's ErrorInfo reason and
// metadata, and a sentence saying what the user can do about it.
import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorInfoSchema } from "../gen/google/rpc/error_details_pb";
import { type CallerInfo, roleIn } from "./session";

export interface ApiError {
  code: Code;
  codeName: string;
  message: string;
  /** ErrorInfo reason without the ERROR_REASON_ prefix, e.g. RUN_NOT_FOUND. */
  reason: string | undefined;
  metadata: Record<string, string>;
}

export function describeError(e: unknown): ApiError {
  const err = ConnectError.from(e);
  const info = err.findDetails(ErrorInfoSchema).find((d) => d.domain === "labbook.dev") ?? err.findDetails(ErrorInfoSchema)[0];
  return {
    code: err.code,
    codeName: Code[err.code] ?? String(err.code),
    message: err.rawMessage,
    reason: info?.reason,
    metadata: { ...(info?.metadata ?? {}) },
  };
}

/** True for errors that mean "the call was cancelled on purpose" (navigation, unmount). */
export function isAbort(e: unknown): boolean {
  return ConnectError.from(e).code === Code.Canceled;
}

/** What to do about an error, in one sentence. */
export function hint(e: ApiError): string {
  switch (e.reason) {
    case "RUN_NOT_FOUND":
      return "This run does not exist (or was purged). Check the link, or pick a run from its experiment.";
    case "EXPERIMENT_NOT_FOUND":
      return "This experiment does not exist (or was purged). Pick one from the experiments list.";
    case "INVALID_FILTER":
      return "Fix the filter at the marked position; docs/search.md describes the language.";
    case "INVALID_PAGE_TOKEN":
      return "The list changed its query while paging; reload the page.";
    case "SEARCH_TIMEOUT":
      return "The search took too long: narrow the filter (e.g. add status or a param range).";
    case "ARTIFACT_IS_REFERENCE":
      return "A reference has no stored content; open its URI instead.";
    default:
      break;
  }
  switch (e.code) {
    case Code.Unavailable:
      return "The Labbook server cannot be reached: check that `labbook server` is running, then reload.";
    case Code.Unimplemented:
      return "This server does not serve this call: update the Labbook server to the UI's version.";
    case Code.PermissionDenied:
      return "Your token has no role that allows this; ask a project admin for access.";
    case Code.Unauthenticated:
      return "Sign in with an API token to see this.";
    case Code.DeadlineExceeded:
      return "The server took too long; try again in a moment.";
    case Code.NotFound:
      return "It does not exist (any more); go back and pick another.";
    default:
      return "Reload the page; if it happens again, the server log has the details.";
  }
}

/**
 * What a PERMISSION_DENIED means for the user: which project their token lacks a role in, and
 * what they can do. `project` is the page's project when the error does not name one
 * (ErrorInfo metadata `project`).
 */
export function denial(e: ApiError, who: CallerInfo | undefined, project?: string): { title: string; text: string } {
  const p = e.metadata["project"] || project || "";
  const token = who ? `Your token (${who.principal})` : "Your token";
  const where = p ? `project “${p}”` : "this project";
  const role = who && p ? roleIn(who, p) : undefined;
  if (role) {
    return {
      title: `Your role in ${where} does not allow this.`,
      text: `${token} is ${role} in ${where}. Ask an admin of ${where} for a token with a higher role, or sign in with another token.`,
    };
  }
  const has = who?.roles.length ? ` It has: ${who.roles.map((r) => `${r.role} in ${r.project === "*" ? "every project" : r.project}`).join(", ")}.` : "";
  return {
    title: `No access to ${where}.`,
    text: `${token} has no role in ${where}.${has} Ask an admin of ${where} for a token with a role there (viewer to read), or sign in with another token.`,
  };
}
