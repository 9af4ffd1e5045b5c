// The follow-up page: a committee's actions (open, overdue, or all; those
// an organisation is responsible for), each with its dated progress notes.
// Members and secretaries move an action on (in progress, done, cancelled)
// with a note saying what happened; secretaries add actions not tied to a
// decision.
'use strict';

const STATUS = [['OPEN', 'Åpen'], ['IN_PROGRESS', 'Pågår'], ['DONE', 'Utført'], ['CANCELLED', 'Avbrutt']];
const statusText = (s) => (STATUS.find((x) => x[0] === s) || [s, s])[1];

let me = null;
let cursor = '';

// "1.4.2031"
function norwegian(day) { return day ? day.split('-').map(Number).reverse().join('.') : ''; }

async function start(who) {
  me = who;
  const committees = await fetch('/v1/committees?limit=500').then((x) => x.json());
  const select = document.getElementById('committeeId');
  select.replaceChildren(new Option('Velg utvalg', ''));
  for (const c of committees.items || []) select.append(new Option(c.name, c.id));
  show('bare-vare-felt', Boolean(me.organizationId));
  show('innlogging', false);
  show('tiltak', true);
  return true;
}

function query() {
  const q = new URLSearchParams({ limit: '50' });
  q.set('committeeId', document.getElementById('committeeId').value);
  const shown = document.querySelector('input[name=vis]:checked').value;
  if (shown !== 'all') q.set(shown, 'true');
  if (document.getElementById('bare-vare').checked) q.set('organizationId', me.organizationId);
  if (cursor) q.set('cursor', cursor);
  return q;
}

// The first page, or (more) the next one below it.
async function list(more) {
  const box = document.getElementById('tiltak-liste');
  if (!more) { cursor = ''; box.replaceChildren(); }
  if (!document.getElementById('committeeId').value) { say('tiltak-antall', ''); show('flere', false); return; }
  const r = await api('GET', '/v1/actions?' + query());
  if (r.status !== 200) { say('tiltak-status', 'Tiltakene kunne ikke hentes: ' + (r.json.detail || '') + '.'); return; }
  for (const a of r.json.items || []) box.append(card(a));
  cursor = r.json.nextCursor || '';
  show('flere', Boolean(cursor));
  const n = box.childElementCount;
  say('tiltak-antall', n === 0 ? 'Ingen tiltak å vise.' : `${n} tiltak vises${cursor ? ', flere finnes' : ''}.`);
}

function card(a) {
  const article = document.createElement('article');
  article.className = 'action-card';
  article.id = 'tiltak-' + a.id;
  const h = document.createElement('h3');
  h.textContent = `Nr. ${a.number}: ${a.description}`;
  const dl = document.createElement('dl');
  const facts = [['Ansvarlig', a.responsible], ['Frist', norwegian(a.dueDate) + (a.isOverdue ? ' (forfalt)' : '')],
    ['Status', statusText(a.status)]];
  for (const [term, value] of facts) {
    if (!value) continue;
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    if (term === 'Frist' && a.isOverdue) dd.className = 'overdue';
    dl.append(dt, dd);
  }
  article.append(h, dl);
  if ((a.notes || []).length) {
    const ul = document.createElement('ul');
    ul.className = 'notes';
    for (const note of a.notes) {
      const li = document.createElement('li');
      li.textContent = new Date(note.time).toLocaleDateString('nb-NO') + ': ' + note.text;
      ul.append(li);
    }
    article.append(ul);
  }
  if (may(me, 'agenda.UpdateAction')) article.append(progressForm(a));
  return article;
}

// A status and a note; the API keeps the note, dated, with the change.
function progressForm(a) {
  const form = document.createElement('form');
  form.noValidate = true;
  const n = 'fremdrift-' + a.id;
  form.innerHTML = `<div class="field"><label for="${n}-status"></label><select id="${n}-status"></select></div>
    <div class="field"><label for="${n}-note"></label>
      <textarea id="${n}-note" rows="2" aria-describedby="${n}-note-feil"></textarea>
      <p id="${n}-note-feil" class="error" hidden></p></div>
    <button type="submit"></button>`;
  const [statusLabel, noteLabel] = form.querySelectorAll('label');
  statusLabel.textContent = `Status for nr. ${a.number}`;
  noteLabel.textContent = `Hva er gjort med nr. ${a.number}`;
  const select = form.querySelector('select');
  for (const [value, text] of STATUS) select.append(new Option(text, value, false, a.status === value));
  const button = form.querySelector('button');
  button.textContent = 'Lagre fremdrift';
  button.setAttribute('aria-label', `Lagre fremdrift for nr. ${a.number}`);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    fieldError(n + '-note', '');
    const note = form.querySelector('textarea').value.trim();
    const body = {};
    if (select.value !== a.status) body.status = select.value;
    if (note) body.note = note;
    if (!Object.keys(body).length) {
      fieldError(n + '-note', 'Endre status eller skriv hva som er gjort.');
      form.querySelector('textarea').focus();
      return;
    }
    const r = await api('PATCH', '/v1/actions/' + a.id, body);
    if (r.status !== 200) { refusal(r, 'Fremdriften ble ikke lagret', 'tiltak-status', n + '-'); return; }
    document.getElementById('tiltak-' + a.id).replaceWith(card(r.json));
    say('tiltak-status', `Nr. ${a.number} er oppdatert: ${statusText(r.json.status)}.`);
  });
  return form;
}

document.getElementById('filter').addEventListener('change', () => list(false));
document.getElementById('filter').addEventListener('submit', (e) => { e.preventDefault(); list(false); });
document.getElementById('flere').addEventListener('click', () => list(true));

document.getElementById('nytt-tiltak').addEventListener('submit', async (e) => {
  e.preventDefault();
  for (const f of ['description', 'responsible', 'dueDate']) fieldError('ny-' + f, '');
  const value = (f) => document.getElementById('ny-' + f).value.trim();
  const committeeId = document.getElementById('committeeId').value;
  if (!committeeId) { say('tiltak-status', 'Velg utvalget først.'); document.getElementById('committeeId').focus(); return; }
  if (!value('description')) {
    fieldError('ny-description', 'Skriv hva som skal gjøres.');
    document.getElementById('ny-description').focus();
    return;
  }
  const r = await api('POST', '/v1/actions', {
    committeeId, description: value('description'), responsible: value('responsible'), dueDate: value('dueDate'),
  });
  if (r.status !== 201) { refusal(r, 'Oppfølgingspunktet ble ikke lagret', 'tiltak-status', 'ny-'); return; }
  e.target.reset();
  await list(false);
  say('tiltak-status', `Oppfølgingspunkt nr. ${r.json.number} er lagt til.`);
});

signInForm(start, 'Nøkkelen ble ikke godtatt.');
