// Metric keys grouped into sections by their prefix (`train/loss` is in `train`), as the chart
// page shows them. Keys without a slash go into the unnamed first group.

export interface KeyGroup {
  name: string;
  keys: string[];
}

export function groupKeys(keys: readonly string[]): KeyGroup[] {
  const groups = new Map<string, string[]>();
  for (const key of keys) {
    const slash = key.indexOf("/");
    const name = slash > 0 ? key.slice(0, slash) : "";
    let list = groups.get(name);
    if (!list) groups.set(name, (list = []));
    list.push(key);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b)))
    .map(([name, list]) => ({ name, keys: list.sort((a, b) => a.localeCompare(b)) }));
}

/** Keys matching a filter typed by the user: substrings, or a /regex/ (case-insensitive). */
export function filterKeys(keys: readonly string[], query: string): string[] {
  const q = query.trim();
  if (!q) return [...keys];
  if (q.length > 2 && q.startsWith("/") && q.endsWith("/")) {
    try {
      const re = new RegExp(q.slice(1, -1), "i");
      return keys.filter((k) => re.test(k));
    } catch {
      return [];
    }
  }
  const lower = q.toLowerCase();
  return keys.filter((k) => k.toLowerCase().includes(lower));
}
