// Committees in a real browser (test_web runs it): the secretariat makes
// a committee and adds its chair, a new person, and finds committees by
// name; a municipal nurse on a phone finds a meeting by an item's title
// (and none by an exempt item's), sends two cases in to another committee
// (and is offered neither the meeting page nor the secretariat's forms);
// the secretariat sets its numbering practice (Eventuelt unnumbered, a
// postponed case renumbered) and continues a year's numbers from 15; it
// puts one on the committee's coming meeting and declines
// the other with a reason; the nurse follows both (accepted onto which
// meeting, declined and why), a reporter of another organisation sees
// neither. Bad input in the forms is answered in bokmål only. axe-core on
// every state, screenshots kept. Exits 0, or 1 saying what went wrong.
//
//   BASE_URL=… SECRETARIAT_KEY=… REPORTER_KEY=… OTHER_REPORTER_KEY=… COMMITTEE_NAME=…
//   MEETING_ID=… ORGANIZATION_NAME=… SCREENSHOTS=dir node web-committee.mjs
import { readFileSync } from 'node:fs';
import { accessible as check, context, failer, lastLook, launch, norwegianOnly, signIn, until } from './browser.mjs';

const { BASE_URL, SECRETARIAT_KEY, REPORTER_KEY, OTHER_REPORTER_KEY, COMMITTEE_NAME, MEETING_ID,
  ORGANIZATION_NAME, SCREENSHOTS } = process.env;
const fail = failer('web-committee');
const accessible = (page, what) => check(page, what, fail);
const norwegian = (page, what) => norwegianOnly(page, what, fail);
const shot = (page, name) => page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
const statusSays = (page, id, text) => until(page, ([i, t]) =>
  document.getElementById(i).textContent.includes(t), [id, text]);

async function openCommittees(page, key) {
  await signIn(page, BASE_URL + '/utvalg.html', key);
  await page.getByRole('heading', { name: 'Utvalgene i helsefellesskapet' }).waitFor();
}

