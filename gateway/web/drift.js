// Operators' and integration owners' page: every queue's depth and the age
// of its oldest item (from /metrics, which needs no key), and the
// subscriptions a key's organisation owns with their latest deliveries.
'use strict';

const STATES = {
  ACTIVE: 'Aktiv', REQUESTED: 'Venter på håndtrykk', PAUSED: 'Pauset', DISABLED: 'Slått av',
};
const KEEP = 'Hemmeligheten for å kontrollere signaturene vises bare nå; ta vare på den:';
const DELIVERY = { PENDING: 'venter', DELIVERED: 'levert', DEAD: 'død' };

// samhand_queue_depth{service="notify",queue="webhooks"} 3
function parse(text, name) {
  const out = new Map();
  const re = new RegExp('^' + name + '\\{service="([^"]+)",queue="([^"]+)"\\} (\\S+)$', 'gm');
  for (const m of text.matchAll(re)) out.set(m[1] + '/' + m[2], Number(m[3]));
  return out;
}

async function queues() {
  const text = await fetch('/metrics').then((r) => r.text());
  const depth = parse(text, 'samhand_queue_depth');
  const age = parse(text, 'samhand_queue_oldest_age_seconds');
  const body = document.getElementById('koer');
  body.replaceChildren();
  for (const [where, n] of [...depth.entries()].sort()) {
    const [service, queue] = where.split('/');
    const row = body.insertRow();
    for (const value of [service, queue, String(n), String(Math.round(age.get(where) || 0))])
      row.insertCell().textContent = value;
  }
  document.getElementById('koer-status').textContent =
    'Oppdatert ' + new Date().toLocaleTimeString('nb-NO') + '.';
}

// The receiver's own health, as the subscription has it: since when its
// endpoint fails, how many attempts in a row, how long the oldest waits.
function health(s) {
  const h = s.health || {};
  const waiting = Number(h.oldestPendingAgeSeconds || 0);
  const age = waiting ? `eldste venter ${waiting} s` : 'ingen venter';
  if (!h.failingSince) return 'I orden, ' + age;
  const since = new Date(h.failingSince).toLocaleString('nb-NO', { dateStyle: 'short', timeStyle: 'short' });
  return `Feiler siden ${since}: ${h.consecutiveFailures || 0} feil på rad, ${age}`;
}

async function subscriptions() {
  const r = await api('GET', '/v1/subscriptions?limit=100');
  const body = document.getElementById('abonnement-liste');
  body.replaceChildren();
  for (const s of r.json.items || []) {
    const d = await api('GET', `/v1/subscriptions/${s.id}/deliveries?limit=5`);
    const summary = (d.json.items || []).map((x) => DELIVERY[x.state] || x.state).join(', ');
    const row = body.insertRow();
    for (const value of [s.url, s.description, STATES[s.state] || s.state, health(s),
      summary || 'ingen ennå'])
      row.insertCell().textContent = value;
    const cell = row.insertCell();
    const on = s.state === 'ACTIVE' || s.state === 'REQUESTED'; /* REQUESTED: on, waiting */
    cell.append(
      button(on ? 'Sett på pause' : 'Slå på', s.url,
        () => setState(s, on ? 'PAUSED' : 'ACTIVE')), ' ',
      button('Send døde på nytt', s.url, () => replayDead(s)), ' ',
      button('Ny hemmelighet', s.url, () => rotateSecret(s)));
  }
}

async function setState(s, state) {
  const r = await api('PATCH', '/v1/subscriptions/' + s.id, { state });
  say('abonnement-status', r.status === 200 ? (state === 'ACTIVE' ? 'Abonnementet er slått på.' : 'Abonnementet er satt på pause.')
    : 'Det gikk ikke: ' + (r.json.detail || '') + '.');
  await subscriptions();
}

// A new secret; the old one signs beside it for 24 hours, so the receiver
// can change over without losing a delivery.
async function rotateSecret(s) {
  const r = await api('PATCH', '/v1/subscriptions/' + s.id, { rotateSecret: true });
  if (r.status !== 200) { say('abonnement-status', 'Det gikk ikke: ' + (r.json.detail || '') + '.'); return; }
  showSecret('abonnement-status', 'Ny hemmelighet for ' + s.url + '. Den gamle gjelder også i 24 timer. ' + KEEP,
    r.json.secret);
}

// every dead letter of the last 30 days, sent again in order
async function replayDead(s) {
  const to = new Date();
  const from = new Date(to.getTime() - 30 * 86400000);
  const r = await api('POST', `/v1/subscriptions/${s.id}/replay`,
    { from: from.toISOString(), to: to.toISOString() });
  say('abonnement-status', r.status === 200 ? `${r.json.replayed || 0} døde leveranser sendes på nytt.`
    : 'Det gikk ikke: ' + (r.json.detail || '') + '.');
  await subscriptions();
}

// only for a credential that may keep subscriptions
async function start(me) {
  if (!may(me, 'notify.ListSubscriptions')) return false;
  show('innlogging', false);
  show('abonnementer', true);
  await subscriptions();
  return true;
}

document.getElementById('oppdater').addEventListener('click', queues);

document.getElementById('nytt-abonnement').addEventListener('submit', async (e) => {
  e.preventDefault();
  for (const id of ['url', 'description', 'contactEmail']) fieldError(id, '');
  const value = (id) => document.getElementById(id).value.trim();
  if (!value('url')) { fieldError('url', 'Skriv adressen.'); document.getElementById('url').focus(); return; }
  const eventTypes = [...document.querySelectorAll('#nytt-abonnement input[type=checkbox]:checked')]
    .map((c) => c.value);
  const r = await api('POST', '/v1/subscriptions', {
    url: value('url'), description: value('description'), contactEmail: value('contactEmail'), eventTypes,
  });
  if (r.status !== 201) { refusal(r, 'Abonnementet ble ikke opprettet', 'abonnement-status'); return; }
  showSecret('abonnement-status', 'Abonnementet er opprettet. ' + KEEP, r.json.secret);
  e.target.reset();
  await subscriptions();
});

queues();
signInForm(start, 'Nøkkelen ble ikke godtatt (abonnementer krever rollen integration).');
