// A committee's public archive (GET /v1/committees/{id}/documents): its
// notices as they went out and its approved minutes, by year, as the
// partnerships publish them on their web sites; read without signing in,
// and always as the public reads them (exempt items by their public
// titles), signed in or not: the links are the public's.
'use strict';

async function readPublic(path) {
  const r = await fetch(path, { headers: { 'Accept-Language': 'nb' } });
  return { status: r.status, json: r.ok ? await r.json() : null };
}

function dateOf(iso) {
  return new Date(iso).toLocaleDateString('nb-NO', { timeZone: 'Europe/Oslo', day: '2-digit', month: '2-digit', year: 'numeric' });
}

function documentName(d) {
  if (d.kind === 'MINUTES') return 'Protokoll';
  const n = d.noticeVersion || 1;
  return (n > 1 ? `Møteinnkalling med ${n - 1} tilleggsinnkalling${n > 2 ? 'er' : ''}` : 'Møteinnkalling')
    + (d.isCancelled ? ' (møtet er avlyst)' : '');
}

function link(href, text, about) {
  const a = Object.assign(document.createElement('a'), { href, textContent: text });
  a.setAttribute('aria-label', `${text}: ${about}`);
  return a;
}

// one table a year, newest year first, as the API orders the documents
function render(documents) {
  const box = document.getElementById('arkiv-liste');
  box.replaceChildren();
  let table = null;
  let year = null;
  for (const d of documents) {
    if (d.year !== year) {
      year = d.year;
      box.append(Object.assign(document.createElement('h3'), { textContent: String(year) }));
      const wrap = Object.assign(document.createElement('div'), { className: 'table', tabIndex: 0 });
      wrap.setAttribute('role', 'region');
      wrap.setAttribute('aria-label', `Dokumenter ${year}`);
      const t = document.createElement('table');
      t.innerHTML = `<caption>Dokumenter ${year}</caption><thead><tr><th scope="col">Møtedato</th>`
        + '<th scope="col">Møte</th><th scope="col">Dokument</th><th scope="col">Les</th></tr></thead><tbody></tbody>';
      wrap.append(t);
      box.append(wrap);
      table = t.tBodies[0];
    }
    const tr = table.insertRow();
    const name = documentName(d);
    const about = `${name}, ${d.title || 'møtet'} ${dateOf(d.meetingTime)}`;
    tr.insertCell().textContent = dateOf(d.meetingTime);
    tr.insertCell().textContent = d.title || '';
    tr.insertCell().textContent = name;
    const read = tr.insertCell();
    read.append(link(d.pdfPath, 'PDF', about), ' ', link(d.htmlPath, 'Nettside', about));
  }
}

async function showArchive() {
  const committee = document.getElementById('arkiv-utvalg').value;
  const year = document.getElementById('arkiv-aar').value;
  if (!committee) return;
  const params = new URLSearchParams({ utvalg: committee });
  if (year) params.set('aar', year);
  history.replaceState(null, '', '?' + params);
  const r = await readPublic(`/v1/committees/${committee}/documents${year ? '?year=' + year : ''}`);
  if (r.status !== 200) {
    say('arkiv-status', 'Dokumentene kunne ikke hentes nå. Prøv igjen om litt.');
    return;
  }
  const years = document.getElementById('arkiv-aar');
  const chosen = years.value;
  years.replaceChildren(new Option('Alle år', ''), ...(r.json.years || []).map((y) => new Option(String(y), String(y))));
  years.value = chosen;
  const docs = r.json.documents || [];
  say('arkiv-status', docs.length ? `${docs.length} dokument${docs.length === 1 ? '' : 'er'}` : 'Ingen dokumenter ennå.');
  render(docs);
}

async function startArchive() {
  const committees = [];
  let cursor = '';
  do {
    const r = await readPublic('/v1/committees?limit=100' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    if (r.status !== 200) {
      say('arkiv-status', 'Utvalgene kunne ikke hentes nå. Prøv igjen om litt.');
      return;
    }
    committees.push(...(r.json.items || []));
    cursor = r.json.nextCursor || '';
  } while (cursor && committees.length < 1000);
  const select = document.getElementById('arkiv-utvalg');
  select.replaceChildren(...committees.map((c) => new Option(c.shortName ? `${c.name} (${c.shortName})` : c.name, c.id)));
  const asked = new URLSearchParams(location.search);
  if (asked.get('utvalg') && committees.some((c) => c.id === asked.get('utvalg'))) select.value = asked.get('utvalg');
  if (asked.get('aar')) document.getElementById('arkiv-aar').append(new Option(asked.get('aar'), asked.get('aar')));
  if (asked.get('aar')) document.getElementById('arkiv-aar').value = asked.get('aar');
  select.addEventListener('change', () => { document.getElementById('arkiv-aar').value = ''; showArchive(); });
  document.getElementById('arkiv-aar').addEventListener('change', showArchive);
  if (!committees.length) say('arkiv-status', 'Ingen utvalg ennå.');
  else showArchive();
}
startArchive();
// signing in gives the navigation of one's roles; the archive stays the public's
signInForm(async () => { show('innlogging', false); return true; }, 'Nøkkelen ble ikke godtatt.');
