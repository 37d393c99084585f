import { describe, expect, it } from "vitest";
import { buildTree, parseCsv, previewKind } from "../src/lib/artifacts";

describe("artifact tree", () => {
  it("nests paths in folders, folders first", () => {
    const t = buildTree(["model.pt", "samples/b.png", "samples/a.png", "reports/x/metrics.csv"]);
    expect(t.children.map((c) => `${c.name}${c.isFile ? "" : "/"}`)).toEqual(["reports/", "samples/", "model.pt"]);
    expect(t.children[1]!.children.map((c) => c.path)).toEqual(["samples/a.png", "samples/b.png"]);
    expect(t.children[0]!.children[0]!.children[0]!.path).toBe("reports/x/metrics.csv");
  });
});

describe("previews", () => {
  it("knows images, CSV and text", () => {
    expect(previewKind("a/b.png", "image/png")).toBe("image");
    expect(previewKind("m.csv", "application/octet-stream")).toBe("csv");
    expect(previewKind("cfg.yaml", "")).toBe("text");
    expect(previewKind("x.json", "application/json")).toBe("text");
    expect(previewKind("model.pt", "application/octet-stream")).toBe("none");
  });
  it("parses CSV with quotes, doubled quotes, CRLF and newlines in cells", () => {
    expect(parseCsv('a,b\r\n1,"x, ""y"""\n2,"multi\nline"\n')).toEqual([
      ["a", "b"],
      ["1", 'x, "y"'],
      ["2", "multi\nline"],
    ]);
    expect(parseCsv("a\tb\n1\t2", "\t")).toEqual([["a", "b"], ["1", "2"]]);
    expect(parseCsv("a\n1\n2\n3", ",", 2)).toEqual([["a"], ["1"]]);
  });
});
