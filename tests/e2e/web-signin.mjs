// Signing in with OpenID Connect in a real browser (test_web runs it): a
// nurse on a phone opens the committees page, signs in at the provider
// (tests/e2e/test-idp.mjs, authorization code with PKCE), comes back to
// the same page signed in for the organisation of her token, offered what
// her roles may do; a return that is not this tab's is refused. axe-core
// on the sign-in, screenshots kept. Exits 0, or 1 saying what went wrong.
//
//   BASE_URL=… IDP_PORT=… IDP_KEY_PEM=… IDP_KID=… CLIENT_ID=… ORG_NUMBER=… ORG_NAME=…
//   SCREENSHOTS=dir node web-signin.mjs
import { accessible as check, context, failer, lastLook, launch, until } from './browser.mjs';
import { startIdp } from './test-idp.mjs';

const { BASE_URL, IDP_PORT, IDP_KEY_PEM, IDP_KID, CLIENT_ID, ORG_NUMBER, ORG_NAME, SCREENSHOTS } = process.env;
const fail = failer('web-signin');
const accessible = (page, what) => check(page, what, fail);

const idp = await startIdp({
  port: Number(IDP_PORT), keyPem: IDP_KEY_PEM, kid: IDP_KID, clientId: CLIENT_ID,
  redirectUri: BASE_URL + '/', audience: 'samhand-api',
  claims: { sub: 'helseid-kari', 'helseid://claims/client/claims/orgnr_parent': ORG_NUMBER, samhand_roles: ['reporter'] },
});
const browser = await launch(SCREENSHOTS);
try {
  const phone = await context(browser, 390, 844);
  const page = await phone.newPage();
  await page.goto(BASE_URL + '/utvalg.html');
  const button = page.getByRole('button', { name: 'Logg inn med HelseID' });
  await button.waitFor();
  await accessible(page, 'the sign-in with a provider');
  await page.screenshot({ path: `${SCREENSHOTS}/0-innlogging-helseid.png`, fullPage: true });

  await button.click();
  await page.getByRole('heading', { name: 'Utvalgene i helsefellesskapet' }).waitFor();
  if (new URL(page.url()).pathname !== '/utvalg.html') fail('not back on the page signed in from: ' + page.url());
  if (page.url().includes('code=')) fail('the code stays in the address: ' + page.url());
  await until(page, (name) => document.getElementById('hvem').textContent.includes(name), ORG_NAME);
  if (await page.getByRole('link', { name: 'Møter' }).isVisible()) fail('a reporter is offered the meeting page');
  if (idp.seen.authorize !== 1 || idp.seen.token !== 1) fail(`the provider saw ${JSON.stringify(idp.seen)}`);

  // a return with a state this tab did not make is refused, and nobody is signed in
  const other = await (await context(browser, 390, 844)).newPage();
  await other.goto(BASE_URL + '/?code=stolen&state=not-mine');
  await until(other, () => document.getElementById('nokkel-feil').textContent.includes('ikke fra denne fanen'));
  if (await other.getByRole('heading', { name: 'Meld avvik' }).isVisible()) fail('signed in with a stolen code');
  if (idp.seen.token !== 1) fail('a stolen code was taken to the provider');
  console.log('web-signin: signed in at the provider and back, a foreign return refused');
} catch (e) {
  await lastLook(browser, SCREENSHOTS, 'web-signin');
  fail(e);
} finally {
  await browser.close();
  idp.server.close();
}
