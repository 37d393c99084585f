// Colours that stay apart for colour-blind readers: Okabe & Ito's eight, then Paul Tol's
// "muted" scheme. Lines past those colours get a dash pattern as well, so that two runs never
// look the same.

const OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"];
const TOL_MUTED = ["#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499"];
const COLOURS = [...OKABE_ITO, ...TOL_MUTED];
const DASHES: (number[] | undefined)[] = [undefined, [6, 3], [2, 3], [8, 3, 2, 3]];

export interface SeriesStyle {
  colour: string;
  dash: number[] | undefined;
}

/** Style of the i-th series (0-based). */
export function seriesStyle(i: number): SeriesStyle {
  const n = COLOURS.length;
  return { colour: COLOURS[i % n]!, dash: DASHES[Math.floor(i / n) % DASHES.length] };
}
