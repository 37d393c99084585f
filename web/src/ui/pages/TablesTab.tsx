// Tables of a run (Azure's log_list / log_row / log_table): shown as a table, and as a line
// chart when it has numeric columns (the first numeric column is x when there are several,
// e.g. the `sine` rows x/y; otherwise the row number).
import { useMemo } from "preact/hooks";
import { api } from "../../api/client";
import { ColumnType, type GetTableResponse, type TableColumn, type TableRow } from "../../gen/labbook/v1/metric_pb";
import type { Run } from "../../gen/labbook/v1/run_pb";
import { formatInt64, formatNumber } from "../../lib/format";
import { seriesStyle } from "../../lib/palette";
import type { Points } from "../../lib/series";
import { DEFAULT_CHART_OPTIONS, type Route } from "../../lib/url";
import { Chart, type ChartSeries } from "../Chart";
import { Empty, ErrorBox, Loading } from "../common";
import { useAsync, useWidth } from "../hooks";
import { Link } from "../router";

type RunRoute = Extract<Route, { page: "run" }>;

const MAX_ROWS = 10_000;
const SHOWN_ROWS = 1000;

async function readTable(runId: string, table: string, signal: AbortSignal): Promise<{ columns: TableColumn[]; rows: TableRow[]; more: boolean }> {
  const rows: TableRow[] = [];
  let columns: TableColumn[] = [];
  let pageToken = "";
  let res: GetTableResponse;
  do {
    res = await api().metrics.getTable({ runId, table, pageSize: 10000, pageToken }, { signal });
    columns = res.columns;
    rows.push(...res.rows);
    pageToken = res.nextPageToken;
  } while (pageToken && rows.length < MAX_ROWS);
  return { columns, rows, more: pageToken !== "" };
}

function cellText(row: TableRow, name: string): string {
  const c = row.cells[name];
  if (!c) return "";
  return c.kind.case === "numberValue" ? formatNumber(c.kind.value) : c.kind.case === "stringValue" ? c.kind.value : "";
}

function num(row: TableRow, name: string): number {
  const c = row.cells[name];
  return c?.kind.case === "numberValue" ? c.kind.value : NaN;
}

function TableChart({ columns, rows }: { columns: TableColumn[]; rows: TableRow[] }) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const numeric = columns.filter((c) => c.type === ColumnType.NUMBER).map((c) => c.name);
  const series = useMemo<ChartSeries[]>(() => {
    if (!numeric.length) return [];
    const xName = numeric.length > 1 ? numeric[0]! : null;
    const ys = xName ? numeric.slice(1) : numeric;
    const x = rows.map((r, i) => (xName ? num(r, xName) : i));
    // Rows need not be ordered by x; the chart sorts them.
    return ys.map((name, i) => {
      const points: Points = { step: x, time: x, value: rows.map((r) => num(r, name)), downsampled: false };
      return { label: name, points, colour: seriesStyle(i).colour, dash: seriesStyle(i).dash, originMs: 0 };
    });
  }, [columns, rows]);
  if (!series.length || rows.length < 2) return null;
  return (
    <div ref={ref} class="table-chart">
      <p class="muted small">
        {numeric.length > 1 ? `${numeric.slice(1).join(", ")} against ${numeric[0]}` : `${numeric[0]} by row`}
      </p>
      {width > 0 && <Chart series={series} options={DEFAULT_CHART_OPTIONS} width={width} height={240} legend={series.length > 1} />}
    </div>
  );
}

export function TablesTab({ run, route }: { run: Run; route: RunRoute }) {
  const list = useAsync((signal) => api().metrics.listTables({ runId: run.id, pageSize: 1000 }, { signal }), [run.id]);
  const name = route.table || list.data?.tables[0]?.name || "";
  const table = useAsync((signal) => (name ? readTable(run.id, name, signal) : Promise.resolve(undefined)), [run.id, name]);
  if (list.error) return <ErrorBox error={list.error} what="the tables" onRetry={list.reload} />;
  if (!list.data) return <Loading what="tables" />;
  if (!list.data.tables.length)
    return (
      <Empty title="This run has no tables.">
        <p>Tables come from <code>run.log_row("sine", x=1, y=0.84)</code>, <code>log_list</code> and <code>log_table</code>.</p>
      </Empty>
    );
  return (
    <div class="split">
      <nav class="side-list" aria-label="Tables">
        {list.data.tables.map((t) => (
          <Link key={t.name} to={{ ...route, table: t.name }} replace={true} class={t.name === name ? "active" : ""}>
            {t.name} <span class="muted small">{formatInt64(t.rowCount)} rows</span>
          </Link>
        ))}
      </nav>
      <div class="grow">
        {table.error ? (
          <ErrorBox error={table.error} what={`table ${name}`} onRetry={table.reload} />
        ) : !table.data ? (
          <Loading what={`table ${name}`} />
        ) : (
          <>
            <TableChart columns={table.data.columns} rows={table.data.rows} />
            <div class="table-scroll">
              <table class="grid-table">
                <thead>
                  <tr>
                    <th class="num">#</th>
                    {table.data.columns.map((c) => (
                      <th key={c.name} class={c.type === ColumnType.NUMBER ? "num" : ""}>{c.name}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {table.data.rows.slice(0, SHOWN_ROWS).map((r, i) => (
                    <tr key={i}>
                      <td class="num muted">{i}</td>
                      {table.data!.columns.map((c) => (
                        <td key={c.name} class={c.type === ColumnType.NUMBER ? "num" : ""}>{cellText(r, c.name)}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {(table.data.rows.length > SHOWN_ROWS || table.data.more) && (
              <p class="muted small">
                Showing the first {Math.min(SHOWN_ROWS, table.data.rows.length)} rows{table.data.more ? ` (the chart uses the first ${table.data.rows.length})` : ""}.
              </p>
            )}
          </>
        )}
      </div>
    </div>
  );
}
