// samhand's pages: sign in with an API key (kept in this tab only), report
// a deviation, see the organisation's reports. Talks to /v1 of the same
// gateway; the API decides what the key may see and do.
'use strict';

const STATES = {
  DRAFT: 'Utkast', SUBMITTED: 'Sendt', AWAITING_RESPONSE: 'Registrert hos mottaker',
  INFORMATION_REQUESTED: 'Venter på opplysninger', ANSWERED: 'Besvart', DISPUTED: 'Bestridt',
  ANALYSIS_REQUESTED: 'Felles hendelsesanalyse', CLOSED: 'Lukket', REJECTED: 'Avvist',
  DUPLICATE: 'Duplikat',
};

let me = null;
const names = new Map(); // organisation id -> name

function key() { return sessionStorage.getItem('samhand-key') || ''; }

async function api(method, path, body) {
  const headers = { Authorization: 'Bearer ' + key() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await r.json().catch(() => ({}));
  return { status: r.status, json };
}

function show(id, on) { document.getElementById(id).hidden = !on; }

function fieldError(field, text) {
  const p = document.getElementById(field + '-feil');
  const input = document.getElementById(field);
  if (!p) return false;
  p.textContent = text;
  p.hidden = !text;
  if (input) input.setAttribute('aria-invalid', text ? 'true' : 'false');
  return true;
}

function clearErrors(form) {
  for (const p of form.querySelectorAll('.error')) { p.hidden = true; p.textContent = ''; }
  for (const i of form.querySelectorAll('[aria-invalid]')) i.setAttribute('aria-invalid', 'false');
}

function option(select, value, text) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = text;
  select.append(o);
}

async function signIn(k) {
  sessionStorage.setItem('samhand-key', k);
  const r = await api('GET', '/v1/me');
  if (r.status !== 200) {
    sessionStorage.removeItem('samhand-key');
    return false;
  }
  me = r.json;
  const orgs = await fetch('/v1/organizations?limit=500').then((x) => x.json());
  const receivers = document.getElementById('receivingOrganizationId');
  receivers.replaceChildren();
  option(receivers, '', 'Velg organisasjon');
  for (const o of orgs.items || []) {
    names.set(o.id, o.name);
    if (o.id !== me.organizationId) option(receivers, o.id, o.name);
  }
  const categories = await fetch('/v1/deviation-categories').then((x) => x.json());
  const select = document.getElementById('categoryCode');
  select.replaceChildren();
  option(select, '', 'Velg kategori');
  for (const c of categories.items || []) option(select, c.code, c.name);
  document.getElementById('hvem').textContent =
    'Innlogget for ' + (names.get(me.organizationId) || 'ingen organisasjon');
  show('innlogging', false);
  show('melding', true);
  show('liste', true);
  await listReports();
  return true;
}

async function listReports() {
  const r = await api('GET', '/v1/deviations?limit=100');
  const body = document.getElementById('meldinger');
  body.replaceChildren();
  for (const d of (r.json.items || [])) {
    const tr = document.createElement('tr');
    const due = d.answerDeadline && d.answerDeadline.dueDate
      ? d.answerDeadline.dueDate.split('-').reverse().join('.') : '';
    for (const text of [d.reference || 'utkast', names.get(d.reportingOrganizationId) || '',
      names.get(d.receivingOrganizationId) || '', STATES[d.state] || d.state, due]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    body.append(tr);
  }
}

document.getElementById('logg-inn').addEventListener('submit', async (e) => {
  e.preventDefault();
  const k = document.getElementById('nokkel').value.trim();
  fieldError('nokkel', '');
  if (!k || !(await signIn(k))) {
    fieldError('nokkel', 'Nøkkelen ble ikke godtatt. Sjekk at du har limt inn hele nøkkelen.');
    document.getElementById('nokkel').focus();
  }
});

document.getElementById('meld').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = e.target;
  clearErrors(form);
  const status = document.getElementById('meld-status');
  status.textContent = '';
  const value = (id) => document.getElementById(id).value.trim();
  const missing = [];
  for (const [id, text] of [['receivingOrganizationId', 'Velg hvem avviket gjelder.'],
    ['categoryCode', 'Velg en kategori.'], ['occurredTime', 'Skriv når det skjedde.'],
    ['description', 'Beskriv hva som skjedde.']]) {
    if (!value(id)) { fieldError(id, text); missing.push(id); }
  }
  if (missing.length) { document.getElementById(missing[0]).focus(); return; }
  const report = {
    reportingOrganizationId: me.organizationId,
    receivingOrganizationId: value('receivingOrganizationId'),
    type: value('type'),
    categoryCode: value('categoryCode'),
    occurredTime: new Date(value('occurredTime')).toISOString(),
    description: value('description'),
    reporterName: value('reporterName'),
    reporterEmail: value('reporterEmail'),
    isAnonymous: document.getElementById('isAnonymous').checked,
    submit: true,
  };
  const r = await api('POST', '/v1/deviations', report);
  if (r.status === 201) {
    status.textContent = 'Avviksmeldingen er sendt med referanse ' + r.json.reference + '.';
    form.reset();
    await listReports();
    return;
  }
  // the API names the field that is wrong, and says why in Norwegian or English
  const field = r.json.errors && r.json.errors[0] ? r.json.errors[0].field : '';
  let detail = 'Meldingen ble ikke sendt: ' + (r.json.detail || 'ukjent feil') + '.';
  const at = /national identity number.* at character (\d+)/.exec(r.json.detail || '');
  if (at) {
    // where it bites: say so in Norwegian and mark the number in the text
    detail = 'Teksten ser ut til å inneholde et fødselsnummer eller D-nummer (fra tegn ' + at[1] +
      '). Fjern det: en avviksmelding skal ikke kunne identifisere pasienten.';
    const input = document.getElementById(field);
    if (input && input.setSelectionRange) input.setSelectionRange(Number(at[1]) - 1, Number(at[1]) + 10);
  }
  if (field && fieldError(field, detail)) {
    document.getElementById(field).focus();
  } else {
    status.textContent = detail;
  }
});

if (key()) signIn(key());
