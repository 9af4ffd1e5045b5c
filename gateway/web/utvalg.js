// The committees page: every committee of the partnership, found by name,
// and meetings found by their title, place or an item's title; for one
// committee, its members (the secretariat adds them and ends their terms)
// and the cases sent in from outside (innmeldte saker), which a secretary
// puts on a meeting's agenda or declines with a reason. Anyone signed in
// may send a case in and follow what became of it.
'use strict';

const KINDS = [['ADMINISTRATIVE', 'Administrativt samarbeidsutvalg'], ['POLITICAL', 'Politisk'],
  ['EXPERT_COUNCIL', 'Fagråd'], ['WORKING_COMMITTEE', 'Arbeidsgruppe'], ['GP_COUNCIL', 'Fastlegeråd'],
  ['EMERGENCY', 'Beredskap'], ['OTHER', 'Annet']];
const ROLES = [['MEMBER', 'Medlem'], ['CHAIR', 'Leder'], ['VICE_CHAIR', 'Nestleder'],
  ['DEPUTY', 'Vara'], ['OBSERVER', 'Observatør'], ['SECRETARY', 'Sekretær']];
const text = (list, value) => (list.find((x) => x[0] === value) || [value, value])[1];

let me = null;
let committee = null;
const organisations = new Map(); // id -> name
const committeeNames = new Map(); // id -> name
const noticed = new Map(); // the open committee's meetings whose notice is out, by id

// "5. februar 2031"
function day(iso) {
  return iso ? new Date(iso + 'T12:00:00').toLocaleDateString('nb-NO', { day: 'numeric', month: 'long', year: 'numeric' }) : '';
}

const today = () => isoDay(0);

async function start(who) {
  me = who;
  const orgs = await fetch('/v1/organizations?limit=500').then((x) => x.json());
  const select = document.getElementById('medlem-organizationId');
  select.replaceChildren(new Option('Ingen bestemt', ''));
  // who runs a new committee: an administrator says; a secretariat's is its own
  const runner = document.getElementById('utvalg-secretariatOrganizationId');
  runner.replaceChildren(new Option('Ingen (bare utvalgets sekretær og leder)', ''));
  for (const o of orgs.items || []) {
    organisations.set(o.id, o.name);
    select.append(new Option(o.name, o.id));
    runner.append(new Option(o.name, o.id));
  }
  document.getElementById('utvalg-sekretariat').hidden = !(me.roles || []).includes('administrator');
  document.getElementById('utvalg-kind').replaceChildren(...KINDS.map(([v, t]) => new Option(t, v)));
  document.getElementById('medlem-role').replaceChildren(...ROLES.map(([v, t]) => new Option(t, v)));
  document.getElementById('medlem-termFrom').value = today();
  const all = await fetch('/v1/committees?limit=500').then((x) => x.json());
  for (const c of all.items || []) committeeNames.set(c.id, c.name);
  document.getElementById('innmeldte-state').value = may(me, 'agenda.AcceptProposal') ? 'SUBMITTED' : '';
  show('innlogging', false);
  show('alle', true);
  await listCommittees(false);
  return true;
}

// The committees, those whose name or short name holds the search's text.
const listCommittees = pagedList({
  path: () => '/v1/committees?' + searchParam('sok-utvalg-q'),
  box: 'utvalg-liste', count: 'utvalg-antall', more: 'flere-utvalg',
  words: { one: 'utvalg', many: 'utvalg', none: 'Ingen utvalg passer søket.' },
  render: (c) => {
    const row = document.createElement('tr');
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'link';
    open.textContent = c.name;
    open.addEventListener('click', () => openCommittee(c));
    row.insertCell().append(open);
    row.insertCell().textContent = c.shortName || '';
    row.insertCell().textContent = text(KINDS, c.kind);
    return row;
  },
});
searchForm('sok-utvalg', listCommittees);

