// An operator and an integration owner in a real browser (test_web runs
// it): the queues of every service, and the owner's subscription with its
// deliveries. axe-core on every state, screenshots kept.
//
//   BASE_URL=… INTEGRATION_KEY=… SUBSCRIPTION_URL=… SCREENSHOTS=dir node web-operations.mjs
import { accessible as check, context, failer, lastLook, launch, until } from './browser.mjs';

const { BASE_URL, INTEGRATION_KEY, SUBSCRIPTION_URL, SCREENSHOTS } = process.env;
const fail = failer('web-operations');
const accessible = (page, what) => check(page, what, fail);

const browser = await launch(SCREENSHOTS);
try {
  const laptop = await context(browser, 1280, 900);
  const page = await laptop.newPage();
  await page.goto(BASE_URL + '/drift.html');
  // the queues need no key: what /metrics says
  for (const queue of ['outbox', 'webhooks', 'mail'])
    await page.locator('#koer td', { hasText: queue }).first().waitFor();
  await accessible(page, 'the queues');
  await page.getByLabel('API-nøkkel').fill(INTEGRATION_KEY);
  await page.getByRole('button', { name: 'Logg inn', exact: true }).click();
  await page.locator('#abonnement-liste td', { hasText: SUBSCRIPTION_URL }).waitFor();
  // each with its receiver's own health
  await page.locator('#abonnement-liste tr', { hasText: SUBSCRIPTION_URL })
    .locator('td', { hasText: /^(I orden|Feiler siden)/ }).waitFor();
  await accessible(page, 'the subscriptions');

  // a new one: its secret shown once
  await page.getByLabel('Adresse hendelsene sendes til').fill('https://ny.malvik.kommune.no/hendelser');
  await page.getByLabel('Møter').check();
  await page.getByLabel('Beskrivelse').fill('Møtekalenderen');
  await page.getByRole('button', { name: 'Opprett abonnement' }).click();
  await page.locator('.secret', { hasText: 'whsec_' }).waitFor();
  const first = await page.locator('.secret').textContent();
  await page.locator('#abonnement-liste td', { hasText: 'https://ny.malvik.kommune.no/hendelser' }).waitFor();
  // and paused
  await page.getByRole('button', { name: 'Sett på pause: https://ny.malvik.kommune.no/hendelser' }).click();
  await until(page, () =>
    document.querySelector('#abonnement-status').textContent.includes('pause'));
  await page.locator('#abonnement-liste tr', { hasText: 'ny.malvik' }).locator('td', { hasText: 'Pauset' }).waitFor();
  // its secret changed: a new one shown once, not the first one
  await page.getByRole('button', { name: 'Ny hemmelighet: https://ny.malvik.kommune.no/hendelser' }).click();
  await until(page, () =>
    document.querySelector('#abonnement-status').textContent.includes('Den gamle gjelder også i 24 timer'));
  const rotated = await page.locator('.secret').textContent();
  if (!rotated.startsWith('whsec_') || rotated === first) fail('no new secret shown: ' + rotated);
  await accessible(page, 'a new subscription');
  await page.screenshot({ path: `${SCREENSHOTS}/12-drift.png`, fullPage: true });
  console.log('web-operations: queues and subscriptions shown');
} catch (e) {
  await lastLook(browser, SCREENSHOTS, 'web-operations');
  fail(e);
} finally {
  await browser.close();
}
