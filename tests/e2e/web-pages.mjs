// Every page at a phone's and a laptop's size, signed in as an
// administrator (who is offered everything): each page loads, takes the
// key, shows its main heading, passes axe-core (the deviations page paged
// through to the end; on the access page a key made and revoked, and the
// partnership's settings set to 4 weeks, no acknowledgement deadline,
// quarters), and is kept as a
// screenshot (pages-<page>-<size>.png). Exits 0, or 1 saying what went wrong.
//
//   BASE_URL=… ADMIN_KEY=… SCREENSHOTS=dir node web-pages.mjs
import { accessible as check, context, failer, lastLook, launch, until } from './browser.mjs';

const { BASE_URL, ADMIN_KEY, SCREENSHOTS } = process.env;
const fail = failer('web-pages');
const accessible = (page, what) => check(page, what, fail);

// the page, and a heading it shows once signed in
const PAGES = [['/', 'Meld avvik'], ['/statistikk.html', 'Tall for perioden'],
  ['/utvalg.html', 'Utvalgene i helsefellesskapet'], ['/moter.html', 'Nytt møte'],
  ['/oppfolging.html', 'Tiltakene'], ['/mine-moter.html', 'Mine kommende møter'],
  ['/drift.html', 'Webhook-abonnementer'], ['/tilgang.html', 'API-nøkler'],
  ['/arkiv.html', 'Innkallinger og protokoller']];
const SIZES = [['mobil', 390, 844], ['laptop', 1280, 900]];