// "5. mars 2031 kl. 13:00"
const meetingTime = (iso) => new Date(iso).toLocaleString('nb-NO',
  { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Oslo' });

// The public documents of a meeting whose notice is out, as links.
function documentLinks(m) {
  if (m.state === 'CANCELLED') return ['avlyst' + (m.cancelReason ? ' (' + m.cancelReason + ')' : '') + '.'];
  if (!(m.noticeVersion > 0)) return ['innkallingen er ikke sendt ut ennå.'];
  const links = [Object.assign(document.createElement('a'),
    { href: `/v1/meetings/${m.id}/notice.html`, textContent: 'innkalling' }), ' (',
  Object.assign(document.createElement('a'),
    { href: `/v1/meetings/${m.id}/notice.pdf`, textContent: 'PDF' }), ')'];
  if (m.state === 'MINUTES_APPROVED') {
    links.push(', ', Object.assign(document.createElement('a'),
      { href: `/v1/meetings/${m.id}/minutes.html`, textContent: 'referat' }));
  }
  return links;
}

// Meetings found, each with its committee.
const listFoundMeetings = meetingSearch((m) => {
  const li = document.createElement('li');
  li.append((committeeNames.get(m.committeeId) || 'Utvalg') + ', ' + meetingTime(m.startTime) +
    (m.title ? ', ' + m.title : '') + (m.place ? ', ' + m.place : '') + ': ', ...documentLinks(m));
  return li;
});
searchForm('sok-moter', listFoundMeetings);

async function openCommittee(c) {
  // as it is now, with its version for a change
  const fresh = await api('GET', '/v1/committees/' + c.id);
  committee = fresh.status === 200 ? fresh.json : c;
  committee.etag = fresh.etag;
  c = committee;
  document.getElementById('ett-tittel').textContent = c.name;
  say('mandat', c.mandate ? 'Mandat: ' + c.mandate : '');
  for (const f of ['name', 'shortName', 'mandate', 'noticePeriodDays']) {
    document.getElementById('endre-' + f).value = c[f] === undefined ? '' : String(c[f]);
    fieldError('endre-' + f, '');
  }
  // its numbering practice, and where this year's numbers stand
  const unnumbered = c.unnumberedKinds || [];
  document.getElementById('endre-nummerer-eventuelt').checked = !unnumbered.includes('ANY_OTHER_BUSINESS');
  document.getElementById('endre-nummerer-orienteringer').checked = !unnumbered.includes('ORIENTATION');
  document.getElementById('endre-carriedCaseNumber').value = c.carriedCaseNumber === 'NEW' ? 'NEW' : 'KEPT';
  for (const f of ['unnumberedKinds', 'carriedCaseNumber']) fieldError('endre-' + f, '');
  document.getElementById('nummer-year').value = String(new Date().getFullYear());
  document.getElementById('nummer-nextNumber').value = '';
  for (const f of ['year', 'nextNumber']) fieldError('nummer-' + f, '');
  say('nummer-status', '');
  say('ett-status', '');
  say('forslag-status', '');
  show('ett', true);
  const meetings = listMeetings();
  const work = [meetings];
  if (may(me, 'agenda.ListPersons')) work.push(listMembers());
  // a proposal links the meeting it was placed on once its notice is out
  if (may(me, 'agenda.ListProposals')) work.push(meetings.then(listProposalsAndMeetings));
  await Promise.all(work);
  document.getElementById('ett-tittel').focus();
}

// ------------------------------------------------------------ meetings

// The committee's meetings as members read them: the notice once it is
// out, the minutes once approved (the public documents; drafts not shown),
// from a year back.
async function listMeetings() {
  const r = await fetch(`/v1/meetings?committeeId=${committee.id}&from=${isoDay(-366)}&limit=500`)
    .then((x) => x.json());
  const ul = document.getElementById('motene');
  ul.replaceChildren();
  const held = (r.items || []).filter((m) => m.noticeVersion > 0 || m.state === 'CANCELLED')
    .sort((a, b) => b.startTime.localeCompare(a.startTime));
  noticed.clear();
  for (const m of held) {
    if (m.state !== 'CANCELLED') noticed.set(m.id, m);
    const li = document.createElement('li');
    li.append(meetingTime(m.startTime) + (m.place ? ', ' + m.place : '') + ': ');
    if (m.state === 'CANCELLED') {
      li.append('avlyst' + (m.cancelReason ? ' (' + m.cancelReason + ')' : '') + '.');
    } else {
      const notice = Object.assign(document.createElement('a'),
        { href: `/v1/meetings/${m.id}/notice.html`, textContent: 'innkalling' });
      // the public notice hides exempt cases; with one's own credential a
      // member gets them too, as a file
      const day = m.startTime.slice(0, 10);
      const pdf = Object.assign(document.createElement('a'),
        { href: `/v1/meetings/${m.id}/notice.pdf`, textContent: 'PDF' });
      li.append(notice, ' (', pdf, ') ', button('Last ned innkallingen', 'møtet ' + day,
        () => download(`/v1/meetings/${m.id}/notice.html`, `innkalling-${day}.html`, 'Innkallingen')),
      ' ', button('Last ned PDF', 'møtet ' + day,
        () => download(`/v1/meetings/${m.id}/notice.pdf`, `innkalling-${day}.pdf`, 'Innkallingen')));
      if (m.state === 'MINUTES_APPROVED') {
        li.append(', ', Object.assign(document.createElement('a'),
          { href: `/v1/meetings/${m.id}/minutes.html`, textContent: 'referat' }), ' ',
        button('Last ned referatet', 'møtet ' + day,
          () => download(`/v1/meetings/${m.id}/minutes.html`, `referat-${day}.html`, 'Referatet')));
      }
    }
    ul.append(li);
  }
  if (!held.length) ul.append(Object.assign(document.createElement('li'), { textContent: 'Ingen møter er kalt inn ennå.' }));
}

async function download(path, filename, what) {
  say('ett-status', (await saveAs(path, filename)) ? what + ' er lastet ned, med det du har tilgang til.'
    : what + ' kunne ikke lastes ned.');
}

// ------------------------------------------------------------ members

async function listMembers() {
  const [memberships, persons] = await Promise.all([
    api('GET', `/v1/committees/${committee.id}/memberships?limit=500`),
    api('GET', '/v1/persons?limit=500'),
  ]);
  const names = new Map((persons.json.items || []).map((p) => [p.id, p.name]));
  const choose = document.getElementById('medlem-personId');
  choose.replaceChildren(new Option('Velg person', ''), new Option('Ny person …', 'ny'));
  for (const p of persons.json.items || []) choose.append(new Option(p.name, p.id));
  show('ny-person', false);

  const body = document.getElementById('medlem-liste');
  body.replaceChildren();
  const edit = may(me, 'agenda.UpdateMembership');
  for (const m of memberships.json.items || []) {
    const row = body.insertRow();
    const name = names.get(m.personId) || m.personId;
    const period = day(m.termFrom) + '–' + (m.termTo ? day(m.termTo) : '');
    for (const value of [name, text(ROLES, m.role), organisations.get(m.organizationId) || '', period])
      row.insertCell().textContent = value;
    if (!edit) continue;
    const cell = row.insertCell();
    if (!m.termTo || m.termTo > today())
      cell.append(button('Avslutt i dag', name, () => endTerm(m, name)), ' ');
    if (may(me, 'agenda.UpdatePerson'))
      cell.append(button('Endre', name, () => editPerson(m.personId)));
  }
}

let person = null; // the person being changed, with the version read

async function editPerson(id) {
  const r = await api('GET', '/v1/persons/' + id);
  if (r.status !== 200) { refusal(r, 'Personen kunne ikke hentes', 'ett-status'); return; }
  person = { ...r.json, etag: r.etag };
  for (const f of ['name', 'title', 'email']) {
    document.getElementById('pers-' + f).value = person[f] || '';
    fieldError('pers-' + f, '');
  }
  say('endre-person-tittel', 'Endre ' + person.name);
  show('endre-person', true);
  document.getElementById('endre-person-tittel').focus();
}

document.getElementById('endre-person-avbryt').addEventListener('click', () => show('endre-person', false));

document.getElementById('endre-person').addEventListener('submit', async (e) => {
  e.preventDefault();
  const changes = {};
  for (const f of ['name', 'title', 'email']) {
    fieldError('pers-' + f, '');
    const value = document.getElementById('pers-' + f).value.trim();
    if (value !== (person[f] || '')) changes[f] = value;
  }
  if (!Object.keys(changes).length) { show('endre-person', false); return; }
  const r = await api('PATCH', '/v1/persons/' + person.id, changes,
    person.etag ? { 'If-Match': person.etag } : {});
  if (r.status === 412) {
    say('ett-status', 'Noen andre har endret personen i mellomtiden. Åpne den på nytt og prøv igjen.');
    return;
  }
  if (r.status !== 200) { refusal(r, 'Personen ble ikke endret', 'ett-status', 'pers-'); return; }
  show('endre-person', false);
  await listMembers();
  say('ett-status', r.json.name + ' er endret.');
});

async function endTerm(m, name) {
  const r = await api('PATCH', `/v1/committees/${committee.id}/memberships/${m.id}`,
    { termTo: today() });
  if (r.status !== 200) { refusal(r, 'Perioden ble ikke avsluttet', 'ett-status'); return; }
  await listMembers();
  say('ett-status', 'Perioden til ' + name + ' slutter i dag.');
}

document.getElementById('medlem-personId').addEventListener('change', (e) => {
  show('ny-person', e.target.value === 'ny');
});

document.getElementById('nytt-medlem').addEventListener('submit', async (e) => {
  e.preventDefault();
  for (const p of e.target.querySelectorAll('.error')) fieldError(p.id.replace(/-feil$/, ''), '');
  const value = (id) => document.getElementById(id).value.trim();
  let personId = value('medlem-personId');
  if (!personId) {
    fieldError('medlem-personId', 'Velg en person, eller «Ny person».');
    document.getElementById('medlem-personId').focus();
    return;
  }
  if (personId === 'ny') {
    const person = await api('POST', '/v1/persons', {
      name: value('person-name'), title: value('person-title'), email: value('person-email'),
      organizationId: value('medlem-organizationId'),
    });
    if (person.status !== 201) { refusal(person, 'Personen ble ikke opprettet', 'ett-status', 'person-'); return; }
    personId = person.json.id;
  }
  const r = await api('POST', `/v1/committees/${committee.id}/memberships`, {
    personId, role: value('medlem-role'), organizationId: value('medlem-organizationId'),
    termFrom: value('medlem-termFrom'),
  });
  if (r.status !== 201) { refusal(r, 'Medlemmet ble ikke lagt til', 'ett-status', 'medlem-'); return; }
  e.target.reset();
  document.getElementById('medlem-termFrom').value = today();
  await listMembers();
  say('ett-status', 'Medlemmet er lagt til.');
});

// ------------------------------------------------------------ committees

document.getElementById('nytt-utvalg').addEventListener('submit', async (e) => {
  e.preventDefault();
  for (const f of ['name', 'shortName', 'kind', 'noticePeriodDays', 'secretariatOrganizationId']) fieldError('utvalg-' + f, '');
  const value = (id) => document.getElementById('utvalg-' + id).value.trim();
  if (!value('name')) {
    fieldError('utvalg-name', 'Skriv navnet.');
    document.getElementById('utvalg-name').focus();
    return;
  }
  const committee = {
    name: value('name'), shortName: value('shortName'), kind: value('kind'),
    noticePeriodDays: Number(value('noticePeriodDays')),
  };
  if (!document.getElementById('utvalg-sekretariat').hidden && value('secretariatOrganizationId')) {
    committee.secretariatOrganizationId = value('secretariatOrganizationId');
  }
  const r = await api('POST', '/v1/committees', committee);
  if (r.status !== 201) { refusal(r, 'Utvalget ble ikke opprettet', 'alle-status', 'utvalg-'); return; }
  e.target.reset();
  committeeNames.set(r.json.id, r.json.name);
  await listCommittees(false);
  say('alle-status', r.json.name + ' er opprettet.');
  await openCommittee(r.json);
});

// What changed of the committee, sent as only those fields, with the
// version read (If-Match): someone else's change in between is not lost.
document.getElementById('endre-utvalg').addEventListener('submit', async (e) => {
  e.preventDefault();
  const changes = {};
  for (const f of ['name', 'shortName', 'mandate', 'noticePeriodDays']) {
    fieldError('endre-' + f, '');
    const value = document.getElementById('endre-' + f).value.trim();
    const now = f === 'noticePeriodDays' ? Number(value) : value;
    if (now !== (committee[f] === undefined ? (f === 'noticePeriodDays' ? 0 : '') : committee[f])) changes[f] = now;
  }
  // the numbering practice: the kinds left unnumbered (breaks always are)
  const unnumbered = ['BREAK'];
  if (!document.getElementById('endre-nummerer-orienteringer').checked) unnumbered.unshift('ORIENTATION');
  if (!document.getElementById('endre-nummerer-eventuelt').checked) unnumbered.push('ANY_OTHER_BUSINESS');
  const before = (committee.unnumberedKinds || ['BREAK']).filter((k) => k !== 'BREAK');
  if (unnumbered.filter((k) => k !== 'BREAK').sort().join() !== before.slice().sort().join()) {
    changes.unnumberedKinds = unnumbered;
  }
  const carried = document.getElementById('endre-carriedCaseNumber').value;
  if (carried !== (committee.carriedCaseNumber || 'KEPT')) changes.carriedCaseNumber = carried;
  if (!Object.keys(changes).length) { say('ett-status', 'Ingenting er endret.'); return; }
  const r = await api('PATCH', '/v1/committees/' + committee.id, changes,
    committee.etag ? { 'If-Match': committee.etag } : {});
  if (r.status === 412) {
    say('ett-status', 'Noen andre har endret utvalget i mellomtiden. Åpne det på nytt og prøv igjen.');
    return;
  }
  if (r.status !== 200) { refusal(r, 'Utvalget ble ikke endret', 'ett-status', 'endre-'); return; }
  committeeNames.set(r.json.id, r.json.name);
  await listCommittees(false);
  await openCommittee(r.json);
  say('ett-status', 'Utvalget er endret.');
});

// Where a year's case numbers continue (a committee moving to samhand
// mid-year); the API refuses a number a notice has given already.
document.getElementById('nummerering').addEventListener('submit', async (e) => {
  e.preventDefault();
  for (const f of ['year', 'nextNumber']) fieldError('nummer-' + f, '');
  const year = document.getElementById('nummer-year').value.trim();
  const next = Number(document.getElementById('nummer-nextNumber').value.trim());
  const r = await api('PUT', `/v1/committees/${committee.id}/case-numbering/${encodeURIComponent(year)}`,
    { nextNumber: next });
  if (r.status !== 200) { refusal(r, 'Nummereringen ble ikke endret', 'nummer-status', 'nummer-'); return; }
  say('nummer-status', `Neste sak i ${r.json.year} får nummer ${r.json.nextNumber}.`);
});

// ------------------------------------------------------------ proposals

// The cases sent in that the caller may follow, as the API gives them
// (the committee's people see every one, anyone else those they or their
// organisation sent in), with what became of each: waiting, accepted onto
// a meeting (linked once its notice is out), or declined and why. A page
// at a time; a secretary decides on those waiting here.
let openMeetings = []; // where a waiting case can go: meetings whose agenda can still change
const listProposals = pagedList({
  path: () => {
    if (!committee) return '';
    const state = document.getElementById('innmeldte-state').value;
    return `/v1/committees/${committee.id}/proposals` + (state ? '?state=' + state : '');
  },
  box: 'innmeldte', count: 'innmeldte-antall', more: 'flere-innmeldte',
  words: { one: 'innmeldt sak', many: 'innmeldte saker',
    none: (url) => (url.includes('SUBMITTED') ? 'Ingen innmeldte saker venter.' : 'Ingen innmeldte saker å vise.') },
  render: proposal,
});

const listProposalsAndMeetings = async () => {
  const meetings = await api('GET', `/v1/meetings?committeeId=${committee.id}&from=${today()}&limit=50`);
  openMeetings = (meetings.json.items || []).filter((m) => m.state === 'DRAFT' || m.state === 'NOTICE_PUBLISHED');
  await listProposals(false);
};
document.getElementById('innmeldte-state').addEventListener('change', () => listProposals(false));

// What became of a proposal, in words, with the meeting it went to.
function outcome(p) {
  const line = document.createElement('p');
  line.className = 'proposal-state';
  const decided = p.decideTime ? ' ' + new Date(p.decideTime).toLocaleDateString('nb-NO') : '';
  if (p.state === 'ACCEPTED') {
    line.append('Akseptert' + decided + ': satt på sakslisten til møtet ');
    const when = p.meetingStartTime ? meetingTime(p.meetingStartTime) : 'som utvalget har lagt den til';
    if (noticed.has(p.meetingId)) {
      line.append(Object.assign(document.createElement('a'),
        { href: `/v1/meetings/${p.meetingId}/notice.html`, textContent: when }), '.');
    } else {
      line.append(when + ' (innkallingen er ikke sendt ut ennå).');
    }
  } else if (p.state === 'DECLINED') {
    const reason = (p.declineReason || 'ikke oppgitt').replace(/[.!?]+$/, '');
    line.textContent = 'Avslått' + decided + '. Begrunnelse: ' + reason + '.';
  } else {
    line.textContent = 'Venter på avgjørelse.';
  }
  return line;
}

function proposal(p) {
  const article = document.createElement('article');
  article.className = 'proposal';
  const h = document.createElement('h4');
  h.textContent = p.title;
  const from = document.createElement('p');
  from.className = 'help';
  from.textContent = 'Meldt inn av ' + p.submitterName +
    (p.organizationId && organisations.get(p.organizationId) ? ', ' + organisations.get(p.organizationId) : '') +
    ', ' + new Date(p.createTime).toLocaleDateString('nb-NO') + '.';
  const about = document.createElement('p');
  about.textContent = p.description || '';
  article.append(h, from, about);
  if (p.deviationId) {
    // a disputed deviation report: read by its parties, on the deviation page
    const link = document.createElement('p');
    const a = Object.assign(document.createElement('a'), { href: '/#avvik-' + p.deviationId,
      textContent: 'Avviksmeldingen (for partene og kvalitetsrådgiverne)' });
    link.append('Bestridt avvik: ', a);
    article.append(link);
  }
  article.append(outcome(p));
  if (p.state === 'SUBMITTED' && may(me, 'agenda.AcceptProposal'))
    article.append(acceptForm(p, openMeetings), declineForm(p));
  return article;
}

function acceptForm(p, meetings) {
  const form = document.createElement('form');
  form.noValidate = true;
  const prefix = 'godta-' + p.id + '-';
  const meeting = document.createElement('select');
  meeting.append(new Option('Velg møte', ''));
  for (const m of meetings)
    meeting.append(new Option(meetingTime(m.startTime) + (m.state === 'DRAFT' ? ' (utkast)' : ''), m.id));
  const minutes = document.createElement('input');
  minutes.type = 'number';
  minutes.min = '1';
  minutes.max = '480';
  minutes.value = '15';
  const go = document.createElement('button');
  go.type = 'submit';
  go.textContent = 'Sett på sakslisten';
  go.setAttribute('aria-label', 'Sett på sakslisten: ' + p.title);
  form.append(field(prefix + 'meetingId', 'Møte for «' + p.title + '»', meeting),
    field(prefix + 'durationMin', 'Minutter', minutes), go);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    fieldError(prefix + 'meetingId', '');
    if (!meeting.value) {
      fieldError(prefix + 'meetingId', meetings.length ? 'Velg et møte.'
        : 'Utvalget har ikke noe kommende møte å sette saken på. Lag møtet først.');
      meeting.focus();
      return;
    }
    const r = await api('POST', `/v1/proposals/${p.id}/accept`,
      { meetingId: meeting.value, durationMin: Number(minutes.value) });
    if (r.status !== 200) { refusal(r, 'Saken ble ikke satt på sakslisten', 'ett-status', prefix); return; }
    await listProposals(false);
    say('ett-status', '«' + p.title + '» er satt på sakslisten.');
  });
  return form;
}

