// A member's own page: the coming meetings of the committees they sit in,
// each with its agenda and documents (the exempt ones a member may see,
// fetched with the member's own credential), their seat and its state,
// absence (forfall) reported or withdrawn, possible disqualification
// (inhabilitet) declared for an item, the call-ups where they are a
// deputy (accept or decline), and the committees' calendar feeds.
'use strict';

const SEAT = {
  COMING: 'Du er ført opp som kommer.',
  ABSENT: 'Du har meldt forfall. Det er ingen vara å kalle inn.',
  DEPUTY_CALLED: 'Du har meldt forfall. Vara er innkalt: ',
  DEPUTY_ACCEPTED: 'Du har meldt forfall. Vara har takket ja: ',
  NO_DEPUTY_LEFT: 'Du har meldt forfall. Ingen vara er igjen å kalle inn.',
};
const DECISION = { DISQUALIFIED: 'inhabil', NOT_DISQUALIFIED: 'ikke inhabil' };

function day(iso) {
  return new Date(iso).toLocaleDateString('nb-NO', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'Europe/Oslo' });
}
function clock(iso) {
  return new Date(iso).toLocaleTimeString('nb-NO', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Oslo' }).replace(':', '.');
}

async function start() {
  show('innlogging', false);
  show('mine', true);
  show('kalender', true);
  await load();
  return true;
}

async function load() {
  const r = await api('GET', '/v1/me/meetings');
  const box = document.getElementById('moteliste');
  box.replaceChildren();
  if (r.status !== 200) { say('mine-antall', 'Møtene kunne ikke hentes: ' + (r.json.detail || 'ukjent feil') + '.'); return; }
  if (!r.json.personId) {
    say('mine-antall', 'Innloggingen din er ikke knyttet til en person i utvalgene. Be sekretariatet knytte den til deg.');
    return;
  }
  const items = r.json.items || [];
  for (const mine of items) box.append(card(mine));
  say('mine-antall', items.length === 0 ? 'Du har ingen kommende møter.'
    : `${items.length} ${items.length === 1 ? 'kommende møte' : 'kommende møter'}.`);
  const feeds = document.getElementById('kalenderlenker');
  feeds.replaceChildren();
  const names = new Map(items.map((m) => [m.meeting.committeeId, m.committeeName]));
  for (const id of r.json.committeeIds || []) {
    const li = document.createElement('li');
    const a = Object.assign(document.createElement('a'), { href: `/v1/committees/${id}/calendar.ics`, textContent: 'Kalender for ' + (names.get(id) || 'utvalget') });
    li.append(a);
    feeds.append(li);
  }
  // a call-up's link from the mail (?innkalling=…): its answer in view
  const asked = new URLSearchParams(location.search).get('innkalling');
  const callUp = asked && document.getElementById('innkalling-' + asked);
  if (callUp) { callUp.scrollIntoView(); callUp.querySelector('button').focus(); }
}

function card(mine) {
  const m = mine.meeting;
  const article = document.createElement('article');
  article.className = 'action-card';
  article.id = 'mote-' + m.id;
  const title = `${mine.committeeName} ${day(m.startTime)} kl. ${clock(m.startTime)}–${clock(m.endTime)}`;
  const h = Object.assign(document.createElement('h3'), { textContent: title });
  const where = Object.assign(document.createElement('p'), { textContent: 'Sted: ' + (m.place || m.onlineUrl || '') });
  article.append(h, where);

  // the agenda, as the member may read it
  const ol = document.createElement('ul');
  for (const it of m.items || []) {
    if (it.kind === 'BREAK') continue;
    ol.append(Object.assign(document.createElement('li'), { textContent: (it.caseNumber ? it.caseNumber + ' ' : '') + it.title }));
  }
  article.append(ol);
  const docs = document.createElement('p');
  docs.append(
    button('Innkallingen (HTML)', title, async () => {
      if (!(await saveAs(`/v1/meetings/${m.id}/notice.html`, 'innkalling.html'))) say('mine-status', 'Innkallingen kunne ikke hentes.');
    }), ' ',
    button('Innkallingen (PDF)', title, async () => {
      if (!(await saveAs(`/v1/meetings/${m.id}/notice.pdf`, 'innkalling.pdf'))) say('mine-status', 'Innkallingen kunne ikke hentes.');
    }));
  article.append(docs);

  for (const c of mine.callUps || []) article.append(callUpBox(c, title));
  if (mine.seat) article.append(seatBox(m, mine.seat, title));
  if (mine.seat) article.append(disqualificationBox(m, mine.disqualifications || [], title));
  return article;
}

// A call-up as this member's deputy: accept or decline while it waits.
function callUpBox(c, title) {
  const div = document.createElement('div');
  div.id = 'innkalling-' + c.id;
  const words = { CALLED: 'venter på ditt svar', ACCEPTED: 'du har takket ja', DECLINED: 'du har takket nei' };
  div.append(Object.assign(document.createElement('p'), {
    textContent: `Du er innkalt som ${c.rank}. vara for ${c.absentName}: ${words[c.state] || c.state}.`,
  }));
  if (c.state === 'CALLED') {
    div.append(
      button('Jeg kommer', 'innkalling som vara til ' + title, () => answer(c, 'accept', 'Du har takket ja. Velkommen!')), ' ',
      button('Jeg kan ikke', 'innkalling som vara til ' + title, () => answer(c, 'decline', 'Du har takket nei. Neste vara blir innkalt.')));
  }
  return div;
}

async function answer(c, how, done) {
  const r = await api('POST', `/v1/call-ups/${c.id}/${how}`);
  if (r.status !== 200) { refusal(r, 'Svaret ble ikke lagret', 'mine-status'); return; }
  await load();
  say('mine-status', done);
}

// The member's own seat: its state, and absence reported or withdrawn.
function seatBox(m, seat, title) {
  const div = document.createElement('div');
  const text = (SEAT[seat.state] || seat.state) + (seat.deputyName && (seat.state === 'DEPUTY_CALLED' || seat.state === 'DEPUTY_ACCEPTED') ? seat.deputyName + '.' : '');
  div.append(Object.assign(document.createElement('p'), { textContent: text }));
  if (seat.state === 'COMING') {
    const form = document.createElement('form');
    form.noValidate = true;
    const reason = document.createElement('textarea');
    reason.rows = 2;
    form.append(field('forfall-' + m.id + '-reason', 'Begrunnelse for forfall (valgfri, bare for sekretariatet)', reason));
    const submit = Object.assign(document.createElement('button'), { type: 'submit', textContent: 'Meld forfall' });
    submit.setAttribute('aria-label', 'Meld forfall: ' + title);
    form.append(submit);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const r = await api('POST', `/v1/meetings/${m.id}/absences`, { reason: reason.value.trim() });
      if (r.status !== 201) { refusal(r, 'Forfallet ble ikke meldt', 'mine-status', 'forfall-' + m.id + '-'); return; }
      await load();
      say('mine-status', 'Forfallet er meldt.' + (r.json.callUps && r.json.callUps.length ? ' Vara er innkalt.' : ''));
    });
    div.append(form);
  } else if (seat.absenceId) {
    div.append(button('Trekk forfallet', title, async () => {
      const r = await api('POST', `/v1/meetings/${m.id}/absences/${seat.absenceId}/withdraw`);
      if (r.status !== 200) { refusal(r, 'Forfallet ble ikke trukket', 'mine-status'); return; }
      await load();
      say('mine-status', 'Forfallet er trukket. Du er ført opp som kommer.');
    }));
  }
  return div;
}

