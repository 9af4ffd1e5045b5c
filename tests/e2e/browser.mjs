// What the browser tests share: Debian's chromium through playwright-core,
// axe-core run on a page (serious and critical WCAG 2.1 A/AA violations
// fail), and a failure that says what went wrong and exits 1.
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// A failure says what went wrong; one thrown by playwright (a wait that
// timed out) also says at which line of the story it stood.
export function failer(name) {
  return (what) => {
    let message = what instanceof Error ? what.message : what;
    const step = what instanceof Error && /tests\/e2e\/([\w-]+\.mjs:\d+)/.exec(what.stack || '');
    if (step) message += ' (at ' + step[1] + ')';
    console.error(name + ': ' + message);
    process.exit(1);
  };
}

export async function launch(screenshots) {
  mkdirSync(screenshots, { recursive: true });
  // in Norwegian (chromium-l10n): date inputs read dd.mm.åååå as a user's would
  return chromium.launch({
    executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--lang=nb'],
    env: { ...process.env, LANG: 'nb_NO.UTF-8', LANGUAGE: 'nb' },
  });
}

// Waits until `predicate` (run in the page, given `arg`) holds, looking
// every 100 ms. Every script's waits go through here, never through
// page.waitForFunction's default, which looks at each animation frame: a
// page not in front, or a machine busy with other tests, draws no frames
// for long, and such a wait can time out with the page long since done
// (one of web-deviation's, three pages open, did so once in CI, where the
// same script passes alone and beside the others here).
export function until(page, predicate, arg, options = {}) {
  return page.waitForFunction(predicate, arg, { polling: 100, ...options });
}

// a Norwegian user's browser; the pages' CSP is bypassed only so that
// axe-core's script can be put in
export function context(browser, width, height) {
  return browser.newContext({
    viewport: { width, height }, locale: 'nb-NO', timezoneId: 'Europe/Oslo', bypassCSP: true,
  });
}

export async function accessible(page, what, fail) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) fail(what + ': accessibility: ' + JSON.stringify(bad));
}

// Words of English sentences that are none of bokmål's: a message shown
// with one of them is English shown to a person.
const ENGLISH = /\b(the|must|is|are|not|does|exists?|required|cannot|only|between|should|invalid|allowed|needs|characters|address|after|before|larger|than|unknown|error|with|without|this)\b/i;

// What the page says to its user now (every error beside a field, every
// status line) is there and has no English sentence in it.
export async function norwegianOnly(page, what, fail) {
  const shown = await page.evaluate(() => [...document.querySelectorAll('.error, .status, [role=status]')]
    .filter((e) => !e.closest('[hidden]') && e.textContent.trim()).map((e) => e.textContent.trim()));
  if (!shown.length) fail(what + ': nothing was said');
  for (const text of shown) if (ENGLISH.test(text)) fail(what + ': English shown to a person: ' + text);
}

// What every open page looked like when a script failed, kept beside the
// screenshots as FEIL-<name>-<n>.png for the next person to look at, and
// what its status lines and errors said then (a wait that timed out often
// waited for a status the page answered otherwise).
export async function lastLook(browser, dir, name) {
  let n = 0;
  for (const c of browser.contexts()) {
    for (const p of c.pages()) {
      await p.screenshot({ path: `${dir}/FEIL-${name}-${++n}.png`, fullPage: true }).catch(() => {});
      const said = await p.evaluate(() => [...document.querySelectorAll('.error, .status, [role=status]')]
        .filter((e) => !e.closest('[hidden]') && e.textContent.trim())
        .map((e) => (e.id ? '#' + e.id + ': ' : '') + e.textContent.trim())).catch(() => []);
      console.error(`${name}: page ${n} (${p.url()}) said: ${said.length ? said.join(' | ') : 'nothing'}`);
    }
  }
}

// Opens `url` and signs in there with an API key, as a user types it.
export async function signIn(page, url, key) {
  await page.goto(url);
  await page.getByLabel('API-nøkkel').fill(key);
  await page.getByRole('button', { name: 'Logg inn', exact: true }).click();
}
