// samhand's meeting page: a secretary makes a meeting of a committee,
// builds its agenda (the times each item gets are shown as you type, and
// as the API sets them), publishes the notice, reads it, and records the
// outcomes and decisions of the minutes.
'use strict';

const OUTCOMES = [['ADOPTED_AS_PROPOSED', 'Vedtatt som foreslått'],
  ['ADOPTED_AS_AMENDED', 'Vedtatt med endringer'], ['NOTED', 'Tatt til orientering'],
  ['POSTPONED', 'Utsatt']];

let meeting = null;

// "13.20", as the partnership writes the time of day
function clock(date) {
  return date.toLocaleTimeString('nb-NO', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Oslo' })
    .replace(':', '.');
}

function refused(r, fallback) {
  const field = r.json.errors && r.json.errors[0] ? r.json.errors[0].field : '';
  const text = (fallback || 'Det gikk ikke') + ': ' + (r.json.detail || 'ukjent feil') + '.';
  if (!(field && fieldError(field, text))) document.getElementById('mote-status').textContent = text;
}

async function start(me) {
  const committees = await fetch('/v1/committees?limit=500').then((x) => x.json());
  const select = document.getElementById('committeeId');
  select.replaceChildren(new Option('Velg utvalg', ''));
  for (const c of committees.items || []) select.append(new Option(c.name, c.id));
  document.getElementById('hvem').textContent = 'Innlogget';
  show('innlogging', false);
  show('nytt', true);
  return true;
}

// The agenda as the API has it: times computed from the start and the
// minutes of each item before it.
function render() {
  const body = document.getElementById('saker');
  body.replaceChildren();
  for (const item of meeting.items || []) {
    const tr = document.createElement('tr');
    const from = item.startTime ? clock(new Date(item.startTime)) : '';
    const to = item.endTime ? clock(new Date(item.endTime)) : '';
    for (const text of [item.caseNumber || '', from + '–' + to, item.title, String(item.durationMin)]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    body.append(tr);
  }
  preview();
  renderMinutes();
}

// What the item being written would get, as you type
function preview() {
  const minutes = Number(document.getElementById('durationMin').value);
  const items = meeting ? meeting.items || [] : [];
  const last = items.length ? new Date(items[items.length - 1].endTime) : meeting && new Date(meeting.startTime);
  const text = document.getElementById('tid-forslag');
  if (!last || !(minutes > 0)) { text.textContent = ''; return; }
  const end = new Date(last.getTime() + minutes * 60000);
  text.textContent = 'Får tiden ' + clock(last) + '–' + clock(end) + '.';
}

// The members on the meeting's day, each present unless marked otherwise
async function renderAttendance() {
  const day = meeting.startTime.slice(0, 10);
  const r = await api('GET', `/v1/committees/${meeting.committeeId}/memberships?activeOn=${day}&limit=200`);
  const box = document.getElementById('medlemmer');
  box.replaceChildren();
  for (const m of r.json.items || []) {
    const person = await api('GET', '/v1/persons/' + m.personId);
    const id = 'oppmote-' + m.personId;
    const div = document.createElement('div');
    div.className = 'field';
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = person.json.name || m.personId;
    const select = document.createElement('select');
    select.id = id;
    select.dataset.person = m.personId;
    select.append(new Option('Til stede', 'PRESENT'), new Option('Forfall', 'ABSENT_WITH_NOTICE'),
      new Option('Observatør', 'OBSERVER'));
    div.append(label, select);
    box.append(div);
  }
}

function renderMinutes() {
  const published = meeting.state === 'NOTICE_PUBLISHED' || meeting.state === 'HELD';
  show('referat', published);
  if (published && !document.getElementById('medlemmer').childElementCount) renderAttendance();
  const box = document.getElementById('vedtak');
  box.replaceChildren();
  if (!published) return;
  for (const item of meeting.items || []) {
    if (item.kind === 'BREAK') continue;
    const form = document.createElement('form');
    form.noValidate = true;
    const n = item.id;
    form.innerHTML = `<h3></h3>
      <div class="field"><label for="utfall-${n}">Utfall</label><select id="utfall-${n}"></select></div>
      <div class="field"><label for="vedtak-${n}">Vedtak</label><textarea id="vedtak-${n}" rows="3"></textarea></div>
      <button type="submit">Lagre vedtak</button>`;
    form.querySelector('h3').textContent = (item.caseNumber ? 'Sak ' + item.caseNumber + ' ' : '') + item.title;
    const select = form.querySelector('select');
    for (const [value, text] of OUTCOMES) select.append(new Option(text, value, false, item.outcome === value));
    form.querySelector('textarea').value = item.decision || '';
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const r = await api('PUT', `/v1/meetings/${meeting.id}/items/${n}/outcome`,
        { outcome: select.value, decision: form.querySelector('textarea').value.trim() });
      const status = document.getElementById('referat-status');
      status.textContent = r.status === 200 ? 'Vedtaket er lagret.' : 'Det gikk ikke: ' + (r.json.detail || '') + '.';
      if (r.status === 200) meeting = r.json;
    });
    box.append(form);
  }
}

