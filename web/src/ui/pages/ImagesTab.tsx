// Image series of a run: image artifacts (ListArtifacts with media type `image/`, ordered by
// step) grouped by their folder, each with a step slider.
import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "../../api/client";
import { downloadArtifact } from "../../api/download";
import type { Artifact } from "../../gen/labbook/v1/artifact_pb";
import type { Run } from "../../gen/labbook/v1/run_pb";
import { formatInt64 } from "../../lib/format";
import { Empty, ErrorBox, Loading } from "../common";
import { useAsync } from "../hooks";

async function listImages(runId: string, signal: AbortSignal): Promise<Artifact[]> {
  const out: Artifact[] = [];
  let pageToken = "";
  do {
    const res = await api().artifacts.listArtifacts({ runId, mediaTypePrefix: "image/", pageSize: 1000, pageToken }, { signal });
    out.push(...res.artifacts);
    pageToken = res.nextPageToken;
  } while (pageToken && out.length < 20_000);
  return out;
}

/** A series is the folder of the image (`samples/step_10.png` is in `samples`). */
function seriesName(a: Artifact): string {
  const slash = a.path.lastIndexOf("/");
  return slash > 0 ? a.path.slice(0, slash) : "(run root)";
}

export function ArtifactImage({ runId, path, alt }: { runId: string; path: string; alt: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const ctrl = new AbortController();
    let made: string | null = null;
    setUrl(null);
    setFailed(false);
    downloadArtifact(runId, path, { signal: ctrl.signal }).then(
      ({ blob }) => {
        if (ctrl.signal.aborted) return;
        made = URL.createObjectURL(blob);
        setUrl(made);
      },
      () => !ctrl.signal.aborted && setFailed(true),
    );
    return () => {
      ctrl.abort();
      if (made) URL.revokeObjectURL(made);
    };
  }, [runId, path]);
  if (failed) return <div class="state error small">Could not load {path}.</div>;
  if (!url) return <div class="image-placeholder" aria-busy="true" />;
  return <img src={url} alt={alt} class="artifact-image" />;
}

function ImageSeries({ runId, name, images }: { runId: string; name: string; images: Artifact[] }) {
  const [index, setIndex] = useState(images.length - 1);
  useEffect(() => setIndex(images.length - 1), [images.length]);
  const current = images[Math.min(index, images.length - 1)]!;
  return (
    <section class="image-series">
      <h3>
        {name} <span class="muted small">{images.length} images</span>
      </h3>
      {images.length > 1 && (
        <label class="slider">
          step{" "}
          <input
            type="range"
            min={0}
            max={images.length - 1}
            value={index}
            aria-valuetext={current.step !== undefined ? `step ${current.step}` : current.path}
            onInput={(e) => setIndex(Number((e.target as HTMLInputElement).value))}
          />{" "}
          <span class="mono">{current.step !== undefined ? formatInt64(current.step) : "—"}</span>
        </label>
      )}
      <figure>
        <ArtifactImage runId={runId} path={current.path} alt={`${current.path}${current.step !== undefined ? ` at step ${current.step}` : ""}`} />
        <figcaption class="muted small">{current.path}</figcaption>
      </figure>
    </section>
  );
}

export function ImagesTab({ run }: { run: Run }) {
  const list = useAsync((signal) => listImages(run.id, signal), [run.id]);
  const groups = useMemo(() => {
    const m = new Map<string, Artifact[]>();
    for (const a of list.data ?? []) {
      const n = seriesName(a);
      let g = m.get(n);
      if (!g) m.set(n, (g = []));
      g.push(a);
    }
    for (const g of m.values()) g.sort((a, b) => (a.step !== undefined && b.step !== undefined ? Number(a.step - b.step) : 0) || a.path.localeCompare(b.path));
    return [...m.entries()];
  }, [list.data]);
  if (list.error) return <ErrorBox error={list.error} what="the images" onRetry={list.reload} />;
  if (!list.data) return <Loading what="images" />;
  if (!groups.length)
    return (
      <Empty title="This run has no images.">
        <p>Log one with <code>run.log_image("samples/step_10.png", step=10)</code>; images of one folder form a series with a step slider.</p>
      </Empty>
    );
  return (
    <div class="images">
      {groups.map(([name, images]) => (
        <ImageSeries key={name} runId={run.id} name={name} images={images} />
      ))}
    </div>
  );
}
