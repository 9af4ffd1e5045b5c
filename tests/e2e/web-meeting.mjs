// A committee secretary in a real browser (test_web runs it): makes a
// meeting, builds the agenda while the page shows the times each item gets
// (13.00, 13.05–13.35 …), with a presenter, moves an exempt item, gives it
// more minutes and removes it, writes a case
// document with an attachment, puts the open actions on as a follow-up
// item, publishes the notice, reads it as members do, and records the
// minutes: a deputy in a member's place, decisions, the points of the
// discussion, an action; approves and reads them. Comes back to the
// meeting by a search on an item's title and from the committee's list;
// cancels another. axe-core on every state, screenshots
// kept. Exits 0, or 1 saying what went wrong.
//
//   BASE_URL=… SECRETARY_KEY=… COMMITTEE_NAME=… SCREENSHOTS=dir node web-meeting.mjs
import { readFileSync } from 'node:fs';
import { accessible as check, context, failer, lastLook, launch, signIn, until } from './browser.mjs';

const { BASE_URL, SECRETARY_KEY, COMMITTEE_NAME, SCREENSHOTS } = process.env;
const fail = failer('web-meeting');
const accessible = (page, what) => check(page, what, fail);
const statusSays = (page, id, text) => until(page, ([i, t]) =>
  document.getElementById(i).textContent.includes(t), [id, text]);
const clear = (page, id) => page.evaluate((i) => { document.getElementById(i).textContent = ''; }, id);

