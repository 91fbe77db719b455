import test from 'ava';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './launch-chromium.mjs';
import { serve } from './static-server.mjs';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
/** Screenshots are kept here as test artefacts (gitignored). */
const artefacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
/** A run under a loaded CI machine may take minutes. */
const RUN_MS = 10 * 60_000;

let browser;
let server;
test.before(async () => {
  if (!existsSync(`${dist}index.html`)) throw new Error('playground/dist is missing: run `npm run build -w playground` (npm run test:browser does)');
  mkdirSync(artefacts, { recursive: true });
  server = await serve(dist);
  browser = await launchChromium();
});
test.after.always(async () => {
  await browser?.close();
  await server?.close();
});

/** Waits until the run ends, failing with the page's status if it failed. */
async function finished(t, page) {
  await page.waitForFunction(() => ['done', 'error', 'stopped'].includes(document.body.dataset.state ?? ''), undefined, { timeout: RUN_MS, polling: 500 });
  const state = await page.evaluate(() => document.body.dataset.state);
  t.is(state, 'done', await page.textContent('#status'));
}

test('micro on two platforms: live counts, then the table and a figure; the URL keeps the composition and a reload reproduces the result', async (t) => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1300 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  t.is(await page.evaluate(() => document.body.dataset.state), 'idle', 'a first visit runs nothing unasked');

  await page.selectOption('#target', 'micro');
  await page.selectOption('#profile', 'server-2007');
  for (const p of ['native', 'xen-pv', 'vserver', 'hvm-ept', 'hvm-ept-2m', 'hvm-shadow', 'hvm-sriov']) {
    const box = page.locator(`#platforms input[value="${p}"]`);
    if (await box.isEnabled()) await box.setChecked(p === 'native' || p === 'xen-pv');
  }
  t.regex(page.url(), /experiment=micro/);
  t.regex(page.url(), /platforms=native%2Cxen-pv/);
  await page.click('#run');
  // Counts arrive from the event streams while the worker runs.
  await page.waitForSelector('#counts table.live td', { timeout: RUN_MS });
  t.regex(await page.textContent('#counts'), /hypercalls/);
  await finished(t, page);
  await page.screenshot({ path: `${artefacts}playground-micro.png`, fullPage: true });

  const table = page.locator('#result table.paper');
  t.is(await table.count(), 1);
  const headers = await table.locator('thead th').allTextContents();
  t.true(headers.includes('native') && headers.includes('xen-pv'), headers.join(','));
  t.regex(await table.textContent(), /fork/);
  // The seed's published figures stand beside the simulated ones on its machine.
  t.regex(await table.textContent(), /paper/);
  t.true((await page.locator('#result figure svg').count()) >= 1);
  const firstTable = await table.innerText();

  // Changing a parameter changes the URL.
  await page.fill('#seed', '7');
  await page.waitForFunction(() => location.search.includes('seed=7'));
  t.regex(page.url(), /seed=7/);
  await page.click('#run');
  await finished(t, page);
  const seeded = await page.locator('#result table.paper').innerText();

  // Reloading the shared URL runs the same composition again, with the same result.
  await page.reload();
  await finished(t, page);
  t.is(await page.inputValue('#seed'), '7');
  t.is(await page.locator('#result table.paper').innerText(), seeded);
  await page.screenshot({ path: `${artefacts}playground-micro-reloaded.png`, fullPage: true });
  t.true(firstTable.length > 0);
  t.deepEqual(errors, []);
});

test('the built page loads nothing from the network: it works offline once built', async (t) => {
  const page = await browser.newPage();
  const outside = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(server.url)) outside.push(r.url());
  });
  await page.goto(server.url);
  await page.waitForSelector('#target option', { state: 'attached' });
  await page.waitForLoadState('networkidle');
  t.deepEqual(outside, []);
});

test('the page offers every example the workspaces declare (found at build time, not listed) and every platform, the stacked one too', async (t) => {
  const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
  const declared = readdirSync(examples)
    .filter((d) => existsSync(`${examples}${d}/package.json`))
    .flatMap((d) => JSON.parse(readFileSync(`${examples}${d}/package.json`, 'utf8')).visorkit?.examples ?? []);
  const page = await browser.newPage();
  await page.goto(server.url);
  t.is(await page.locator('#target optgroup[label^="Example "]').count(), declared.length);
  const targets = await page.locator('#target option').evaluateAll((os) => os.map((o) => o.value));
  for (const v of ['xen-2003:micro', 'vserver-2007:density', 'clark-2005:wws', 'third-party-plugin:cpu-share', 'modern-cloud:modern'])
    t.true(targets.includes(v), v);
  t.is(await page.locator('#platforms input[value="hvm-ept+vserver"]').count(), 1);
  await page.close();
});
