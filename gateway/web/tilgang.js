// The access page, for administrators: the API keys (who they are for,
// their roles, the subject a person's principalSubject is set to for a
// personal key), a new one made (the key shown this once) and one revoked;
// and the partnership's settings, a new version of them from a date.
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
  show('innstillinger', true);
  await list(false);
  await settings();
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

// ------------------------------------------------------------ settings

const UNITS = { WORKING_DAYS: ['virkedag', 'virkedager'], CALENDAR_DAYS: ['kalenderdag', 'kalenderdager'],
  WEEKS: ['uke', 'uker'] };
const PERIODS = { TERTIAL: 'tertial', QUARTER: 'kvartal', HALF_YEAR: 'halvår', MONTH: 'måned' };
let newestEtag = '';

function rule(r) {
  if (!r || !r.length) return 'ingen frist';
  const words = UNITS[r.unit] || [r.unit, r.unit];
  return `${r.length} ${r.length === 1 ? words[0] : words[1]}`;
}

function norwegianDate(iso) {
  return iso ? `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}` : '';
}

// A version's ETag: the microseconds of its updateTime, as the API gives
// every ETag (a list carries none of its own).
function etagOf(v) {
  const [seconds, fraction = ''] = v.updateTime.replace('Z', '').split('.');
  const micros = BigInt(Date.parse(seconds + 'Z')) * 1000n + BigInt((fraction + '000000').slice(0, 6));
  return `"${micros}"`;
}

async function settings() {
  const r = await api('GET', '/v1/settings/versions');
  if (r.status !== 200) { say('innstillinger-status', 'Innstillingene kunne ikke hentes.'); return; }
  const versions = r.json.items || [];
  const body = document.getElementById('versjon-liste');
  body.replaceChildren();
  for (const v of versions) {
    const row = body.insertRow();
    for (const value of [String(v.version), norwegianDate(v.validFrom), rule(v.acknowledgeDeadline),
      rule(v.answerDeadline), PERIODS[v.statisticsPeriod] || v.statisticsPeriod,
      `${v.reminderDays} virkedager før`, v.actor + (v.isInForce ? ' (gjelder nå)' : ''), v.comment])
      row.insertCell().textContent = value;
  }
  const now = versions.find((v) => v.isInForce);
  if (now)
    say('innstillinger-naa', `Nå gjelder versjon ${now.version} (fra ${norwegianDate(now.validFrom)}): ` +
      `bekrefte mottak: ${rule(now.acknowledgeDeadline)}, svare: ${rule(now.answerDeadline)}, ` +
      `statistikk per ${PERIODS[now.statisticsPeriod]}, påminnelse ${now.reminderDays} virkedager før fristen.`);
  const newest = versions[versions.length - 1];
  newestEtag = newest ? etagOf(newest) : '';
  // the form starts from the newest version
  for (const id of ['innst-acknowledgeDeadline.unit', 'innst-answerDeadline.unit'])
    document.getElementById(id).replaceChildren(...Object.entries(UNITS).map(([k, w]) => new Option(w[1], k)));
  document.getElementById('innst-statisticsPeriod').replaceChildren(
    ...Object.entries(PERIODS).map(([k, w]) => new Option(w, k)));
  if (!newest) return;
  document.getElementById('innst-validFrom').value = isoDay(0);
  const ack = newest.acknowledgeDeadline;
  document.getElementById('ingen-mottaksfrist').checked = !(ack && ack.length);
  document.getElementById('innst-acknowledgeDeadline.length').value = ack && ack.length ? ack.length : '';
  document.getElementById('innst-acknowledgeDeadline.unit').value = ack && ack.unit ? ack.unit : 'WORKING_DAYS';
  document.getElementById('innst-answerDeadline.length').value = newest.answerDeadline.length;
  document.getElementById('innst-answerDeadline.unit').value = newest.answerDeadline.unit;
  document.getElementById('innst-statisticsPeriod').value = newest.statisticsPeriod;
  document.getElementById('innst-reminderDays').value = newest.reminderDays;
  // the committee disputes go to: kept as it is unless changed
  const committees = await fetch('/v1/committees?limit=500').then((x) => x.json()).catch(() => ({}));
  const disputes = document.getElementById('innst-disputeCommitteeId');
  disputes.replaceChildren(new Option('Ingen', ''),
    ...(committees.items || []).map((c) => new Option(c.shortName ? `${c.name} (${c.shortName})` : c.name, c.id)));
  disputes.value = newest.disputeCommitteeId || '';
  document.getElementById('innst-comment').value = '';
  noAcknowledgement();
}

// no acknowledgement deadline: its length and unit do not apply
function noAcknowledgement() {
  const none = document.getElementById('ingen-mottaksfrist').checked;
  for (const id of ['innst-acknowledgeDeadline.length', 'innst-acknowledgeDeadline.unit'])
    document.getElementById(id).disabled = none;
}

document.getElementById('ingen-mottaksfrist').addEventListener('change', noAcknowledgement);

document.getElementById('ny-versjon').addEventListener('submit', async (e) => {
  e.preventDefault();
  const value = (id) => document.getElementById('innst-' + id).value.trim();
  for (const f of ['validFrom', 'acknowledgeDeadline.length', 'acknowledgeDeadline.unit', 'answerDeadline.length',
    'answerDeadline.unit', 'statisticsPeriod', 'reminderDays', 'disputeCommitteeId', 'comment'])
    fieldError('innst-' + f, '');
  const body = {
    validFrom: value('validFrom'),
    answerDeadline: { length: Number(value('answerDeadline.length')), unit: value('answerDeadline.unit') },
    statisticsPeriod: value('statisticsPeriod'),
    reminderDays: Number(value('reminderDays')),
    disputeCommitteeId: value('disputeCommitteeId'),
    comment: value('comment'),
  };
  if (!document.getElementById('ingen-mottaksfrist').checked)
    body.acknowledgeDeadline = { length: Number(value('acknowledgeDeadline.length')), unit: value('acknowledgeDeadline.unit') };
  const r = await api('PUT', '/v1/settings', body, { 'If-Match': newestEtag });
  if (r.status !== 200) {
    refusal(r, 'Innstillingene ble ikke lagret', 'innstillinger-status', 'innst-');
    if (r.status === 412) await settings();
    return;
  }
  await settings();
  say('innstillinger-status', `Versjon ${r.json.version} er lagret og gjelder fra ${norwegianDate(r.json.validFrom)}.`);
});

signInForm(start, 'Nøkkelen ble ikke godtatt (denne siden er for administratorer).');