// The meeting was held two weeks ago: minutes are written from a meeting's
// start and approved once it has ended. Its date, its year's case numbers
// and how the pages write the date follow from today.
const held = new Date(Date.now() - 14 * 86400000);
const pad = (n) => String(n).padStart(2, '0');
const DAY = `${held.getFullYear()}-${pad(held.getMonth() + 1)}-${pad(held.getDate())}`;
const YY = pad(held.getFullYear() % 100);
const LONG = new Date(DAY + 'T12:00:00').toLocaleDateString('nb-NO',
  { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Oslo' });
const LONG_RE = new RegExp(LONG.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

const browser = await launch(SCREENSHOTS);
try {
  const laptop = await context(browser, 1280, 900);
  const page = await laptop.newPage();
  const shot = (name) => page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
  await signIn(page, BASE_URL + '/moter.html', SECRETARY_KEY);
  await page.getByRole('heading', { name: 'Nytt møte' }).waitFor();
  await accessible(page, 'new meeting');

  await page.getByLabel('Utvalg', { exact: true }).selectOption({ label: COMMITTEE_NAME });
  await page.getByRole('heading', { name: 'Møtene i utvalget' }).waitFor();
  await page.getByLabel('Starter').fill(DAY + 'T13:00');
  await page.getByLabel('Slutter').fill(DAY + 'T16:00');
  await page.getByLabel('Sted').fill('1930, 30M11');
  await page.getByRole('button', { name: 'Opprett utkast' }).click();
  await page.getByRole('heading', { name: 'Saksliste', exact: true }).waitFor();

  // the times, as you type and as the agenda has them
  const items = [['Godkjenning av innkalling og saksliste', '5', '13.00–13.05'],
    ['Handlingsplan 2031', '30', '13.05–13.35'], ['Samarbeidsavtalen, revisjon', '15', '13.35–13.50']];
  for (const [title, minutes, times] of items) {
    await page.getByLabel('Tittel', { exact: true }).fill(title);
    if (title === 'Handlingsplan 2031') await page.getByLabel('Ansvarlig innleder').fill('Ola Fagleder');
    await page.getByLabel('Minutter', { exact: true }).fill(minutes);
    const preview = await page.locator('#tid-forslag').textContent();
    if (!preview.includes(times)) fail(`typing ${minutes} minutes showed "${preview}", not ${times}`);
    await page.getByRole('button', { name: 'Legg til', exact: true }).click();
    await page.locator('#saker td', { hasText: times }).waitFor();
  }

  // an exempt item moved up gets the earlier slot, given more minutes
  // the items after it move; removed, it is gone
  await page.getByLabel('Tittel', { exact: true }).fill('Legevakten i jula');
  await page.getByLabel('Minutter', { exact: true }).fill('10');
  await page.getByLabel('Unntatt offentlighet').check();
  await page.getByLabel('Hjemmel').fill('offl. § 13');
  // exempt: its public title is asked for, and required
  await page.getByRole('button', { name: 'Legg til', exact: true }).click();
  await page.locator('#publicTitle-feil', { hasText: 'Skriv en offentlig tittel.' }).waitFor();
  if (!await page.getByLabel('Offentlig tittel').evaluate((e) => e === document.activeElement))
    fail('a missing public title does not take the focus to its field');
  await accessible(page, 'an exempt item without its public title');
  await page.getByLabel('Offentlig tittel').fill('Sak om beredskap');
  await page.getByRole('button', { name: 'Legg til', exact: true }).click();
  await page.locator('#saker tr', { hasText: 'Legevakten i jula (unntatt offentlighet, offl. § 13)' }).waitFor();
  await page.getByRole('button', { name: 'Opp: Legevakten i jula' }).click();
  await page.locator('#saker tr', { hasText: 'Legevakten i jula' }).filter({ hasText: '13.35–13.45' }).waitFor();
  await page.locator('#saker tr', { hasText: 'Samarbeidsavtalen' }).filter({ hasText: '13.45–14.00' }).waitFor();
  await page.getByLabel('Minutter for «Legevakten i jula»').fill('20');
  await page.getByLabel('Minutter for «Legevakten i jula»').press('Enter');
  await page.locator('#saker tr', { hasText: 'Samarbeidsavtalen' }).filter({ hasText: '13.55–14.10' }).waitFor();
  await page.getByRole('button', { name: 'Fjern: Legevakten i jula' }).click();
  await page.locator('#saker tr', { hasText: 'Legevakten i jula' }).waitFor({ state: 'detached' });
  await page.locator('#saker tr', { hasText: 'Samarbeidsavtalen' }).filter({ hasText: '13.35–13.50' }).waitFor();

  // the open actions, as one follow-up item at the end
  await page.getByLabel('Minutter', { exact: true }).fill('10');
  await page.getByRole('button', { name: 'Legg til oppfølging av tiltak' }).click();
  await page.locator('#saker tr', { hasText: 'Oppfølging av tiltak' }).filter({ hasText: '13.50–14.00' }).waitFor();
  await accessible(page, 'the agenda');
  await shot('8-saksliste');

  // the case document, with an attachment
  await page.getByRole('button', { name: 'Saksfremlegg: Handlingsplan 2031' }).click();
  await page.getByRole('heading', { name: 'Saksfremlegg: Handlingsplan 2031' }).waitFor();
  await page.getByLabel('Saksansvarlig').fill('Kari Fagråd');
  await page.getByLabel('Saksbehandler').fill('Sekretariatet');
  await page.getByLabel('Forslag til vedtak').fill(
    'Handlingsplan 2031 vedtas.\nSekretariatet lager en opplæringsplan for kommunene.');
  await page.getByLabel('Bakgrunn og saksopplysninger').fill('Planen er utarbeidet av fagrådene.');
  await page.getByLabel('Vurdering og anbefaling').fill('Sekretariatet anbefaler at planen vedtas.');
  await page.getByRole('button', { name: 'Lagre saksfremlegget' }).click();
  await statusSays(page, 'fremlegg-status', 'Saksfremlegget er lagret');
  await page.getByLabel('Fil å legge ved').setInputFiles({
    name: 'handlingsplan-2031.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n% handlingsplan\n'),
  });
  await page.getByRole('button', { name: 'Legg ved' }).click();
  await page.locator('#vedlegg li', { hasText: 'handlingsplan-2031.pdf' }).waitFor();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Last ned: handlingsplan-2031.pdf' }).click();
  if ((await download).suggestedFilename() !== 'handlingsplan-2031.pdf') fail('the download has another name');
  await accessible(page, 'the case document');
  await shot('8b-saksfremlegg');
  await page.getByRole('button', { name: 'Tilbake til sakslisten' }).click();

  await page.getByRole('button', { name: 'Publiser innkallingen' }).click();
  await statusSays(page, 'mote-status', 'publisert');
  await page.locator('#saker td', { hasText: '2/' + YY }).waitFor(); // numbered at publication
  await shot('9-publisert');

  // the notice as members read it, beside the page
  const href = await page.getByRole('link', { name: 'Les innkallingen' }).getAttribute('href');
  const notice = await laptop.newPage();
  await notice.goto(BASE_URL + href);
  const text = await notice.textContent('body');
  for (const want of ['MØTEINNKALLING', 'Handlingsplan 2031', '13.05', 'Ola Fagleder',
    'Sekretariatet lager en opplæringsplan for kommunene.', 'handlingsplan-2031.pdf'])
    if (!text.includes(want)) fail(`the notice lacks "${want}"`);
  await accessible(notice, 'the notice');
  await notice.screenshot({ path: `${SCREENSHOTS}/10-innkalling.png`, fullPage: true });
  await notice.close();

  // found among every committee's meetings by an item's title, and opened
  await page.reload();
  await page.getByLabel('Søk etter møter i alle utvalg').fill('samarbeidsavtalen');
  await page.getByRole('button', { name: 'Søk etter møter' }).click();
  await statusSays(page, 'motesok-antall', '1 møte vises.');
  const found = page.locator('#motesok-treff tr', { hasText: COMMITTEE_NAME });
  await found.waitFor();
  await accessible(page, 'a meeting found');
  await shot('10b-motesok');
  await found.getByRole('button', { name: LONG_RE }).click();
  await page.locator('#saker td', { hasText: 'Samarbeidsavtalen, revisjon' }).waitFor();
  await page.getByLabel('Søk etter møter i alle utvalg').fill('ingen slik sak finnes');
  await page.getByRole('button', { name: 'Søk etter møter' }).click();
  await statusSays(page, 'motesok-antall', 'Ingen møter passer søket.');

  // back later: the meeting from the committee's list
  await page.reload();
  await page.getByLabel('Utvalg', { exact: true }).selectOption({ label: COMMITTEE_NAME });
  await page.getByRole('button', { name: LONG_RE }).click();
  await page.locator('#saker td', { hasText: '2/' + YY }).waitFor();

  // the minutes: the member sent notice, the deputy came in the place
  await page.getByLabel('Ola Medlem', { exact: true }).selectOption('ABSENT_WITH_NOTICE');
  await page.getByLabel('Per Vara', { exact: true }).selectOption('DEPUTY');
  await page.getByLabel('Per Vara møter som vara for').selectOption({ label: 'Ola Medlem' });
  await page.getByRole('button', { name: 'Lagre oppmøte' }).click();
  await statusSays(page, 'referat-status', 'Oppmøtet er lagret');
  for (const [title] of [...items, ['Oppfølging av tiltak']]) {
    const form = page.locator('#vedtak form.outcome', { hasText: title });
    // adopted as proposed: the case document's proposed decisions become
    // the decision; an item without them has its decision written
    const noted = title === 'Oppfølging av tiltak' || title === 'Samarbeidsavtalen, revisjon';
    await form.getByLabel('Utfall').selectOption(noted ? 'NOTED' : 'ADOPTED_AS_PROPOSED');
    if (title === 'Godkjenning av innkalling og saksliste') {
      await form.getByLabel('Vedtak', { exact: true }).fill('Innkalling og saksliste godkjennes.');
    }
    if (title === 'Handlingsplan 2031') {
      await form.getByLabel('Hovedpunkter fra drøftingen').fill(
        'Kommunene ønsker felles opplæring.\nFastlegene må med fra start.');
    }
    await clear(page, 'referat-status');
    await form.getByRole('button', { name: 'Lagre vedtak' }).click();
    await statusSays(page, 'referat-status', 'Vedtaket er lagret');
  }
  // the action the decision gave
  await page.getByLabel('Hva skal gjøres etter «Handlingsplan 2031»').fill(
    'Lage opplæringsplan for kommunene');
  const action = page.locator('#vedtak form.action', { hasText: 'Handlingsplan 2031' });
  await action.getByLabel('Ansvarlig').fill('Sekretariatet');
  await action.getByLabel('Frist').fill('2031-04-01');
  await action.getByRole('button', { name: 'Legg til oppfølgingspunkt' }).click();
  await statusSays(page, 'referat-status', 'Oppfølgingspunkt nr. 1 er lagt til');
  await accessible(page, 'the minutes');
  await page.getByRole('button', { name: 'Godkjenn referatet' }).click();
  await statusSays(page, 'referat-status', 'godkjent');
  await shot('11-referat');
  const minutesHref = await page.getByRole('link', { name: 'Les referatet' }).getAttribute('href');
  const minutes = await laptop.newPage();
  await minutes.goto(BASE_URL + minutesHref);
  const minutesText = await minutes.textContent('body');
  for (const want of ['1. Handlingsplan 2031 vedtas.', '2. Sekretariatet lager en opplæringsplan for kommunene.',
    'Innkalling og saksliste godkjennes.', 'Per Vara (for Ola Medlem)',
    'Kommunene ønsker felles opplæring.'])
    if (!minutesText.includes(want)) fail(`the minutes lack "${want}"`);
  await accessible(minutes, 'the approved minutes');
  await minutes.screenshot({ path: `${SCREENSHOTS}/12-referat.png`, fullPage: true });

  // a meeting that will not be held: cancelled with the reason
  await page.getByLabel('Starter').fill('2031-03-05T13:00');
  await page.getByLabel('Slutter').fill('2031-03-05T15:00');
  await page.getByLabel('Sted').fill('Teams');
  await page.getByRole('button', { name: 'Opprett utkast' }).click();
  await page.locator('#mote-om', { hasText: '5. mars 2031' }).waitFor();
  await page.getByLabel('Hvorfor møtet avlyses').fill('Ingen saker er meldt inn.');
  await page.getByRole('button', { name: 'Avlys møtet' }).click();
  await statusSays(page, 'mote-status', 'Møtet er avlyst.');
  await page.locator('#mote-liste tr', { hasText: '5. mars 2031' }).filter({ hasText: 'Avlyst' }).waitFor();

  // the approved minutes, downloaded from the committee's page
  await page.getByRole('link', { name: 'Utvalg', exact: true }).click();
  await page.getByRole('button', { name: COMMITTEE_NAME }).click();
  const minutesFile = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Last ned referatet: møtet ' + DAY }).click();
  const saved = readFileSync(await (await minutesFile).path(), 'utf8');
  if (!saved.includes('1. Handlingsplan 2031 vedtas.')) fail('the downloaded minutes lack the decision');
  console.log('web-meeting: agenda built, case document written, published, read; minutes recorded, approved, read');
} catch (e) {
  await lastLook(browser, SCREENSHOTS, 'web-meeting');
  fail(e);
} finally {
  await browser.close();
}
