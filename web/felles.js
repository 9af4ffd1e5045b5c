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
  ['/drift.html', 'Drift', []],
];

function key() { return sessionStorage.getItem('samhand-key') || ''; }

async function api(method, path, body) {
  const headers = { Authorization: 'Bearer ' + key() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await r.json().catch(() => ({}));
  return { status: r.status, json };
}

function show(id, on) { document.getElementById(id).hidden = !on; }

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

function navigation() {
  const nav = document.querySelector('header nav');
  if (!nav) return;
  for (const [href, text] of PAGES) {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = text;
    if (href === location.pathname || (href === '/' && location.pathname === '/index.html'))
      a.setAttribute('aria-current', 'page');
    nav.append(a, ' ');
  }
}
navigation();

// The sign-in form every page has: the key is kept in this tab when the
// gateway takes it (/v1/me), what the roles cannot use is hidden, and the
// page's own `start(me)` runs; `refused` says why a key was not taken.
// A start that returns false refuses the key too (a page it is no use on).
function signInForm(start, refused) {
  async function signIn(k) {
    sessionStorage.setItem('samhand-key', k);
    const r = await api('GET', '/v1/me');
    if (r.status === 200) {
      offer(r.json);
      if ((await start(r.json)) !== false) {
        offer(r.json); // again: over what start showed
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
  if (key()) signIn(key());
}
