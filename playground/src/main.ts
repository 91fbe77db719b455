// The playground page: a form for the composition (kept in the URL), a Web Worker that runs
// it, live progress and mechanism counts, then the report's table and figures for the result.
import { bundledProfiles } from '@visorkit/core';
import { REPORT_CSS, escapeXml as esc, experimentRegistry, platformRegistry, resultHtml } from '@visorkit/lab/browser';
import { exampleRegistry } from './bundled-examples.js';
import type { LiveCounts, RunRequest, WorkerMessage } from './protocol.js';
import { DEFAULT_REQUEST, queryFromRequest, requestFromQuery } from './url-state.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const style = document.createElement('style');
style.textContent = REPORT_CSS;
document.head.append(style);

const targetSel = $<HTMLSelectElement>('target');
const profileSel = $<HTMLSelectElement>('profile');
const platformsBox = $<HTMLFieldSetElement>('platforms');
const seedInput = $<HTMLInputElement>('seed');
const runBtn = $<HTMLButtonElement>('run');
const stopBtn = $<HTMLButtonElement>('stop');
const statusEl = $<HTMLElement>('status');
const bar = $<HTMLProgressElement>('progress');
const countsEl = $<HTMLElement>('counts');
const resultEl = $<HTMLElement>('result');
const describeEl = $<HTMLElement>('describe');

targetSel.innerHTML =
  `<optgroup label="Experiments (pick profile and platforms)">${experimentRegistry.map((e) => `<option value="${esc(e.id)}">${esc(e.id)} — ${esc(e.title)}</option>`).join('')}</optgroup>` +
  exampleRegistry
    .map(
      (ex) =>
        `<optgroup label="Example ${esc(ex.name)} (fixed composition)">${ex.experiments.map((e) => `<option value="${esc(`${ex.name}:${e.id}`)}">${esc(`${ex.name}:${e.id}`)}</option>`).join('')}</optgroup>`,
    )
    .join('');
profileSel.innerHTML = bundledProfiles.map((p) => `<option value="${esc(p.name)}">${esc(p.name)} — ${esc(p.description)}</option>`).join('');
platformsBox.innerHTML =
  '<legend>Platforms</legend>' +
  platformRegistry
    .map((p) => `<label title="${esc(p.description)}"><input type="checkbox" name="platform" value="${esc(p.name)}"> ${esc(p.name)}</label>`)
    .join('');

function checkboxes(): HTMLInputElement[] {
  return [...platformsBox.querySelectorAll<HTMLInputElement>('input[name=platform]')];
}

/** The form's composition. */
function readForm(): RunRequest {
  return {
    target: targetSel.value,
    profile: profileSel.value,
    platforms: checkboxes()
      .filter((c) => c.checked && !c.disabled)
      .map((c) => c.value),
    seed: Math.max(0, Math.min(0xffffffff, Math.floor(Number(seedInput.value) || 0))),
  };
}

/** Puts a composition into the form. */
function writeForm(req: RunRequest): void {
  targetSel.value = req.target;
  if (targetSel.value !== req.target) targetSel.value = DEFAULT_REQUEST.target;
  profileSel.value = req.profile;
  if (profileSel.value !== req.profile) profileSel.value = DEFAULT_REQUEST.profile;
  for (const c of checkboxes()) c.checked = req.platforms.includes(c.value);
  seedInput.value = String(req.seed);
  syncForm();
}

/** Enables what the target allows: an example fixes profile and platforms; hardware limits platforms. */
function syncForm(): void {
  const example = exampleRegistry.find((e) => targetSel.value.startsWith(`${e.name}:`));
  profileSel.disabled = example !== undefined;
  if (example !== undefined) profileSel.value = example.profile.name;
  const profile = bundledProfiles.find((p) => p.name === profileSel.value)!;
  for (const c of checkboxes()) {
    const spec = platformRegistry.find((p) => p.name === c.value)!;
    const why = spec.unsupportedOn?.(profile);
    c.disabled = example !== undefined || why !== undefined;
    c.parentElement!.title = why ?? spec.description;
    if (example !== undefined) c.checked = example.platforms.some((p) => p.name === c.value);
  }
  const experiment = experimentRegistry.find((e) => e.id === targetSel.value.split(':').pop());
  describeEl.textContent = example !== undefined ? `${example.description}. ${experiment?.description ?? ''}` : (experiment?.description ?? '');
}

