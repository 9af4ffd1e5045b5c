// The access page, for administrators: the API keys (who they are for,
// their roles, the subject a person's principalSubject is set to for a
// personal key), a new one made (the key shown this once) and one revoked.
'use strict';

const ROLES = [['administrator', 'Administrator: alt'], ['secretariat', 'Sekretariat: register og utvalg'],
  ['secretary', 'Sekretær: møter, referat, tiltak'], ['member', 'Medlem: leser, fremdrift på tiltak'],
  ['reporter', 'Melder: avvik for sin organisasjon'], ['quality', 'Kvalitet: alle avvik og statistikk'],
  ['integration', 'Integrasjon: fagsystem, hendelser og abonnementer']];

const organisations = new Map();
let cursor = '';

async function start(me) {
  if (!may(me, 'agenda.ListApiKeys')) return false;
  const orgs = await fetch('/v1/organizations?limit=500').then((x) => x.json());
  const select = document.getElementById('organizationId');
  select.replaceChildren(new Option('Ingen (hele helsefellesskapet)', ''));
  for (const o of orgs.items || []) {
    organisations.set(o.id, o.name);
    select.append(new Option(o.name, o.id));
  }
  const box = document.getElementById('roller');
  box.replaceChildren();
  for (const [role, text] of ROLES) {
    const div = document.createElement('div');
    div.className = 'check';
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.id = 'rolle-' + role;
    input.value = role;
    const label = document.createElement('label');
    label.htmlFor = input.id;
    label.textContent = text;
    div.append(input, label);
    box.append(div);
  }
  show('innlogging', false);
  show('nokler', true);
  await list(false);
  return true;
}

async function list(more) {
  const q = new URLSearchParams({ limit: '100' });
  if (more && cursor) q.set('cursor', cursor);
  const r = await api('GET', '/v1/api-keys?' + q);
  const body = document.getElementById('nokkel-liste');
  if (!more) body.replaceChildren();
  for (const k of r.json.items || []) {
    const row = body.insertRow();
    const status = k.revokeTime ? 'Trukket tilbake ' + new Date(k.revokeTime).toLocaleDateString('nb-NO') : 'Aktiv';
    for (const value of [k.name, organisations.get(k.organizationId) || '', (k.roles || []).join(', '),
      k.prefix, k.subject, status])
      row.insertCell().textContent = value;
    const cell = row.insertCell();
    if (k.revokeTime) continue;
    cell.append(button('Trekk tilbake', k.name, async () => {
      const done = await api('DELETE', '/v1/api-keys/' + k.id);
      if (done.status !== 200) { say('nokler-status', 'Det gikk ikke: ' + (done.json.detail || '') + '.'); return; }
      await list(false);
      say('nokler-status', k.name + ' er trukket tilbake og åpner ingenting lenger.');
    }));
  }
  cursor = r.json.nextCursor || '';
  show('flere', Boolean(cursor));
}

document.getElementById('flere').addEventListener('click', () => list(true));

document.getElementById('ny-nokkel').addEventListener('submit', async (e) => {
  e.preventDefault();
  for (const f of ['name', 'organizationId', 'roles']) fieldError(f, '');
  const name = document.getElementById('name').value.trim();
  const roles = [...document.querySelectorAll('#roller input:checked')].map((c) => c.value);
  if (!name) { fieldError('name', 'Skriv hva nøkkelen er til.'); document.getElementById('name').focus(); return; }
  if (!roles.length) { fieldError('roles', 'Velg minst én rolle.'); document.querySelector('#roller input').focus(); return; }
  const r = await api('POST', '/v1/api-keys', { name, organizationId: document.getElementById('organizationId').value, roles });
  if (r.status !== 201) { refusal(r, 'Nøkkelen ble ikke laget', 'nokler-status'); return; }
  e.target.reset();
  await list(false);
  showSecret('nokler-status', `Nøkkelen «${r.json.name}» er laget. Den vises bare nå; gi den videre på en trygg måte:`,
    r.json.key);
});

signInForm(start, 'Nøkkelen ble ikke godtatt (denne siden er for administratorer).');
