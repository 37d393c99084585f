// Artifact bytes through DownloadArtifact (a server stream of chunks), as a Blob for previews
// and downloads. `maxBytes` limits previews of large files.
import { api } from "./client";

export async function downloadArtifact(runId: string, path: string, options: { maxBytes?: number; signal?: AbortSignal } = {}): Promise<{ blob: Blob; mediaType: string; truncated: boolean; size: number }> {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  let mediaType = "";
  let size = 0;
  let received = 0;
  const stream = api().artifacts.downloadArtifact(
    { runId, path, length: options.maxBytes ? BigInt(options.maxBytes) : 0n },
    options.signal ? { signal: options.signal } : {},
  );
  for await (const msg of stream) {
    if (msg.artifact) {
      mediaType = msg.artifact.mediaType;
      size = Number(msg.artifact.sizeBytes);
    }
    if (msg.chunk.length) {
      parts.push(new Uint8Array(msg.chunk));
      received += msg.chunk.length;
    }
  }
  return { blob: new Blob(parts, mediaType ? { type: mediaType } : {}), mediaType, truncated: size > received, size };
}

/** Saves an artifact as a file through the browser's download. */
export async function saveArtifact(runId: string, path: string): Promise<void> {
  const { blob } = await downloadArtifact(runId, path);
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = path.slice(path.lastIndexOf("/") + 1) || "artifact";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
