// Management reports (issue 16): figures of a period from GET /reports/... — overview cards against the previous
// period, the daily trend, satisfaction trend, a sortable per-agent table, busiest hours, hand-overs, costly
// customers and top categories. Admins see the whole desk, supervisors their departments, every agent their own.
// Agent time (presence intervals and time entries) shows in a card, the per-agent table and the costly customers.
// Admins may filter by category, priority or channel (web form, email, import): the buckets are kept per dimension,
// so a filter reads that dimension's buckets (every ticket of the category, priority or channel, desk-wide) in place
// of the scope; created tickets are also broken down by channel.
// Charts: uPlot (web/shared/vendor/uplot), drawn left to right (time runs that way in fa and he charts too), with
// every number and date in the reader's locale (Persian digits and calendar in fa). Every table exports CSV.
import {h} from '../shared/dom.js';
import {lang, localName, t} from '../shared/i18n.js';
import {banner, describeError} from '../shared/forms.js';
import {formatDuration, formatSpent} from '../shared/format.js';
import {downloadCsv} from '../shared/csv.js';
import uPlot from '../shared/vendor/uplot/uPlot.esm.js';
import {agentName, allDepartments, api, categoryName, currentAgent, departmentName, ensureBasics, groupsOf, isAdmin,
  membersOf, priorities, supervises} from './context.js';

const LOCALES = {fa: 'fa-IR', he: 'he-IL', en: 'en-GB'};
const DATE_LOCALES = {fa: 'fa-IR-u-ca-persian', he: 'he-IL', en: 'en-GB'};
const PRESETS = [7, 30, 90];
const CHANNELS = ['web', 'mail', 'import']; // how a ticket came (Ticket.channel); a report filter like priority
const DAY_MS = 86400000;

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

function number(value, digits = 0) {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(LOCALES[lang()], {maximumFractionDigits: digits}).format(value);
}

function percent(share) {
  if (share === null || share === undefined) return '—';
  return new Intl.NumberFormat(LOCALES[lang()], {style: 'percent', maximumFractionDigits: 0}).format(share);
}

function duration(seconds) {
  return seconds === null || seconds === undefined ? '—' : formatDuration(seconds);
}

function agentTime(seconds) {
  return seconds === null || seconds === undefined ? '—' : formatSpent(seconds);
}

/** A day (YYYY-MM-DD, a local day of the desk) in the reader's calendar. */
function dayLabel(day, style = {month: 'short', day: 'numeric'}) {
  const [y, m, d] = day.split('-').map(Number);
  return new Intl.DateTimeFormat(DATE_LOCALES[lang()], {...style, timeZone: 'UTC'}).format(Date.UTC(y, m - 1, d));
}

function weekdayName(index) { // Mon=0
  return new Intl.DateTimeFormat(LOCALES[lang()], {weekday: 'short', timeZone: 'UTC'}).format(Date.UTC(2024, 0, 1 + index));
}

