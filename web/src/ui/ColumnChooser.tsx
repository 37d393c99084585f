// Picks the runs table's columns: attributes, params, metric summaries (last, min, max) and
// tags, from the keys seen in the loaded runs.
import { useState } from "preact/hooks";
import { ATTRIBUTES, columnLabel, metricColumnId, paramColumnId, parseColumn, tagColumnId, toggleColumn } from "../lib/columns";

export interface KeysOffered {
  params: string[];
  metrics: string[];
  tags: string[];
}

export function ColumnChooser({ selected, keys, onChange }: { selected: string[]; keys: KeysOffered; onChange: (ids: string[]) => void }) {
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState("");
  const lower = q.toLowerCase();
  const match = (k: string) => !lower || k.toLowerCase().includes(lower);
  const box = (id: string, label: string) => (
    <label class="check" key={id}>
      <input type="checkbox" checked={selected.includes(id)} onChange={() => onChange(toggleColumn(selected, id))} /> {label}
    </label>
  );
  return (
    <div class="chooser">
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        Columns ({selected.length})
      </button>
      {open && (
        <div
          class="popover"
          role="dialog"
          aria-label="Choose columns"
          onKeyDown={(e) => {
            if (e.key === "Escape") setOpen(false);
          }}
        >
          <input type="search" placeholder="Find a key" value={q} aria-label="Find a column" onInput={(e) => setQ((e.target as HTMLInputElement).value)} autoFocus />
          <fieldset>
            <legend>Run</legend>
            {ATTRIBUTES.map((a) => box(a, columnLabel(parseColumn(a)!)))}
          </fieldset>
          <fieldset>
            <legend>Params ({keys.params.length})</legend>
            {keys.params.filter(match).map((k) => box(paramColumnId(k), k))}
          </fieldset>
          <fieldset>
            <legend>Metrics ({keys.metrics.length})</legend>
            {keys.metrics.filter(match).map((k) => (
              <div class="metric-choice" key={k}>
                <span class="clip" title={k}>{k}</span>
                {box(metricColumnId(k, "last"), "last")}
                {box(metricColumnId(k, "min"), "min")}
                {box(metricColumnId(k, "max"), "max")}
              </div>
            ))}
          </fieldset>
          {keys.tags.length > 0 && (
            <fieldset>
              <legend>Tags</legend>
              {keys.tags.filter(match).map((k) => box(tagColumnId(k), k))}
            </fieldset>
          )}
          <button type="button" onClick={() => setOpen(false)}>
            Done
          </button>
        </div>
      )}
    </div>
  );
}
