// Small DOM helpers shared by the panels: element lookup, escaping, status lines, matrices as tables.

export const $ = (id) => document.getElementById(id);

export function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

/** Sets a panel's status line; `error` colours it as an error. */
export function setLine(id, text, error = false) {
  $(id).textContent = text;
  $(id).className = error ? 'line error' : 'line';
}

/** A number matrix as an HTML table with row/column headers; `id` lets tests read it back. */
export function matrixTable(m, { id = '', rowLabel = (i) => i, colLabel = (j) => j, digits = 4 } = {}) {
  const head = `<tr><th></th>${m[0].map((_, j) => `<th>${esc(colLabel(j))}</th>`).join('')}</tr>`;
  const rows = m.map((r, i) => `<tr><th>${esc(rowLabel(i))}</th>${r.map((x) => `<td>${x.toFixed(digits)}</td>`).join('')}</tr>`).join('');
  return `<table${id ? ` id="${id}"` : ''}>${head}${rows}</table>`;
}

export const yesNo = (b, yes, no) => `<span class="tag ${b ? 'yes' : 'no'}">${esc(b ? yes : no)}</span>`;

/** Runs `work` after the status line has painted (the library calls are synchronous). */
export function later(work) {
  return new Promise((ok) => setTimeout(() => ok(work()), 0));
}

/** The zoo names offered in the pickers: one example per family plus a few larger ones. */
export function zooNames(lib, extra = []) {
  const names = lib.zooEntries().map((e) => e.example);
  for (const n of extra) if (!names.includes(n)) names.push(n);
  return names;
}

export function options(names, selected) {
  return names.map((n) => `<option${n === selected ? ' selected' : ''}>${esc(n)}</option>`).join('');
}
