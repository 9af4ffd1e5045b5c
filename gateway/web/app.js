// samhand's pages: sign in with an API key (kept in this tab only), report
// a deviation, see the organisation's reports. Talks to /v1 of the same
// gateway; the API decides what the key may see and do.
'use strict';

const STATES = {
  DRAFT: 'Utkast', SUBMITTED: 'Sendt', AWAITING_RESPONSE: 'Registrert hos mottaker',
  INFORMATION_REQUESTED: 'Venter på opplysninger', ANSWERED: 'Besvart', DISPUTED: 'Bestridt',
  ANALYSIS_REQUESTED: 'Felles hendelsesanalyse', CLOSED: 'Lukket', REJECTED: 'Avvist',
  DUPLICATE: 'Duplikat', IN_REVIEW: 'Til godkjenning hos leder',
};

let me = null;
const names = new Map(); // organisation id -> name
const categoryNames = new Map(); // category code -> its name in the code list
let listed = []; // the reports in the list, for "the same event as"
let cursor = ''; // where the next page of the list starts

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

async function start(who) {
  me = who;
  const orgs = await fetch('/v1/organizations?limit=500').then((x) => x.json());
  const receivers = document.getElementById('receivingOrganizationId');
  receivers.replaceChildren();
  option(receivers, '', 'Velg organisasjon');
  for (const o of orgs.items || []) {
    names.set(o.id, o.name);
    if (o.id !== me.organizationId) option(receivers, o.id, o.name);
  }
  const states = document.getElementById('vis-status');
  states.replaceChildren(new Option('Alle', ''));
  for (const [value, text] of Object.entries(STATES)) states.append(new Option(text, value));
  const categories = await fetch('/v1/deviation-categories').then((x) => x.json());
  const select = document.getElementById('categoryCode');
  select.replaceChildren();
  option(select, '', 'Velg kategori');
  for (const c of categories.items || []) {
    categoryNames.set(c.code, c.name);
    option(select, c.code, c.name);
  }
  // a report keeps the code it was coded with: the names of earlier versions too
  for (let v = (categories.version || 1) - 1; v >= 1; v--) {
    const earlier = await fetch('/v1/deviation-categories?version=' + v).then((x) => x.json());
    for (const c of earlier.items || []) if (!categoryNames.has(c.code)) categoryNames.set(c.code, c.name);
  }
  show('innlogging', false);
  show('melding', true);
  show('liste', true);
  await listReports();
  // a link to one report (from a committee's proposal): opened if ours to see
  const linked = /^#avvik-([0-9a-f-]{36})$/.exec(location.hash);
  if (linked) await showReport(linked[1]);
  return true;
}

