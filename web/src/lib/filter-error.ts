// Where a search filter failed: the server's INVALID_FILTER error carries the field (`filter`
// or `order_by[i]`) and the 1-based column; the filter box draws a caret there.

export interface FilterError {
  field: string;
  /** 0-based index into the filter text; null when the server gave no column. */
  index: number | null;
  message: string;
}

export function filterErrorFrom(reason: string | undefined, metadata: Readonly<Record<string, string>>, message: string): FilterError | null {
  if (reason !== "INVALID_FILTER") return null;
  const column = Number.parseInt(metadata["column"] ?? "", 10);
  return {
    field: metadata["field"] ?? "filter",
    index: Number.isFinite(column) && column >= 1 ? column - 1 : null,
    message: message.replace(/^filter: /, ""),
  };
}

/** The text before the error, the character at it (a space at the end), and the rest. */
export function splitAtError(text: string, index: number): [string, string, string] {
  const i = Math.max(0, Math.min(index, text.length));
  return [text.slice(0, i), text.slice(i, i + 1) || " ", text.slice(i + 1)];
}
