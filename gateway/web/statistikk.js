// The statistics of deviations per period (the partnership's kind, from its
// settings, or another chosen): the period beside the one before,
// counts as bar charts that are tables (the numbers are there for screen
// readers and for reading off), the time to answer, the share in time.
'use strict';

const CHARTS = [['byCategory', 'Etter kategori'], ['byDirection', 'Etter retning'],
  ['byReceivingOrganization', 'Etter mottaker'], ['byType', 'Etter type']];

// The kinds of period, as the API names them and as people say them: the
// letter of a period's name (none for a month) and its months.
const KINDS = {
  TERTIAL: { text: 'Tertial', letter: 'T', months: 4 },
  QUARTER: { text: 'Kvartal', letter: 'Q', months: 3 },
  HALF_YEAR: { text: 'Halvår', letter: 'H', months: 6 },
  MONTH: { text: 'Måned', letter: '', months: 1 },
};

function periodName(kind, year, index) {
  const k = KINDS[kind];
  return k.letter ? `${year}-${k.letter}${index}` : `${year}-${String(index).padStart(2, '0')}`;
}

// The periods of a kind to choose from, newest first ("2026-Q3" and the
// five before it): the running one only for quality staff (the others'
// are published when a period has ended).
function periods(kind, running) {
  const now = new Date();
  const per = KINDS[kind].months;
  let year = now.getFullYear();
  let i = Math.floor(now.getMonth() / per) + 1;
  const last = 12 / per;
  if (!running) {
    i -= 1;
    if (i === 0) { i = last; year -= 1; }
  }
  const out = [];
  for (let n = 0; n < 6; n++) {
    out.push(periodName(kind, year, i));
    i -= 1;
    if (i === 0) { i = last; year -= 1; }
  }
  return out;
}

// a figure of fewer than 5 reports is not published: the API says -1
function days(n) {
  if (typeof n !== 'number') return '–';
  return n < 0 ? 'for få meldinger til å vise' : n.toLocaleString('nb-NO', { maximumFractionDigits: 1 });
}

function count(n) {
  return n < 0 ? 'under 5' : String(n || 0);
}

function share(x) {
  return x < 0 ? 'for få til å vise' : Math.round((x || 0) * 100) + ' %';
}

// The API's codes as people read them
const WORDS = {
  MUNICIPALITY: 'kommune', HOSPITAL_TRUST: 'helseforetak', GP_OFFICE: 'legekontor',
  COUNTY_GOVERNOR: 'statsforvalter', OTHER: 'annen',
  BREACH_OF_AGREEMENT: 'Brudd på samarbeidsavtale', BREACH_OF_GUIDELINE: 'Brudd på retningslinje',
  BREACH_OF_LAW: 'Brudd på lov eller forskrift', IMPROVEMENT_PROPOSAL: 'Forbedringsforslag',
};

function label(c) {
  if (c.name) return c.name;
  return c.key.split(' → ').map((part) => WORDS[part] || part).join(' → ')
    .replace(/^./, (first) => first.toUpperCase());
}

function chart(title, counts) {
  const known = counts.filter((c) => c.count > 0);
  const max = Math.max(1, ...known.map((c) => c.count));
  const table = document.createElement('table');
  table.className = 'chart';
  const caption = document.createElement('caption');
  caption.textContent = title;
  table.append(caption);
  const head = table.createTHead().insertRow();
  for (const text of ['', 'Antall']) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = text;
    head.append(th);
  }
  const body = table.createTBody();
  for (const c of counts) {
    const row = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = label(c);
    row.append(th);
    const td = row.insertCell();
    if (c.count < 0) {
      // under 5, or a count that would tell one that is
      td.textContent = 'skjult';
    } else {
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.width = Math.round((100 * c.count) / max) + '%';
      td.append(bar, document.createTextNode(' ' + c.count));
    }
  }
  return table;
}

async function load(period) {
  const r = await api('GET', '/v1/deviations/stats?period=' + encodeURIComponent(period));
  const summary = document.getElementById('oppsummering');
  const box = document.getElementById('diagrammer');
  box.replaceChildren();
  if (r.status !== 200) {
    summary.textContent = 'Statistikken kunne ikke hentes: ' + (r.json.detail || '') + '.';
    return;
  }
  const now = r.json.current || {};
  const before = r.json.previous || {};
  const n = now.total || 0;
  summary.textContent = `${period}: ${count(n)} ${n === 1 ? 'avviksmelding' : 'avviksmeldinger'} ` +
    `(forrige periode ${count(before.total)}). ` +
    `Virkedager til svar, median: ${days(now.medianDaysToAnswer)}; ` +
    `besvart i tide: ${share(now.shareAnsweredInTime)}.`;
  for (const [field, title] of CHARTS)
    if ((now[field] || []).length) box.append(chart(title, now[field]));
}

let running = false;

function offerPeriods(kind) {
  const select = document.getElementById('period');
  select.replaceChildren(...periods(kind, running).map((p) => new Option(p, p)));
}

async function start(me) {
  const roles = (me && me.roles) || [];
  running = roles.includes('quality') || roles.includes('administrator');
  // the partnership's kind of period by default
  const settings = await api('GET', '/v1/settings');
  const kind = settings.status === 200 && KINDS[settings.json.statisticsPeriod]
    ? settings.json.statisticsPeriod : 'TERTIAL';
  const kinds = document.getElementById('kind');
  kinds.replaceChildren(...Object.entries(KINDS).map(([k, v]) => new Option(v.text, k)));
  kinds.value = kind;
  // other kinds overlap the partnership's: their figures could be
  // subtracted from its to tell small counts, so they are for quality staff
  kinds.disabled = !running;
  if (!running) say('kind-hjelp', 'Statistikken publiseres per helsefellesskapets inndeling.');
  offerPeriods(kind);
  show('innlogging', false);
  show('tall', true);
  await load(document.getElementById('period').value);
  return true;
}

document.getElementById('kind').addEventListener('change', (e) => offerPeriods(e.target.value));

document.getElementById('velg').addEventListener('submit', (e) => {
  e.preventDefault();
  load(document.getElementById('period').value);
});

signInForm(start, 'Nøkkelen ble ikke godtatt.');
