// A run's text log: ReadLogs from the start, following new lines while the run is live; filter
// by level and stream and search, client-side over the lines read. Only the visible lines are
// rendered, so long logs stay fast.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api } from "../../api/client";
import { isAbort } from "../../api/errors";
import { type LogLine, LogLevel, LogStream } from "../../gen/labbook/v1/log_pb";
import type { Run } from "../../gen/labbook/v1/run_pb";
import { formatTime } from "../../lib/format";
import type { Route } from "../../lib/url";
import { Empty, ErrorBox } from "../common";
import { navigate } from "../router";

type RunRoute = Extract<Route, { page: "run" }>;

const LINE_HEIGHT = 20;
const MAX_LINES = 200_000;

const LEVELS: [LogLevel, string][] = [
  [LogLevel.DEBUG, "debug"],
  [LogLevel.INFO, "info"],
  [LogLevel.WARNING, "warning"],
  [LogLevel.ERROR, "error"],
];
const STREAMS: [LogStream, string][] = [
  [LogStream.STDOUT, "stdout"],
  [LogStream.STDERR, "stderr"],
  [LogStream.USER, "user"],
];

function levelName(l: LogLevel): string {
  return LEVELS.find(([v]) => v === l)?.[1] ?? "info";
}
function streamName(s: LogStream): string {
  return STREAMS.find(([v]) => v === s)?.[1] ?? "user";
}

export function LogsTab({ run, route, live }: { run: Run; route: RunRoute; live: boolean }) {
  const lines = useRef<LogLine[]>([]);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState(false);
  const [follow, setFollow] = useState(true);
  const [q, setQ] = useState(route.q);

  // One stream from the first line (or from where a dropped one stopped), kept open while live.
  useEffect(() => {
    const ctrl = new AbortController();
    let frame = 0;
    const refresh = () => {
      if (!frame) frame = requestAnimationFrame(() => {
        frame = 0;
        setVersion((v) => v + 1);
      });
    };
    const read = async () => {
      for (let attempt = 0; !ctrl.signal.aborted; attempt++) {
        try {
          const start = lines.current.length ? lines.current[lines.current.length - 1]!.offset + 1n : 0n;
          for await (const msg of api().logs.readLogs({ runId: run.id, startOffset: start, follow: live }, { signal: ctrl.signal })) {
            for (const l of msg.lines) lines.current.push(l);
            if (lines.current.length > MAX_LINES) lines.current.splice(0, lines.current.length - MAX_LINES);
            refresh();
          }
          setDone(true);
          return;
        } catch (e) {
          if (ctrl.signal.aborted || isAbort(e)) return;
          if (!live || attempt >= 5) {
            setError(e);
            return;
          }
          await new Promise((r) => setTimeout(r, 1000 * (attempt + 1)));
        }
      }
    };
    void read();
    return () => {
      ctrl.abort();
      cancelAnimationFrame(frame);
    };
  }, [run.id, live]);

  const levels = route.levels;
  const streams = route.streams;
  const shown = useMemo(() => {
    const lower = q.toLowerCase();
    return lines.current.filter(
      (l) =>
        (!levels.length || levels.includes(levelName(l.level))) &&
        (!streams.length || streams.includes(streamName(l.stream))) &&
        (!lower || l.text.toLowerCase().includes(lower)),
    );
  }, [version, q, levels.join(), streams.join()]);

  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 600 });
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (follow) el.scrollTop = el.scrollHeight;
    setView({ top: el.scrollTop, height: el.clientHeight });
  }, [shown.length, follow]);
  const first = Math.max(0, Math.floor(view.top / LINE_HEIGHT) - 20);
  const last = Math.min(shown.length, Math.ceil((view.top + view.height) / LINE_HEIGHT) + 20);

  const toggle = (list: string[], name: string, field: "levels" | "streams") => {
    const next = list.includes(name) ? list.filter((x) => x !== name) : [...list, name];
    navigate({ ...route, [field]: next }, { replace: true });
  };

  return (
    <div class="logs-tab">
      <div class="toolbar">
        <input
          type="search"
          data-search-box
          placeholder="Search the log"
          aria-label="Search the log"
          value={q}
          onInput={(e) => {
            const v = (e.target as HTMLInputElement).value;
            setQ(v);
            navigate({ ...route, q: v }, { replace: true });
          }}
        />
        <fieldset class="inline">
          <legend>Level</legend>
          {LEVELS.map(([, name]) => (
            <label class="check" key={name}>
              <input type="checkbox" checked={!levels.length || levels.includes(name)} onChange={() => toggle(levels.length ? levels : LEVELS.map(([, n]) => n), name, "levels")} /> {name}
            </label>
          ))}
        </fieldset>
        <fieldset class="inline">
          <legend>Stream</legend>
          {STREAMS.map(([, name]) => (
            <label class="check" key={name}>
              <input type="checkbox" checked={!streams.length || streams.includes(name)} onChange={() => toggle(streams.length ? streams : STREAMS.map(([, n]) => n), name, "streams")} /> {name}
            </label>
          ))}
        </fieldset>
        <label class="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow((e.target as HTMLInputElement).checked)} /> follow
        </label>
        <span class="muted small" aria-live="polite">
          {shown.length} of {lines.current.length} lines{live && !done ? " · live" : ""}
        </span>
      </div>
      {error ? (
        <ErrorBox error={error} what="the log" />
      ) : done && !lines.current.length ? (
        <Empty title="This run has no log lines.">
          <p>Console output of <code>labbook run</code> and lines logged through the SDK (<code>run.log_text(...)</code>) show up here.</p>
        </Empty>
      ) : (
        <div
          class="log-view mono"
          ref={scroller}
          role="log"
          aria-label="Log lines"
          tabIndex={0}
          onScroll={(e) => {
            const el = e.currentTarget as HTMLDivElement;
            setView({ top: el.scrollTop, height: el.clientHeight });
            const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - LINE_HEIGHT;
            if (follow !== atBottom) setFollow(atBottom);
          }}
        >
          <div style={{ height: `${shown.length * LINE_HEIGHT}px`, position: "relative" }}>
            {shown.slice(first, last).map((l, i) => (
              <div
                key={String(l.offset)}
                class={`log-line level-${levelName(l.level)} stream-${streamName(l.stream)}`}
                style={{ transform: `translateY(${(first + i) * LINE_HEIGHT}px)` }}
              >
                <span class="muted">{formatTime(Number(l.timestampMs)).slice(11)}</span> <span class="lvl">{levelName(l.level).slice(0, 4)}</span>{" "}
                <span class="txt">{l.text}</span>
              </div>
            ))}
          </div>
        </div>
      )}
    </div>
  );
}
