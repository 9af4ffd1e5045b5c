// Following up actions in a real browser (test_web runs it): a committee
// member on a phone sees the committee's open actions a page at a time,
// the overdue one marked, those of the member's organisation, and moves
// the overdue one on with a note; the member is offered neither the
// meeting page nor new actions. axe-core on every state, screenshots kept.
// Exits 0, or 1 saying what went wrong.
//
//   BASE_URL=… MEMBER_KEY=… COMMITTEE_NAME=… OPEN_ACTIONS=n SCREENSHOTS=dir node web-followup.mjs
import { accessible as check, context, failer, lastLook, launch, signIn, until } from './browser.mjs';

const { BASE_URL, MEMBER_KEY, COMMITTEE_NAME, OPEN_ACTIONS, SCREENSHOTS } = process.env;
const fail = failer('web-followup');
const accessible = (page, what) => check(page, what, fail);
const statusSays = (page, id, text) => until(page, ([i, t]) =>
  document.getElementById(i).textContent.includes(t), [id, text]);

const browser = await launch(SCREENSHOTS);
try {
  const phone = await context(browser, 390, 844);
  const page = await phone.newPage();
  await signIn(page, BASE_URL + '/oppfolging.html', MEMBER_KEY);
  await page.getByRole('heading', { name: 'Tiltakene' }).waitFor();
  // who is signed in: the organisation and the role, in Norwegian
  await until(page, () => document.getElementById('hvem').textContent === 'Innlogget for Levanger kommune (medlem)');
  if (await page.getByRole('link', { name: 'Møter', exact: true }).isVisible()) fail('a member is offered the meeting page');
  if (await page.getByRole('heading', { name: 'Nytt oppfølgingspunkt' }).isVisible()) fail('a member is offered new actions');

  // a page at a time
  await page.getByLabel('Utvalg', { exact: true }).selectOption({ label: COMMITTEE_NAME });
  await statusSays(page, 'tiltak-antall', '50 tiltak vises, flere finnes.');
  await page.getByRole('button', { name: 'Vis flere' }).click();
  await statusSays(page, 'tiltak-antall', `${OPEN_ACTIONS} tiltak vises.`);
  if (await page.getByRole('button', { name: 'Vis flere' }).isVisible()) fail('more offered after the last page');

  // the overdue one, and those of the member's organisation
  await page.getByLabel('Bare forfalte').check();
  await statusSays(page, 'tiltak-antall', '1 tiltak vises.');
  const overdue = page.locator('article', { hasText: 'Oppdatere beredskapsplanen' });
  if (!(await overdue.textContent()).includes('(forfalt)')) fail('the overdue action is not marked');
  await page.getByLabel('Åpne og pågående').check();
  await page.getByLabel('Bare dem min organisasjon har ansvar for').check();
  await statusSays(page, 'tiltak-antall', '1 tiltak vises.');
  await overdue.waitFor();
  await accessible(page, 'the actions');

  // moved on, with a note
  await overdue.getByLabel('Status for nr. 1').selectOption('IN_PROGRESS');
  await overdue.getByLabel('Hva er gjort med nr. 1').fill('Utkast sendt på høring til kommunene.');
  await overdue.getByRole('button', { name: 'Lagre fremdrift for nr. 1' }).click();
  await statusSays(page, 'tiltak-status', 'Nr. 1 er oppdatert: Pågår.');
  const card = page.locator('article', { hasText: 'Oppdatere beredskapsplanen' });
  await card.locator('li', { hasText: 'Utkast sendt på høring til kommunene.' }).waitFor();
  await card.locator('dd', { hasText: 'Pågår' }).waitFor();
  await accessible(page, 'an action moved on');
  await page.screenshot({ path: `${SCREENSHOTS}/16-oppfolging.png`, fullPage: true });
  console.log('web-followup: actions paged, filtered, one moved on with a note');
} catch (e) {
  await lastLook(browser, SCREENSHOTS, 'web-followup');
  fail(e);
} finally {
  await browser.close();
}
