// The joint incident analysis of a report on its page (felles
// hendelsesanalyse): what both parties have written, forms to add to it
// while it is open (each a PATCH with If-Match on the version shown), the
// measures marked done, finalising, and the final report to save. The API
// decides who reads and writes it; the page offers what the roles may call.
'use strict';

const CAUSES = {
  COMMUNICATION: 'Kommunikasjon og informasjonsoverføring', ROUTINES: 'Rutiner og prosedyrer',
  COMPETENCE: 'Kompetanse og opplæring', STAFFING: 'Bemanning og arbeidsbelastning',
  EQUIPMENT_IT: 'Teknisk utstyr og IKT', ORGANISATION: 'Organisering og ansvarsforhold',
  OTHER: 'Annet',
};
const MEASURE_STATES = { OPEN: 'Åpen', DONE: 'Utført', CANCELLED: 'Avbrutt' };
const ANALYSIS_STATES = ['ANALYSIS_REQUESTED', 'CLOSED'];

let analysis = null; // as last read, with its ETag
let analysisEtag = '';

function analysisSay(text) { say('analyse-status', text); }

// Every error the API names, in the bokmål it answers in.
function analysisRefused(r, what) {
  const errors = (r.json.errors || []).map((e) => e.detail);
  analysisSay(what + ': ' + (errors.length ? errors.join(' ') : r.json.detail || 'ukjent feil'));
}

function listInto(id, items, text) {
  const list = document.getElementById(id);
  list.replaceChildren();
  for (const item of items || []) {
    const li = document.createElement('li');
    li.textContent = text(item);
    list.append(li);
  }
  if (!list.children.length) {
    const li = document.createElement('li');
    li.textContent = 'Ingen ennå.';
    list.append(li);
  }
}

function partySelect(d) {
  const select = document.createElement('select');
  select.append(new Option('Velg virksomhet', ''));
  for (const org of [d.reportingOrganizationId, d.receivingOrganizationId])
    select.append(new Option(names.get(org) || org, org));
  return select;
}

// A form of `fields` ([key, label, control, optional]) whose values `build`
// turns into the change to send; `send` sends it.
function analysisForm(legend, button, fields, build, send) {
  const form = document.createElement('form');
  form.noValidate = true;
  const set = document.createElement('fieldset');
  set.append(Object.assign(document.createElement('legend'), { textContent: legend }));
  const prefix = 'analyse-' + legend.toLowerCase().replace(/[^a-zæøå]+/g, '-');
  for (const [key, label, control] of fields) set.append(field(`${prefix}-${key}`, label, control));
  set.append(Object.assign(document.createElement('button'), { type: 'submit', textContent: button }));
  form.append(set);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const values = {};
    let missing = null;
    for (const [key, , , optional] of fields) {
      values[key] = document.getElementById(`${prefix}-${key}`).value.trim();
      if (!values[key] && !optional && !missing) missing = key;
    }
    if (missing) {
      fieldError(`${prefix}-${missing}`, 'Fyll ut dette.');
      document.getElementById(`${prefix}-${missing}`).focus();
      return;
    }
    await send(build(values));
  });
  return form;
}

function text(rows = 3) { return Object.assign(document.createElement('textarea'), { rows }); }
function input(type = 'text') { return Object.assign(document.createElement('input'), { type }); }

async function analysisChange(id, body, done) {
  const r = await api('PATCH', `/v1/deviations/${id}/analysis`, body, { 'If-Match': analysisEtag });
  if (r.status !== 200) return analysisRefused(r, 'Analysen ble ikke endret');
  await showAnalysis(id);
  analysisSay(done);
}

