// What samhand's pages share: the API key of this tab, calls to /v1 with
// it, and showing a field's error beside the field.
'use strict';

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

// The pages a signed-in role has use for: the meeting page is the
// secretaries' (the API refuses the others anyway; the link is not offered).
function adjustNav(me) {
  const roles = (me && me.roles) || [];
  const meetings = roles.some((r) => ['administrator', 'secretariat', 'secretary'].includes(r));
  for (const a of document.querySelectorAll('header nav a[href="/moter.html"]')) a.hidden = !meetings;
}

// The sign-in form every page has: the key is tried with the page's own
// signIn (which keeps it when the API takes it); `refusal` says why not.
function signInForm(signIn, refusal) {
  document.getElementById('logg-inn').addEventListener('submit', async (e) => {
    e.preventDefault();
    fieldError('nokkel', '');
    const k = document.getElementById('nokkel').value.trim();
    if (!k || !(await signIn(k))) {
      fieldError('nokkel', refusal);
      document.getElementById('nokkel').focus();
    }
  });
  if (key()) signIn(key());
}
