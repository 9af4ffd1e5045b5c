// samhand's meeting page: a secretary finds a meeting of any committee by
// its title, place or an item's title, or picks a committee, opens one of
// its meetings or makes one, builds the agenda (the times each item gets are
// shown as you type, and as the API sets them; items moved, removed, the
// open actions put on as a follow-up item), writes each case's document
// and attaches files, publishes the notice, reads it, and records the
// minutes: who came (deputies for whom), each item's outcome, decision,
// the points of the discussion and the actions it gave.
'use strict';

const OUTCOMES = [['ADOPTED_AS_PROPOSED', 'Vedtatt som foreslått'],
  ['ADOPTED_AS_AMENDED', 'Vedtatt med endringer'], ['NOTED', 'Tatt til orientering'],
  ['POSTPONED', 'Utsatt']];
const STATES = { DRAFT: 'Utkast', NOTICE_PUBLISHED: 'Innkalt', HELD: 'Avholdt',
  MINUTES_APPROVED: 'Referat godkjent', CANCELLED: 'Avlyst' };

let meeting = null;
let item = null; // the item whose case document is open

// "13.20", as the partnership writes the time of day
function clock(date) {
  return date.toLocaleTimeString('nb-NO', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Oslo' })
    .replace(':', '.');
}

function when(iso) {
  return new Date(iso).toLocaleString('nb-NO', { dateStyle: 'full', timeStyle: 'short', timeZone: 'Europe/Oslo' });
}

function lines(text) { return text.split('\n').map((l) => l.trim()).filter(Boolean); }

function editable() { return meeting.state === 'DRAFT' || meeting.state === 'NOTICE_PUBLISHED'; }

const committeeNames = new Map(); // id -> name

async function start() {
  const committees = await fetch('/v1/committees?limit=500').then((x) => x.json());
  const select = document.getElementById('committeeId');
  select.replaceChildren(new Option('Velg utvalg', ''));
  for (const c of committees.items || []) {
    select.append(new Option(c.name, c.id));
    committeeNames.set(c.id, c.name);
  }
  show('innlogging', false);
  show('nytt', true);
  show('motesok', false);
  return true;
}

// ------------------------------------------------------------ meetings

// A button opening a meeting, named by when it starts.
function opener(m) {
  const open = document.createElement('button');
  open.type = 'button';
  open.className = 'link';
  open.textContent = when(m.startTime);
  open.addEventListener('click', () => openMeeting(m.id));
  return open;
}

// Meetings found, each with its committee.
const listFoundMeetings = meetingSearch((m) => {
  const row = document.createElement('tr');
  row.insertCell().append(opener(m));
  for (const text of [committeeNames.get(m.committeeId) || '', m.place || '', STATES[m.state] || m.state])
    row.insertCell().textContent = text;
  return row;
});
document.getElementById('sok-moter').addEventListener('submit', (e) => {
  e.preventDefault();
  show('motesok', true);
  listFoundMeetings(false);
});

async function listMeetings() {
  const committeeId = document.getElementById('committeeId').value;
  show('moter', Boolean(committeeId));
  if (!committeeId) return;
  // the year behind and everything ahead: what a secretary works on
  const r = await api('GET', `/v1/meetings?committeeId=${committeeId}&from=${isoDay(-366)}&limit=500`);
  const body = document.getElementById('mote-liste');
  body.replaceChildren();
  const items = (r.json.items || []).sort((a, b) => b.startTime.localeCompare(a.startTime));
  for (const m of items) {
    const row = body.insertRow();
    row.insertCell().append(opener(m));
    row.insertCell().textContent = m.place || '';
    row.insertCell().textContent = STATES[m.state] || m.state;
  }
  if (!items.length) body.insertRow().insertCell().textContent = 'Ingen møter ennå.';
}

async function openMeeting(id) {
  const r = await api('GET', '/v1/meetings/' + id);
  if (r.status !== 200) { say('mote-status', 'Møtet kunne ikke åpnes: ' + (r.json.detail || '') + '.'); return; }
  meeting = r.json;
  document.getElementById('medlemmer').replaceChildren();
  show('fremlegg', false);
  show('saksliste', true);
  render();
  document.getElementById('saksliste-tittel').focus();
}

// The agenda as the API has it: times computed from the start and the
// minutes of each item before it.
function render() {
  say('mote-om', when(meeting.startTime) + ', ' + (meeting.place || '') + '. ' +
    (STATES[meeting.state] || meeting.state) + '.');
  const body = document.getElementById('saker');
  body.replaceChildren();
  const items = meeting.items || [];
  items.forEach((it, i) => {
    const tr = body.insertRow();
    const from = it.startTime ? clock(new Date(it.startTime)) : '';
    const to = it.endTime ? clock(new Date(it.endTime)) : '';
    // an exempt item's title, marked; one hidden from this caller is its
    // public title and the mark (or only the mark, exempt before public titles)
    const hidden = it.isExempt && (it.title.startsWith('Unntatt offentlighet') ||
      it.title.endsWith('(unntatt offentlighet, ' + it.exemptionBasis + ')'));
    // a postponed case says where it came from, as the notice does
    const origin = it.carriedFromItemId
      ? ' (utsatt fra ' + (it.carriedFromMeetingTime
        ? 'møtet ' + new Date(it.carriedFromMeetingTime).toLocaleDateString('nb-NO', { day: '2-digit', month: '2-digit', year: 'numeric' })
        : 'et tidligere møte') + (it.carriedFromCaseNumber ? ', sak ' + it.carriedFromCaseNumber : '') + ')'
      : '';
    const title = it.title + (it.isExempt && !hidden ? ' (unntatt offentlighet, ' + it.exemptionBasis + ')' : '') +
      origin + (it.isWithdrawn ? ' (trukket)' : '');
    for (const text of [it.caseNumber || '', from + '–' + to, title, (it.presenters || []).join(', ')])
      tr.insertCell().textContent = text;
    // the minutes, changed where they stand while the agenda can change
    const minutes = tr.insertCell();
    if (editable() && !it.isWithdrawn) minutes.append(minutesInput(it));
    else minutes.textContent = String(it.durationMin);
    const cell = editable() ? tr.insertCell() : null;
    if (!cell || it.isWithdrawn) return;
    if (i > 0) cell.append(button('Opp', it.title, () => move(it, it.position - 1)), ' ');
    if (i < items.length - 1) cell.append(button('Ned', it.title, () => move(it, it.position + 1)), ' ');
    if (it.kind === 'CASE') cell.append(button('Saksfremlegg', it.title, () => openDocument(it)), ' ');
    cell.append(button(it.caseNumber ? 'Trekk' : 'Fjern', it.title, () => remove(it)));
  });
  for (const id of ['ny-sak', 'publiser', 'handling-kolonne', 'avlys']) show(id, editable());
  document.getElementById('publiser').textContent =
    meeting.noticeVersion > 0 ? 'Publiser tilleggsinnkalling' : 'Publiser innkallingen';
  const notice = document.getElementById('innkalling');
  notice.href = `/v1/meetings/${meeting.id}/notice.html`;
  notice.hidden = !(meeting.noticeVersion > 0);
  const pdf = document.getElementById('innkalling-pdf');
  pdf.href = `/v1/meetings/${meeting.id}/notice.pdf`;
  pdf.hidden = notice.hidden;
  preview();
  renderMinutes();
  renderSeats();
}

// ------------------------------------------------------------ seats

const SEATS = {
  COMING: 'Kommer', ABSENT: 'Forfall', DEPUTY_CALLED: 'Vara innkalt',
  DEPUTY_ACCEPTED: 'Vara har takket ja', NO_DEPUTY_LEFT: 'Ingen vara igjen',
};

// Every seat's state before the meeting (kommer, forfall, vara innkalt, vara
// har takket ja, ingen vara igjen), for those who run the committee.
async function seats() {
  const r = await api('GET', `/v1/meetings/${meeting.id}/seats`);
  return r.status === 200 ? r.json.items || [] : [];
}

async function renderSeats() {
  const open = meeting.state === 'NOTICE_PUBLISHED' || meeting.state === 'HELD';
  show('plasser-boks', open);
  if (!open) return;
  const body = document.getElementById('plasser');
  body.replaceChildren();
  for (const s of await seats()) {
    const tr = body.insertRow();
    for (const text of [s.personName, SEATS[s.state] || s.state, s.deputyName || '', s.reason || ''])
      tr.insertCell().textContent = text;
    // the secretary records a member's absence (a phone call), or withdraws it
    const cell = tr.insertCell();
    if (meeting.state !== 'NOTICE_PUBLISHED') continue;
    if (s.state === 'COMING') {
      cell.append(button('Meld forfall', s.personName, async () => {
        const r = await api('POST', `/v1/meetings/${meeting.id}/absences`, { personId: s.personId });
        if (r.status !== 201) { refusal(r, 'Forfallet ble ikke meldt', 'mote-status'); return; }
        say('mote-status', `Forfall er meldt for ${s.personName}.`);
        renderSeats();
      }));
    } else if (s.absenceId) {
      cell.append(button('Trekk forfallet', s.personName, async () => {
        const r = await api('POST', `/v1/meetings/${meeting.id}/absences/${s.absenceId}/withdraw`);
        if (r.status !== 200) { refusal(r, 'Forfallet ble ikke trukket', 'mote-status'); return; }
        say('mote-status', `Forfallet til ${s.personName} er trukket.`);
        renderSeats();
      }));
    }
  }
}

// The declarations of possible disqualification, each with its reason
// and the committee's decision, recorded for the minutes.
async function renderDeclarations() {
  const r = await api('GET', `/v1/meetings/${meeting.id}/disqualifications`);
  const declared = r.status === 200 ? r.json.items || [] : [];
  show('inhabilitet', declared.length > 0);
  const box = document.getElementById('erklaeringer');
  box.replaceChildren();
  for (const d of declared) {
    const it = (meeting.items || []).find((x) => x.id === d.itemId);
    const what = `${d.personName}, ${it ? (it.caseNumber || it.title) : 'saken'}`;
    const form = document.createElement('form');
    form.noValidate = true;
    form.append(Object.assign(document.createElement('p'), { textContent: `${what}: ${d.reason}` }));
    const select = document.createElement('select');
    select.append(new Option('Ikke avgjort', ''), new Option('Inhabil (fratrer under saken)', 'DISQUALIFIED'),
      new Option('Ikke inhabil', 'NOT_DISQUALIFIED'));
    select.value = d.decision === 'DECISION_UNSPECIFIED' ? '' : d.decision;
    form.append(field('avgjorelse-' + d.id, 'Avgjørelse for ' + what, select));
    const save = Object.assign(document.createElement('button'), { type: 'submit', textContent: 'Lagre avgjørelsen' });
    save.setAttribute('aria-label', 'Lagre avgjørelsen: ' + what);
    form.append(save);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const answer = await api('PUT', `/v1/meetings/${meeting.id}/disqualifications/${d.id}/decision`, { decision: select.value });
      if (answer.status !== 200) { refusal(answer, 'Avgjørelsen ble ikke lagret', 'referat-status'); return; }
      say('referat-status', `Avgjørelsen for ${what} er lagret.`);
    });
    box.append(form);
  }
}

