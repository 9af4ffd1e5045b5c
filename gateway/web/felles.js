// What samhand's pages share: the navigation, the credential of this tab
// (an API key, or an access token from an OpenID Connect login), calls to
// /v1 with it, offering only what the signed-in roles may do, and showing
// a field's error beside the field.
'use strict';

// The pages, and the operations that make each of use (any one of them;
// none: of use to everyone). /v1/me says which operations a role may call.
const PAGES = [
  ['/', 'Avvik', ['deviation.CreateReport']],
  ['/statistikk.html', 'Statistikk', ['deviation.Stats']],
  ['/utvalg.html', 'Utvalg', []],
  ['/moter.html', 'Møter', ['agenda.CreateMeeting']],
  ['/oppfolging.html', 'Oppfølging', ['agenda.ListActions']],
  ['/mine-moter.html', 'Mine møter', ['agenda.ListMyMeetings']],
  ['/arkiv.html', 'Arkiv', []],
  ['/drift.html', 'Drift', []],
  ['/tilgang.html', 'Tilgang', ['agenda.ListApiKeys']],
];

// the credential: an API key, or an access token; kept in this tab only
function key() { return sessionStorage.getItem('samhand-key') || ''; }

let signedIn = false;

// A call to the API: its status, its JSON, and its ETag (the version an
// If-Match in `extra` headers hands back with a change).
async function api(method, path, body, extra = {}) {
  // problem details in bokmål, as the pages speak to people
  const headers = { Authorization: 'Bearer ' + key(), 'Accept-Language': 'nb', ...extra };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await r.json().catch(() => ({}));
  if (r.status === 401 && signedIn) {
    // the token ran out or the key was revoked: sign in again
    sessionStorage.removeItem('samhand-key');
    location.reload();
  }
  return { status: r.status, json, etag: r.headers.get('ETag') || '' };
}

function show(id, on) { document.getElementById(id).hidden = !on; }

function say(id, text) { document.getElementById(id).textContent = text; }

