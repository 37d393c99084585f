import { describe, expect, it } from "vitest";
import {
  formatAgo,
  formatBytes,
  formatDuration,
  formatInt64,
  formatNumber,
  formatValue,
  runDurationMs,
  valueAsNumber,
} from "../src/lib/format";

describe("formatNumber", () => {
  it("keeps NaN and infinities visible", () => {
    expect(formatNumber(NaN)).toBe("NaN");
    expect(formatNumber(Infinity)).toBe("∞");
    expect(formatNumber(-Infinity)).toBe("-∞");
  });
  it("shortens decimals and groups integers", () => {
    expect(formatNumber(0.123456789)).toBe("0.12346");
    expect(formatNumber(1234567)).toBe("1,234,567");
    expect(formatNumber(-2.5)).toBe("-2.5");
    expect(formatNumber(0)).toBe("0");
  });
  it("uses exponents for very small and very large values", () => {
    expect(formatNumber(0.00001234)).toBe("1.234e-5");
    expect(formatNumber(3.5e12)).toBe("3.5e+12");
  });
  it("is empty for missing values", () => {
    expect(formatNumber(null)).toBe("");
    expect(formatNumber(undefined)).toBe("");
  });
});

describe("formatInt64", () => {
  it("is exact beyond 2^53", () => {
    expect(formatInt64(9007199254740993n)).toBe("9,007,199,254,740,993");
    expect(formatInt64(-9223372036854775808n)).toBe("-9,223,372,036,854,775,808");
    expect(formatInt64(12n)).toBe("12");
  });
});

describe("formatDuration", () => {
  it("picks the unit by size", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(1234)).toBe("1.2 s");
    expect(formatDuration(42_000)).toBe("42 s");
    expect(formatDuration(245_000)).toBe("4m 05s");
    expect(formatDuration(3 * 3_600_000 + 4 * 60_000)).toBe("3h 04m");
    expect(formatDuration(2 * 86_400_000 + 3 * 3_600_000)).toBe("2d 03h");
  });
  it("is empty for nonsense", () => {
    expect(formatDuration(-1)).toBe("");
    expect(formatDuration(NaN)).toBe("");
  });
});

describe("runDurationMs", () => {
  it("counts to now while running and to the end once finished", () => {
    expect(runDurationMs(1000, 0, 5000)).toBe(4000);
    expect(runDurationMs(1000, 3000, 5000)).toBe(2000);
    expect(runDurationMs(0, 0, 5000)).toBeNull();
  });
});

describe("formatAgo and formatBytes", () => {
  it("says how long ago", () => {
    expect(formatAgo(10_000, 20_000)).toBe("just now");
    expect(formatAgo(0, 20_000)).toBe("");
    expect(formatAgo(0 + 1, 5 * 60_000)).toBe("5 min ago");
  });
  it("scales bytes", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(20n * 1024n * 1024n)).toBe("20 MiB");
  });
});

describe("formatValue", () => {
  it("shows each param type as logged", () => {
    expect(formatValue({ kind: { case: "intValue", value: 9007199254740993n } })).toBe("9007199254740993");
    expect(formatValue({ kind: { case: "doubleValue", value: 0.001 } })).toBe("0.001");
    expect(formatValue({ kind: { case: "stringValue", value: "adam" } })).toBe("adam");
    expect(formatValue({ kind: { case: "boolValue", value: false } })).toBe("false");
    expect(formatValue({ kind: { case: undefined } })).toBe("");
    expect(formatValue(undefined)).toBe("");
  });
  it("turns numeric params into numbers for plots", () => {
    expect(valueAsNumber({ kind: { case: "intValue", value: 3n } })).toBe(3);
    expect(valueAsNumber({ kind: { case: "stringValue", value: "3" } })).toBeNull();
  });
});
