// Artifact paths as a folder tree, how a file can be previewed, and a small CSV reader for
// previews (RFC 4180 quotes; enough to show the first rows).

export interface TreeNode {
  name: string;
  /** Full path for files; the folder's path for folders. */
  path: string;
  children: TreeNode[];
  isFile: boolean;
}

export function buildTree(paths: readonly string[]): TreeNode {
  const root: TreeNode = { name: "", path: "", children: [], isFile: false };
  for (const path of paths) {
    const parts = path.split("/").filter(Boolean);
    let node = root;
    parts.forEach((part, i) => {
      const isFile = i === parts.length - 1;
      const sub = parts.slice(0, i + 1).join("/");
      let child = node.children.find((c) => c.name === part && c.isFile === isFile);
      if (!child) {
        child = { name: part, path: sub, children: [], isFile };
        node.children.push(child);
      }
      node = child;
    });
  }
  const sort = (n: TreeNode) => {
    n.children.sort((a, b) => (a.isFile === b.isFile ? a.name.localeCompare(b.name) : a.isFile ? 1 : -1));
    n.children.forEach(sort);
  };
  sort(root);
  return root;
}

export type PreviewKind = "image" | "csv" | "text" | "none";

const TEXT_EXTENSIONS = /\.(txt|log|md|json|jsonl|ya?ml|toml|ini|cfg|py|sh|js|ts|java|xml|html?|r|sql|out|err)$/i;

export function previewKind(path: string, mediaType: string): PreviewKind {
  const mt = mediaType.toLowerCase();
  if (mt.startsWith("image/")) return "image";
  if (mt === "text/csv" || /\.(csv|tsv)$/i.test(path)) return "csv";
  if (mt.startsWith("text/") || mt === "application/json" || mt.endsWith("+json") || mt.endsWith("yaml") || TEXT_EXTENSIONS.test(path)) return "text";
  return "none";
}

/** Parses CSV (or TSV with `delimiter` tab) into rows of cells; quotes may span lines. */
export function parseCsv(text: string, delimiter = ",", maxRows = 500): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length && rows.length < maxRows; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += ch;
    } else if (ch === '"' && cell === "") quoted = true;
    else if (ch === delimiter) {
      row.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if ((cell !== "" || row.length) && rows.length < maxRows) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