async function changed(r, done, what) {
  if (r.status !== 200) { refusal(r, what, 'mote-status'); return false; }
  meeting = r.json.meeting || r.json;
  render();
  say('mote-status', done);
  return true;
}

function minutesInput(it) {
  const input = document.createElement('input');
  input.type = 'number';
  input.min = '1';
  input.max = '480';
  input.className = 'minutes';
  input.value = String(it.durationMin);
  input.setAttribute('aria-label', 'Minutter for «' + it.title + '»');
  input.addEventListener('change', async () => {
    const r = await api('PATCH', `/v1/meetings/${meeting.id}/items/${it.id}`, { durationMin: Number(input.value) });
    await changed(r, `«${it.title}» har nå ${input.value} minutter.`, 'Tiden ble ikke endret');
  });
  return input;
}

async function move(it, position) {
  const r = await api('PATCH', `/v1/meetings/${meeting.id}/items/${it.id}`, { position });
  await changed(r, `«${it.title}» er flyttet til plass ${position}.`, 'Saken ble ikke flyttet');
}

// A draft's item goes; a numbered case is withdrawn and keeps its number.
async function remove(it) {
  const r = await api('DELETE', `/v1/meetings/${meeting.id}/items/${it.id}`);
  await changed(r, it.caseNumber ? `«${it.title}» er trukket.` : `«${it.title}» er fjernet.`,
    'Saken ble ikke fjernet');
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

// ------------------------------------------------------------ case documents

async function openDocument(it) {
  item = it;
  const r = await api('GET', `/v1/meetings/${meeting.id}/items/${it.id}/document`);
  const d = r.status === 200 ? r.json : {};
  const set = (id, value) => { document.getElementById('dok-' + id).value = value; };
  set('responsible', (d.responsible || []).join(', '));
  set('caseOfficers', (d.caseOfficers || []).join(', '));
  set('proposedDecisions', (d.proposedDecisions || []).join('\n'));
  set('background', d.background || '');
  set('assessment', d.assessment || '');
  attachments(d.attachments || []);
  say('fremlegg-tittel', 'Saksfremlegg: ' + it.title);
  say('fremlegg-status', '');
  show('saksliste', false);
  show('fremlegg', true);
  document.getElementById('fremlegg-tittel').focus();
}

function attachments(list) {
  const ul = document.getElementById('vedlegg');
  ul.replaceChildren();
  for (const a of list) {
    const li = document.createElement('li');
    li.append(`${a.filename} (${Math.max(1, Math.round(a.sizeBytes / 1024))} kB) `,
      button('Last ned', a.filename, () => download(a)));
    ul.append(li);
  }
  if (!list.length) ul.append(Object.assign(document.createElement('li'), { textContent: 'Ingen vedlegg.' }));
}

async function download(a) {
  if (!(await saveAs('/v1/attachments/' + a.id, a.filename)))
    say('fremlegg-status', a.filename + ' kunne ikke lastes ned.');
}

document.getElementById('dokument').addEventListener('submit', async (e) => {
  e.preventDefault();
  for (const p of e.target.querySelectorAll('.error')) fieldError(p.id.replace(/-feil$/, ''), '');
  const value = (id) => document.getElementById('dok-' + id).value;
  const names = (id) => value(id).split(',').map((x) => x.trim()).filter(Boolean);
  const r = await api('PUT', `/v1/meetings/${meeting.id}/items/${item.id}/document`, {
    responsible: names('responsible'), caseOfficers: names('caseOfficers'),
    proposedDecisions: lines(value('proposedDecisions')), background: value('background').trim(),
    assessment: value('assessment').trim(),
  });
  if (r.status !== 200) { refusal(r, 'Saksfremlegget ble ikke lagret', 'fremlegg-status', 'dok-'); return; }
  say('fremlegg-status', 'Saksfremlegget er lagret.');
});

document.getElementById('nytt-vedlegg').addEventListener('submit', async (e) => {
  e.preventDefault();
  fieldError('vedlegg-fil', '');
  const file = document.getElementById('vedlegg-fil').files[0];
  if (!file) { fieldError('vedlegg-fil', 'Velg en fil.'); document.getElementById('vedlegg-fil').focus(); return; }
  if (file.size > 10 * 1024 * 1024) { fieldError('vedlegg-fil', 'Filen er større enn 10 MB.'); return; }
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  const r = await api('POST', `/v1/meetings/${meeting.id}/items/${item.id}/attachments`, {
    filename: file.name, contentType: file.type || 'application/octet-stream', content: btoa(binary),
  });
  if (r.status !== 200) { refusal(r, 'Vedlegget ble ikke lagt ved', 'fremlegg-status', 'vedlegg-'); return; }
  e.target.reset();
  attachments(r.json.attachments || []);
  say('fremlegg-status', file.name + ' er lagt ved.');
});

document.getElementById('fremlegg-lukk').addEventListener('click', () => {
  show('fremlegg', false);
  show('saksliste', true);
  document.getElementById('saksliste-tittel').focus();
});

// ------------------------------------------------------------ minutes

// The members on the meeting's day, each present unless marked otherwise;
// a deputy says for whom.
async function renderAttendance() {
  const day = meeting.startTime.slice(0, 10);
  const r = await api('GET', `/v1/committees/${meeting.committeeId}/memberships?activeOn=${day}&limit=200`);
  // each person once, asked for side by side
  const ids = [...new Set((r.json.items || []).map((m) => m.personId))];
  const people = await Promise.all(ids.map(async (id) =>
    ({ id, name: (await api('GET', '/v1/persons/' + id)).json.name || id })));
  const recorded = new Map((meeting.attendance || []).map((a) => [a.personId, a]));
  // none recorded yet: the attendance starts from the seats (absence, and
  // the deputies who accepted, for whom)
  if (recorded.size === 0) {
    for (const s of await seats()) {
      if (s.state === 'COMING') continue;
      recorded.set(s.personId, { status: 'ABSENT_WITH_NOTICE' });
      if (s.state === 'DEPUTY_ACCEPTED' && s.deputyPersonId)
        recorded.set(s.deputyPersonId, { status: 'DEPUTY', deputyForPersonId: s.personId });
    }
  }
  const box = document.getElementById('medlemmer');
  box.replaceChildren();
  for (const p of people) {
    const div = document.createElement('div');
    div.className = 'field attendance';
    const id = 'oppmote-' + p.id;
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = p.name;
    const select = document.createElement('select');
    select.id = id;
    select.dataset.person = p.id;
    select.append(new Option('Til stede', 'PRESENT'), new Option('Forfall', 'ABSENT_WITH_NOTICE'),
      new Option('Vara', 'DEPUTY'), new Option('Observatør', 'OBSERVER'));
    const forLabel = document.createElement('label');
    forLabel.htmlFor = id + '-for';
    forLabel.textContent = p.name + ' møter som vara for';
    const forWhom = document.createElement('select');
    forWhom.id = id + '-for';
    forWhom.append(new Option('Velg medlem', ''));
    for (const other of people) if (other.id !== p.id) forWhom.append(new Option(other.name, other.id));
    const was = recorded.get(p.id);
    if (was) { select.value = was.status; forWhom.value = was.deputyForPersonId || ''; }
    const deputy = document.createElement('div');
    deputy.append(forLabel, forWhom);
    deputy.hidden = select.value !== 'DEPUTY';
    select.addEventListener('change', () => { deputy.hidden = select.value !== 'DEPUTY'; });
    div.append(label, select, deputy);
    box.append(div);
  }
}

function renderMinutes() {
  const open = meeting.state === 'NOTICE_PUBLISHED' || meeting.state === 'HELD';
  const approved = meeting.state === 'MINUTES_APPROVED';
  show('referat', open || approved);
  for (const id of ['oppmote', 'godkjenn']) show(id, open);
  const link = document.getElementById('referat-lenke');
  link.href = `/v1/meetings/${meeting.id}/minutes.html`;
  link.hidden = !approved;
  const pdf = document.getElementById('referat-pdf');
  pdf.href = `/v1/meetings/${meeting.id}/minutes.pdf`;
  pdf.hidden = link.hidden;
  if (open && !document.getElementById('medlemmer').childElementCount) renderAttendance();
  if (open) renderDeclarations();
  const box = document.getElementById('vedtak');
  box.replaceChildren();
  if (!open) return;
  for (const it of meeting.items || []) {
    if (it.kind === 'BREAK' || it.isWithdrawn) continue;
    box.append(outcomeForm(it), actionForm(it));
  }
}

function outcomeForm(it) {
  const form = document.createElement('form');
  form.noValidate = true;
  form.className = 'outcome';
  const n = it.id;
  form.innerHTML = `<h3></h3>
    <div class="field"><label for="utfall-${n}">Utfall</label><select id="utfall-${n}"></select></div>
    <div class="field"><label for="vedtak-${n}">Vedtak</label><textarea id="vedtak-${n}" rows="3"></textarea></div>
    <div class="field"><label for="drofting-${n}">Hovedpunkter fra drøftingen</label>
      <textarea id="drofting-${n}" rows="3" aria-describedby="drofting-${n}-hjelp"></textarea>
      <p id="drofting-${n}-hjelp" class="help">Ett punkt per linje.</p></div>
    <button type="submit">Lagre vedtak</button>`;
  form.querySelector('h3').textContent = (it.caseNumber ? 'Sak ' + it.caseNumber + ' ' : '') + it.title;
  form.querySelector('button').setAttribute('aria-label', 'Lagre vedtak: ' + it.title);
  const select = form.querySelector('select');
  for (const [value, text] of OUTCOMES) select.append(new Option(text, value, false, it.outcome === value));
  form.querySelector('#vedtak-' + n).value = it.decision || '';
  form.querySelector('#drofting-' + n).value = (it.discussionPoints || []).join('\n');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const r = await api('PUT', `/v1/meetings/${meeting.id}/items/${n}/outcome`, {
      outcome: select.value, decision: form.querySelector('#vedtak-' + n).value.trim(),
      discussionPoints: lines(form.querySelector('#drofting-' + n).value),
    });
    say('referat-status', r.status === 200 ? 'Vedtaket er lagret.' : 'Det gikk ikke: ' + (r.json.detail || '') + '.');
    if (r.status === 200) meeting = r.json;
  });
  return form;
}

