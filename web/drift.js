// Operators' and integration owners' page: every queue's depth and the age
// of its oldest item (from /metrics, which needs no key), and the
// subscriptions a key's organisation owns with their latest deliveries.
'use strict';

const STATES = { ACTIVE: 'Aktiv', PAUSED: 'Pauset', DISABLED: 'Slått av' };
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

async function subscriptions() {
  const r = await api('GET', '/v1/subscriptions?limit=100');
  const body = document.getElementById('abonnement-liste');
  body.replaceChildren();
  for (const s of r.json.items || []) {
    const d = await api('GET', `/v1/subscriptions/${s.id}/deliveries?limit=5`);
    const summary = (d.json.items || []).map((x) => DELIVERY[x.state] || x.state).join(', ');
    const row = body.insertRow();
    for (const value of [s.url, s.description, STATES[s.state] || s.state, summary || 'ingen ennå'])
      row.insertCell().textContent = value;
  }
}

async function signIn(k) {
  sessionStorage.setItem('samhand-key', k);
  const r = await api('GET', '/v1/subscriptions?limit=1');
  if (r.status !== 200) {
    sessionStorage.removeItem('samhand-key');
    return false;
  }
  document.getElementById('hvem').textContent = 'Innlogget';
  show('innlogging', false);
  show('abonnementer', true);
  await subscriptions();
  return true;
}

document.getElementById('oppdater').addEventListener('click', queues);
document.getElementById('logg-inn').addEventListener('submit', async (e) => {
  e.preventDefault();
  fieldError('nokkel', '');
  const k = document.getElementById('nokkel').value.trim();
  if (!k || !(await signIn(k))) {
    fieldError('nokkel', 'Nøkkelen ble ikke godtatt (abonnementer krever rollen integration).');
    document.getElementById('nokkel').focus();
  }
});

queues();
if (key()) signIn(key());
