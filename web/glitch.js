// The Learn tab's attention-glitch picture: a glitch of the quick flip-flop run's baseline
// Transformer (bench/results/flipflop-quick/glitch.json, written by `testbeds flipflop --show
// … --json`), drawn by the library's glitchSvg (the CLI's --svg draws the same) with its text.
// `window.glitchShown()` resolves to the report drawn.
import { $, esc } from './ui.js';

const GLITCH = new URL('../bench/results/flipflop-quick/glitch.json', import.meta.url);

export async function init(lib) {
  try {
    const res = await fetch(GLITCH);
    if (!res.ok) throw new Error(`${GLITCH.pathname}: HTTP ${res.status}`);
    const report = await res.json();
    $('glitch').innerHTML = report.glitch
      ? `${lib.glitchSvg(report.glitch)}<pre class="line">${esc(lib.glitchText(report))}</pre>`
      : `<pre class="line">${esc(lib.glitchText(report))}</pre>`;
    window.glitchShown = async () => report;
  } catch (e) {
    $('glitch').innerHTML = `<p class="line error">could not load the glitch report: ${esc(e.message)}</p>`;
  }
}