// An action the decision gives: what, who, by when; it is followed up on
// the follow-up page and put on a later agenda as a follow-up item.
function actionForm(it) {
  const form = document.createElement('form');
  form.noValidate = true;
  form.className = 'action';
  const n = 'tiltak-' + it.id;
  form.innerHTML = `<h4></h4>
    <div class="field"><label for="${n}-description"></label>
      <textarea id="${n}-description" rows="2" aria-describedby="${n}-description-feil"></textarea>
      <p id="${n}-description-feil" class="error" hidden></p></div>
    <div class="field"><label for="${n}-responsible">Ansvarlig</label>
      <input id="${n}-responsible" aria-describedby="${n}-responsible-feil">
      <p id="${n}-responsible-feil" class="error" hidden></p></div>
    <div class="field"><label for="${n}-dueDate">Frist</label>
      <input id="${n}-dueDate" type="date" aria-describedby="${n}-dueDate-feil">
      <p id="${n}-dueDate-feil" class="error" hidden></p></div>
    <button type="submit">Legg til oppfølgingspunkt</button>`;
  form.querySelector('h4').textContent = 'Oppfølgingspunkt fra «' + it.title + '»';
  form.querySelector('label').textContent = 'Hva skal gjøres etter «' + it.title + '»';
  form.querySelector('button').setAttribute('aria-label', 'Legg til oppfølgingspunkt: ' + it.title);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = (f) => form.querySelector(`#${n}-${f}`).value.trim();
    fieldError(n + '-description', '');
    if (!value('description')) {
      fieldError(n + '-description', 'Skriv hva som skal gjøres.');
      form.querySelector(`#${n}-description`).focus();
      return;
    }
    const r = await api('POST', '/v1/actions', {
      committeeId: meeting.committeeId, itemId: it.id, description: value('description'),
      responsible: value('responsible'), dueDate: value('dueDate'),
    });
    if (r.status !== 201) { refusal(r, 'Oppfølgingspunktet ble ikke lagret', 'referat-status', n + '-'); return; }
    form.reset();
    say('referat-status', `Oppfølgingspunkt nr. ${r.json.number} er lagt til.`);
  });
  return form;
}