// Possible disqualification for an item: declared with a reason, and
// what the committee decided.
function disqualificationBox(m, declared, title) {
  const div = document.createElement('div');
  for (const d of declared) {
    const it = (m.items || []).find((x) => x.id === d.itemId);
    div.append(Object.assign(document.createElement('p'), {
      textContent: `Du har meldt mulig inhabilitet i ${it ? (it.caseNumber || it.title) : 'en sak'}: ` +
        (DECISION[d.decision] ? 'utvalget fant deg ' + DECISION[d.decision] + '.' : 'ikke avgjort ennå.'),
    }));
  }
  const cases = (m.items || []).filter((it) => it.kind !== 'BREAK' && !it.isWithdrawn &&
    !declared.some((d) => d.itemId === it.id));
  if (cases.length === 0) return div;
  const form = document.createElement('form');
  form.noValidate = true;
  const select = document.createElement('select');
  for (const it of cases) select.append(new Option((it.caseNumber ? it.caseNumber + ' ' : '') + it.title, it.id));
  const reason = document.createElement('textarea');
  reason.rows = 2;
  const prefix = 'inhabil-' + m.id + '-';
  form.append(field(prefix + 'itemId', 'Sak du kan være inhabil i', select),
    field(prefix + 'reason', 'Hvorfor (forvaltningsloven § 6; bare for sekretariatet)', reason));
  const submit = Object.assign(document.createElement('button'), { type: 'submit', textContent: 'Meld mulig inhabilitet' });
  submit.setAttribute('aria-label', 'Meld mulig inhabilitet: ' + title);
  form.append(submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    fieldError(prefix + 'reason', '');
    const r = await api('POST', `/v1/meetings/${m.id}/items/${select.value}/disqualifications`, { reason: reason.value.trim() });
    if (r.status !== 201) { refusal(r, 'Inhabiliteten ble ikke meldt', 'mine-status', prefix); return; }
    await load();
    say('mine-status', 'Mulig inhabilitet er meldt til sekretariatet.');
  });
  div.append(form);
  return div;
}

signInForm(start, 'Nøkkelen ble ikke godtatt.');
