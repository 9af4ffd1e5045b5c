// A real browser through samhand's pages (test_web runs it): a nurse at a
// municipality reports a deviation on a phone, is stopped where the text
// holds an identity number, sends it; the hospital sees it arrive,
// acknowledges and answers it, and marks a colleague's second report of
// the same event as its duplicate; the nurse reads the answer and its
// history and disputes it; both parties write a joint analysis on the
// report's page and finalise it; quality staff see who has read it.
// axe-core checks every page state for serious accessibility violations;
// screenshots are kept. Exits 0, or 1 saying what went wrong.
//
//   BASE_URL=… REPORTER_KEY=… RECEIVER_KEY=… RECEIVER_NAME=… QUALITY_KEY=… SCREENSHOTS=dir
//   node web-deviation.mjs
import { readFileSync } from 'node:fs';
import { accessible as check, context, failer, lastLook, launch, signIn, until } from './browser.mjs';

const { BASE_URL, REPORTER_KEY, RECEIVER_KEY, RECEIVER_NAME, QUALITY_KEY, SCREENSHOTS } = process.env;
const fail = failer('web-deviation');
const accessible = (page, what) => check(page, what, fail);
const shot = (page, name) => page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });

const browser = await launch(SCREENSHOTS);
try {
  // the reporter, on a phone
  const phone = await context(browser, 390, 844);
  const page = await phone.newPage();
  await page.goto(BASE_URL + '/');
  if ((await page.getAttribute('html', 'lang')) !== 'nb') fail('the page is not in bokmål');
  await accessible(page, 'sign-in');
  await shot(page, '1-innlogging');

  await page.getByLabel('API-nøkkel').fill('shk_not_a_key');
  await page.getByRole('button', { name: 'Logg inn', exact: true }).click();
  await page.locator('#nokkel-feil').waitFor({ state: 'visible' });

  await page.getByLabel('API-nøkkel').fill(REPORTER_KEY);
  await page.getByRole('button', { name: 'Logg inn', exact: true }).click();
  await page.getByRole('heading', { name: 'Meld avvik' }).waitFor();
  // a reporter is not offered the secretaries' meeting page
  if (await page.getByRole('link', { name: 'Møter' }).isVisible()) fail('a reporter sees the meeting page');
  await accessible(page, 'the form');
  await shot(page, '2-meld-avvik');

  await page.getByLabel('Hvem gjelder avviket?').selectOption({ label: RECEIVER_NAME });
  await page.getByLabel('Kategori').selectOption({ index: 1 });
  await page.getByLabel('Skadegrad').selectOption('MINOR');
  await page.getByLabel('Når skjedde det?').fill('2026-11-20T10:30');
  // an identity number in the text: stopped, told where and why
  await page.getByLabel('Hva skjedde?').fill(
    'Epikrise for 15.05.75 22035 kom ikke med ved utskrivning fra medisinsk avdeling.');
  await page.getByLabel('Ditt navn').fill('Kari Nordmann');
  await page.getByRole('button', { name: 'Send avviksmelding' }).click();
  const error = page.locator('#description-feil');
  await error.waitFor({ state: 'visible' });
  if (!(await error.textContent()).includes('fødselsnummer')) fail('the identity number was not explained');
  // and marked where it stands in the text, as written, from the bokmål the API answers in
  const marked = await page.$eval('#description', (e) =>
    [e.value.slice(e.selectionStart, e.selectionEnd), e.selectionStart, e.value.indexOf('15.05.75 22035')]);
  if (marked[0] !== '15.05.75 22035' || marked[1] !== marked[2])
    fail('the identity number is not marked in the text: ' + JSON.stringify(marked));
  await accessible(page, 'the refusal');
  await shot(page, '3-fodselsnummer');

  await page.getByLabel('Hva skjedde?').fill(
    'Epikrise kom ikke med ved utskrivning fra medisinsk avdeling; hjemmesykepleien manglet medisinliste.');
  await page.getByRole('button', { name: 'Send avviksmelding' }).click();
  const status = page.locator('#meld-status');
  await until(page, () => document.querySelector('#meld-status').textContent.includes('referanse'));
  const reference = /referanse (\S+)\./.exec(await status.textContent())[1];
  await page.locator('#meldinger td', { hasText: reference }).waitFor();
  await accessible(page, 'sent');
  await shot(page, '4-sendt');

  // a colleague reports the same event again
  await page.getByLabel('Hvem gjelder avviket?').selectOption({ label: RECEIVER_NAME });
  await page.getByLabel('Kategori').selectOption({ index: 1 });
  await page.getByLabel('Skadegrad').selectOption('NO_HARM');
  await page.getByLabel('Når skjedde det?').fill('2026-11-20T10:30');
  await page.getByLabel('Hva skjedde?').fill('Nattevakten: epikrisen manglet ved utskrivningen i går.');
  await page.evaluate(() => { document.querySelector('#meld-status').textContent = ''; });
  await page.getByRole('button', { name: 'Send avviksmelding' }).click();
  await until(page, (first) => {
    const text = document.querySelector('#meld-status').textContent;
    return text.includes('referanse') && !text.includes(first);
  }, reference);
  const again = /referanse (\S+)\./.exec(await status.textContent())[1];

  // the hospital, on a laptop: it has arrived
  const laptop = await context(browser, 1280, 900);
  const hospital = await laptop.newPage();
  await signIn(hospital, BASE_URL + '/', RECEIVER_KEY);
  await hospital.locator('#meldinger td', { hasText: reference }).waitFor();
  await accessible(hospital, 'the receiver\'s list');
  await shot(hospital, '5-mottatt');
  // found by the reference the municipality gives on the phone; another not
  await hospital.getByLabel('Referanse').fill(reference.toLowerCase());
  await hospital.getByLabel('Referanse').press('Enter');
  await until(hospital, () =>
    document.getElementById('liste-antall').textContent.startsWith('1 melding vises'));
  await hospital.getByLabel('Referanse').fill('AVV-1999-0001');
  await hospital.getByLabel('Referanse').press('Enter');
  await until(hospital, () =>
    document.getElementById('liste-antall').textContent === 'Ingen meldinger å vise.');
  await hospital.getByLabel('Referanse').fill('');
  await hospital.getByLabel('Referanse').press('Enter');
  await hospital.locator('#meldinger td', { hasText: reference }).waitFor();

  // the receiver's page: when it happened, the category by its name, and
  // the deadlines in Norwegian (issue 19)
  await hospital.getByRole('button', { name: reference }).click();
  const fieldOf = (label) => hospital.locator('#detalj-felt dt', { hasText: label }).locator('xpath=following-sibling::dd[1]');
  await fieldOf('Tidspunkt for hendelsen').waitFor();
  const happened = await fieldOf('Tidspunkt for hendelsen').textContent();
  if (!/^20\.11\.2026 kl\. \d\d\.30$/.test(happened)) fail('the time of the event reads ' + happened);
  const category = await fieldOf('Kategori').textContent();
  if (/^SAM-/.test(category) || !category.trim()) fail('the category reads ' + category);
  if ((await fieldOf('Skadegrad').textContent()) !== 'Mindre alvorlig skade') fail('the degree of harm is not shown');
  const due = await fieldOf('Besvares innen').textContent();
  if (!/^\d\d\.\d\d\.\d{4} \(ikke forfalt\)$/.test(due)) fail('the answer deadline reads ' + due);

  // it acknowledges and answers
  await hospital.getByRole('button', { name: 'Bekreft at meldingen er mottatt' }).click();
  await until(hospital, () =>
    document.querySelector('#detalj-status').textContent.includes('bekreftet'));
  const answer = 'Rutinen for epikrise ved utskrivning er gjennomgått med avdelingen.';
  await hospital.getByLabel('Svar til melderen').fill(answer);
  await hospital.getByRole('button', { name: 'Send svar' }).click();
  await until(hospital, () =>
    document.querySelector('#detalj-status').textContent.includes('Svaret er sendt'));
  await accessible(hospital, 'the answered report');
  await shot(hospital, '6-besvart');

  // the second report is the same event: marked as a duplicate of the first
  await hospital.getByRole('button', { name: again }).click();
  const same = hospital.getByLabel('Samme hendelse som');
  await same.selectOption(await same.locator('option', { hasText: reference }).getAttribute('value'));
  await hospital.getByRole('button', { name: 'Merk som duplikat' }).click();
  await until(hospital, () =>
    document.querySelector('#detalj-status').textContent.includes('duplikat'));
  await hospital.locator('#detalj-felt dd', { hasText: 'Duplikat' }).waitFor();
  await accessible(hospital, 'the duplicate');
  // the list filtered by state: only the duplicate
  await hospital.getByLabel('Status', { exact: true }).selectOption('DUPLICATE');
  await until(hospital, () => document.getElementById('liste-antall').textContent === '1 melding vises.');
  await hospital.locator('#meldinger td', { hasText: again }).waitFor();
  await hospital.getByLabel('Status', { exact: true }).selectOption('');

  // the nurse reads the answer
  await page.reload();
  await page.getByRole('button', { name: reference }).click();
  await page.locator('#detalj-felt dd', { hasText: answer }).waitFor();
  await page.locator('#detalj-felt dd', { hasText: 'Besvart' }).waitFor();
  await accessible(page, 'the answer as the reporter sees it');
  await shot(page, '7-svar');

  // not satisfied: the reporter disputes the answer (the committee takes it)
  await page.getByLabel('Hvorfor godtas ikke svaret?').fill(
    'Rutinen var kjent fra før; det trengs et tiltak som faktisk endrer praksis.');
  await page.getByRole('button', { name: 'Bestrid svaret' }).click();
  await until(page, () =>
    document.querySelector('#detalj-status').textContent.includes('bestridt'));
  await page.locator('#detalj-felt dd', { hasText: 'Bestridt' }).waitFor();
  // and what happened to it, by whom
  for (const step of ['Mottak bekreftet av ' + RECEIVER_NAME, 'Besvart av ' + RECEIVER_NAME,
    'Svaret bestridt av Trondheim kommune: «Rutinen var kjent fra før'])
    await page.locator('#historikk li', { hasText: step }).waitFor();
  if (await page.getByRole('heading', { name: 'Hvem har lest meldingen' }).isVisible())
    fail('a reporter is shown the access log');

  // both parties ask for and write a joint incident analysis (issue 19):
  // the nurse begins it, each side names its people, the hospital a measure,
  // and it is finalised into the final report
  await page.getByLabel('Kommentar (valgfri)').fill('Vi ønsker en felles gjennomgang.');
  await page.getByRole('button', { name: 'Be om felles hendelsesanalyse' }).click();
  await page.getByLabel('Hva gjelder analysen?').waitFor();
  await page.getByLabel('Hva gjelder analysen?').fill('Utskrivning uten epikrise til hjemmesykepleien.');
  await page.getByRole('button', { name: 'Begynn analysen' }).click();
  await until(page, () => document.querySelector('#analyse-status').textContent.includes('begynt'));
  await page.getByLabel('Navn', { exact: true }).fill('Kari Nordmann');
  await page.getByLabel('Rolle eller tittel', { exact: true }).fill('Sykepleier');
  await page.getByLabel('Virksomhet', { exact: true }).selectOption({ label: 'Trondheim kommune' });
  await page.getByRole('button', { name: 'Legg til deltakeren' }).click();
  await page.locator('#analyse-deltakere li', { hasText: 'Kari Nordmann, Sykepleier (Trondheim kommune)' }).waitFor();
  await accessible(page, 'the joint analysis');
  await shot(page, '7c-analyse');
  await hospital.reload();
  await hospital.getByRole('button', { name: reference }).click();
  await hospital.locator('#analyse-deltakere li', { hasText: 'Kari Nordmann' }).waitFor();
  await hospital.getByLabel('Navn', { exact: true }).fill('Ola Overlege');
  await hospital.getByLabel('Rolle eller tittel', { exact: true }).fill('Seksjonsoverlege');
  await hospital.getByLabel('Virksomhet', { exact: true }).selectOption({ label: RECEIVER_NAME });
  await hospital.getByRole('button', { name: 'Legg til deltakeren' }).click();
  await hospital.locator('#analyse-deltakere li', { hasText: 'Ola Overlege' }).waitFor();
  await hospital.getByLabel('Tiltak', { exact: true }).fill('Sjekkliste for epikrise ved utskrivning');
  await hospital.getByLabel('Ansvarlig virksomhet', { exact: true }).selectOption({ label: RECEIVER_NAME });
  await hospital.getByLabel('Frist', { exact: true }).fill('2099-03-01');
  await hospital.getByRole('button', { name: 'Legg til tiltaket' }).click();
  await hospital.locator('#analyse-tiltak li', { hasText: 'Frist 01.03.2099. Åpen.' }).waitFor();
  await hospital.getByRole('button', { name: 'Ferdigstill analysen' }).click();
  await until(hospital, () => document.querySelector('#analyse-status').textContent.includes('ferdigstilt'));
  if (await hospital.getByRole('button', { name: 'Legg til tiltaket' }).isVisible())
    fail('a final analysis is still offered for changes');
  await accessible(hospital, 'the final analysis');
  const [download] = await Promise.all([hospital.waitForEvent('download'),
    hospital.getByRole('button', { name: 'Last ned sluttrapporten' }).click()]);
  const finalReport = readFileSync(await download.path(), 'utf8');
  if (!finalReport.includes('Sluttrapport: felles hendelsesanalyse') || !finalReport.includes('Ola Overlege'))
    fail('the final report is not what was written');

  // quality staff see who has read it
  const quality = await (await context(browser, 1280, 900)).newPage();
  await signIn(quality, BASE_URL + '/', QUALITY_KEY);
  await quality.getByRole('button', { name: reference }).click();
  await quality.locator('#lesninger li', { hasText: RECEIVER_NAME + ' åpnet' }).first().waitFor();
  await quality.locator('#lesninger li', { hasText: 'Trondheim kommune åpnet' }).first().waitFor();
  await accessible(quality, 'the access log');

  // the running tertial's statistics, which quality staff see: two reports
  // are fewer than 5, so not told; a reporter is offered the ended ones
  await quality.getByRole('link', { name: 'Statistikk' }).click();
  await until(quality, () =>
    document.querySelector('#oppsummering').textContent.includes('under 5 avviksmeldinger '));
  await quality.locator('table.chart').first().waitFor();
  await accessible(quality, 'the statistics');
  await shot(quality, '7b-statistikk');
  await page.getByRole('link', { name: 'Statistikk' }).click();
  await page.locator('#oppsummering').filter({ hasText: 'avviksmeldinger' }).waitFor();
  const offered = await page.locator('#period option').first().textContent();
  const now = new Date();
  const running = `${now.getFullYear()}-T${Math.floor(now.getMonth() / 4) + 1}`;
  if (offered === running) fail('a reporter is offered the running tertial ' + running);
  console.log('web-deviation: ' + reference + ' reported, received, answered and read');
} catch (e) {
  await lastLook(browser, SCREENSHOTS, 'web-deviation');
  fail(e);
} finally {
  await browser.close();
}
