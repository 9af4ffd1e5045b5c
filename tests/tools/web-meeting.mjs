// A committee secretary in a real browser (test_web runs it): makes a
// meeting, builds the agenda while the page shows the times each item gets
// (13.00, 13.05–13.35 …), publishes the notice, reads it as members do,
// and records a decision in the minutes. axe-core on every state,
// screenshots kept. Exits 0, or 1 saying what went wrong.
//
//   BASE_URL=… SECRETARY_KEY=… COMMITTEE_NAME=… SCREENSHOTS=dir node web-meeting.mjs
import { accessible as check, context, failer, launch } from './browser.mjs';

const { BASE_URL, SECRETARY_KEY, COMMITTEE_NAME, SCREENSHOTS } = process.env;
const fail = failer('web-meeting');
const accessible = (page, what) => check(page, what, fail);

const browser = await launch(SCREENSHOTS);
try {
  const laptop = await context(browser, 1280, 900);
  const page = await laptop.newPage();
  const shot = (name) => page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
  await page.goto(BASE_URL + '/moter.html');
  await page.getByLabel('API-nøkkel').fill(SECRETARY_KEY);
  await page.getByRole('button', { name: 'Logg inn' }).click();
  await page.getByRole('heading', { name: 'Nytt møte' }).waitFor();
  await accessible(page, 'new meeting');

  await page.getByLabel('Utvalg').selectOption({ label: COMMITTEE_NAME });
  await page.getByLabel('Starter').fill('2031-02-05T13:00');
  await page.getByLabel('Slutter').fill('2031-02-05T16:00');
  await page.getByLabel('Sted').fill('1930, 30M11');
  await page.getByRole('button', { name: 'Opprett utkast' }).click();
  await page.getByRole('heading', { name: 'Saksliste', exact: true }).waitFor();

  // the times, as you type and as the agenda has them
  const items = [['Godkjenning av innkalling og saksliste', '5', '13.00–13.05'],
    ['Handlingsplan 2031', '30', '13.05–13.35'], ['Samarbeidsavtalen, revisjon', '15', '13.35–13.50']];
  for (const [title, minutes, times] of items) {
    await page.getByLabel('Tittel').fill(title);
    await page.getByLabel('Minutter').fill(minutes);
    const preview = await page.locator('#tid-forslag').textContent();
    if (!preview.includes(times)) fail(`typing ${minutes} minutes showed "${preview}", not ${times}`);
    await page.getByRole('button', { name: 'Legg til' }).click();
    await page.locator('#saker td', { hasText: times }).waitFor();
  }
  await accessible(page, 'the agenda');
  await shot('8-saksliste');

  await page.getByRole('button', { name: 'Publiser innkallingen' }).click();
  await page.waitForFunction(() =>
    document.querySelector('#mote-status').textContent.includes('publisert'));
  await page.locator('#saker td', { hasText: '2/31' }).waitFor(); // numbered at publication
  await shot('9-publisert');

  // the notice as members read it, beside the page
  const href = await page.getByRole('link', { name: 'Les innkallingen' }).getAttribute('href');
  const notice = await laptop.newPage();
  await notice.goto(BASE_URL + href);
  const text = await notice.textContent('body');
  for (const want of ['MØTEINNKALLING', 'Handlingsplan 2031', '13.05']) {
    if (!text.includes(want)) fail(`the notice lacks "${want}"`);
  }
  await accessible(notice, 'the notice');
  await notice.screenshot({ path: `${SCREENSHOTS}/10-innkalling.png`, fullPage: true });
  await notice.close();

  // the minutes: who came, every item's outcome, the decision, approved
  await page.getByLabel('Ola Medlem').selectOption('PRESENT');
  await page.getByRole('button', { name: 'Lagre oppmøte' }).click();
  await page.waitForFunction(() =>
    document.querySelector('#referat-status').textContent.includes('Oppmøtet er lagret'));
  for (const [title] of items) {
    const form = page.locator('#vedtak form', { hasText: title });
    await form.getByLabel('Utfall').selectOption('ADOPTED_AS_PROPOSED');
    if (title === 'Handlingsplan 2031')
      await form.getByLabel('Vedtak').fill('Handlingsplan 2031 vedtas som foreslått.');
    await page.evaluate(() => { document.querySelector('#referat-status').textContent = ''; });
    await form.getByRole('button', { name: 'Lagre vedtak' }).click();
    await page.waitForFunction(() =>
      document.querySelector('#referat-status').textContent.includes('Vedtaket er lagret'));
  }
  await accessible(page, 'the minutes');
  await page.getByRole('button', { name: 'Godkjenn referatet' }).click();
  await page.waitForFunction(() =>
    document.querySelector('#referat-status').textContent.includes('godkjent'));
  await shot('11-referat');
  const minutesHref = await page.getByRole('link', { name: 'Les referatet' }).getAttribute('href');
  const minutes = await laptop.newPage();
  await minutes.goto(BASE_URL + minutesHref);
  const minutesText = await minutes.textContent('body');
  for (const want of ['Handlingsplan 2031 vedtas som foreslått.', 'Ola Medlem'])
    if (!minutesText.includes(want)) fail(`the minutes lack "${want}"`);
  await accessible(minutes, 'the approved minutes');
  await minutes.screenshot({ path: `${SCREENSHOTS}/12-referat.png`, fullPage: true });
  console.log('web-meeting: agenda built, published, read; minutes recorded, approved, read');
} catch (e) {
  fail(e.message);
} finally {
  await browser.close();
}