function declineForm(p) {
  const form = document.createElement('form');
  form.noValidate = true;
  const prefix = 'avsla-' + p.id + '-';
  const reason = document.createElement('textarea');
  reason.rows = 2;
  const go = document.createElement('button');
  go.type = 'submit';
  go.textContent = 'Avslå';
  go.setAttribute('aria-label', 'Avslå: ' + p.title);
  form.append(field(prefix + 'reason', 'Hvorfor «' + p.title + '» ikke tas opp', reason), go);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    fieldError(prefix + 'reason', '');
    if (!reason.value.trim()) {
      fieldError(prefix + 'reason', 'Skriv hvorfor; innmelderen får svaret.');
      reason.focus();
      return;
    }
    const r = await api('POST', `/v1/proposals/${p.id}/decline`, { reason: reason.value.trim() });
    if (r.status !== 200) { refusal(r, 'Saken ble ikke avslått', 'ett-status', prefix); return; }
    await listProposals(false);
    say('ett-status', '«' + p.title + '» er avslått.');
  });
  return form;
}

document.getElementById('meld-inn').addEventListener('submit', async (e) => {
  e.preventDefault();
  for (const f of ['title', 'description', 'submitterName', 'submitterEmail']) fieldError('forslag-' + f, '');
  const value = (id) => document.getElementById('forslag-' + id).value.trim();
  const missing = [['title', 'Skriv en tittel.'], ['submitterName', 'Skriv navnet ditt.']]
    .filter(([f]) => !value(f));
  for (const [f, t] of missing) fieldError('forslag-' + f, t);
  if (missing.length) { document.getElementById('forslag-' + missing[0][0]).focus(); return; }
  const r = await api('POST', `/v1/committees/${committee.id}/proposals`, {
    title: value('title'), description: value('description'), submitterName: value('submitterName'),
    submitterEmail: value('submitterEmail'), organizationId: me.organizationId || '',
  });
  if (r.status !== 201) { refusal(r, 'Saken ble ikke meldt inn', 'forslag-status', 'forslag-'); return; }
  e.target.reset();
  say('forslag-status', '«' + r.json.title + '» er meldt inn til ' + committee.name + '.');
  if (may(me, 'agenda.ListProposals')) await listProposals(false);
});

signInForm(start, 'Nøkkelen ble ikke godtatt.');
