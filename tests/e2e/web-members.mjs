// A member's own page in a real browser (test_web runs it): Kari, a member,
// reports absence for the coming meeting on /mine-moter.html on her phone;
// Dag En, her 1. vara, finds the call-up on his page and declines; Dag To,
// the municipality's 2. vara, accepts; Kari sees who comes in her place.
// Each page passes axe-core; screenshots kept. The minutes are checked by
// test_web afterwards. Exits 0, or 1 saying what went wrong.
//
//   BASE_URL=… KARI_KEY=… DAG1_KEY=… DAG2_KEY=… MEETING_TITLE=… SCREENSHOTS=dir node web-members.mjs
import { accessible as check, context, failer, lastLook, launch, norwegianOnly, signIn } from './browser.mjs';

const { BASE_URL, KARI_KEY, DAG1_KEY, DAG2_KEY, MEETING_TITLE, SCREENSHOTS } = process.env;
const fail = failer('web-members');
const accessible = (page, what) => check(page, what, fail);
const says = (page, id, text) => page.waitForFunction(([i, t]) =>
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
  await kari.getByRole('link', { name: 'Kalender for Administrativt samarbeidsutvalg' }).waitFor();
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
  console.log('web-members: absence reported, 1. vara declined, 2. vara accepted, inhabilitet declared');
} catch (e) {
  await lastLook(browser, SCREENSHOTS, 'web-members');
  fail(e.message);
} finally {
  await browser.close();
}
