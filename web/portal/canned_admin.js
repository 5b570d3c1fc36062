// Managing canned answers (#/canned, issue 15): pick a scope (my own, a work group, a department, everyone),
// see its answers with how often each was used, and add, change or delete those the agent may edit (agents
// their own; supervisors their departments' and groups'; admins all). A body per language (fa, he, en) with
// placeholders; an unknown placeholder comes back as a field error naming it. Optional actions applied with
// the reply: status, priority, transfer to a work group.
import {h} from '../shared/dom.js';
import {isolate, t} from '../shared/i18n.js';
import {banner, describeError, field, focusFirstInvalid, sortFieldErrors} from '../shared/forms.js';
import {formatNumber} from '../shared/format.js';
import {
  allDepartments, api, currentAgent, departmentName, ensureBasics, groupName, groupsOf, isAdmin, memberOf,
  myDepartments, priorities, supervises,
} from './context.js';
import {actionsLine} from './canned.js';

const LANGS = ['fa', 'he', 'en'];
const PLACEHOLDERS = ['customer.name', 'ticket.number', 'ticket.link', 'agent.name', 'department.name'];
const STATUSES = ['open', 'awaiting_customer', 'needs_info', 'on_hold', 'resolved', 'closed'];
const FORM_FIELDS = ['title', 'bodies.fa', 'bodies.he', 'bodies.en', 'bodies', 'scope', 'actions.status',
  'actions.priority', 'actions.transfer', 'version'];

function scopeKey(scope) {
  if (scope.kind === 'group') return `group:${scope.department}/${scope.group}`;
  if (scope.kind === 'department') return `department:${scope.department}`;
  return scope.kind;
}

function scopeLabel(scope) {
  if (scope.kind === 'group') {
    return t('canned.scope_group', {name: isolate(`${departmentName(scope.department)} / ${
      groupName(scope.department, scope.group)}`)});
  }
  if (scope.kind === 'department') {
    return t('canned.scope_department', {name: isolate(departmentName(scope.department))});
  }
  return t(`canned.scope_${scope.kind}`);
}

/** The scopes this agent may look at: their own, everyone's, and each department and group they work in or lead. */
function visibleScopes() {
  const found = [{kind: 'personal'}, {kind: 'everyone'}];
  for (const d of myDepartments()) {
    found.push({kind: 'department', department: d.id});
    for (const g of groupsOf(d.id)) {
      if (supervises(d.id) || memberOf(d.id, g.id)) found.push({kind: 'group', department: d.id, group: g.id});
    }
  }
  return found;
}

/** The scopes this agent may save answers in (the API decides again). */
function editableScopes() {
  return visibleScopes().filter((s) => s.kind === 'personal' || (s.kind === 'everyone' ? isAdmin()
    : supervises(s.department)));
}