/** Keeps the composition in the URL, so the page can be shared and reloaded. */
function syncUrl(): void {
  history.replaceState(null, '', queryFromRequest(readForm()));
}

let worker: Worker | undefined;

function run(): void {
  const req = readForm();
  syncUrl();
  worker?.terminate();
  worker = new Worker(new URL('./sim-worker.ts', import.meta.url), { type: 'module' });
  runBtn.disabled = true;
  stopBtn.disabled = false;
  bar.value = 0;
  bar.max = 1;
  countsEl.innerHTML = '';
  resultEl.innerHTML = '';
  statusEl.textContent = `Running ${req.target}…`;
  document.body.dataset['state'] = 'running';
  worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
    const m = e.data;
    if (m.type === 'progress') {
      bar.max = m.total;
      bar.value = m.done;
      statusEl.textContent = `Running ${req.target}: ${m.done} of ${m.total}`;
    } else if (m.type === 'counts') {
      countsEl.innerHTML = countsHtml(m.counts);
    } else if (m.type === 'done') {
      bar.value = bar.max;
      statusEl.textContent = `Done in ${(m.elapsedMs / 1000).toFixed(1)} s: ${m.result.results.length} rows.`;
      resultEl.innerHTML = resultHtml(m.result, { table: 0, figure: 0 }, { titleOf: (id) => experimentRegistry.find((x) => x.id === id)?.title });
      finish('done');
    } else {
      statusEl.textContent = m.message;
      finish('error');
    }
  };
  worker.onerror = (e) => {
    statusEl.textContent = `The simulation failed: ${e.message}`;
    finish('error');
  };
  worker.postMessage(req);
}

function finish(state: string): void {
  worker?.terminate();
  worker = undefined;
  runBtn.disabled = false;
  stopBtn.disabled = true;
  document.body.dataset['state'] = state;
}

/** Live counts: a row per platform, a column per event stream, and the top reasons. */
function countsHtml(counts: readonly LiveCounts[]): string {
  if (counts.length === 0) return '';
  const streams = Object.keys(counts[0]!.streams);
  const rows = counts
    .map(
      (c) =>
        `<tr><td class="name">${esc(c.platform)}</td>${streams.map((s) => `<td>${(c.streams[s] ?? 0).toLocaleString('en')}</td>`).join('')}<td class="name reasons">${Object.entries(
          c.reasons,
        )
          .map(([r, n]) => `${esc(r)} ${n.toLocaleString('en')}`)
          .join(' · ')}</td></tr>`,
    )
    .join('');
  return `<table class="paper live"><caption>Mechanism events so far, from the hypervisors' event streams.</caption><thead><tr><th class="name">platform</th>${streams.map((s) => `<th>${esc(s)}</th>`).join('')}<th class="name">most frequent</th></tr></thead><tbody>${rows}</tbody></table>`;
}

targetSel.addEventListener('change', () => {
  syncForm();
  syncUrl();
});
profileSel.addEventListener('change', () => {
  syncForm();
  syncUrl();
});
platformsBox.addEventListener('change', syncUrl);
seedInput.addEventListener('input', syncUrl);
runBtn.addEventListener('click', run);
stopBtn.addEventListener('click', () => {
  statusEl.textContent = 'Stopped.';
  finish('stopped');
});

const fromUrl = requestFromQuery(location.search);
writeForm(fromUrl ?? DEFAULT_REQUEST);
document.body.dataset['state'] = 'idle';
// A shared link runs what it names; a first visit waits for the button.
if (fromUrl !== undefined) run();
