// The traders' board in the browser: one EventSource per page (/api/stream). On each written window
// the page fetches its data again from the JSON API and redraws what changed: cells in place when the
// rows are the same, the page's <main> from the server when rows came or went. Then #live-window shows
// "<bookmaker> <captured_at>" of the window. Freshness ages tick here between windows, so a book that
// stops writing turns stale (and the banner shows) without any event.
'use strict';
(() => {
  const BOOKS = ['betpawa', 'sportybet', 'bet9ja'];
  const NOT_OFFERED = '\u2014';
  const body = document.body;
  const pageName = body.dataset.page;
  const liveStatus = document.getElementById('live-status');
  const liveWindow = document.getElementById('live-window');

  // --- formatting: the same rules as the server's (odds_assets.trader.text, odds_assets.web.app) -----
  function fmtOdds(x) {
    if (x === null || x === undefined) return NOT_OFFERED;
    const s = String(x);
    const dot = s.indexOf('.');
    if (dot < 0) return s + '.00';
    return s.length - dot - 1 < 2 ? s + '0' : s;
  }
  function cellText(odds, state) {
    if (state === null || state === undefined) return NOT_OFFERED;
    if (state === 'gone' || state === 'off') return state;
    if (state === 'suspended') return odds === null ? 'susp' : fmtOdds(odds) + '*';
    return odds === null ? NOT_OFFERED : fmtOdds(odds);
  }
  function cellClass(state, vs) {
    return 'q st-' + (state || 'none') + (vs ? ' vs-' + vs : '');
  }
  function fmtPct(v) { return v === null || v === undefined ? NOT_OFFERED : v.toFixed(2) + '%'; }
  function fmtTime(iso) { return iso ? iso.replace('T', ' ').slice(0, 16) : NOT_OFFERED; }
  function fmtAge(s) {
    if (s === null || s === undefined || Number.isNaN(s)) return 'never';
    s = Math.max(0, Math.floor(s));
    if (s < 120) return s + ' s';
    if (s < 7200) return Math.floor(s / 60) + ' min';
    if (s < 172800) return Math.floor(s / 3600) + ' h ' + String(Math.floor((s % 3600) / 60)).padStart(2, '0') + ' min';
    return Math.floor(s / 86400) + ' d';
  }
  function lineKey(line) { return line === null || line === undefined ? 'none' : String(line); }

  // --- fetching and redrawing --------------------------------------------------------------------
  async function getJSON(url) {
    const r = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (!r.ok) throw new Error(url + ': ' + r.status);
    return r.json();
  }
  function cellAt(key) { return document.querySelector('[data-cell="' + CSS.escape(key) + '"]'); }
  function setCell(key, text, className) {
    const td = cellAt(key);
    if (!td) return;
    const target = td.querySelector('a') || td;
    let changed = false;
    if (target.textContent !== text) { target.textContent = text; changed = true; }
    if (className !== undefined && td.className !== className) { td.className = className; changed = true; }
    if (changed) { td.classList.remove('flash'); void td.offsetWidth; td.classList.add('flash'); }
  }
  async function swapMain() {
    const r = await fetch(location.href, { credentials: 'same-origin' });
    if (!r.ok) throw new Error(location.href + ': ' + r.status);
    const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
    const fresh = doc.getElementById('main');
    if (fresh) document.getElementById('main').replaceWith(fresh);
    if (pageName === 'path') drawPath(JSON.parse(document.getElementById('path-data').textContent));
  }
  const ids = (selector) => Array.from(document.querySelectorAll(selector), (el) => el.dataset.sr).join(',');

  async function refreshBoard() {
    const data = await getJSON(body.dataset.api);
    const summary = document.getElementById('board-summary');
    if (ids('#board tbody[data-sr]') !== data.events.map((e) => e.sr_event_id).join(',')
        || ids('#off-board tr[data-sr]') !== data.off_board.map((e) => e.sr_event_id).join(',')
        || (summary && summary.dataset.total !== String(data.total))) {
      return swapMain();
    }
    for (const ev of data.events) {
      const sr = ev.sr_event_id;
      setCell(sr + '|books', String(ev.books_listing));
      const mark = cellAt(sr + '|exposure');
      if (mark) { mark.hidden = !ev.open_exposures; mark.textContent = '⚠ ' + ev.open_exposures; }
      for (const [key, m] of Object.entries(ev.markets)) {
        for (const o of m.outcomes) {
          for (const b of BOOKS) {
            const q = o.books[b];
            setCell([sr, key, o.outcome, b].join('|'), cellText(q.odds, q.state),
              cellClass(q.state, b === BOOKS[0] ? o.betpawa_vs_market : null));
          }
        }
        for (const b of BOOKS) setCell([sr, key, 'margin', b].join('|'), fmtPct(m.margin_pct[b]));
      }
      for (const b of BOOKS) {
        const li = ev.books[b];
        setCell([sr, 'seen', b].join('|'), li ? fmtTime(li.last_seen_at) : NOT_OFFERED);
        const td = cellAt([sr, 'book', b].join('|'));
        if (td) td.classList.toggle('notlisted', Boolean(li && !li.listed));
      }
    }
  }

  async function refreshEvent() {
    const data = await getJSON(body.dataset.api);
    const rows = [];
    for (const m of data.markets) for (const lb of m.lines) for (const o of lb.outcomes) {
      rows.push([m.market_id, lineKey(lb.line), o.outcome].join('|'));
    }
    const shown = Array.from(document.querySelectorAll('tr[data-row]'), (tr) => tr.dataset.row);
    const status = document.getElementById('event-status');
    if (shown.join('\n') !== rows.join('\n') || (status && status.textContent !== data.event.status)) {
      return swapMain();
    }
    for (const m of data.markets) {
      for (const lb of m.lines) {
        const lk = lineKey(lb.line);
        for (const o of lb.outcomes) {
          const key = [m.market_id, lk, o.outcome].join('|');
          for (const b of BOOKS) {
            const q = o.books[b];
            setCell(key + '|' + b, cellText(q.odds, q.state),
              cellClass(q.state, b === BOOKS[0] ? o.betpawa_vs_market : null));
          }
          setCell(key + '|best', fmtOdds(o.best_odds));
          setCell(key + '|who', o.best_bookmakers.join(', '));
        }
        for (const b of BOOKS) {
          setCell([m.market_id, lk, 'margin', b].join('|'), fmtPct(lb.margin_pct[b]));
          setCell([m.market_id, lk, 'changed', b].join('|'), fmtTime(lb.last_changed_at[b]));
        }
      }
    }
    for (const [b, entry] of Object.entries(data.books)) {
      if (entry) setCell('listed|' + b, entry.listed ? 'yes' : 'no');
    }
  }

  // --- the price path chart (plotly, served from the installed package) -----------------------------
  const COLORS = { betpawa: '#1b9e77', sportybet: '#d95f02', bet9ja: '#7570b3' };
  const plotTime = (iso) => iso.replace('T', ' ').replace('Z', '');
  const SYMBOL = { active: 'circle', suspended: 'circle-open', gone: 'x' };

  function pathFigure(data) {
    const outcomes = [...new Set(data.paths.map((p) => p.outcome ?? '?'))];
    const n = Math.max(outcomes.length, 1);
    const traces = [];
    const endIso = data.until || data.now;
    for (const p of data.paths) {
      const i = outcomes.indexOf(p.outcome ?? '?');
      const yaxis = i === 0 ? 'y' : 'y' + (i + 1);
      const color = COLORS[p.bookmaker] || '#444';
      // a step runs from one change to the next: where the price stops (gone, or suspended without a
      // price) the step is drawn up to that time first, then the line breaks; the last state runs to the end
      const line = { x: [], y: [], text: [], symbol: [], size: [] };
      const add = (t, v, state, size) => {
        line.x.push(plotTime(t)); line.y.push(v); line.text.push(state);
        line.symbol.push(SYMBOL[state] || 'circle'); line.size.push(size);
      };
      let prev = null;
      for (const pt of p.points) {
        const v = pt.available ? pt.odds : null;
        if (v === null && prev !== null) add(pt.captured_at, prev, pt.state, 0);
        add(pt.captured_at, v, pt.state, 7);
        prev = v;
      }
      if (prev !== null) add(endIso, prev, p.points[p.points.length - 1].state, 0);
      const label = p.bookmaker + ' ' + (p.outcome ?? '?');
      traces.push({
        type: 'scatter', mode: 'lines+markers', name: p.bookmaker, legendgroup: p.bookmaker, showlegend: i === 0,
        x: line.x, y: line.y, text: line.text,
        line: { shape: 'hv', color, width: 2 }, connectgaps: false,
        marker: { color, size: line.size, symbol: line.symbol },
        hovertemplate: '%{x}<br>' + label + ': %{y} (%{text})<extra></extra>', xaxis: 'x', yaxis,
      });
      const gone = { x: [], y: [] };
      let last = null;
      for (const pt of p.points) {
        if (!pt.available) { gone.x.push(plotTime(pt.captured_at)); gone.y.push(last); } else if (pt.odds !== null) last = pt.odds;
      }
      if (gone.x.length) {
        traces.push({ type: 'scatter', mode: 'markers', name: p.bookmaker + ' gone', legendgroup: p.bookmaker,
          showlegend: false, x: gone.x, y: gone.y, marker: { symbol: 'x', size: 11, color },
          hovertemplate: '%{x}<br>' + label + ': gone<extra></extra>', xaxis: 'x', yaxis });
      }
    }
    // the x axis spans the changes up to now (or ?to=); a kick-off beyond it is named at the right edge
    const times = data.paths.flatMap((p) => p.points.map((pt) => Date.parse(pt.captured_at)));
    const start = times.length ? Math.min(...times) : null;
    const end = Math.max(Date.parse(endIso), ...times);
    const pad = start === null ? 0 : Math.max((end - start) * 0.03, 60000);
    const iso = (ms) => plotTime(new Date(ms).toISOString());
    const bottom = n === 1 ? 'y' : 'y' + n;
    const layout = {
      margin: { l: 60, r: 20, t: 30, b: 40 }, hovermode: 'closest', showlegend: true,
      legend: { orientation: 'h', y: 1.02, yanchor: 'bottom', x: 0 },
      xaxis: { type: 'date', title: { text: 'UTC' }, anchor: bottom,
        range: start === null ? undefined : [iso(start - pad), iso(end + pad)] },
      shapes: [], annotations: [],
    };
    const gap = 0.08;
    outcomes.forEach((name, i) => {
      const key = i === 0 ? 'yaxis' : 'yaxis' + (i + 1);
      const top = 1 - i / n;
      layout[key] = { domain: [Math.max(0, top - 1 / n + gap), top], title: { text: name }, anchor: 'x' };
    });
    const kickoff = data.event && data.event.kickoff;
    if (kickoff) {
      const at = Date.parse(kickoff);
      const style = { color: '#c0392b' };
      if (start === null || at <= end + pad) {
        const x = plotTime(kickoff);
        layout.shapes.push({ type: 'line', xref: 'x', yref: 'paper', x0: x, x1: x, y0: 0, y1: 1,
          line: { color: style.color, dash: 'dot', width: 2 } });
        layout.annotations.push({ x, xref: 'x', y: 1, yref: 'paper', text: 'kick-off', showarrow: false,
          xanchor: 'left', font: style });
      } else {
        layout.annotations.push({ x: 1, xref: 'paper', y: 1.02, yref: 'paper', xanchor: 'right', yanchor: 'bottom',
          showarrow: false,
          text: 'kick-off ' + fmtTime(kickoff) + ' \u2192', font: style });
      }
    }
    return { traces, layout };
  }

  function drawPath(data) {
    const chart = document.getElementById('chart');
    if (!chart || typeof Plotly === 'undefined') return;
    const { traces, layout } = pathFigure(data);
    Plotly.react(chart, traces, layout, { displaylogo: false, responsive: true });
    chart.dataset.traces = String(traces.length);
  }

  function renderLatest(data) {
    const tbody = document.querySelector('#latest tbody');
    if (!tbody) return;
    const rows = data.paths.map((p) => {
      const last = p.points[p.points.length - 1];
      const tr = document.createElement('tr');
      tr.dataset.key = p.bookmaker + '|' + p.outcome;
      const values = [p.bookmaker, p.outcome ?? '?', cellText(last.odds, last.state), last.state,
        last.captured_at.replace('T', ' ').slice(0, 19), String(p.points.length)];
      values.forEach((v, i) => {
        const td = document.createElement('td');
        td.textContent = v;
        if (i === 2 || i === 5) td.className = 'q';
        tr.appendChild(td);
      });
      return tr;
    });
    if (rows.length) tbody.replaceChildren(...rows);
  }

  async function refreshPath() {
    const data = await getJSON(body.dataset.api);
    drawPath(data);
    renderLatest(data);
  }

  // --- freshness ----------------------------------------------------------------------------------
  let freshness = null;
  let freshnessAt = 0;

  function showFreshness() {
    if (!freshness) return;
    const elapsed = (Date.now() - freshnessAt) / 1000;
    const stale = [];
    for (const b of freshness.books) {
      const el = document.getElementById('fresh-' + b.bookmaker);
      const age = b.age_s === null ? null : b.age_s + elapsed;
      const isStale = age === null || age > freshness.max_age_s;
      if (isStale) stale.push(b.bookmaker);
      if (!el) continue;
      el.classList.toggle('stale', isStale);
      el.querySelector('.age').textContent = fmtAge(age);
      el.querySelector('.win').textContent = b.last_window ? fmtTime(b.last_window) : 'no window yet';
    }
    const banner = document.getElementById('stale-banner');
    if (banner) {
      banner.hidden = stale.length === 0;
      const names = banner.querySelector('.books');
      if (names) names.textContent = stale.join(', ');
    }
  }
  function setFreshness(data) { freshness = data; freshnessAt = Date.now(); showFreshness(); }
  async function refreshFreshness() { setFreshness(await getJSON('/api/freshness')); }

  // --- live ---------------------------------------------------------------------------------------
  const REFRESH = { board: refreshBoard, event: refreshEvent, path: refreshPath, exposure: swapMain };

  async function refreshAll() {
    const tasks = [refreshFreshness()];
    if (REFRESH[pageName]) tasks.push(REFRESH[pageName]());
    const results = await Promise.allSettled(tasks);
    for (const r of results) if (r.status === 'rejected') console.warn('odds board: refresh failed', r.reason);
  }

  function setStatus(text, cls) { liveStatus.textContent = text; liveStatus.className = cls; }

  let source = null;
  let disconnected = false;
  function connect() {
    source = new EventSource('/api/stream');
    source.onopen = () => {
      setStatus('live', 'live');
      if (disconnected) { disconnected = false; refreshAll(); }  // no replay: fetch what was missed
    };
    source.addEventListener('window', async (ev) => {
      let payload = {};
      try { payload = JSON.parse(ev.data); } catch (e) { payload = { bookmaker: ev.data }; }
      await refreshAll();
      if (payload.asset) return;  // the analytics computed a window (exposure): refreshed, not a book's window
      liveWindow.textContent = (payload.bookmaker || '?') + ' ' + (payload.captured_at || '');
    });
    source.addEventListener('resync', () => refreshAll());
    source.onerror = () => {
      disconnected = true;
      setStatus('disconnected — retrying', 'disconnected');
      if (source.readyState === EventSource.CLOSED) {  // e.g. a 401 or 404: the browser does not retry
        source.close();
        setTimeout(connect, 3000);
      }
    };
  }

  const embedded = document.getElementById('freshness-data');
  if (embedded) setFreshness(JSON.parse(embedded.textContent));
  setInterval(showFreshness, 5000);
  setInterval(() => refreshFreshness().catch(() => {}), 30000);
  if (pageName === 'path') drawPath(JSON.parse(document.getElementById('path-data').textContent));
  if (liveStatus && typeof EventSource !== 'undefined') connect();
})();
