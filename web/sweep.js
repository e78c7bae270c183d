// The Learn tab's depth-sweep heatmaps: our quick sweep (bench/results/sweep-quick/table.json) beside
// the paper's table (web/data/paper-depth-table.json, a copy of ../shared/reference's, so the page
// needs nothing outside this repository). `window.sweepTables()` resolves to the data drawn.
import { $, esc } from './ui.js';
import { heatmap } from './plot.js';

const OURS = new URL('../bench/results/sweep-quick/table.json', import.meta.url);
const PAPER = new URL('./data/paper-depth-table.json', import.meta.url);

async function getJson(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url.pathname}: HTTP ${res.status}`);
  return res.json();
}

/** Rows in the paper's order; our cells (accuracy in [0, 1]) as percent. */
export function sweepTables(ours, paper) {
  const rows = Object.keys(paper.rows);
  const byName = (name) => ours.cells.filter((c) => c.automaton === name || c.automaton.split(':')[0] === name);
  const oursValues = rows.map((r) => ours.settings.depths.map((L) => {
    const c = byName(r).find((x) => x.depth === L);
    return c ? 100 * c.accuracy : null;
  }));
  return {
    rows,
    ours: { cols: ours.settings.depths, values: oursValues, settings: ours.settings },
    paper: { cols: paper.depths, values: rows.map((r) => paper.rows[r]), T: paper.T },
  };
}

export async function init() {
  try {
    const [ours, paper] = await Promise.all([getJson(OURS), getJson(PAPER)]);
    const t = sweepTables(ours, paper);
    const s = t.ours.settings;
    $('sweep').innerHTML =
      heatmap({ rows: t.rows, cols: t.ours.cols, values: t.ours.values, title: `ours: T = ${s.length}, width ${s.width}, ${s.steps} steps`, id: 'sweep-ours' }) +
      heatmap({ rows: t.rows, cols: t.paper.cols, values: t.paper.values, title: `paper: T = ${t.paper.T}, width 512`, id: 'sweep-paper' });
    window.sweepTables = async () => t;
  } catch (e) {
    $('sweep').innerHTML = `<p class="line error">could not load the sweep tables: ${esc(e.message)}</p>`;
  }
}
