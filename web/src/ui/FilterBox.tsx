// The search-language filter box: applies on Enter, and shows the server's parse error under
// the text with a caret at the column the server named.
import { useEffect, useState } from "preact/hooks";
import { type FilterError, splitAtError } from "../lib/filter-error";

export function FilterBox({ value, error, onApply }: { value: string; error: FilterError | null; onApply: (filter: string) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const showError = error && error.field === "filter" && text === value;
  return (
    <div class="filter-box">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onApply(text.trim());
        }}
      >
        <input
          type="search"
          data-search-box
          class={showError ? "invalid mono" : "mono"}
          aria-label="Filter runs"
          aria-invalid={showError ? "true" : "false"}
          aria-describedby={showError ? "filter-error" : undefined}
          placeholder="params.lr < 0.01 AND metrics.val/acc >= 0.9 AND status = 'COMPLETED'   (press / to focus, Enter to apply)"
          value={text}
          onInput={(e) => setText((e.target as HTMLInputElement).value)}
        />
        <button type="submit">Apply</button>
        {value && (
          <button type="button" onClick={() => onApply("")}>
            Clear
          </button>
        )}
      </form>
      {error && (showError || error.field !== "filter") && (
        <div id="filter-error" class="filter-error" role="alert">
          {showError && error.index !== null && <FilterCaret text={value} index={error.index} />}
          <div>
            {error.field !== "filter" ? `${error.field}: ` : ""}
            {error.message}
          </div>
        </div>
      )}
    </div>
  );
}

function FilterCaret({ text, index }: { text: string; index: number }) {
  const [before, at, after] = splitAtError(text, index);
  return (
    <pre class="mono caret-line" aria-hidden="true">
      {before}
      <mark>{at}</mark>
      {after}
      {"\n"}
      {" ".repeat(before.length)}^ column {index + 1}
    </pre>
  );
}
