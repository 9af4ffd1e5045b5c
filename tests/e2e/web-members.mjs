// A member's own page in a real browser (test_web runs it): Kari, a member,
// reports absence for the coming meeting on /mine-moter.html on her phone;
// Dag En, her 1. vara, finds the call-up on his page and declines; Dag To,
// the municipality's 2. vara, accepts; Kari sees who comes in her place and
// declares herself possibly disqualified; the secretary sees every seat on
// the meeting page and decides the declaration. Each page passes axe-core; screenshots kept. The minutes are checked by
// test_web afterwards. Exits 0, or 1 saying what went wrong.
//
//   BASE_URL=… KARI_KEY=… DAG1_KEY=… DAG2_KEY=… SECRETARY_KEY=… COMMITTEE_NAME=… MEETING_TITLE=…
//   SCREENSHOTS=dir node web-members.mjs
import { accessible as check, context, failer, lastLook, launch, norwegianOnly, signIn, until } from './browser.mjs';

const { BASE_URL, KARI_KEY, DAG1_KEY, DAG2_KEY, SECRETARY_KEY, COMMITTEE_NAME, MEETING_TITLE, SCREENSHOTS } = process.env;
const fail = failer('web-members');
const accessible = (page, what) => check(page, what, fail);
const says = (page, id, text) => until(page, ([i, t]) =>
  document.getElementById(i).textContent.includes(t), [id, text], { timeout: 15000 });

// a member's page, signed in with their own key
async function memberPage(browser, key, width, height) {
  const page = await (await context(browser, width, height)).newPage();
  await signIn(page, BASE_URL + '/mine-moter.html', key);
  await page.getByRole('heading', { name: 'Mine kommende møter' }).waitFor();
  await page.getByRole('heading', { name: MEETING_TITLE }).waitFor();
  return page;
}

const browser = await launch(SCREENSHOTS);
try {
  // Kari reports absence, with a reason for the secretary
  const kari = await memberPage(browser, KARI_KEY, 390, 844);
  const meeting = kari.locator('article', { hasText: MEETING_TITLE });
  await meeting.getByText('Du er ført opp som kommer.').waitFor();
  await kari.getByRole('link', { name: 'Kalender for ' + COMMITTEE_NAME }).waitFor();
  await accessible(kari, 'a member\'s coming meeting');
  await meeting.getByLabel('Begrunnelse for forfall (valgfri, bare for sekretariatet)').fill('Sykdom i familien');
  await meeting.getByRole('button', { name: 'Meld forfall: ' + MEETING_TITLE }).click();
  await says(kari, 'mine-status', 'Forfallet er meldt. Vara er innkalt.');
  await meeting.getByText('Du har meldt forfall. Vara er innkalt: Dag En.').waitFor();
  await norwegianOnly(kari, 'absence reported', fail);
  await accessible(kari, 'absence reported');
  await kari.screenshot({ path: `${SCREENSHOTS}/20-mine-moter-forfall.png`, fullPage: true });

  // Dag En, the 1. vara, declines
  const dag1 = await memberPage(browser, DAG1_KEY, 1280, 900);
  const called = dag1.locator('article', { hasText: MEETING_TITLE });
  await called.getByText('Du er innkalt som 1. vara for Kari Nordmann: venter på ditt svar.').waitFor();
  if (await called.getByRole('button', { name: 'Meld forfall: ' + MEETING_TITLE }).count())
    fail('a deputy is offered to report absence from a seat they do not hold');
  await accessible(dag1, 'a call-up');
  await called.getByRole('button', { name: 'Jeg kan ikke: innkalling som vara til ' + MEETING_TITLE }).click();
  await says(dag1, 'mine-status', 'Du har takket nei. Neste vara blir innkalt.');
  await called.getByText('Du er innkalt som 1. vara for Kari Nordmann: du har takket nei.').waitFor();

  // Dag To, the municipality's 2. vara, accepts
  const dag2 = await memberPage(browser, DAG2_KEY, 390, 844);
  const second = dag2.locator('article', { hasText: MEETING_TITLE });
  await second.getByText('Du er innkalt som 2. vara for Kari Nordmann: venter på ditt svar.').waitFor();
  await second.getByRole('button', { name: 'Jeg kommer: innkalling som vara til ' + MEETING_TITLE }).click();
  await says(dag2, 'mine-status', 'Du har takket ja. Velkommen!');
  await accessible(dag2, 'a call-up accepted');
  await dag2.screenshot({ path: `${SCREENSHOTS}/21-mine-moter-vara.png`, fullPage: true });

  // Kari sees who comes in her place
  await kari.reload();
  await kari.getByRole('heading', { name: MEETING_TITLE }).waitFor();
  await meeting.getByText('Du har meldt forfall. Vara har takket ja: Dag To.').waitFor();
  // and declares herself possibly disqualified for the case
  await meeting.getByLabel('Hvorfor (forvaltningsloven § 6; bare for sekretariatet)').fill('Søsteren min er søker');
  await meeting.getByRole('button', { name: 'Meld mulig inhabilitet: ' + MEETING_TITLE }).click();
  await says(kari, 'mine-status', 'Mulig inhabilitet er meldt til sekretariatet.');
  await meeting.getByText(/Du har meldt mulig inhabilitet i .*: ikke avgjort ennå\./).waitFor();
  await accessible(kari, 'disqualification declared');

  // the secretary follows every seat, with the reason, and decides
  const secretary = await (await context(browser, 1280, 900)).newPage();
  await signIn(secretary, BASE_URL + '/moter.html', SECRETARY_KEY);
  await secretary.getByLabel('Utvalg', { exact: true }).selectOption({ label: COMMITTEE_NAME });
  await secretary.locator('#mote-liste button').first().click();
  const seat = secretary.locator('#plasser tr', { hasText: 'Kari Nordmann' });
  await seat.getByText('Vara har takket ja').waitFor();
  await seat.getByText('Dag To').waitFor();
  await seat.getByText('Sykdom i familien').waitFor();
  await secretary.getByText(/Kari Nordmann, .*: Søsteren min er søker/).waitFor();
  await accessible(secretary, 'the seats before the meeting');
  await secretary.getByLabel(/^Avgjørelse for Kari Nordmann/).selectOption('DISQUALIFIED');
  await secretary.getByRole('button', { name: /^Lagre avgjørelsen: Kari Nordmann/ }).click();
  await says(secretary, 'referat-status', 'Avgjørelsen for Kari Nordmann');
  await accessible(secretary, 'a declaration decided');
  await secretary.screenshot({ path: `${SCREENSHOTS}/22-moter-plasser.png`, fullPage: true });
  console.log('web-members: absence reported, 1. vara declined, 2. vara accepted, inhabilitet declared and decided');
} catch (e) {
  await lastLook(browser, SCREENSHOTS, 'web-members');
  fail(e);
} finally {
  await browser.close();
}
