/* global document, window, fetch, URLSearchParams, uPlot */
// A test-only renderer of a Grafana dashboard's JSON (served by e2e/monitoring/screenshot.ts): lays the
// panels out on Grafana's 24-column grid, runs each panel's PromQL against Prometheus' HTTP API
// (`/api/v1/...` on this page's server, which forwards it) with the dashboard's variables given
// concrete values, and draws time series with uPlot and stat panels as numbers. It knows only what
// strata-dashboard.json uses (timeseries, stat, row; units, thresholds, value mappings, byRegexp colour
// overrides). Sets body[data-done] when every panel is drawn, body[data-error] on a failure.
'use strict';

const params = new URLSearchParams(window.location.search);
const FROM = Number(params.get('from'));
const TO = Number(params.get('to'));
const VARS = { __rate_interval: params.get('rate') || '10s', job: params.get('job') || '.+' };
const STEP = Math.max(1, Math.round((TO - FROM) / 240));
const PALETTE = [
  '#73bf69',
  '#f2cc0c',
  '#8ab8ff',
  '#ff780a',
  '#f2495c',
  '#5794f2',
  '#b877d9',
  '#3cb6b6',
  '#fade2a',
  '#c4162a',
];
const ROW_PX = 30;
const GAP = 8;

function expand(expr) {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g, (m, a, b, c) => {
    const v = VARS[a || b || c];
    if (v === undefined) throw new Error(`no value for ${m}`);
    return v;
  });
}

async function prom(path, q) {
  const r = await fetch(`${path}?${new URLSearchParams(q).toString()}`);
  const body = await r.json();
  if (body.status !== 'success') throw new Error(`${q.query}: ${body.error}`);
  return body.data.result;
}

function legendOf(format, metric) {
  if (format) return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k) => metric[k] ?? '');
  const labels = Object.entries(metric).filter(([k]) => k !== '__name__');
  return `${metric.__name__ ?? ''}{${labels.map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
}

function num(s) {
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

function scaled(v, base, units) {
  let i = 0;
  let x = Math.abs(v);
  while (x >= base && i < units.length - 1) {
    x /= base;
    i++;
  }
  const n = Math.sign(v) * x;
  const digits = x === 0 || x >= 100 ? 0 : x >= 10 ? (i > 0 ? 0 : 1) : x >= 1 ? 1 : 2;
  return `${Number(n.toFixed(digits))} ${units[i]}`.trim();
}

function fmt(unit, v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  switch (unit) {
    case 's': {
      const a = Math.abs(v);
      if (a === 0) return '0 s';
      if (a < 0.001) return `${Number((v * 1e6).toFixed(0))} µs`;
      if (a < 1) return `${Number((v * 1000).toFixed(a < 0.01 ? 1 : 0))} ms`;
      if (a < 60) return `${Number(v.toFixed(a < 10 ? 2 : 1))} s`;
      if (a < 3600) return `${Number((v / 60).toFixed(1))} min`;
      if (a < 86400) return `${Number((v / 3600).toFixed(1))} h`;
      return `${Number((v / 86400).toFixed(1))} d`;
    }
    case 'bytes':
      return scaled(v, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB']);
    case 'Bps':
      return `${scaled(v, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB'])}/s`;
    case 'percentunit':
      return `${Number((v * 100).toFixed(Math.abs(v) < 0.1 ? 1 : 0))}%`;
    case 'reqps':
      return `${scaled(v, 1000, ['', 'k', 'M'])} req/s`;
    case 'ops':
      return `${scaled(v, 1000, ['', 'k', 'M'])} ops/s`;
    default:
      return scaled(v, 1000, ['', 'k', 'M', 'G']);
  }
}

function colourFor(panel, name, i) {
  for (const o of panel.fieldConfig?.overrides ?? []) {
    if (o.matcher?.id === 'byRegexp' && new RegExp(o.matcher.options).test(name)) {
      const c = o.properties.find((p) => p.id === 'color');
      if (c) return c.value.fixedColor === 'red' ? '#f2495c' : c.value.fixedColor;
    }
  }
  return PALETTE[i % PALETTE.length];
}

function box(panel, cls, width) {
  const g = panel.gridPos;
  const el = document.createElement('div');
  el.className = cls;
  const col = width / 24;
  el.style.left = `${g.x * col}px`;
  el.style.top = `${g.y * ROW_PX}px`;
  el.style.width = `${g.w * col - (cls === 'row' ? 0 : GAP)}px`;
  el.style.height = `${g.h * ROW_PX - (cls === 'row' ? 0 : GAP)}px`;
  document.getElementById('grid').appendChild(el);
  return el;
}

function title(el, text) {
  const h = document.createElement('h2');
  h.textContent = text;
  el.appendChild(h);
}

