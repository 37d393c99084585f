// Text for numbers, times, sizes and typed values, the same everywhere in the UI.

/** A metric or summary value: short, but never hides that it is NaN or infinite. */
export function formatNumber(x: number | null | undefined, digits = 5): string {
  if (x === null || x === undefined) return "";
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "∞";
  if (x === -Infinity) return "-∞";
  if (x === 0) return "0";
  const abs = Math.abs(x);
  if (Number.isInteger(x) && abs < 1e9) return groupDigits(String(x));
  if (abs >= 1e9 || abs < 1e-4) return trimExponent(x.toExponential(digits - 1));
  return trimZeros(x.toPrecision(digits));
}

function trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

function trimExponent(s: string): string {
  const [mantissa, exponent] = s.split("e");
  return `${trimZeros(mantissa ?? "")}e${exponent ?? ""}`;
}

/** Thousands separated by commas; keeps a leading minus sign. Exact for any digit string. */
export function groupDigits(digits: string): string {
  const negative = digits.startsWith("-");
  const body = negative ? digits.slice(1) : digits;
  const grouped = body.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return negative ? `-${grouped}` : grouped;
}

/** An int64 from the API (a bigint), exact even beyond 2^53. */
export function formatInt64(value: bigint | number): string {
  return groupDigits(typeof value === "bigint" ? value.toString() : String(Math.trunc(value)));
}

/** A length of time: `850 ms`, `12.3 s`, `4m 05s`, `3h 04m`, `2d 03h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const totalSeconds = Math.floor(seconds);
  const s = totalSeconds % 60;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 60) return `${totalMinutes}m ${pad2(s)}s`;
  const m = totalMinutes % 60;
  const totalHours = Math.floor(totalMinutes / 60);
  if (totalHours < 24) return `${totalHours}h ${pad2(m)}m`;
  return `${Math.floor(totalHours / 24)}d ${pad2(totalHours % 24)}h`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** How long a run ran: until now while it runs, until its end once finished. */
export function runDurationMs(startMs: number, endMs: number, nowMs: number): number | null {
  if (startMs <= 0) return null;
  const end = endMs > 0 ? endMs : nowMs;
  return Math.max(0, end - startMs);
}

/** A wall-clock time in the viewer's time zone: `2025-01-31 12:00:05`. */
export function formatTime(ms: number): string {
  if (!ms) return "";
  const d = new Date(ms);
  return (
    `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`
  );
}

/** `just now`, `5 min ago`, `3 h ago`, `2 d ago`, else the date. */
export function formatAgo(ms: number, nowMs: number): string {
  if (!ms) return "";
  const diff = nowMs - ms;
  if (diff < 45_000) return "just now";
  if (diff < 3_600_000) return `${Math.round(diff / 60_000)} min ago`;
  if (diff < 86_400_000) return `${Math.round(diff / 3_600_000)} h ago`;
  if (diff < 30 * 86_400_000) return `${Math.round(diff / 86_400_000)} d ago`;
  return formatTime(ms).slice(0, 10);
}

/** Bytes as `512 B`, `1.5 KiB`, `20 MiB`. */
export function formatBytes(n: number | bigint): string {
  const bytes = Number(n);
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** The shape of labbook.v1.Value, so that this module does not depend on generated code. */
export interface TypedValue {
  kind:
    | { case: "stringValue"; value: string }
    | { case: "intValue"; value: bigint }
    | { case: "doubleValue"; value: number }
    | { case: "boolValue"; value: boolean }
    | { case: undefined; value?: undefined };
}

/** A param value as the user logged it: ints exact, doubles in full, strings unquoted. */
export function formatValue(v: TypedValue | undefined): string {
  if (!v) return "";
  switch (v.kind.case) {
    case "stringValue":
      return v.kind.value;
    case "intValue":
      return v.kind.value.toString();
    case "doubleValue":
      return formatDouble(v.kind.value);
    case "boolValue":
      return v.kind.value ? "true" : "false";
    default:
      return "";
  }
}

/** The shortest text that reads back as the same double (what the user typed, mostly). */
export function formatDouble(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "-∞";
  return String(x);
}

/** A param value as a number for plotting, or null when it is not numeric. */
export function valueAsNumber(v: TypedValue | undefined): number | null {
  if (!v) return null;
  switch (v.kind.case) {
    case "intValue":
      return Number(v.kind.value);
    case "doubleValue":
      return v.kind.value;
    case "boolValue":
      return v.kind.value ? 1 : 0;
    default:
      return null;
  }
}