// A day as the API takes it (YYYY-MM-DD, Oslo), `days` from today.
function isoDay(days = 0) {
  return new Date(Date.now() + days * 86400000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Oslo' });
}

// The error text under a field, tied to it (aria-describedby, aria-invalid);
// false when the page has no place for that field's errors.
function fieldError(field, text) {
  const p = document.getElementById(field + '-feil');
  const input = document.getElementById(field);
  if (!p) return false;
  p.textContent = text;
  p.hidden = !text;
  if (input) input.setAttribute('aria-invalid', text ? 'true' : 'false');
  return true;
}

// The API's refusal, put beside the field it names (the element with id
// prefix + field), else in the element `status`.
function refusal(r, what, status, prefix = '') {
  const field = r.json.errors && r.json.errors[0] ? r.json.errors[0].field : '';
  const text = what + ': ' + (r.json.detail || 'ukjent feil') + '.';
  if (field && fieldError(prefix + field, text)) document.getElementById(prefix + field).focus();
  else document.getElementById(status).textContent = text;
}

// A list the API pages (?limit=&cursor=), shown a page at a time: `path()`
// is the list's URL with its filters (a search's q), `render(item)` the
// element of one item, put in the element `box`; how many are shown is
// said in `count` (a role=status element, so a screen reader hears it) and
// the button `more` fetches the next page. `words` names what is listed
// (one, many) and what to say when there is none (none, or a function of
// the path). Returns list(next): the first page again, or the next below.
function pagedList({ path, render, box, count, more, words }) {
  let cursor = '';
  let shown = 0;
  // the latest call alone shows its answer: two filters changed in quick
  // succession would otherwise both append theirs
  let latest = 0;
  async function list(next) {
    const call = ++latest;
    const url = path();
    const into = document.getElementById(box);
    if (!url) { into.replaceChildren(); shown = 0; cursor = ''; say(count, ''); show(more, false); return; }
    const q = new URLSearchParams({ limit: '50' });
    if (next && cursor) q.set('cursor', cursor);
    const r = await api('GET', url + (url.includes('?') ? '&' : '?') + q);
    if (call !== latest) return;
    if (!next) { into.replaceChildren(); shown = 0; cursor = ''; }
    if (r.status !== 200) {
      say(count, 'Listen kunne ikke hentes: ' + (r.json.detail || 'ukjent feil') + '.');
      show(more, false);
      return;
    }
    for (const item of r.json.items || []) { into.append(render(item)); shown++; }
    cursor = r.json.nextCursor || '';
    show(more, Boolean(cursor));
    const none = typeof words.none === 'function' ? words.none(url) : words.none;
    say(count, shown === 0 ? none
      : `${shown} ${shown === 1 ? words.one : words.many} vises${cursor ? ', flere finnes' : ''}.`);
  }
  document.getElementById(more).addEventListener('click', () => list(true));
  return list;
}

// A search form (role=search) over a paged list: submitting it lists the
// first page of what the form's search box finds.
function searchForm(form, list) {
  document.getElementById(form).addEventListener('submit', (e) => { e.preventDefault(); list(false); });
}

// The meetings of every committee that the search box sok-moter-q finds
// (title, place, a public item's title: the API never searches an exempt
// one's), listed in motesok-treff by `render`; none before a search.
function meetingSearch(render) {
  return pagedList({
    path: () => (searchParam('sok-moter-q') ? '/v1/meetings?' + searchParam('sok-moter-q') : ''),
    box: 'motesok-treff', count: 'motesok-antall', more: 'flere-moter',
    words: { one: 'møte', many: 'møter', none: 'Ingen møter passer søket.' },
    render,
  });
}

// The value of a search box, as a q parameter ('' when it is empty).
function searchParam(input) {
  const q = document.getElementById(input).value.trim();
  return q ? 'q=' + encodeURIComponent(q) : '';
}

// Whether the signed-in credential may call any of `operations`.
function may(me, ...operations) {
  const held = (me && me.operations) || [];
  return operations.length === 0 || operations.some((o) => held.includes(o));
}

// Hides what the roles cannot use: the pages in the navigation, and every
// element marked data-needs="op1 op2" (shown if any one may be called).
function offer(me) {
  for (const a of document.querySelectorAll('header nav a')) {
    const page = PAGES.find((p) => p[0] === a.getAttribute('href'));
    a.hidden = !(page && may(me, ...page[2]));
  }
  for (const el of document.querySelectorAll('[data-needs]'))
    el.hidden = !may(me, ...el.dataset.needs.split(' '));
}

// What every page has around its own part: the header (the name, the
// pages, who is signed in) and, in its sign-in section, the key's form.
function frame() {
  const header = document.querySelector('header');
  const nav = document.createElement('nav');
  nav.setAttribute('aria-label', 'Sider');
  for (const [href, text] of PAGES) {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = text;
    if (href === location.pathname || (href === '/' && location.pathname === '/index.html'))
      a.setAttribute('aria-current', 'page');
    nav.append(a, ' ');
  }
  const who = Object.assign(document.createElement('p'), { id: 'hvem', className: 'who', textContent: 'Ikke innlogget' });
  who.setAttribute('aria-live', 'polite');
  header.append(Object.assign(document.createElement('p'), { className: 'brand', textContent: 'samhand' }), nav, who);

  const form = Object.assign(document.createElement('form'), { id: 'logg-inn', noValidate: true });
  form.innerHTML = `<label for="nokkel">API-nøkkel</label>
    <input id="nokkel" type="password" autocomplete="off" required aria-describedby="nokkel-hjelp nokkel-feil">
    <p id="nokkel-hjelp" class="help">Nøkkelen har du fått av samhand-administratoren. Den lagres bare i denne fanen.</p>
    <p id="nokkel-feil" class="error" hidden></p>
    <button type="submit">Logg inn</button>`;
  document.getElementById('innlogging').append(form);
}
frame();

// A button that says what it does to what (its accessible name).
function button(label, about, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.setAttribute('aria-label', label + ': ' + about);
  b.addEventListener('click', onClick);
  return b;
}

// A labelled field around `control`, with its error line (id + '-feil').
function field(id, label, control) {
  const div = document.createElement('div');
  div.className = 'field';
  const l = document.createElement('label');
  l.htmlFor = id;
  l.textContent = label;
  control.id = id;
  control.setAttribute('aria-describedby', id + '-feil');
  const error = document.createElement('p');
  error.id = id + '-feil';
  error.className = 'error';
  error.hidden = true;
  div.append(l, control, error);
  return div;
}

// A document or file fetched with this tab's credential (what it may see:
// an exempt case's documents need it) and saved as `filename`; false when
// it could not be had.
async function saveAs(path, filename) {
  const r = await fetch(path, { headers: { Authorization: 'Bearer ' + key() } }).catch(() => null);
  if (!r || !r.ok) return false;
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await r.blob());
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  return true;
}

// A secret (a key, a signing secret) shown this once in `status`, after
// what happened.
function showSecret(status, text, secret) {
  const box = document.getElementById(status);
  box.replaceChildren(text + ' ');
  box.append(Object.assign(document.createElement('span'), { className: 'secret', textContent: secret }));
}

// ------------------------------------------------------------ OpenID Connect
// The authorization code flow with PKCE (RFC 7636), the pages a public
// client: the user signs in at the provider, which sends the browser back
// to / with a code; the code and this tab's secret verifier give the
// access token, which the API checks like any other.