const browser = await launch(SCREENSHOTS);
try {
  // the secretariat makes an expert council and its chair
  const laptop = await context(browser, 1280, 900);
  const secretariat = await laptop.newPage();
  await openCommittees(secretariat, SECRETARIAT_KEY);
  await accessible(secretariat, 'the committees');
  await secretariat.getByLabel('Navn', { exact: true }).fill('Fagråd for legemidler');
  await secretariat.getByLabel('Kortnavn', { exact: true }).fill('FL');
  await secretariat.getByLabel('Type', { exact: true }).selectOption('EXPERT_COUNCIL');
  await secretariat.getByRole('button', { name: 'Opprett utvalg' }).click();
  await secretariat.getByRole('heading', { name: 'Fagråd for legemidler' }).waitFor();
  await secretariat.getByRole('button', { name: 'Fagråd for legemidler' }).waitFor(); // listed
  // found by part of its name, and nothing for a name there is none of
  await secretariat.getByLabel('Søk etter utvalg').fill('for legemid');
  await secretariat.getByRole('button', { name: 'Søk etter utvalg' }).click();
  await statusSays(secretariat, 'utvalg-antall', '1 utvalg vises.');
  if ((await secretariat.locator('#utvalg-liste tr').count()) !== 1 ||
      !(await secretariat.locator('#utvalg-liste').textContent()).includes('Fagråd for legemidler'))
    fail('the committee search did not find just the committee by its name');
  await accessible(secretariat, 'a committee found');
  await secretariat.getByLabel('Søk etter utvalg').fill('Utvalg som ikke finnes');
  await secretariat.getByRole('button', { name: 'Søk etter utvalg' }).click();
  await statusSays(secretariat, 'utvalg-antall', 'Ingen utvalg passer søket.');
  await secretariat.getByLabel('Søk etter utvalg').fill('');
  await secretariat.getByRole('button', { name: 'Søk etter utvalg' }).click();
  await statusSays(secretariat, 'utvalg-antall', 'vises');
  // a committee the API refuses: in bokmål beside the field, no English
  await secretariat.getByLabel('Navn', { exact: true }).fill('Råd ' + 'x'.repeat(400));
  await secretariat.getByLabel('Innkallingsfrist (dager)', { exact: true }).fill('400');
  await secretariat.getByRole('button', { name: 'Opprett utvalg' }).click();
  await secretariat.locator('#utvalg-name-feil, #utvalg-noticePeriodDays-feil, #alle-status')
    .filter({ hasText: 'ikke opprettet' }).first().waitFor();
  await norwegian(secretariat, 'a committee refused');
  await secretariat.getByLabel('Navn', { exact: true }).fill('');
  await secretariat.getByLabel('Innkallingsfrist (dager)', { exact: true }).fill('7');
  await secretariat.getByLabel('Person', { exact: true }).selectOption('ny');
  await secretariat.getByLabel('Navn på den nye personen').fill('Kari Fagråd');
  await secretariat.getByLabel('Stilling', { exact: true }).fill('Overlege');
  await secretariat.getByLabel('E-post', { exact: true }).fill('kari.fagrad@stolav.no');
  await secretariat.getByLabel('Representerer').selectOption({ label: ORGANIZATION_NAME });
  await secretariat.getByLabel('Rolle').selectOption('CHAIR');
  await secretariat.getByRole('button', { name: 'Legg til medlem' }).click();
  await statusSays(secretariat, 'ett-status', 'Medlemmet er lagt til');
  const row = secretariat.locator('#medlem-liste tr', { hasText: 'Kari Fagråd' });
  if (!(await row.textContent()).includes('Leder')) fail('the chair is not listed as Leder');
  // its mandate written; a change by someone else in between is not overwritten
  await secretariat.getByText('Endre utvalget').click();
  await secretariat.getByLabel('Mandat').fill('Gi råd om legemiddelbruk i overgangene mellom sykehus og kommune.');
  await secretariat.getByLabel('Utvalgets innkallingsfrist (dager)').fill('14');
  // and its numbering practice: Eventuelt unnumbered, a postponed case renumbered
  if (!(await secretariat.getByLabel('Eventuelt får saksnummer').isChecked()))
    fail('a new committee does not number Eventuelt, samhand\'s default');
  await secretariat.getByLabel('Eventuelt får saksnummer').uncheck();
  await secretariat.getByLabel('En sak som utsettes til neste møte').selectOption('NEW');
  await secretariat.getByRole('button', { name: 'Lagre endringene' }).click();
  await statusSays(secretariat, 'ett-status', 'Utvalget er endret.');
  await secretariat.locator('#mandat', { hasText: 'legemiddelbruk i overgangene' }).waitFor();
  const id = await secretariat.evaluate(() => committee.id);
  const practice = await fetch(`${BASE_URL}/v1/committees/${id}`).then((r) => r.json());
  if (!practice.unnumberedKinds.includes('ANY_OTHER_BUSINESS') || practice.unnumberedKinds.includes('ORIENTATION') ||
      practice.carriedCaseNumber !== 'NEW')
    fail('the numbering practice was not saved: ' + JSON.stringify(practice));
  if (await secretariat.getByLabel('Eventuelt får saksnummer').isChecked() ||
      (await secretariat.getByLabel('En sak som utsettes til neste møte').inputValue()) !== 'NEW')
    fail('the form does not show the practice saved');
  // the year's numbers continued from the old system: a bad number refused in bokmål, then 15
  await secretariat.getByText('Fortsett saksnummereringen fra et tidligere system').click();
  await secretariat.getByLabel('År', { exact: true }).fill('2043');
  await secretariat.getByLabel('Neste saksnummer').fill('0');
  await secretariat.getByRole('button', { name: 'Fortsett nummereringen' }).click();
  await secretariat.locator('#nummer-nextNumber-feil').waitFor({ state: 'visible' });
  await norwegian(secretariat, 'a next case number refused');
  await secretariat.getByLabel('Neste saksnummer').fill('15');
  await secretariat.getByRole('button', { name: 'Fortsett nummereringen' }).click();
  await statusSays(secretariat, 'nummer-status', 'Neste sak i 2043 får nummer 15.');
  await accessible(secretariat, 'the numbering practice');
  const other = await fetch(`${BASE_URL}/v1/committees/${id}`, {
    method: 'PATCH', body: JSON.stringify({ shortName: 'FLM' }),
    headers: { Authorization: 'Bearer ' + SECRETARIAT_KEY, 'Content-Type': 'application/json' },
  });
  if (other.status !== 200) fail('the other change was refused: ' + other.status);
  await secretariat.getByLabel('Utvalgets kortnavn').fill('LM');
  await secretariat.getByRole('button', { name: 'Lagre endringene' }).click();
  await statusSays(secretariat, 'ett-status', 'Noen andre har endret utvalget i mellomtiden');
  await accessible(secretariat, 'a committee and its members');
  await shot(secretariat, '13-utvalg');
  // her e-mail corrected; a wrong one is refused beside the field
  await secretariat.getByRole('button', { name: 'Endre: Kari Fagråd' }).click();
  await secretariat.getByLabel('Personens e-post').fill('ikke en adresse');
  await secretariat.getByRole('button', { name: 'Lagre personen' }).click();
  await secretariat.locator('#pers-email-feil').waitFor({ state: 'visible' });
  await norwegian(secretariat, 'an e-mail address refused');
  await secretariat.getByLabel('Personens e-post').fill('kari.fagrad@helse-midt.no');
  await secretariat.getByRole('button', { name: 'Lagre personen' }).click();
  await statusSays(secretariat, 'ett-status', 'Kari Fagråd er endret.');
  const kari = await fetch(`${BASE_URL}/v1/persons?q=Kari%20Fagr%C3%A5d`,
    { headers: { Authorization: 'Bearer ' + SECRETARIAT_KEY } }).then((r) => r.json());
  if (kari.items[0].email !== 'kari.fagrad@helse-midt.no') fail('the e-mail was not changed');
  // her term ends today: she stays in the list, with the period closed
  await secretariat.getByRole('button', { name: 'Avslutt i dag: Kari Fagråd' }).click();
  await statusSays(secretariat, 'ett-status', 'Perioden til Kari Fagråd slutter i dag');
  if (await row.getByRole('button', { name: /^Avslutt i dag/ }).count()) fail('an ended term still offers to end it');

  // a nurse sends two cases in, on a phone
  const phone = await context(browser, 390, 844);
  const nurse = await phone.newPage();
  await openCommittees(nurse, REPORTER_KEY);
  if (await nurse.getByRole('link', { name: 'Møter' }).isVisible()) fail('a reporter is offered the meeting page');
  if (await nurse.getByRole('heading', { name: 'Nytt utvalg' }).isVisible()) fail('a reporter is offered a new committee');
  await nurse.getByRole('button', { name: COMMITTEE_NAME }).click();
  await nurse.getByRole('heading', { name: 'Meld inn en sak' }).waitFor();
  if (await nurse.getByRole('heading', { name: 'Medlemmer', exact: true }).isVisible()) fail('a reporter is shown the members');
  // the coming meeting's notice, as members read it
  const href = await nurse.locator('#motene a', { hasText: 'innkalling' }).getAttribute('href');
  const notice = await (await fetch(BASE_URL + href)).text();
  if (!notice.includes('Økonomirapport')) fail('the notice linked from the committee lacks its case');
  if (notice.includes('samhandlingssjef')) fail('the public notice shows an exempt case');
  // the meeting found by a public item's title, never by an exempt one's
  await nurse.getByLabel('Søk etter møter').fill('økonomirapport');
  await nurse.getByRole('button', { name: 'Søk etter møter' }).click();
  await statusSays(nurse, 'motesok-antall', '1 møte vises.');
  const hit = nurse.locator('#motesok-treff li', { hasText: COMMITTEE_NAME });
  if (!(await hit.getByRole('link', { name: 'innkalling' }).getAttribute('href')).includes(MEETING_ID))
    fail('the meeting found does not link its notice');
  await accessible(nurse, 'a meeting found');
  await shot(nurse, '13b-motesok');
  await nurse.getByLabel('Søk etter møter').fill('samhandlingssjef');
  await nurse.getByRole('button', { name: 'Søk etter møter' }).click();
  await statusSays(nurse, 'motesok-antall', 'Ingen møter passer søket.');
  if (await nurse.locator('#motesok-treff li').count()) fail('an exempt item\'s title found its meeting');
  // and the committee by its name
  await nurse.getByLabel('Søk etter utvalg').fill('overordnet');
  await nurse.getByRole('button', { name: 'Søk etter utvalg' }).click();
  await statusSays(nurse, 'utvalg-antall', '1 utvalg vises.');
  // a case with an e-mail address that is none: refused in bokmål
  await nurse.getByLabel('Sakens tittel').fill('Prøvesak');
  await nurse.getByLabel('Ditt navn').fill('Kari Nordmann');
  await nurse.getByLabel('Din e-post, for svar').fill('kari(at)frosta');
  await nurse.getByRole('button', { name: 'Meld inn saken' }).click();
  await nurse.locator('#forslag-submitterEmail-feil').waitFor({ state: 'visible' });
  await norwegian(nurse, 'a case refused');
  await nurse.getByLabel('Din e-post, for svar').fill('');
  for (const title of ['Felles rutine for legemiddelsamstemming', 'Parkering ved sykehuset']) {
    await nurse.getByLabel('Sakens tittel').fill(title);
    await nurse.getByLabel('Hva saken gjelder').fill('Meldt inn fra hjemmesykepleien.');
    await nurse.getByLabel('Ditt navn').fill('Kari Nordmann');
    await nurse.getByRole('button', { name: 'Meld inn saken' }).click();
    await statusSays(nurse, 'forslag-status', title);
  }
  await accessible(nurse, 'a case sent in');
  await shot(nurse, '14-meld-inn-sak');
  // she follows them: waiting
  await nurse.locator('#innmeldte article', { hasText: 'Parkering ved sykehuset' })
    .filter({ hasText: 'Venter på avgjørelse.' }).waitFor();
  if (await nurse.locator('#innmeldte form').count()) fail('a reporter is offered to decide on a case');

  // the secretariat puts one on the coming meeting and declines the other
  await secretariat.getByRole('button', { name: COMMITTEE_NAME }).click();
  // (and downloads the notice with the exempt case, which the link leaves out)
  const download = secretariat.waitForEvent('download');
  await secretariat.getByRole('button', { name: /^Last ned innkallingen/ }).click();
  const file = await (await download).path();
  if (!readFileSync(file, 'utf8').includes('Tilsetting av ny samhandlingssjef'))
    fail('the downloaded notice lacks the exempt case its reader may see');
  await secretariat.getByRole('heading', { name: 'Felles rutine for legemiddelsamstemming' }).waitFor();
  await accessible(secretariat, 'the cases sent in');
  await shot(secretariat, '15-innmeldte-saker');
  await secretariat.getByLabel('Møte for «Felles rutine for legemiddelsamstemming»').selectOption({ index: 1 });
  await secretariat.getByRole('button', { name: 'Sett på sakslisten: Felles rutine for legemiddelsamstemming' }).click();
  await statusSays(secretariat, 'ett-status', 'er satt på sakslisten');
  await secretariat.getByLabel('Hvorfor «Parkering ved sykehuset» ikke tas opp').fill(
    'Parkering hører ikke under utvalget; saken er sendt til sykehusets driftsavdeling.');
  await secretariat.getByRole('button', { name: 'Avslå: Parkering ved sykehuset' }).click();
  await statusSays(secretariat, 'ett-status', 'er avslått');
  await statusSays(secretariat, 'innmeldte-antall', 'Ingen innmeldte saker venter.');

  // the nurse follows what became of hers: the meeting it went to, linked,
  // and why the other was declined
  await nurse.reload();
  await nurse.getByRole('button', { name: COMMITTEE_NAME }).click();
  const placed = nurse.locator('#innmeldte article', { hasText: 'Felles rutine for legemiddelsamstemming' });
  await placed.filter({ hasText: 'Akseptert' }).waitFor();
  if (!(await placed.getByRole('link').getAttribute('href')).includes(`/v1/meetings/${MEETING_ID}/notice.html`))
    fail('the accepted case does not link the meeting it was placed on');
  if (!(await placed.textContent()).includes('5. mars 2031')) fail('the accepted case does not say when its meeting is');
  const declined = nurse.locator('#innmeldte article', { hasText: 'Parkering ved sykehuset' });
  if (!(await declined.textContent()).includes('Avslått') ||
      !(await declined.textContent()).includes('sendt til sykehusets driftsavdeling'))
    fail('the declined case does not say why');
  await accessible(nurse, 'the cases followed');
  await shot(nurse, '15b-innmeldte-fulgt');
  // someone of another organisation sees neither
  const stranger = await phone.newPage();
  await openCommittees(stranger, OTHER_REPORTER_KEY);
  await stranger.getByRole('button', { name: COMMITTEE_NAME }).click();
  await statusSays(stranger, 'innmeldte-antall', 'Ingen innmeldte saker å vise.');
  if (await stranger.locator('#innmeldte article').count()) fail('another organisation sees the cases sent in');

  // and it is on the agenda
  const meeting = await fetch(`${BASE_URL}/v1/meetings/${MEETING_ID}`,
    { headers: { Authorization: 'Bearer ' + SECRETARIAT_KEY } }).then((r) => r.json());
  if (!(meeting.items || []).some((i) => i.title === 'Felles rutine for legemiddelsamstemming'))
    fail('the accepted case is not on the meeting\'s agenda');
  if ((meeting.items || []).some((i) => i.title === 'Parkering ved sykehuset'))
    fail('the declined case is on the agenda');
  console.log('web-committee: committee made, chair added, committees and meetings found, two cases sent in, ' +
    'one placed, one declined, both followed by their sender only');
} catch (e) {
  await lastLook(browser, SCREENSHOTS, 'web-committee');
  fail(e);
} finally {
  await browser.close();
}