// ------------------------------------------------------------ forms

document.getElementById('committeeId').addEventListener('change', listMeetings);

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
  if (r.status !== 201) { refusal(r, 'Møtet ble ikke opprettet', 'mote-status'); return; }
  e.target.reset();
  await listMeetings();
  await openMeeting(r.json.id);
});

document.getElementById('durationMin').addEventListener('input', preview);

document.getElementById('ny-sak').addEventListener('submit', async (e) => {
  e.preventDefault();
  for (const id of ['title', 'durationMin', 'presenters', 'exemptionBasis', 'publicTitle']) fieldError(id, '');
  const kind = document.getElementById('kind').value;
  const title = document.getElementById('title').value.trim() || (kind === 'BREAK' ? 'Pause' : '');
  if (!title) { fieldError('title', 'Skriv en tittel.'); document.getElementById('title').focus(); return; }
  const exempt = document.getElementById('isExempt').checked;
  const publicTitle = exempt ? document.getElementById('publicTitle').value.trim() : '';
  if (exempt && !publicTitle) {
    fieldError('publicTitle', 'Skriv en offentlig tittel.');
    document.getElementById('publicTitle').focus();
    return;
  }
  const r = await api('POST', `/v1/meetings/${meeting.id}/items`, {
    kind, title, durationMin: Number(document.getElementById('durationMin').value),
    presenters: document.getElementById('presenters').value.split(',').map((x) => x.trim()).filter(Boolean),
    isExempt: exempt, exemptionBasis: exempt ? document.getElementById('exemptionBasis').value.trim() : '',
    publicTitle,
  });
  if (await changed(r, 'Lagt til: ' + title + '.', 'Saken ble ikke lagt til')) {
    for (const id of ['title', 'presenters', 'publicTitle']) document.getElementById(id).value = '';
    document.getElementById('isExempt').checked = false;
    show('hjemmel', false);
    show('offentlig', false);
  }
});