function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function beginLogin(oidc) {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem('samhand-login', JSON.stringify({ verifier, state, back: location.pathname }));
  const q = new URLSearchParams({
    response_type: 'code', client_id: oidc.clientId, redirect_uri: location.origin + '/',
    scope: oidc.scope, state, code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: 'S256',
  });
  location.assign(oidc.authorizationEndpoint + '?' + q);
}

// Back from the provider (?code=…&state=…): the token, or why not.
// Returns '' when this is no return from a sign-in or it went well.
async function finishLogin(oidc) {
  const q = new URLSearchParams(location.search);
  if (!q.has('code') && !q.has('error')) return '';
  const pending = JSON.parse(sessionStorage.getItem('samhand-login') || 'null');
  sessionStorage.removeItem('samhand-login');
  history.replaceState(null, '', location.pathname);
  // the provider's own words may be English: the page says it in bokmål
  if (q.has('error')) {
    return q.get('error') === 'access_denied' ? 'Påloggingen ble avbrutt, eller du fikk ikke logge inn der.'
      : 'Påloggingen ble avbrutt hos innloggingstjenesten. Prøv igjen, eller bruk en API-nøkkel.';
  }
  if (!pending || q.get('state') !== pending.state) return 'Påloggingen kom ikke fra denne fanen. Prøv igjen.';
  const r = await fetch(oidc.tokenEndpoint, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code: q.get('code'), redirect_uri: location.origin + '/',
      client_id: oidc.clientId, code_verifier: pending.verifier,
    }),
  }).catch(() => null);
  const token = r && r.ok ? await r.json().catch(() => ({})) : {};
  if (!token.access_token) return 'Påloggingen ga ingen tilgang. Prøv igjen, eller bruk en API-nøkkel.';
  sessionStorage.setItem('samhand-key', token.access_token);
  if (pending.back !== location.pathname) location.assign(pending.back);
  return '';
}

// The provider's button beside the key, when the gateway has one.
function loginButton(oidc) {
  const p = document.createElement('p');
  p.className = 'login-alternative';
  const b = document.createElement('button');
  b.type = 'button';
  b.id = 'logg-inn-oidc';
  b.textContent = 'Logg inn med ' + oidc.name;
  b.addEventListener('click', () => beginLogin(oidc));
  p.append(b);
  const form = document.getElementById('logg-inn');
  form.before(p, Object.assign(document.createElement('p'), { textContent: 'eller med en API-nøkkel:' }));
}

const ROLE_NAMES = { administrator: 'administrator', secretariat: 'sekretariat', secretary: 'sekretær',
  member: 'medlem', reporter: 'melder', quality: 'kvalitet', integration: 'integrasjon' };

// Who is signed in, in the header: the organisation and the roles.
async function whoIs(me) {
  const roles = (me.roles || []).map((r) => ROLE_NAMES[r] || r).join(', ');
  let org = '';
  if (me.organizationId) {
    const r = await fetch('/v1/organizations/' + me.organizationId).catch(() => null);
    org = r && r.ok ? (await r.json()).name || '' : '';
  }
  say('hvem', 'Innlogget' + (org ? ' for ' + org : '') + (roles ? ' (' + roles + ')' : ''));
}

// The sign-in form every page has (and the provider's button when there
// is one): the credential is kept in this tab when the gateway takes it
// (/v1/me), what the roles cannot use is hidden, and the page's own
// `start(me)` runs; `refused` says why a credential was not taken.
// A start that returns false refuses the key too (a page it is no use on).
async function signInForm(start, refused) {
  async function signIn(k) {
    sessionStorage.setItem('samhand-key', k);
    const r = await api('GET', '/v1/me');
    if (r.status === 200) {
      offer(r.json);
      if ((await start(r.json)) !== false) {
        offer(r.json); // again: over what start showed
        whoIs(r.json);
        signedIn = true;
        return true;
      }
    }
    sessionStorage.removeItem('samhand-key');
    return false;
  }
  document.getElementById('logg-inn').addEventListener('submit', async (e) => {
    e.preventDefault();
    fieldError('nokkel', '');
    const k = document.getElementById('nokkel').value.trim();
    if (!k || !(await signIn(k))) {
      fieldError('nokkel', refused);
      document.getElementById('nokkel').focus();
    }
  });
  const options = await fetch('/v1/sign-in').then((r) => r.json()).catch(() => ({}));
  if (options.openIdConnect) {
    loginButton(options.openIdConnect);
    const why = await finishLogin(options.openIdConnect);
    if (why) fieldError('nokkel', why);
  }
  if (key() && !(await signIn(key()))) fieldError('nokkel', refused);
}
