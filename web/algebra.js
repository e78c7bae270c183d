// The Algebra panel: a zoo automaton or a pasted automaton JSON → analyzeSemigroup (the report of
// `testbeds algebra --json`, plus the Krohn–Rhodes levels as `formatDecomposition` prints them).
// The analysis runs in the page's Web Worker (page-worker.js), with Stop: enumerating up to 2·10^6
// elements takes seconds. `window.algebraOf(source)` returns the report object for a zoo name or a
// JSON string, computed on the page's thread (tests).
import { $, esc, options, setLine, yesNo, zooNames } from './ui.js';
import { dClassDiagram } from './plot.js';
import { PageWorker } from './worker-client.js';

const MAX_DRAWN_D_CLASSES = 60;

/** The page's bound on |T(A)|: the worker's memory, and patience. */
const PAGE_MAX_SIZE = 2_000_000;
const MAX_LISTED_D_CLASSES = 20;
let lib;
const worker = new PageWorker();

/** The automaton the form describes: pasted JSON (validated as the file format) wins over the name. */
function automatonFrom(lib, name, json) {
  if (json.trim() === '') return lib.zoo(name);
  let raw;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new Error(`automaton JSON: not valid JSON (${e.message})`);
  }
  return lib.validateAutomaton(raw, 'automaton JSON');
}

/** analyzeSemigroup as the panel shows it (plain data, so a worker can send it): { name, report, kr, seconds }. */
export function analyseWith(library, { name = '', json = '' }) {
  const a = automatonFrom(library, name, json);
  const t0 = performance.now();
  const analysis = library.analyzeSemigroup(a, { maxSize: PAGE_MAX_SIZE, decompose: 'auto' });
  const seconds = (performance.now() - t0) / 1000;
  const r = analysis.report;
  const kr = analysis.decomposition ? library.formatDecomposition(analysis.decomposition) : `not computed (the page decomposes automata with at most 128 states; this one has ${r.degree})`;
  return { name: a.name, report: r, kr, seconds };
}

const n = (x) => x.toLocaleString('en-US');

function show({ name, report: r, kr, seconds }) {
  const kind = r.isGroup ? 'group' : r.aperiodic ? 'aperiodic' : 'neither group nor aperiodic';
  const subgroups = r.subgroups.length
    ? `<table id="a-subgroups"><tr><th>group</th><th>order</th><th>degree</th><th>composition factors</th><th>solvable</th><th>D-classes</th></tr>${r.subgroups
        .map((g) => `<tr><td>${esc(g.structure ?? '—')}</td><td>${n(g.order)}</td><td>${g.degree}</td><td>${esc(g.factors.join(', '))}</td><td>${g.solvable ? 'yes' : 'no'}</td><td>${g.dClasses}</td></tr>`)
        .join('')}</table>`
    : '<p class="caption">none: every maximal subgroup is trivial</p>';
  const dRows = r.dClassList.slice(0, MAX_LISTED_D_CLASSES).map((D, c) =>
    `<tr><td>D${c}</td><td>${D.rank}</td><td>${n(D.size)}</td><td>${D.rClasses} × ${D.lClasses}</td><td>${D.hSize}</td><td>${D.regular ? esc(D.group) : '—'}</td><td>${D.below ? (D.below.length ? D.below.map((b) => 'D' + b).join(' ') : '—') : ''}</td></tr>`,
  ).join('');
  $('a-result').innerHTML = `
    <dl>
      <dt>automaton</dt><dd id="a-name">${esc(name)}: ${n(r.generators)} maps of ${n(r.degree)} states</dd>
      <dt>|T(A)|</dt><dd id="a-size">${n(r.size)} elements, ${n(r.idempotents)} idempotents, longest shortest word ${r.maxWordLength}</dd>
      <dt>Green's classes</dt><dd id="a-green">${n(r.dClasses)} D (${r.regularDClasses} regular), ${n(r.rClasses)} R, ${n(r.lClasses)} L, ${n(r.hClasses)} H</dd>
      <dt>kind</dt><dd id="a-kind">${yesNo(r.isGroup || r.aperiodic, kind, kind)} ${yesNo(r.solvable, 'solvable', 'not solvable')} ${r.permutations ? '<span class="tag">permutation automaton</span>' : ''}</dd>
      <dt>time</dt><dd>${(seconds * 1000).toFixed(1)} ms</dd>
    </dl>
    <h2>Shortcut depth</h2>
    <ul class="text" id="a-shortcut">${r.shortcut.text.map((t) => `<li>${esc(t)}</li>`).join('')}</ul>
    <h2>Maximal subgroups (non-trivial, up to isomorphism)</h2>
    ${subgroups}
    <h2>The D-order${r.dClasses > MAX_DRAWN_D_CLASSES ? ` (first ${MAX_DRAWN_D_CLASSES} of ${n(r.dClasses)} D-classes)` : ''}</h2>
    <p class="caption">Each box is a D-class (an egg-box of R × L cells of |H| elements); a line joins a class to the classes just below it.
    Solid boxes are regular and name their group H-class (the maximal subgroup); dashed grey boxes are not regular.</p>
    <div class="scroll">${dClassDiagram(r.dClassList, { id: 'a-dorder', max: MAX_DRAWN_D_CLASSES })}</div>
    <h2>D-classes, top first${r.dClasses > MAX_LISTED_D_CLASSES ? ` (first ${MAX_LISTED_D_CLASSES} of ${n(r.dClasses)})` : ''}</h2>
    <table id="a-dclasses"><tr><th>D</th><th>rank</th><th>size</th><th>R × L</th><th>|H|</th><th>group</th><th>below</th></tr>${dRows}</table>
    <h2>Krohn–Rhodes</h2>
    <pre id="a-kr">${esc(kr)}</pre>
    <details><summary>report JSON (as <code>testbeds algebra --json</code>)</summary><pre id="a-report-json">${esc(JSON.stringify(r, null, 1))}</pre></details>`;
}

export function init(library) {
  lib = library;
  $('a-zoo').innerHTML = options(zooNames(lib, ['symmetric:4', 'alternating:4', 'dihedral:8', 'flipflop:3', 'cyclic:16']), 'symmetric:4');
  $('a-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const job = { name: $('a-custom').value.trim() || $('a-zoo').value, json: $('a-json-in').value };
    try {
      automatonFrom(lib, job.name, job.json); // a bad name or JSON is reported here, before a worker starts
    } catch (e) {
      $('a-result').innerHTML = '';
      setLine('a-status', e.message, true);
      return;
    }
    setLine('a-status', 'analysing in a worker…');
    $('a-run').disabled = true;
    $('a-stop').disabled = false;
    try {
      show(await worker.run('algebra', job));
      setLine('a-status', 'done');
    } catch (e) {
      if (!worker.stopped) $('a-result').innerHTML = '';
      setLine('a-status', worker.stopped ? 'stopped' : e.message, !worker.stopped);
    } finally {
      $('a-run').disabled = false;
      $('a-stop').disabled = true;
    }
  });
  $('a-stop').addEventListener('click', () => worker.stop());
  $('a-run').disabled = false;
  window.algebraOf = (source) => analyseWith(lib, source.trim().startsWith('{') ? { json: source } : { name: source }).report;
}
