// The browser page: loads the testbeds bundle (dist/browser/testbeds.js) and wires four panels —
// Simulate, Algebra, Identifiability (HMM), Learn (a tfjs training Web Worker), NCE (the landscape testbed). Each panel calls the
// same library functions as the CLI. Tabs follow the URL hash (#simulate, #algebra, #hmm, #learn, #nce).
// Test hooks: window.testbeds (the library), window.testbedsReady, and one per panel.
import { $ } from './ui.js';
import * as simulatePanel from './simulate.js';
import * as algebraPanel from './algebra.js';
import * as hmmPanel from './hmm.js';
import * as learnPanel from './learn.js';
import * as sweepPanel from './sweep.js';
import * as glitchPanel from './glitch.js';
import * as ncePanel from './nce.js';

let lib;
try {
  lib = await import('../dist/browser/testbeds.js');
} catch (e) {
  // e.g. no WebAssembly SIMD (KernelLoadError), or the bundle was not built (npm run build).
  $('status').textContent = `could not load testbeds: ${e.message}`;
  $('status').className = 'error';
  throw e;
}

for (const panel of [simulatePanel, algebraPanel, hmmPanel, learnPanel, ncePanel]) panel.init(lib);
await sweepPanel.init();
await glitchPanel.init(lib);

const TABS = ['simulate', 'algebra', 'hmm', 'learn', 'nce'];
function showTab(name) {
  if (!TABS.includes(name)) name = 'simulate';
  for (const t of TABS) {
    $(`tab-${t}`).hidden = t !== name;
    document.querySelector(`nav [data-tab=${t}]`).setAttribute('aria-selected', String(t === name));
  }
}
for (const b of document.querySelectorAll('nav [data-tab]')) b.addEventListener('click', () => (location.hash = b.dataset.tab));
window.addEventListener('hashchange', () => showTab(location.hash.slice(1)));
showTab(location.hash.slice(1));

$('status').textContent = lib.hasWasmSimd() ? 'ready (WebAssembly SIMD available)' : 'ready';
window.testbeds = lib;
window.testbedsReady = true;