document.getElementById('isExempt').addEventListener('change', (e) => {
  show('offentlig', e.target.checked);
  show('hjemmel', e.target.checked);
});

document.getElementById('avlys').addEventListener('submit', async (e) => {
  e.preventDefault();
  fieldError('reason', '');
  const reason = document.getElementById('reason').value.trim();
  if (!reason) { fieldError('reason', 'Skriv hvorfor.'); document.getElementById('reason').focus(); return; }
  const r = await api('POST', `/v1/meetings/${meeting.id}/cancel`, { reason });
  if (await changed(r, 'Møtet er avlyst.', 'Møtet ble ikke avlyst')) {
    e.target.reset();
    await listMeetings();
  }
});

document.getElementById('oppfolging').addEventListener('click', async () => {
  const r = await api('POST', `/v1/meetings/${meeting.id}/follow-up`,
    { durationMin: Number(document.getElementById('durationMin').value) || 10 });
  await changed(r, 'Oppfølging av tiltak er lagt til, med utvalgets åpne tiltak.',
    'Oppfølgingen ble ikke lagt til');
});

document.getElementById('publiser').addEventListener('click', async () => {
  const r = await api('POST', `/v1/meetings/${meeting.id}/publish`);
  if (r.status !== 200) { refusal(r, 'Innkallingen ble ikke publisert', 'mote-status'); return; }
  meeting = r.json.meeting;
  render();
  const warnings = (r.json.warnings || []).join(' ');
  say('mote-status', (meeting.noticeVersion > 1 ? 'Tilleggsinnkallingen' : 'Innkallingen') +
    ' er publisert.' + (warnings ? ' Merk: ' + warnings : ''));
  await listMeetings();
});

document.getElementById('oppmote').addEventListener('submit', async (e) => {
  e.preventDefault();
  const entries = [...document.querySelectorAll('#medlemmer select[data-person]')].map((s) => {
    const entry = { personId: s.dataset.person, status: s.value };
    if (s.value === 'DEPUTY') entry.deputyForPersonId = document.getElementById(s.id + '-for').value;
    return entry;
  });
  const r = await api('PUT', `/v1/meetings/${meeting.id}/attendance`, { entries });
  say('referat-status', r.status === 200 ? 'Oppmøtet er lagret.' : 'Det gikk ikke: ' + (r.json.detail || '') + '.');
  if (r.status === 200) meeting = r.json;
});

document.getElementById('godkjenn').addEventListener('click', async () => {
  const r = await api('POST', `/v1/meetings/${meeting.id}/minutes/approve`);
  if (r.status !== 200) {
    say('referat-status', 'Referatet ble ikke godkjent: ' + (r.json.detail || '') + '.');
    return;
  }
  meeting = r.json;
  render();
  say('referat-status', 'Referatet er godkjent og låst.');
  await listMeetings();
});

signInForm(start, 'Nøkkelen ble ikke godtatt.');