const browser = await launch(SCREENSHOTS);
try {
  for (const [size, width, height] of SIZES) {
    const page = await (await context(browser, width, height)).newPage();
    for (const [path, heading] of PAGES) {
      await page.goto(BASE_URL + path);
      if (!(await page.evaluate(() => sessionStorage.getItem('samhand-key')))) {
        await page.getByLabel('API-nøkkel').fill(ADMIN_KEY);
        await page.getByRole('button', { name: 'Logg inn', exact: true }).click();
      }
      await page.getByRole('heading', { name: heading, exact: true }).waitFor({ timeout: 10000 })
        .catch(() => fail(`${path} (${size}): no heading "${heading}" after signing in`));
      // an administrator is offered every page
      for (const link of ['Avvik', 'Statistikk', 'Utvalg', 'Møter', 'Oppfølging', 'Mine møter', 'Arkiv', 'Drift', 'Tilgang'])
        if (!(await page.getByRole('link', { name: link, exact: true }).isVisible())) fail(`${path}: no link to ${link}`);
      // nothing wider than the screen
      const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
      if (wide) fail(`${path} is wider than a ${width} px screen`);
      if (path === '/' && size === 'laptop') {
        // more reports than a page: the next one below, then no more
        await until(page, () => document.getElementById('liste-antall').textContent.includes('flere finnes'));
        const first = await page.locator('#meldinger tr').count();
        await page.getByRole('button', { name: 'Vis flere' }).click();
        await until(page, (n) => document.querySelectorAll('#meldinger tr').length > n, first);
        if (await page.getByRole('button', { name: 'Vis flere' }).isVisible()) fail('more offered after the last page');
        const all = await page.locator('#meldinger tr').count();
        if (all < 51) fail(`the pages of reports hold ${all}, not all`);
      }
      if (path === '/tilgang.html' && size === 'laptop') {
        // a key made for a party's system: shown once, usable, then revoked
        await page.getByLabel('Hva den er til').fill('Fagsystem i Selbu');
        await page.getByLabel('Organisasjon', { exact: true }).selectOption({ label: 'Selbu kommune' });
        await page.getByLabel('Integrasjon: fagsystem, hendelser og abonnementer').check();
        await page.getByRole('button', { name: 'Lag nøkkelen' }).click();
        const made = await page.locator('#nokler-status .secret').textContent();
        if (!made.startsWith('shk_')) fail('no key shown: ' + made);
        const me = await fetch(BASE_URL + '/v1/me', { headers: { Authorization: 'Bearer ' + made } });
        if (me.status !== 200 || !(await me.json()).roles.includes('integration')) fail('the new key does not open');
        await page.getByRole('button', { name: 'Trekk tilbake: Fagsystem i Selbu' }).click();
        await page.locator('#nokkel-liste tr', { hasText: 'Fagsystem i Selbu' }).filter({ hasText: 'Trukket tilbake' }).waitFor();
        // it opens nothing once the gateway has read the keys again (every 10 s)
        let status = 200;
        for (let i = 0; i < 30 && status === 200; i++) {
          await page.waitForTimeout(500);
          status = (await fetch(BASE_URL + '/v1/me', { headers: { Authorization: 'Bearer ' + made } })).status;
        }
        if (status !== 401) fail('a revoked key still opens /v1/me: ' + status);

        // the partnership's own rules: answered within 4 weeks, no
        // acknowledgement deadline, statistics per quarter, from today
        const form = page.locator('#ny-versjon');
        await form.getByLabel('Ingen frist for å bekrefte mottak').check();
        const answer = form.getByRole('group', { name: 'Frist for å svare' });
        await answer.getByLabel('Lengde').fill('4');
        await answer.getByLabel('Enhet').selectOption({ label: 'uker' });
        await form.getByLabel('Statistikk per').selectOption({ label: 'kvartal' });
        await form.getByLabel('Påminnelse, virkedager før fristen').fill('3');
        await form.getByLabel('Begrunnelse').fill('Revidert samarbeidsavtale');
        // a length out of range is refused beside its field, in bokmål
        await answer.getByLabel('Lengde').fill('0');
        await page.getByRole('button', { name: 'Lagre ny versjon' }).click();
        await page.locator('#innst-answerDeadline\\.length-feil').filter({ hasText: 'fra 1 til 365' }).waitFor();
        await accessible(page, 'a refused settings change');
        await answer.getByLabel('Lengde').fill('4');
        await page.getByRole('button', { name: 'Lagre ny versjon' }).click();
        await page.locator('#innstillinger-status').filter({ hasText: /Versjon \d+ er lagret/ }).waitFor();
        await page.locator('#innstillinger-naa').filter({ hasText: 'svare: 4 uker' }).waitFor();
        const now = await (await fetch(BASE_URL + '/v1/settings', { headers: { Authorization: 'Bearer ' + ADMIN_KEY } })).json();
        if (now.answerDeadline.unit !== 'WEEKS' || now.answerDeadline.length !== 4 || now.acknowledgeDeadline
          || now.statisticsPeriod !== 'QUARTER' || now.reminderDays !== 3 || !now.actor.startsWith('key:'))
          fail('the settings saved are not those set: ' + JSON.stringify(now));
        // the statistics page takes quarters now
        await page.goto(BASE_URL + '/statistikk.html');
        await page.locator('#oppsummering').filter({ hasText: 'avviksmelding' }).waitFor();
        if (await page.locator('#kind').inputValue() !== 'QUARTER') fail('the statistics are not offered per quarter');
        if (!/^\d{4}-Q[1-4]$/.test(await page.locator('#period option').first().textContent()))
          fail('the periods offered are not quarters');
        await page.goto(BASE_URL + '/tilgang.html');
        await page.getByRole('heading', { name: 'Helsefellesskapets innstillinger' }).waitFor();
      }
      await accessible(page, `${path} (${size})`);
      const name = path === '/' ? 'avvik' : path.slice(1, -'.html'.length);
      await page.screenshot({ path: `${SCREENSHOTS}/sider-${name}-${size}.png`, fullPage: true });
    }
  }
  // the archive is the public's: read without signing in
  {
    const page = await (await context(browser, 390, 844)).newPage();
    await page.goto(BASE_URL + '/arkiv.html');
    await page.locator('#arkiv-status').filter({ hasText: /dokument|Ingen/ }).waitFor({ timeout: 10000 })
      .catch(() => fail('the archive says nothing to the public'));
    if ((await page.locator('#arkiv-utvalg option').count()) < 1) fail('the archive offers no committee to the public');
    const pdf = page.getByRole('link', { name: /^PDF: / }).first();
    if (await pdf.count()) {
      const r = await fetch(BASE_URL + (await pdf.getAttribute('href')));
      if (r.status !== 200 || !(r.headers.get('content-type') || '').startsWith('application/pdf'))
        fail(`the archive's PDF link answers ${r.status} to the public`);
    }
    await accessible(page, '/arkiv.html (public)');
    await page.screenshot({ path: `${SCREENSHOTS}/sider-arkiv-offentlig.png`, fullPage: true });
  }
  console.log(`web-pages: ${PAGES.length} pages at ${SIZES.length} sizes`);
} catch (e) {
  await lastLook(browser, SCREENSHOTS, 'web-pages');
  fail(e);
} finally {
  await browser.close();
}
