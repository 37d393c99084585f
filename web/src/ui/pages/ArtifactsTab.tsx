// Artifacts of a run: a folder tree of files and references; a file can be downloaded and
// previewed (images, CSV as a table, text), a reference shows its URI.
import { useMemo, useState } from "preact/hooks";
import { api } from "../../api/client";
import { describeError } from "../../api/errors";
import { downloadArtifact, saveArtifact } from "../../api/download";
import { type Artifact, ArtifactKind } from "../../gen/labbook/v1/artifact_pb";
import { Direction } from "../../gen/labbook/v1/common_pb";
import type { Run } from "../../gen/labbook/v1/run_pb";
import { buildTree, parseCsv, previewKind, type TreeNode } from "../../lib/artifacts";
import { formatBytes, formatInt64, formatTime } from "../../lib/format";
import type { Route } from "../../lib/url";
import { Empty, ErrorBox, Loading } from "../common";
import { useAsync } from "../hooks";
import { navigate } from "../router";
import { ArtifactImage } from "./ImagesTab";

type RunRoute = Extract<Route, { page: "run" }>;

const PREVIEW_BYTES = 256 * 1024;

async function listAll(runId: string, signal: AbortSignal): Promise<Artifact[]> {
  const out: Artifact[] = [];
  let pageToken = "";
  do {
    const res = await api().artifacts.listArtifacts({ runId, pageSize: 1000, pageToken }, { signal });
    out.push(...res.artifacts);
    pageToken = res.nextPageToken;
  } while (pageToken && out.length < 50_000);
  return out;
}

function Tree({ node, selected, onSelect, depth }: { node: TreeNode; selected: string; onSelect: (path: string) => void; depth: number }) {
  const [open, setOpen] = useState(depth < 2);
  if (node.isFile)
    return (
      <li>
        <button type="button" class={node.path === selected ? "tree-item active" : "tree-item"} onClick={() => onSelect(node.path)}>
          {node.name}
        </button>
      </li>
    );
  const list = (
    <ul class="tree">
      {node.children.map((c) => (
        <Tree key={`${c.isFile}:${c.name}`} node={c} selected={selected} onSelect={onSelect} depth={depth + 1} />
      ))}
    </ul>
  );
  if (depth === 0) return list;
  return (
    <li>
      <button type="button" class="tree-item folder" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? "▾" : "▸"} {node.name}/
      </button>
      {open && list}
    </li>
  );
}

function Preview({ runId, artifact }: { runId: string; artifact: Artifact }) {
  const kind = artifact.kind === ArtifactKind.REFERENCE ? "none" : previewKind(artifact.path, artifact.mediaType);
  const text = useAsync(
    async (signal) => {
      if (kind !== "text" && kind !== "csv") return undefined;
      const { blob, truncated } = await downloadArtifact(runId, artifact.path, { maxBytes: PREVIEW_BYTES, signal });
      return { text: await blob.text(), truncated };
    },
    [runId, artifact.path, kind],
  );
  if (kind === "image") return <ArtifactImage runId={runId} path={artifact.path} alt={artifact.path} />;
  if (kind === "none") return null;
  if (text.error) return <ErrorBox error={text.error} what="the preview" />;
  if (!text.data) return <Loading what="the preview" />;
  const note = text.data.truncated ? <p class="muted small">Preview of the first {formatBytes(PREVIEW_BYTES)}; download for the whole file.</p> : null;
  if (kind === "csv") {
    const rows = parseCsv(text.data.text, artifact.path.toLowerCase().endsWith(".tsv") ? "\t" : ",", 200);
    const [head, ...body] = rows;
    return (
      <div class="table-scroll">
        <table class="grid-table">
          <thead>
            <tr>{(head ?? []).map((h, i) => <th key={i}>{h}</th>)}</tr>
          </thead>
          <tbody>
            {body.map((r, i) => (
              <tr key={i}>{r.map((c, j) => <td key={j}>{c}</td>)}</tr>
            ))}
          </tbody>
        </table>
        {note}
      </div>
    );
  }
  return (
    <>
      <pre class="text-preview">{text.data.text}</pre>
      {note}
    </>
  );
}

export function ArtifactsTab({ run, route }: { run: Run; route: RunRoute }) {
  const list = useAsync((signal) => listAll(run.id, signal), [run.id]);
  const tree = useMemo(() => buildTree((list.data ?? []).map((a) => a.path)), [list.data]);
  const selected = list.data?.find((a) => a.path === route.path);
  const [saveError, setSaveError] = useState("");
  if (list.error) return <ErrorBox error={list.error} what="the artifacts" onRetry={list.reload} />;
  if (!list.data) return <Loading what="artifacts" />;
  if (!list.data.length)
    return (
      <Empty title="This run has no artifacts.">
        <p>Files come from <code>run.log_file("model.pt")</code> (or <code>./outputs/</code> of <code>labbook run</code>); references from <code>run.log_artifact(name, uri)</code>.</p>
      </Empty>
    );
  return (
    <div class="split">
      <nav class="side-list artifact-tree" aria-label="Artifacts">
        <Tree node={tree} selected={route.path} onSelect={(path) => navigate({ ...route, path }, { replace: true })} depth={0} />
      </nav>
      <div class="grow">
        {!selected ? (
          <p class="muted">Pick a file on the left to see its details and a preview.</p>
        ) : (
          <div class="artifact">
            <h2 class="mono">{selected.path}</h2>
            <dl class="facts">
              <dt>Kind</dt>
              <dd>{selected.kind === ArtifactKind.REFERENCE ? "reference" : "file"}, {selected.direction === Direction.INPUT ? "input" : "output"}</dd>
              {selected.kind === ArtifactKind.REFERENCE ? (
                <>
                  <dt>URI</dt>
                  <dd class="mono">{/^https?:\/\//.test(selected.uri) ? <a href={selected.uri} rel="noreferrer noopener" target="_blank">{selected.uri}</a> : selected.uri}</dd>
                </>
              ) : (
                <>
                  <dt>Size</dt>
                  <dd>{formatBytes(selected.sizeBytes)} ({formatInt64(selected.sizeBytes)} bytes)</dd>
                  <dt>SHA-256</dt>
                  <dd class="mono small">{selected.sha256}</dd>
                </>
              )}
              {selected.mediaType && (<><dt>Media type</dt><dd>{selected.mediaType}</dd></>)}
              {selected.step !== undefined && (<><dt>Step</dt><dd>{formatInt64(selected.step)}</dd></>)}
              <dt>Stored</dt>
              <dd>{formatTime(Number(selected.createTimeMs))}</dd>
            </dl>
            {selected.kind !== ArtifactKind.REFERENCE && (
              <p>
                <button type="button" onClick={() => saveArtifact(run.id, selected.path).then(() => setSaveError(""), (e) => setSaveError(describeError(e).message))}>
                  Download
                </button>{" "}
                {saveError && <span class="error-text">{saveError}</span>}
              </p>
            )}
            <Preview runId={run.id} artifact={selected} />
          </div>
        )}
      </div>
    </div>
  );
}