export function reportsView(page) {
  const today = new Date();
  let range = {preset: 30, from: isoDay(new Date(today - 29 * DAY_MS)), to: isoDay(today)};
  let scope = null; // {dimension, member}
  let filter = null; // admins: {dimension: 'category'|'priority'|'channel', member}, read in place of the scope
  let report = null;
  let agents = []; // [{agent, figures}]
  let customers = null; // admins: the costly customers
  let state = {kind: 'info', text: () => t('reports.loading')};
  let latest = 0;
  let sort = {key: 'solved', descending: true};
  const charts = [];

  /** What this reader may open: the desk (admins), departments they supervise, their groups, and themselves. */
  function scopes() {
    const me = currentAgent();
    const found = [];
    if (isAdmin()) found.push({dimension: 'desk', member: 'all', label: t('reports.scope_desk')});
    for (const d of allDepartments()) {
      if (!supervises(d.id)) continue;
      found.push({dimension: 'department', member: d.id, label: departmentName(d.id)});
      for (const g of groupsOf(d.id)) {
        found.push({dimension: 'group', member: `${d.id}/${g.id}`, label: `${departmentName(d.id)} › ${localName(g.names) || g.id}`});
      }
    }
    found.push({dimension: 'agent', member: me.id, label: t('reports.scope_me')});
    return found;
  }

  /** What an admin may filter by: the categories of every department, the priorities and the channels. */
  function filters() {
    if (!isAdmin()) return [];
    const categories = new Map();
    for (const d of allDepartments()) for (const c of d.categories || []) if (!categories.has(c.id)) categories.set(c.id, d.id);
    return [...[...categories].map(([id, department]) => ({dimension: 'category', member: id,
      label: t('reports.filter_category', {name: categoryName(department, id)})})),
    ...priorities().map((p) => ({dimension: 'priority', member: p,
      label: t('reports.filter_priority', {name: t(`priority.${p}`)})})),
    ...CHANNELS.map((c) => ({dimension: 'channel', member: c,
      label: t('reports.filter_channel', {name: t(`reports.channel_${c}`)})}))];
  }

  /** The agents of the current scope, for the per-agent table (none under a filter: agents' buckets are unfiltered). */
  function agentsInScope() {
    if (!scope || scope.dimension === 'agent' || filter) return [];
    const departments = scope.dimension === 'desk' ? allDepartments().map((d) => d.id)
      : [scope.member.split('/')[0]];
    const group = scope.dimension === 'group' ? scope.member.split('/')[1] : null;
    const ids = new Set();
    for (const d of departments) {
      for (const g of groupsOf(d)) if (!group || g.id === group) membersOf(d, g.id).forEach((m) => ids.add(m));
    }
    return [...ids].slice(0, 50);
  }

  function period() {
    return `from=${range.from}&to=${range.to}`;
  }

  async function load() {
    loadHelpCenter();
    const call = ++latest;
    state = {kind: 'info', text: () => t('reports.loading')};
    page.rerender();
    try {
      await ensureBasics();
      if (!scope) scope = scopes()[0];
      const read = filter || scope;
      const path = `/reports/figures?dimension=${read.dimension}&member=${encodeURIComponent(read.member)}&${period()}`;
      const [found, perAgent, costly] = await Promise.all([
        api.get(path),
        Promise.all(agentsInScope().map((agent) => api.get(
          `/reports/figures?dimension=agent&member=${encodeURIComponent(agent)}&${period()}&compare=0`)
          .then((r) => ({agent, figures: r.figures})).catch(() => null))),
        isAdmin() ? api.get(`/reports/top?list=customers&${period()}&limit=10`).catch(() => null) : null,
      ]);
      if (call !== latest) return;
      report = found;
      agents = perAgent.filter(Boolean);
      customers = costly ? costly.ranking : null;
      state = null;
    } catch (error) {
      if (call !== latest) return;
      state = {text: () => describeError(error)};
    }
    page.rerender();
  }

  function setPreset(days) {
    range = {preset: days, from: isoDay(new Date(today - (days - 1) * DAY_MS)), to: isoDay(today)};
    load();
  }

  function setDay(which, value) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return;
    range = {...range, preset: null, [which]: value};
    load();
  }

  // ---------------------------------------------------------------- pieces

  function controls() {
    const options = ensureOptions();
    return h('form', {class: 'card report-controls', 'data-testid': 'report-controls', onsubmit: (e) => e.preventDefault()},
      h('label', {for: 'report-scope'}, t('reports.scope')),
      h('select', {id: 'report-scope', 'data-testid': 'report-scope', onchange: (e) => {
        scope = options[Number(e.target.value)];
        load();
      }}, options.map((o, i) => h('option', {value: String(i), selected: scope && o.dimension === scope.dimension
        && o.member === scope.member}, o.label))),
      filterControl(),
      h('div', {class: 'report-presets', role: 'group', 'aria-label': t('reports.range')},
        PRESETS.map((days) => h('button', {type: 'button', class: range.preset === days ? 'primary' : 'secondary',
          'aria-pressed': String(range.preset === days), 'data-testid': `report-preset-${days}`,
          onclick: () => setPreset(days)}, t('reports.last_days', {days: number(days)})))),
      h('label', {for: 'report-from'}, t('reports.from')),
      h('input', {id: 'report-from', type: 'date', dir: 'ltr', value: range.from, 'data-testid': 'report-from',
        onchange: (e) => setDay('from', e.target.value)}),
      h('label', {for: 'report-to'}, t('reports.to')),
      h('input', {id: 'report-to', type: 'date', dir: 'ltr', value: range.to, 'data-testid': 'report-to',
        onchange: (e) => setDay('to', e.target.value)}),
      h('p', {class: 'hint', 'data-testid': 'report-period'},
        t('reports.period', {from: dayLabel(range.from, {dateStyle: 'medium'}), to: dayLabel(range.to, {dateStyle: 'medium'})})));
  }

  function filterControl() {
    const choices = filters();
    if (!choices.length) return null;
    return [h('label', {for: 'report-filter'}, t('reports.filter')),
      h('select', {id: 'report-filter', 'data-testid': 'report-filter', 'aria-describedby': 'report-filter-hint',
        onchange: (e) => {
          filter = e.target.value === '' ? null : choices[Number(e.target.value)];
          load();
        }}, h('option', {value: '', selected: !filter}, t('reports.filter_none')),
      choices.map((o, i) => h('option', {value: String(i), selected: !!filter && o.dimension === filter.dimension
        && o.member === filter.member}, o.label))),
      h('p', {class: 'hint', id: 'report-filter-hint'}, t('reports.filter_hint'))];
  }

  let optionCache = null;
  function ensureOptions() {
    optionCache = optionCache || scopes();
    return optionCache;
  }

  function card(id, label, value, previous, better = 'up') {
    let change = null;
    if (typeof previous === 'number' && typeof value === 'number' && previous !== value) {
      const up = value > previous;
      const good = better === 'up' ? up : !up;
      change = h('span', {class: `report-change ${good ? 'good' : 'bad'}`},
        `${up ? '▲' : '▼'} ${t('reports.previous', {value: number(previous, 2)})}`);
    }
    return {id, label, value, change};
  }

  function overview() {
    const f = report.figures;
    const p = report.previous || {};
    const items = [
      [card('created', t('reports.created'), f.created, p.created), number(f.created)],
      [card('solved', t('reports.solved'), f.solved, p.solved), number(f.solved)],
      [card('frt', t('reports.first_response'), f.first_response.business.median_s,
        p.first_response && p.first_response.business.median_s, 'down'), duration(f.first_response.business.median_s)],
      [card('resolution', t('reports.resolution'), f.resolution.business.median_s,
        p.resolution && p.resolution.business.median_s, 'down'), duration(f.resolution.business.median_s)],
      [card('fcr', t('reports.fcr'), f.first_contact_resolution, p.first_contact_resolution), percent(f.first_contact_resolution)],
      [card('reopen', t('reports.reopen_rate'), f.reopen_rate, p.reopen_rate, 'down'), percent(f.reopen_rate)],
      [card('sla', t('reports.sla_met'), f.sla.resolution_met, p.sla && p.sla.resolution_met), percent(f.sla.resolution_met)],
      [card('csat', t('reports.satisfaction'), f.satisfaction.good_share, p.satisfaction && p.satisfaction.good_share),
        percent(f.satisfaction.good_share)],
      [card('time', t('reports.agent_time'), f.agent_time.seconds, p.agent_time && p.agent_time.seconds, 'down'),
        agentTime(f.agent_time.seconds)],
    ];
    return h('section', {class: 'report-cards', 'data-testid': 'report-cards', 'aria-label': t('reports.overview')},
      items.map(([c, shownValue]) => h('div', {class: 'card report-card', 'data-testid': `report-card-${c.id}`},
        h('p', {class: 'report-card-label'}, c.label),
        h('p', {class: 'report-card-value'}, shownValue),
        c.change)));
  }

  function chart(id, title, series, rows) {
    // rows: [{day, values: [...]}] — drawn after render (uPlot needs the element in the page).
    const holder = h('div', {class: 'report-chart', dir: 'ltr', 'data-testid': `report-chart-${id}`});
    charts.push({holder, series, rows});
    return h('section', {class: 'card'}, h('h2', {}, title), rows.length ? holder
      : h('p', {class: 'muted', 'data-testid': `report-chart-${id}-empty`}, t('reports.no_data')));
  }

  function drawCharts() {
    for (const old of charts.splice(0)) {
      if (!old.rows.length || !old.holder.isConnected) continue;
      const xs = old.rows.map((r) => Date.parse(`${r.day}T00:00:00Z`) / 1000);
      const data = [xs, ...old.series.map((_, i) => old.rows.map((r) => r.values[i]))];
      const width = Math.max(280, old.holder.clientWidth || 320);
      const share = old.series[0].share; // shares run 0..100 %, counts in whole steps
      const plot = new uPlot({
        width, height: 200, tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'UTC'),
        series: [{label: t('reports.day'), value: (u, v) => (v === null ? '—' : dayLabel(isoDay(new Date(v * 1000))))},
          ...old.series.map((s) => ({label: s.label, stroke: s.color, width: 2, value: (u, v) => s.format(v)}))],
        axes: [{values: (u, splits) => splits.map((v) => dayLabel(isoDay(new Date(v * 1000))))},
          {values: (u, splits) => splits.map((v) => old.series[0].format(v)),
            incrs: share ? [0.1, 0.2, 0.25, 0.5] : [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]}],
        scales: {x: {time: true}, y: share ? {range: [0, 1]} : {range: (u, min, max) => [0, Math.max(1, max)]}},
      }, data, old.holder);
      old.holder.setAttribute('data-drawn', 'true');
      old.holder.plot = plot;
    }
  }

  function sortable(id, columns, rows, exportName) {
    // columns: [{key, label, value(row) -> number|string, show(row) -> text}]
    const sorted = [...rows].sort((a, b) => {
      const column = columns.find((c) => c.key === sort.key) || columns[0];
      const x = column.value(a);
      const y = column.value(b);
      const order = (x ?? -Infinity) > (y ?? -Infinity) ? 1 : (x ?? -Infinity) < (y ?? -Infinity) ? -1 : 0;
      return sort.descending ? -order : order;
    });
    return table(id, columns.map((c) => h('th', {scope: 'col', 'aria-sort': sort.key === c.key
      ? (sort.descending ? 'descending' : 'ascending') : 'none'},
    h('button', {type: 'button', class: 'link', 'data-testid': `${id}-sort-${c.key}`, onclick: () => {
      sort = {key: c.key, descending: sort.key === c.key ? !sort.descending : true};
      page.rerender();
    }}, c.label))), sorted.map((r) => columns.map((c) => c.show(r))), exportName,
    [columns.map((c) => c.label), ...sorted.map((r) => columns.map((c) => c.value(r) ?? ''))]);
  }

  function table(id, head, body, exportName, csvRows) {
    return h('div', {class: 'report-table'},
      h('div', {class: 'report-table-scroll'},
        h('table', {'data-testid': id},
          h('thead', {}, h('tr', {}, head)),
          h('tbody', {}, body.map((cells) => h('tr', {}, cells.map((c) => h('td', {}, c))))))),
      h('button', {type: 'button', class: 'secondary', 'data-testid': `${id}-csv`,
        onclick: () => downloadCsv(`${exportName}-${range.from}-${range.to}.csv`, csvRows)}, t('reports.export_csv')));
  }

  function plainTable(id, headers, rows, exportName) {
    return table(id, headers.map((x) => h('th', {scope: 'col'}, x)), rows.map((r) => r.map((c) => c.shown ?? c)),
      exportName, [headers, ...rows.map((r) => r.map((c) => (c && c.raw !== undefined ? c.raw : c)))]);
  }

  function agentTable() {
    if (!agents.length) return null;
    const columns = [
      {key: 'agent', label: t('reports.agent'), value: (r) => agentName(r.agent), show: (r) => h('span', {dir: 'auto'}, agentName(r.agent))},
      {key: 'solved', label: t('reports.solved'), value: (r) => r.figures.solved, show: (r) => number(r.figures.solved)},
      {key: 'replies', label: t('reports.replies'), value: (r) => r.figures.replies, show: (r) => number(r.figures.replies)},
      {key: 'words', label: t('reports.words_per_reply'), value: (r) => r.figures.words_per_reply,
        show: (r) => number(r.figures.words_per_reply, 1)},
      {key: 'frt', label: t('reports.first_response'), value: (r) => r.figures.first_response.business.median_s,
        show: (r) => duration(r.figures.first_response.business.median_s)},
      {key: 'csat', label: t('reports.satisfaction'), value: (r) => r.figures.satisfaction.good_share,
        show: (r) => percent(r.figures.satisfaction.good_share)},
      {key: 'handovers', label: t('reports.handed_over'), value: (r) => r.figures.handed_over,
        show: (r) => number(r.figures.handed_over)},
      {key: 'time', label: t('reports.agent_time'), value: (r) => r.figures.agent_time.seconds,
        show: (r) => agentTime(r.figures.agent_time.seconds)},
    ];
    return h('section', {class: 'card'}, h('h2', {}, t('reports.agents')),
      sortable('report-agents', columns, agents, 'agents'));
  }

  function heatMap() {
    const grid = report.busiest_hours;
    const most = Math.max(1, ...grid.flat());
    const hours = [...Array(24).keys()];
    return h('section', {class: 'card'}, h('h2', {}, t('reports.busiest_hours')),
      h('div', {class: 'report-table-scroll'},
        h('table', {class: 'report-heat', 'data-testid': 'report-heatmap'},
          h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, ''), hours.map((x) => h('th', {scope: 'col'}, number(x))))),
          h('tbody', {}, grid.map((row, day) => h('tr', {}, h('th', {scope: 'row'}, weekdayName(day)),
            row.map((count, hour) => h('td', {style: `--heat: ${(count / most).toFixed(2)}`,
              title: `${weekdayName(day)} ${number(hour)}: ${number(count)}`}, count ? number(count) : ''))))))),
      h('button', {type: 'button', class: 'secondary', 'data-testid': 'report-heatmap-csv',
        onclick: () => downloadCsv(`busiest-hours-${range.from}-${range.to}.csv`,
          [['', ...hours], ...grid.map((row, day) => [weekdayName(day), ...row])])}, t('reports.export_csv')));
  }

  function flows() {
    const rows = [...report.handovers.groups.map((f) => ['group', f]), ...report.handovers.agents.map((f) => ['agent', f])];
    const name = (kind, id) => (kind === 'agent' ? agentName(id) : id === '-' ? '—' : id);
    return h('section', {class: 'card'}, h('h2', {}, t('reports.handovers')), rows.length
      ? plainTable('report-handovers', [t('reports.from_place'), t('reports.to_place'), t('reports.count')],
        rows.map(([kind, f]) => [name(kind, f.from), name(kind, f.to), {shown: number(f.count), raw: f.count}]), 'handovers')
      : h('p', {class: 'muted'}, t('reports.no_data')));
  }

  function categories() {
    const entries = Object.entries(report.figures.by_category).sort((a, b) => b[1] - a[1]);
    return h('section', {class: 'card'}, h('h2', {}, t('reports.top_categories')), entries.length
      ? plainTable('report-categories', [t('reports.category'), t('reports.created')],
        entries.map(([id, count]) => [id, {shown: number(count), raw: count}]), 'categories')
      : h('p', {class: 'muted'}, t('reports.no_data')));
  }

  function channels() {
    const entries = Object.entries(report.figures.by_channel).sort((a, b) => b[1] - a[1]);
    if (!entries.length) return null;
    return h('section', {class: 'card'}, h('h2', {}, t('reports.by_channel')),
      plainTable('report-channels', [t('reports.channel'), t('reports.created')],
        entries.map(([id, count]) => [t(`reports.channel_${id}`), {shown: number(count), raw: count}]), 'channels'));
  }

  function costlyCustomers() {
    if (!customers) return null;
    return h('section', {class: 'card'}, h('h2', {}, t('reports.costly_customers')), customers.length
      ? plainTable('report-customers', [t('reports.customer'), t('reports.agent_time'), t('reports.replies')],
        customers.map((c) => [{shown: h('span', {dir: 'ltr'}, c.member), raw: c.member},
          {shown: agentTime(c.agent_seconds ?? c.count), raw: c.agent_seconds ?? c.count},
          {shown: number(c.replies), raw: c.replies}]), 'customers')
      : h('p', {class: 'muted'}, t('reports.no_data')));
  }

  // ---------------------------------------------------------------- help center (issues 15 and 16)
  let helpCenter = null; // GET /reports/help-center: editors (admins, supervisors) only
  let helpCenterCall = 0;

  async function loadHelpCenter() {
    const call = ++helpCenterCall;
    await ensureBasics();
    const editor = isAdmin() || allDepartments().some((d) => supervises(d.id));
    const found = editor ? await api.get(`/reports/help-center?${period()}`).catch(() => null) : null;
    if (call !== helpCenterCall) return;
    helpCenter = found;
    page.rerender();
  }

  function helpCenterSection() {
    if (!helpCenter) return null;
    const rows = helpCenter.articles;
    const count = (value) => ({shown: number(value), raw: value});
    return h('section', {class: 'card', 'data-testid': 'report-help-center-section'}, h('h2', {}, t('reports.hc.title')),
      rows.length ? plainTable('report-help-center', [t('reports.hc.article'), t('reports.hc.lang'), t('reports.hc.views'),
        t('reports.hc.helpful'), t('reports.hc.not_helpful'), t('reports.hc.helpful_share'), t('reports.hc.deflected'),
        t('reports.hc.filed')], rows.map((r) => [
        {shown: h('span', {dir: 'auto', lang: r.lang}, r.title || r.article_id), raw: r.title || r.article_id},
        {shown: t(`reports.hc.lang_${r.lang}`), raw: r.lang},
        count(r.views), count(r.helpful), count(r.not_helpful),
        {shown: percent(r.helpful_share), raw: r.helpful_share ?? ''}, count(r.deflected), count(r.filed)]), 'help-center')
        : h('p', {class: 'muted'}, t('reports.no_data')));
  }

  function render() {
    charts.length = 0;
    if (!report) {
      return h('div', {class: 'reports', 'data-testid': 'reports-page'}, h('h1', {}, t('reports.title')),
        currentAgent() ? controls() : null, banner(state));
    }
    const series = report.series;
    return h('div', {class: 'reports', 'data-testid': 'reports-page'},
      h('h1', {}, t('reports.title')),
      controls(),
      banner(state),
      overview(),
      chart('trend', t('reports.trend'), [
        {label: t('reports.created'), color: '#2563eb', format: (v) => number(v)},
        {label: t('reports.solved'), color: '#16a34a', format: (v) => number(v)}],
      series.map((d) => ({day: d.day, values: [d.created, d.solved]}))),
      chart('satisfaction', t('reports.satisfaction_trend'), [
        {label: t('reports.good_share'), color: '#9333ea', format: (v) => percent(v), share: true}],
      series.filter((d) => d.good + d.bad > 0).map((d) => ({day: d.day, values: [d.good / (d.good + d.bad)]}))),
      agentTable(),
      heatMap(),
      flows(),
      costlyCustomers(),
      categories(),
      channels(),
      helpCenterSection());
  }

  return {render, start: load, afterRender: drawCharts};
}