// The reports of the list, filtered; `more` adds the next page below.
async function listReports(more) {
  const q = new URLSearchParams({ limit: '50', newestFirst: 'true' });
  const state = document.getElementById('vis-status').value;
  if (state) q.set('state', state);
  if (document.getElementById('vis-forfalte').checked) q.set('overdue', 'true');
  const reference = document.getElementById('vis-referanse').value.trim();
  if (reference) q.set('reference', reference);
  if (more && cursor) q.set('cursor', cursor);
  const r = await api('GET', '/v1/deviations?' + q);
  const body = document.getElementById('meldinger');
  if (!more) { body.replaceChildren(); listed = []; }
  const page = r.json.items || [];
  listed = listed.concat(page);
  cursor = r.json.nextCursor || '';
  show('flere', Boolean(cursor));
  document.getElementById('liste-antall').textContent = listed.length === 0 ? 'Ingen meldinger å vise.'
    : `${listed.length} ${listed.length === 1 ? 'melding' : 'meldinger'} vises${cursor ? ', flere finnes' : ''}.`;
  for (const d of page) {
    const tr = document.createElement('tr');
    const due = d.answerDeadline && d.answerDeadline.dueDate
      ? d.answerDeadline.dueDate.split('-').reverse().join('.') : '';
    const first = document.createElement('td');
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'link';
    open.textContent = d.reference || 'utkast';
    open.addEventListener('click', () => showReport(d.id));
    first.append(open);
    tr.append(first);
    for (const text of [names.get(d.reportingOrganizationId) || '',
      names.get(d.receivingOrganizationId) || '', STATES[d.state] || d.state, due]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    body.append(tr);
  }
}

function norwegianDate(iso) { return iso ? iso.split('-').reverse().join('.') : ''; }

// A deadline as people say it: the date and how it stands today.
const DEADLINE = {
  PENDING: 'ikke forfalt', MET: 'overholdt', MISSED: 'overskredet', OVERDUE: 'forfalt, ikke gjort',
  PAUSED: 'stanset mens melderen gir opplysninger',
};

function deadline(d) {
  if (!d || !d.dueDate) return '';
  const how = DEADLINE[d.status];
  return norwegianDate(d.dueDate) + (how ? ' (' + how + ')' : '');
}

// A time as Norwegian documents write it, in Oslo: «20.11.2026 kl. 10.30».
function oslo(iso) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('nb-NO', {
    timeZone: 'Europe/Oslo', day: '2-digit', month: '2-digit', year: 'numeric',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.day}.${parts.month}.${parts.year} kl. ${parts.hour}.${parts.minute}`;
}

const HARMS = {
  NO_HARM: 'Ingen skade', MINOR: 'Mindre alvorlig skade', MODERATE: 'Moderat skade',
  SERIOUS: 'Betydelig skade', DEATH: 'Død',
};

// How the committee has taken a dispute
const DISPUTE = {
  SUBMITTED: 'meldt inn som sak til utvalget', ACCEPTED: 'satt opp på et møte i utvalget',
  DECLINED: 'ikke tatt opp av utvalget', DECIDED: 'behandlet av utvalget',
};

const TYPES = {
  BREACH_OF_AGREEMENT: 'Brudd på samarbeidsavtale', BREACH_OF_LAW: 'Brudd på lov eller forskrift',
  BREACH_OF_GUIDELINE: 'Brudd på retningslinje', OTHER: 'Annet', IMPROVEMENT_PROPOSAL: 'Forbedringsforslag',
};

// The workflow's steps as the pages offer them: the button, and the one
// text (or organisation) a step needs, in the field the API names.
const STEPS = {
  submit: { button: 'Send meldingen' },
  acknowledge: { button: 'Bekreft at meldingen er mottatt', done: 'Mottaket er bekreftet.' },
  'request-information': { button: 'Be om opplysninger', field: 'comment',
    label: 'Hvilke opplysninger trengs?', done: 'Melderen er bedt om opplysninger.' },
  'give-information': { button: 'Send opplysningene', field: 'comment', label: 'Opplysningene',
    done: 'Opplysningene er sendt.' },
  respond: { button: 'Send svar', field: 'answer', label: 'Svar til melderen',
    done: 'Svaret er sendt til melderen.' },
  forward: { button: 'Videresend', field: 'forwardToOrganizationId', label: 'Videresend til',
    organisation: true, done: 'Meldingen er videresendt.' },
  'mark-duplicate': { button: 'Merk som duplikat', field: 'duplicateOfId',
    label: 'Samme hendelse som', report: true, done: 'Meldingen er merket som duplikat.' },
  reject: { button: 'Avvis', field: 'reason', label: 'Hvorfor er dette ikke et samhandlingsavvik?',
    done: 'Meldingen er avvist.' },
  dispute: { button: 'Bestrid svaret', field: 'comment', label: 'Hvorfor godtas ikke svaret?',
    done: 'Svaret er bestridt.' },
  'request-analysis': { button: 'Be om felles hendelsesanalyse', field: 'comment',
    label: 'Kommentar (valgfri)', optional: true, done: 'Felles hendelsesanalyse er bedt om.' },
  close: { button: 'Lukk meldingen', done: 'Meldingen er lukket.' },
  reopen: { button: 'Gjenåpne meldingen', done: 'Meldingen er gjenåpnet.' },
  approve: { button: 'Godkjenn og send til mottaker', done: 'Meldingen er godkjent og sendt.' },
  return: { button: 'Send tilbake til melderen', field: 'comment',
    label: 'Hva bør melderen endre?', done: 'Meldingen er sendt tilbake til melderen.' },
};

function stepForm(id, action, how) {
  const form = document.createElement('form');
  form.noValidate = true;
  const input = `${action}-felt`;
  if (how.field) {
    let control;
    if (how.organisation) {
      control = document.createElement('select');
      control.append(new Option('Velg organisasjon', ''));
      for (const [orgId, name] of names) if (orgId !== me.organizationId) control.append(new Option(name, orgId));
    } else if (how.report) {
      // another report of ours, by its reference and first words
      control = document.createElement('select');
      control.append(new Option('Velg meldingen', ''));
      for (const d of listed) {
        if (d.id !== id && d.reference)
          control.append(new Option(d.reference + ': ' + d.description.slice(0, 60), d.id));
      }
    } else {
      control = document.createElement('textarea');
      control.rows = 4;
    }
    form.append(field(input, how.label, control));
  }
  form.append(Object.assign(document.createElement('button'), { type: 'submit', textContent: how.button }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = {};
    if (how.field) {
      const value = document.getElementById(input).value.trim();
      if (!value && !how.optional) {
        fieldError(input, 'Fyll ut dette.');
        document.getElementById(input).focus();
        return;
      }
      body[how.field] = value;
    }
    step(id, action, body, how.done || 'Gjort.');
  });
  return form;
}

// One report: what it says, and the steps the caller may take now (the
// API's allowedActions).
// Shows the report; false when it is no longer ours to see (forwarded).
async function showReport(id) {
  const r = await api('GET', '/v1/deviations/' + id);
  if (r.status !== 200) {
    document.getElementById('detalj-felt').replaceChildren();
    document.getElementById('handlinger').replaceChildren();
    return false;
  }
  const d = r.json;
  // what the receiver needs to see at once: when it happened, of what
  // kind, and by when it is to be acknowledged and answered
  const fields = [
    ['Referanse', d.reference], ['Fra', names.get(d.reportingOrganizationId)],
    ['Enhet', d.reportingUnit], ['Meldt av', d.isAnonymous && !d.reporterName ? 'Anonym' : d.reporterName],
    ['Til', names.get(d.receivingOrganizationId)],
    ['Tidligere mottakere', (d.previousReceivingOrganizationIds || []).map((o) => names.get(o) || o).join(', ')],
    ['Tidspunkt for hendelsen', d.occurredTime ? oslo(d.occurredTime) : ''],
    ['Oppdaget', d.discoveredTime ? oslo(d.discoveredTime) : ''],
    ['Type', TYPES[d.type] || ''],
    ['Kategori', categoryNames.get(d.categoryCode) || d.categoryCode],
    ['Skadegrad', HARMS[d.harmDegree] || 'Ikke vurdert'],
    ['Hva skjedde', d.description], ['Konsekvens', d.actualConsequence],
    ['Strakstiltak', d.immediateMeasures], ['Status', STATES[d.state] || d.state],
    ['Bekreftes innen', deadline(d.acknowledgeDeadline)],
    ['Besvares innen', deadline(d.answerDeadline)],
    ['Svar', d.answer],
    ['Bestridt', DISPUTE[d.disputeState] || ''],
    ['Utvalgets vedtak', d.disputeDecision], ['Utvalgets begrunnelse', d.disputeReason],
  ];
  const dl = document.getElementById('detalj-felt');
  dl.replaceChildren();
  for (const [label, value] of fields) {
    if (!value) continue;
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.textContent = value;
    dl.append(dt, dd);
  }
  document.getElementById('detalj-tittel').textContent = 'Avviksmelding ' + (d.reference || '');
  const actions = document.getElementById('handlinger');
  actions.replaceChildren();
  for (const action of d.allowedActions || []) {
    const how = STEPS[action];
    if (how) actions.append(stepForm(id, action, how));
  }
  showHistory(d);
  await showAnalysis(id, d);
  if (may(me, 'deviation.ListReads')) await reads(id);
  show('detalj', true);
  document.getElementById('detalj-tittel').focus();
  return true;
}

// What happened to the report, oldest first: when, what, by which party.
const DONE = {
  create: 'Opprettet', submit: 'Sendt', acknowledge: 'Mottak bekreftet',
  'request-information': 'Bedt om opplysninger', 'give-information': 'Opplysninger gitt',
  respond: 'Besvart', forward: 'Videresendt', reject: 'Avvist', 'mark-duplicate': 'Merket som duplikat',
  dispute: 'Svaret bestridt', 'request-analysis': 'Felles hendelsesanalyse bedt om', close: 'Lukket',
  reopen: 'Gjenåpnet', approve: 'Godkjent av leder', return: 'Sendt tilbake av leder',
};

function when(iso) {
  return new Date(iso).toLocaleString('nb-NO', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Oslo' });
}

function showHistory(d) {
  const list = document.getElementById('historikk');
  list.replaceChildren();
  for (const t of d.history || []) {
    const li = document.createElement('li');
    const who = names.get(t.actorOrganizationId);
    li.textContent = when(t.time) + ': ' + (DONE[t.action] || STATES[t.toState] || t.action) +
      (who ? ' av ' + who : '') + (t.comment ? ': «' + t.comment + '»' : '');
    list.append(li);
  }
}

// the access log, for quality staff
async function reads(id) {
  const r = await api('GET', `/v1/deviations/${id}/reads?limit=50`);
  const list = document.getElementById('lesninger');
  list.replaceChildren();
  const HOW = { GET: 'åpnet', LIST: 'så den i en liste', EXPORT: 'eksporterte den',
    REPORTER: 'så hvem som meldte den', ANALYSIS: 'leste den felles hendelsesanalysen' };
  for (const read of r.json.items || []) {
    const li = document.createElement('li');
    li.textContent = when(read.time) + ': ' + (names.get(read.organizationId) || read.subject) + ' ' +
      (HOW[read.how] || read.how);
    list.append(li);
  }
}

async function step(id, action, body, done) {
  const r = await api('POST', '/v1/deviations/' + id + '/' + action, body);
  const status = document.getElementById('detalj-status');
  if (r.status === 200) {
    const still = await showReport(id);
    status.textContent = still ? done : done + ' Den er nå hos mottakeren og ikke lenger synlig for dere.';
    await listReports();
  } else {
    status.textContent = 'Det gikk ikke: ' + (r.json.detail || 'ukjent feil') + '.';
  }
}

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
  if (value('harmDegree')) report.harmDegree = value('harmDegree');
  const r = await api('POST', '/v1/deviations', report);
  if (r.status === 201) {
    status.textContent = 'Avviksmeldingen er sendt med referanse ' + r.json.reference + '.';
    form.reset();
    await listReports();
    return;
  }
  // the API names every field that is wrong, and says why in bokmål (as asked)
  const errors = r.json.errors || [];
  for (const e of errors.slice(1)) fieldError(e.field, e.detail);
  const field = errors[0] ? errors[0].field : '';
  const first = errors[0] ? errors[0].detail : r.json.detail;
  let detail = 'Meldingen ble ikke sendt: ' + (first || 'ukjent feil') + '.';
  const at = /fødselsnummer.*\(ved tegn (\d+)(?:, (\d+) tegn langt)?\)/.exec(first || '');
  if (at) {
    // where it bites: say so in Norwegian and mark the number in the text
    detail = 'Teksten ser ut til å inneholde et fødselsnummer eller D-nummer (fra tegn ' + at[1] +
      '). Fjern det: en avviksmelding skal ikke kunne identifisere pasienten.';
    const input = document.getElementById(field);
    const length = Number(at[2] || 11); // as written: with its spaces, dashes or line break
    if (input && input.setSelectionRange) input.setSelectionRange(Number(at[1]) - 1, Number(at[1]) - 1 + length);
  }
  if (field && fieldError(field, detail)) {
    document.getElementById(field).focus();
  } else {
    status.textContent = detail;
  }
});

document.getElementById('utvalg').addEventListener('change', () => listReports(false));
document.getElementById('utvalg').addEventListener('submit', (e) => { e.preventDefault(); listReports(false); });
document.getElementById('flere').addEventListener('click', () => listReports(true));

signInForm(start, 'Nøkkelen ble ikke godtatt. Sjekk at du har limt inn hele nøkkelen.');