export function cannedAdminView(page) {
  let scope = {kind: 'personal'};
  let answers = null;
  let state = {kind: 'info', text: () => t('common.loading')};
  let editing = null; // {id?, version?, title, bodies, scope, actions}
  let errors = {};
  let placeholders = {};
  let busy = false;

  async function start() {
    try {
      await ensureBasics();
      await load();
    } catch (error) {
      state = {text: () => describeError(error)};
      page.rerender();
    }
  }

  async function load() {
    const params = new URLSearchParams({scope: scope.kind});
    if (scope.department) params.set('department', scope.department);
    if (scope.group) params.set('group', scope.group);
    try {
      answers = (await api.get(`/agent/canned?${params}`)).answers;
      state = null;
    } catch (error) {
      answers = [];
      state = {text: () => describeError(error)};
    }
    page.rerender();
  }

  function startEdit(answer) {
    errors = {};
    placeholders = {};
    editing = answer ? {id: answer.id, version: answer.version, title: answer.title,
      bodies: {fa: '', he: '', en: '', ...answer.bodies}, scope: {...answer.scope},
      actions: {status: '', priority: '', ...answer.actions, transfer: answer.actions.transfer || null}}
      : {title: '', bodies: {fa: '', he: '', en: ''},
        scope: editableScopes().some((s) => scopeKey(s) === scopeKey(scope)) ? {...scope} : {kind: 'personal'},
        actions: {status: '', priority: '', transfer: null}};
    page.rerender();
    document.getElementById('canned-title')?.focus();
  }

  function body() {
    const actions = {};
    if (editing.actions.status) actions.status = editing.actions.status;
    if (editing.actions.priority) actions.priority = editing.actions.priority;
    if (editing.actions.transfer && editing.actions.transfer.group) actions.transfer = editing.actions.transfer;
    const s = {kind: editing.scope.kind};
    if (editing.scope.department) s.department = editing.scope.department;
    if (editing.scope.group) s.group = editing.scope.group;
    const bodies = Object.fromEntries(LANGS.filter((l) => editing.bodies[l].trim()).map((l) => [l, editing.bodies[l]]));
    return {title: editing.title, bodies, scope: s, actions, ...(editing.id ? {version: editing.version} : {})};
  }

  async function save(event) {
    event.preventDefault();
    if (busy) return;
    busy = true;
    errors = {};
    placeholders = {};
    try {
      if (editing.id) await api.put(`/agent/canned/${encodeURIComponent(editing.id)}`, body());
      else await api.post('/agent/canned', body());
      scope = editing.scope.kind === 'personal' ? {kind: 'personal'} : {...editing.scope};
      editing = null;
      state = {kind: 'ok', text: () => t('canned.saved')};
      busy = false;
      await load();
      return;
    } catch (error) {
      const sorted = sortFieldErrors(error.fields, FORM_FIELDS);
      errors = Object.fromEntries(Object.entries(sorted.byField).map(([k, list]) => [k, list[0].code]));
      placeholders = error.body.placeholders || {};
      state = {text: () => (error.status === 409 ? t('canned.stale') : describeError(error)), items: sorted.leftover};
    }
    busy = false;
    page.rerender();
    focusFirstInvalid(page.root);
  }

  async function remove(answer) {
    if (!window.confirm(t('canned.delete_confirm', {title: answer.title}))) return;
    try {
      await api.delete(`/agent/canned/${encodeURIComponent(answer.id)}?version=${answer.version}`);
      state = {kind: 'ok', text: () => t('canned.deleted')};
    } catch (error) {
      state = {text: () => (error.status === 409 ? t('canned.stale') : describeError(error))};
    }
    await load();
  }

  function bind(el, set) {
    el.addEventListener('input', () => set(el.value));
    el.addEventListener('change', () => { set(el.value); });
    return el;
  }

  function select(options, current, set, props = {}) {
    const el = h('select', props, options.map(([value, label]) => h('option', {value, selected: value === current},
      label)));
    el.addEventListener('change', () => set(el.value));
    return el;
  }

  function scopePicker() {
    const scopes = visibleScopes();
    return field({id: 'canned-scope', testid: 'canned-scope', label: t('canned.scope'),
      control: select(scopes.map((s) => [scopeKey(s), scopeLabel(s)]), scopeKey(scope), (value) => {
        scope = scopes.find((s) => scopeKey(s) === value);
        editing = null;
        load();
      })});
  }

  function row(answer) {
    return h('li', {class: 'canned-row', 'data-testid': 'canned-row', 'data-id': answer.id},
      h('p', {class: 'canned-title', dir: 'auto'}, answer.title),
      h('p', {class: 'side-meta'},
        answer.languages.map((l) => t(`canned.lang_${l}`)).join(' · '), ' · ',
        h('span', {'data-testid': 'canned-uses'}, t('canned.uses', {count: formatNumber(answer.uses)})),
        actionsLine(answer.actions) ? ` · ${actionsLine(answer.actions)}` : ''),
      answer.editable ? h('div', {class: 'actions'},
        h('button', {type: 'button', class: 'secondary', 'data-testid': 'canned-edit',
          onclick: () => startEdit(answer)},
          t('canned.edit')),
        h('button', {type: 'button', class: 'secondary', 'data-testid': 'canned-delete', onclick: () => remove(answer)},
          t('canned.delete'))) : null);
  }

  function bodyError(lang) {
    const code = errors[`bodies.${lang}`] || (lang === 'fa' ? errors.bodies : null);
    if (!code) return null;
    if (code === 'unknown_placeholder') {
      const names = (placeholders[`bodies.${lang}`] || []).map((n) => (n.includes('{') || n.includes('}') ? n
        : `{{${n}}}`));
      return {text: () => t('canned.unknown_placeholder', {names: names.map(isolate).join(', ')})};
    }
    return code;
  }

  function form() {
    const e = editing;
    const scopes = editableScopes();
    const departments = allDepartments();
    const transfer = e.actions.transfer || {department: '', group: ''};
    return h('form', {class: 'card', novalidate: true, onsubmit: save, 'aria-busy': String(busy),
      'data-testid': 'canned-form'},
    h('h2', {}, e.id ? t('canned.edit_title') : t('canned.new_title')),
    field({id: 'canned-title', testid: 'canned-title', label: t('canned.title_label'), error: errors.title,
      control: bind(h('input', {type: 'text', dir: 'auto', maxlength: 120, value: e.title}), (v) => { e.title = v; })}),
    field({id: 'canned-form-scope', testid: 'canned-form-scope', label: t('canned.scope'), error: errors.scope,
      control: select(scopes.map((s) => [scopeKey(s), scopeLabel(s)]), scopeKey(e.scope), (value) => {
        e.scope = {...scopes.find((s) => scopeKey(s) === value)};
      })}),
    h('p', {class: 'hint', id: 'canned-placeholders'}, t('canned.placeholders_hint'), ' ',
      h('span', {dir: 'ltr'}, PLACEHOLDERS.map((p) => `{{${p}}}`).join(' '))),
    LANGS.map((l) => field({id: `canned-body-${l}`, testid: `canned-body-${l}`, label: t(`canned.body_${l}`),
      error: bodyError(l), control: bind(h('textarea', {dir: l === 'en' ? 'ltr' : 'rtl', lang: l, rows: 5,
        maxlength: 10000, value: e.bodies[l]}), (v) => { e.bodies[l] = v; })})),
    h('fieldset', {class: 'field canned-action-set'},
      h('legend', {}, t('canned.actions')),
      field({id: 'canned-status', testid: 'canned-status', label: t('canned.action_status_label'),
        error: errors['actions.status'],
        control: select([['', t('canned.no_change')], ...STATUSES.map((s) => [s, t(`status.${s}`)])],
          e.actions.status || '', (v) => { e.actions.status = v; })}),
      field({id: 'canned-priority', testid: 'canned-priority', label: t('canned.action_priority_label'),
        error: errors['actions.priority'],
        control: select([['', t('canned.no_change')], ...priorities().map((p) => [p, t(`priority.${p}`)])],
          e.actions.priority || '', (v) => { e.actions.priority = v; })}),
      field({id: 'canned-transfer', testid: 'canned-transfer', label: t('canned.action_transfer_label'),
        error: errors['actions.transfer'],
        control: select([['', t('canned.no_change')], ...departments.flatMap((d) => groupsOf(d.id).map((g) => [
          `${d.id}/${g.id}`, `${departmentName(d.id)} / ${groupName(d.id, g.id)}`]))],
        transfer.department ? `${transfer.department}/${transfer.group}` : '', (v) => {
          const [department, group] = v ? v.split('/') : ['', ''];
          e.actions.transfer = v ? {department, group} : null;
        })})),
    h('div', {class: 'actions'},
      h('button', {type: 'submit', class: 'primary', disabled: busy, 'data-testid': 'canned-save'},
        busy ? t('common.sending') : t('canned.save')),
      h('button', {type: 'button', class: 'secondary', 'data-testid': 'canned-cancel',
        onclick: () => { editing = null; errors = {}; page.rerender(); }}, t('canned.cancel'))));
  }

  function render() {
    if (!currentAgent()) return h('p', {'aria-busy': 'true'}, t('common.loading'));
    return h('div', {class: 'canned-page'},
      h('section', {class: 'card'},
        h('h1', {}, t('canned.page_title')),
        banner(state),
        scopePicker(),
        editing ? null : h('div', {class: 'actions'},
          h('button', {type: 'button', class: 'primary', 'data-testid': 'canned-new', onclick: () => startEdit(null)},
            t('canned.new'))),
        answers === null ? null : answers.length === 0 ? h('p', {class: 'muted', 'data-testid': 'canned-empty'},
          t('canned.empty')) : h('ul', {class: 'side-list', 'data-testid': 'canned-rows'}, answers.map(row))),
      editing ? form() : null);
  }

  return {render, start};
}