document.getElementById('opprett').addEventListener('submit', async (e) => {
  e.preventDefault();
  for (const id of ['committeeId', 'startTime', 'endTime', 'place']) fieldError(id, '');
  const value = (id) => document.getElementById(id).value.trim();
  const empty = ['committeeId', 'startTime', 'endTime', 'place'].filter((id) => !value(id));
  for (const id of empty) fieldError(id, 'Fyll ut dette.');
  if (empty.length) { document.getElementById(empty[0]).focus(); return; }
  const r = await api('POST', '/v1/meetings', {
    committeeId: value('committeeId'), place: value('place'),
    startTime: new Date(value('startTime')).toISOString(),
    endTime: new Date(value('endTime')).toISOString(),
  });
  if (r.status !== 201) { refused(r, 'Møtet ble ikke opprettet'); return; }
  meeting = r.json;
  show('saksliste', true);
  render();
  document.getElementById('saksliste-tittel').focus();
});

document.getElementById('durationMin').addEventListener('input', preview);

document.getElementById('ny-sak').addEventListener('submit', async (e) => {
  e.preventDefault();
  fieldError('title', '');
  fieldError('durationMin', '');
  const kind = document.getElementById('kind').value;
  const title = document.getElementById('title').value.trim() || (kind === 'BREAK' ? 'Pause' : '');
  if (!title) { fieldError('title', 'Skriv en tittel.'); document.getElementById('title').focus(); return; }
  const r = await api('POST', `/v1/meetings/${meeting.id}/items`,
    { kind, title, durationMin: Number(document.getElementById('durationMin').value) });
  if (r.status !== 200) { refused(r, 'Saken ble ikke lagt til'); return; }
  meeting = r.json;
  document.getElementById('title').value = '';
  render();
  document.getElementById('mote-status').textContent = 'Lagt til: ' + title + '.';
});

document.getElementById('publiser').addEventListener('click', async () => {
  const r = await api('POST', `/v1/meetings/${meeting.id}/publish`);
  if (r.status !== 200) { refused(r, 'Innkallingen ble ikke publisert'); return; }
  meeting = r.json.meeting;
  render();
  const warnings = (r.json.warnings || []).join(' ');
  document.getElementById('mote-status').textContent =
    'Innkallingen er publisert.' + (warnings ? ' Merk: ' + warnings : '');
  const link = document.getElementById('innkalling');
  link.href = `/v1/meetings/${meeting.id}/notice.html`;
  link.hidden = false;
});

document.getElementById('oppmote').addEventListener('submit', async (e) => {
  e.preventDefault();
  const entries = [...document.querySelectorAll('#medlemmer select')]
    .map((s) => ({ personId: s.dataset.person, status: s.value }));
  const r = await api('PUT', `/v1/meetings/${meeting.id}/attendance`, { entries });
  document.getElementById('referat-status').textContent =
    r.status === 200 ? 'Oppmøtet er lagret.' : 'Det gikk ikke: ' + (r.json.detail || '') + '.';
  if (r.status === 200) meeting = r.json;
});

document.getElementById('godkjenn').addEventListener('click', async () => {
  const r = await api('POST', `/v1/meetings/${meeting.id}/minutes/approve`);
  const status = document.getElementById('referat-status');
  if (r.status !== 200) {
    status.textContent = 'Referatet ble ikke godkjent: ' + (r.json.detail || '') + '.';
    return;
  }
  meeting = r.json;
  status.textContent = 'Referatet er godkjent og låst.';
  const link = document.getElementById('referat-lenke');
  link.href = `/v1/meetings/${meeting.id}/minutes.html`;
  link.hidden = false;
});

signInForm(start, 'Nøkkelen ble ikke godtatt.');