function showAnalysisRecord(d, a) {
  const lock = a.state === 'FINAL';
  say('analyse-tilstand', lock
    ? 'Ferdigstilt ' + when(a.finalTime) + '. Analysen er låst; tiltakene følges opp.'
    : 'Analysen pågår. Begge parter kan skrive i den.');
  say('analyse-sammendrag', a.summary || 'Ikke skrevet ennå.');
  listInto('analyse-deltakere', a.participants, (p) =>
    `${p.name}, ${p.role} (${names.get(p.organizationId) || p.organizationId})`);
  listInto('analyse-tidslinje', a.timeline, (t) => `${when(t.time)}: ${t.description}`);
  listInto('analyse-arsaker', a.causes, (c) => `${CAUSES[c.category] || c.category}: ${c.description}`);
  listInto('analyse-funn', a.findings, (f) => f);
  const list = document.getElementById('analyse-tiltak');
  list.replaceChildren();
  for (const m of a.measures || []) {
    const li = document.createElement('li');
    const owner = (names.get(m.ownerOrganizationId) || m.ownerOrganizationId) +
      (m.ownerPerson ? ' (' + m.ownerPerson + ')' : '');
    li.textContent = `${m.description}. Ansvarlig: ${owner}. Frist ${norwegianDate(m.dueDate)}. ` +
      (MEASURE_STATES[m.state] || m.state) + (m.doneTime ? ' ' + when(m.doneTime) : '') + '.';
    if (m.state === 'OPEN' && may(me, 'deviation.CompleteMeasure')) {
      const done = Object.assign(document.createElement('button'), {
        type: 'button', textContent: 'Marker som utført' });
      done.setAttribute('aria-label', 'Marker som utført: ' + m.description);
      done.addEventListener('click', async () => {
        const r = await api('POST', `/v1/deviations/${d.id}/analysis/measures/${m.id}/done`, {});
        if (r.status !== 200) return analysisRefused(r, 'Tiltaket ble ikke markert');
        await showAnalysis(d.id);
        analysisSay('Tiltaket er markert som utført.');
      });
      li.append(' ', done);
    }
    list.append(li);
  }
  if (!list.children.length) list.append(Object.assign(document.createElement('li'), { textContent: 'Ingen ennå.' }));

  const forms = document.getElementById('analyse-skjema');
  forms.replaceChildren();
  const report = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Last ned sluttrapporten' });
  report.addEventListener('click', async () => {
    const saved = await saveAs(`/v1/deviations/${d.id}/analysis/report.html`,
      `sluttrapport-${d.reference || d.id}.html`);
    analysisSay(saved ? 'Sluttrapporten er lastet ned.' : 'Sluttrapporten kunne ikke hentes.');
  });
  forms.append(report);
  if (lock || !may(me, 'deviation.UpdateAnalysis')) return;
  const change = (body, done) => analysisChange(d.id, body, done);
  forms.append(analysisForm('Sammendrag', 'Lagre sammendraget', [['summary', 'Sammendrag', text(4)]],
    (v) => ({ summary: v.summary }), (b) => change(b, 'Sammendraget er lagret.')));
  forms.append(analysisForm('Ny deltaker', 'Legg til deltakeren',
    [['name', 'Navn', input()], ['role', 'Rolle eller tittel', input()], ['organizationId', 'Virksomhet', partySelect(d)]],
    (v) => ({ participants: [...(analysis.participants || []), v] }), (b) => change(b, 'Deltakeren er lagt til.')));
  forms.append(analysisForm('Ny hendelse i tidslinjen', 'Legg til hendelsen',
    [['time', 'Tidspunkt', input('datetime-local')], ['description', 'Hva skjedde', text()]],
    (v) => ({ timeline: [...(analysis.timeline || []), { time: new Date(v.time).toISOString(), description: v.description }] }),
    (b) => change(b, 'Hendelsen er lagt til i tidslinjen.')));
  const category = document.createElement('select');
  category.append(new Option('Velg kategori', ''));
  for (const [value, label] of Object.entries(CAUSES)) category.append(new Option(label, value));
  forms.append(analysisForm('Ny årsak', 'Legg til årsaken',
    [['category', 'Kategori', category], ['description', 'Årsak eller medvirkende faktor', text()]],
    (v) => ({ causes: [...(analysis.causes || []), v] }), (b) => change(b, 'Årsaken er lagt til.')));
  forms.append(analysisForm('Nytt funn', 'Legg til funnet', [['finding', 'Funn', text()]],
    (v) => ({ findings: [...(analysis.findings || []), v.finding] }), (b) => change(b, 'Funnet er lagt til.')));
  forms.append(analysisForm('Nytt tiltak', 'Legg til tiltaket',
    [['description', 'Tiltak', text()], ['ownerOrganizationId', 'Ansvarlig virksomhet', partySelect(d)],
      ['ownerPerson', 'Ansvarlig person (valgfritt)', input(), true], ['dueDate', 'Frist', input('date')]],
    (v) => ({ measures: [...(analysis.measures || []), v] }), (b) => change(b, 'Tiltaket er lagt til.')));
  if (may(me, 'deviation.FinalizeAnalysis')) {
    const finish = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Ferdigstill analysen' });
    finish.addEventListener('click', async () => {
      const r = await api('POST', `/v1/deviations/${d.id}/analysis/finalize`, {}, { 'If-Match': analysisEtag });
      if (r.status !== 200) return analysisRefused(r, 'Analysen ble ikke ferdigstilt');
      await showAnalysis(d.id);
      analysisSay('Analysen er ferdigstilt og låst.');
    });
    forms.append(finish);
  }
}

// The analysis of report `id` (its page shown), or the form to begin it.
async function showAnalysis(id, d = null) {
  const report = d || (await api('GET', '/v1/deviations/' + id)).json;
  const section = document.getElementById('analyse');
  section.hidden = true;
  if (!ANALYSIS_STATES.includes(report.state) || !may(me, 'deviation.GetAnalysis')) return;
  const r = await api('GET', `/v1/deviations/${id}/analysis`);
  const record = document.getElementById('analyse-innhold');
  const forms = document.getElementById('analyse-skjema');
  if (r.status === 200) {
    analysis = r.json;
    analysisEtag = r.etag;
    record.hidden = false;
    showAnalysisRecord(report, analysis);
  } else if (r.status === 404 && report.state === 'ANALYSIS_REQUESTED' && may(me, 'deviation.CreateAnalysis')) {
    record.hidden = true;
    say('analyse-tilstand', 'Analysen er ikke begynt.');
    forms.replaceChildren(analysisForm('Begynn analysen', 'Begynn analysen',
      [['summary', 'Hva gjelder analysen?', text(4)]], (v) => ({ summary: v.summary }), async (b) => {
        const c = await api('POST', `/v1/deviations/${id}/analysis`, b);
        if (c.status !== 201) return analysisRefused(c, 'Analysen ble ikke begynt');
        await showAnalysis(id);
        analysisSay('Analysen er begynt.');
      }));
  } else {
    return; // not ours to read, or none
  }
  section.hidden = false;
}
