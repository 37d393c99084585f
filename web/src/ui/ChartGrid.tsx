// A grid of chart cards grouped by key prefix, virtualized: only the rows of cards in (or next
// to) the viewport exist, so a run with 2,000 metric keys has as many DOM nodes and charts as
// one with 20. Each card additionally waits for an IntersectionObserver before it asks for its
// data, so rows rendered as overscan cost nothing until they are really seen.
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { groupKeys } from "../lib/groups";
import { useWidth } from "./hooks";

const MIN_CARD_WIDTH = 380;
const HEADER_HEIGHT = 40;
const OVERSCAN_PX = 300;

type GridRow = { kind: "header"; name: string; count: number; top: number } | { kind: "cards"; keys: string[]; top: number };

export function ChartGrid({
  keys,
  cardHeight,
  renderCard,
}: {
  keys: readonly string[];
  cardHeight: number;
  renderCard: (key: string, width: number) => ComponentChildren;
}) {
  const [widthRef, width] = useWidth<HTMLDivElement>();
  const scroller = useRef<HTMLDivElement | null>(null);
  const [view, setView] = useState({ top: 0, height: 800 });
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const cols = Math.max(1, Math.floor(width / MIN_CARD_WIDTH));
  const cardWidth = Math.floor(width / cols) - 12;
  const groups = useMemo(() => groupKeys(keys), [keys]);
  const setScroller = useCallback(
    (el: HTMLDivElement | null) => {
      scroller.current = el;
      widthRef(el);
    },
    [widthRef],
  );
  const { rows, total } = useMemo(() => {
    const out: GridRow[] = [];
    let top = 0;
    for (const g of groups) {
      if (groups.length > 1 || g.name) {
        out.push({ kind: "header", name: g.name, count: g.keys.length, top });
        top += HEADER_HEIGHT;
      }
      if (collapsed.has(g.name)) continue;
      for (let i = 0; i < g.keys.length; i += cols) {
        out.push({ kind: "cards", keys: g.keys.slice(i, i + cols), top });
        top += cardHeight;
      }
    }
    return { rows: out, total: top };
  }, [groups, cols, cardHeight, collapsed]);

  useEffect(() => {
    const el = scroller.current;
    if (el) setView({ top: el.scrollTop, height: el.clientHeight });
  }, [total]);

  const lo = view.top - OVERSCAN_PX;
  const hi = view.top + view.height + OVERSCAN_PX;
  const visible = rows.filter((r) => r.top + (r.kind === "header" ? HEADER_HEIGHT : cardHeight) >= lo && r.top <= hi);

  return (
    <div
      class="chart-scroller"
      ref={setScroller}
      onScroll={(e) => {
        const el = e.currentTarget as HTMLDivElement;
        setView({ top: el.scrollTop, height: el.clientHeight });
      }}
    >
      <div class="chart-space" style={{ height: `${total}px` }}>
        {width > 0 &&
          visible.map((r) =>
            r.kind === "header" ? (
              <div class="group-head" key={`h:${r.name}`} style={{ transform: `translateY(${r.top}px)`, height: `${HEADER_HEIGHT}px` }}>
                <button
                  type="button"
                  aria-expanded={!collapsed.has(r.name)}
                  onClick={() => {
                    const next = new Set(collapsed);
                    if (next.has(r.name)) next.delete(r.name);
                    else next.add(r.name);
                    setCollapsed(next);
                  }}
                >
                  {collapsed.has(r.name) ? "▸" : "▾"} {r.name || "(no prefix)"} <span class="muted">{r.count}</span>
                </button>
              </div>
            ) : (
              <div
                class="card-row"
                key={`r:${r.keys[0]}`}
                style={{ transform: `translateY(${r.top}px)`, height: `${cardHeight}px`, gridTemplateColumns: `repeat(${cols}, 1fr)` }}
              >
                {r.keys.map((k) => (
                  <div class="card-slot" key={k}>
                    {renderCard(k, cardWidth)}
                  </div>
                ))}
              </div>
            ),
          )}
      </div>
    </div>
  );
}

/** True once the element has been in view (then stays true). */
export function useSeen<E extends Element>(): [(el: E | null) => void, boolean] {
  const [seen, setSeen] = useState(false);
  const observer = useRef<IntersectionObserver | null>(null);
  const ref = useCallback((el: E | null) => {
    observer.current?.disconnect();
    if (!el) return;
    observer.current = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        setSeen(true);
        observer.current?.disconnect();
      }
    });
    observer.current.observe(el);
  }, []);
  useEffect(() => () => observer.current?.disconnect(), []);
  return [ref, seen];
}
