// Chart options shared by the run page and compare: key filter, x axis, smoothing, log scale.
import { useEffect, useState } from "preact/hooks";
import type { XMode } from "../lib/series";
import type { ChartOptions } from "../lib/url";

export function ChartControls({
  options,
  keys,
  count,
  onChange,
}: {
  options: ChartOptions;
  keys: string;
  count: string;
  onChange: (options: ChartOptions, keys: string) => void;
}) {
  const [text, setText] = useState(keys);
  const [smooth, setSmooth] = useState(options.smooth);
  useEffect(() => setText(keys), [keys]);
  useEffect(() => setSmooth(options.smooth), [options.smooth]);
  return (
    <div class="toolbar chart-controls">
      <input
        type="search"
        data-search-box
        aria-label="Filter metric keys"
        placeholder="Filter keys: text or /regex/"
        value={text}
        onInput={(e) => {
          const v = (e.target as HTMLInputElement).value;
          setText(v);
          onChange(options, v);
        }}
      />
      <label>
        x axis{" "}
        <select value={options.x} onChange={(e) => onChange({ ...options, x: (e.target as HTMLSelectElement).value as XMode }, keys)}>
          <option value="step">step</option>
          <option value="relative">time since start</option>
          <option value="wall">wall time</option>
        </select>
      </label>
      <label>
        smoothing{" "}
        <input
          type="range"
          min={0}
          max={0.99}
          step={0.01}
          value={smooth}
          aria-valuetext={smooth.toFixed(2)}
          onInput={(e) => setSmooth(Number((e.target as HTMLInputElement).value))}
          onChange={(e) => onChange({ ...options, smooth: Number((e.target as HTMLInputElement).value) }, keys)}
        />{" "}
        <span class="mono">{smooth.toFixed(2)}</span>
      </label>
      <label class="check">
        <input type="checkbox" checked={options.log} onChange={(e) => onChange({ ...options, log: (e.target as HTMLInputElement).checked }, keys)} /> log scale
      </label>
      <span class="muted small">{count} · drag to zoom, double-click to reset</span>
    </div>
  );
}