async function timeseries(panel, el) {
  const xs = [];
  for (let t = FROM; t <= TO; t += STEP) xs.push(t);
  const index = new Map(xs.map((t, i) => [t, i]));
  const series = [];
  for (const t of panel.targets) {
    const result = await prom('/api/v1/query_range', {
      query: expand(t.expr),
      start: FROM,
      end: TO,
      step: STEP,
    });
    for (const s of result) {
      const ys = new Array(xs.length).fill(null);
      for (const [ts, v] of s.values) {
        const i = index.get(Math.round(ts));
        if (i !== undefined) ys[i] = num(v);
      }
      series.push({ name: legendOf(t.legendFormat, s.metric), ys });
    }
  }
  series.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  const d = panel.fieldConfig?.defaults ?? {};
  const unit = d.unit ?? 'short';
  const bars = d.custom?.drawStyle === 'bars';
  const chart = document.createElement('div');
  chart.className = 'chart';
  el.appendChild(chart);
  const legend = document.createElement('div');
  legend.className = 'legend';
  el.appendChild(legend);
  if (series.length === 0) {
    chart.innerHTML = '<div class="empty">No data</div>';
    return;
  }
  const colours = series.map((s, i) => colourFor(panel, s.name, i));
  // Stacked: each series drawn at the running sum of those before it, the topmost first so that
  // the lower ones stay visible on top of it.
  const stacked = d.custom?.stacking?.mode === 'normal';
  let drawn = series.map((s, i) => ({ ...s, colour: colours[i] }));
  if (stacked) {
    const sums = new Array(xs.length).fill(null);
    drawn = drawn.map((s) => ({
      ...s,
      ys: s.ys.map((v, j) => (v === null ? sums[j] : (sums[j] = (sums[j] ?? 0) + v))),
    }));
    drawn.reverse();
  }
  series.forEach((s, i) => {
    const span = document.createElement('span');
    span.innerHTML = `<i style="background:${colours[i]}"></i>`;
    span.appendChild(document.createTextNode(s.name));
    legend.appendChild(span);
  });
  const rect = chart.getBoundingClientRect();
  const axis = {
    stroke: '#8e8e99',
    grid: { stroke: '#2c3235', width: 1 },
    ticks: { stroke: '#2c3235', width: 1 },
  };
  const opts = {
    width: Math.floor(rect.width),
    height: Math.max(60, Math.floor(rect.height)),
    legend: { show: false },
    cursor: { show: false },
    scales: {
      x: { time: true },
      y: {
        range: (_u, lo, hi) => {
          const min = d.min ?? Math.min(0, lo ?? 0);
          let max = d.max ?? hi ?? 1;
          if (max <= min) max = min + 1;
          return [min, d.max ?? max * 1.1];
        },
      },
    },
    axes: [
      { ...axis, space: 60, font: '11px DejaVu Sans, sans-serif' },
      {
        ...axis,
        size: 74,
        font: '11px DejaVu Sans, sans-serif',
        values: (_u, vals) => vals.map((v) => fmt(unit, v)),
      },
    ],
    series: [
      {},
      ...drawn.map((s) => ({
        label: s.name,
        stroke: s.colour,
        width: 1.5,
        fill: `${s.colour}${bars ? 'ee' : '22'}`,
        points: { show: false },
        spanGaps: false,
        ...(bars ? { paths: uPlot.paths.bars({ size: [0.9, 8] }) } : {}),
      })),
    ],
  };
  new uPlot(opts, [xs, ...drawn.map((s) => s.ys)], chart);
}

async function stat(panel, el) {
  const d = panel.fieldConfig?.defaults ?? {};
  const wrap = document.createElement('div');
  wrap.className = 'stats';
  el.appendChild(wrap);
  let n = 0;
  for (const t of panel.targets) {
    const result = await prom('/api/v1/query', { query: expand(t.expr), time: TO });
    for (const s of result) {
      const v = num(s.value[1]);
      let text = fmt(d.unit ?? 'short', v);
      let colour;
      for (const step of d.thresholds?.steps ?? [])
        if (step.value === null || (v !== null && v >= step.value)) colour = step.color;
      for (const m of d.mappings ?? []) {
        const hit = m.type === 'value' ? m.options[String(v)] : undefined;
        if (hit) {
          text = hit.text ?? text;
          colour = hit.color ?? colour;
        }
      }
      const named = { green: '#37872d', orange: '#fa6400', red: '#c4162a', blue: '#1f60c4' };
      const div = document.createElement('div');
      div.className = 'stat';
      div.style.background = named[colour] ?? colour ?? '#37872d';
      const name = document.createElement('div');
      name.className = 'name';
      name.textContent = legendOf(t.legendFormat, s.metric);
      const value = document.createElement('div');
      value.className = 'value';
      value.textContent = text;
      div.append(name, value);
      wrap.appendChild(div);
      n++;
    }
  }
  if (n === 0) wrap.innerHTML = '<div class="empty">No data</div>';
}

async function main() {
  const dash = await (await fetch('/dashboard.json')).json();
  document.getElementById('title').textContent = dash.title;
  const fmtTime = (t) => new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 19);
  document.getElementById('note').textContent =
    `deploy/grafana/strata-dashboard.json: each panel's queries run against a real Prometheus scraping a ` +
    `3-group test cluster, drawn by the e2e test's renderer (uPlot), not Grafana — ${fmtTime(FROM)} to ` +
    `${fmtTime(TO)} UTC, $__rate_interval = ${VARS.__rate_interval}`;
  const grid = document.getElementById('grid');
  const width = grid.getBoundingClientRect().width;
  const panels = dash.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  const bottom = Math.max(...panels.map((p) => p.gridPos.y + p.gridPos.h));
  grid.style.height = `${bottom * ROW_PX}px`;
  for (const p of panels) {
    if (p.type === 'row') {
      box(p, 'row', width).textContent = p.title;
      continue;
    }
    const el = box(p, 'panel', width);
    title(el, p.title);
    if (p.type === 'stat') await stat(p, el);
    else await timeseries(p, el);
  }
}

main().then(
  () => (document.body.dataset.done = '1'),
  (err) => {
    document.body.dataset.error = String(err && err.stack ? err.stack : err);
  },
);
