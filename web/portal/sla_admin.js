// The SLA policy, for admins (GET|PUT /admin/sla), a part of the admin page (admin.js): first-response and
// resolution targets per priority, optional per-department targets, customer tiers (addresses or @domains, one per
// line, with targets of their own), the business-hours calendar (a preset and its holidays), the warning share and
// what a breach does. Saved with PUT like the other parts; the API's field errors are shown next to the fields they
// name, in the UI language (a tier's bad addresses by their line).
import {h} from '../shared/dom.js';
import {fieldError, isolate, localName, t} from '../shared/i18n.js';
import {banner, describeError, field, sortFieldErrors} from '../shared/forms.js';
import {formatNumber} from '../shared/format.js';
import {toAsciiDigits} from '../shared/digits.js';
import {api} from './context.js';

const PRIORITIES = ['urgent', 'high', 'normal', 'low'];
const PRESETS = ['iran', 'israel', '24x7'];
const CUSTOM = ''; // a calendar of its own, set through the API: kept as it is
const ENDS = [['first', 0], ['resolution', 1]]; // the two hours of a target, as the API's [first, resolution]
const MAX_TIERS = 20; // as the API (domain/sla.py)
const MAX_TIER_ENTRIES = 1000; // addresses and domains in all tiers together

function presetName(preset) {
  return {iran: t('sla_admin.preset_iran'), israel: t('sla_admin.preset_israel'), '24x7': t('sla_admin.preset_always'),
    [CUSTOM]: t('sla_admin.preset_custom')}[preset];
}

/** The chosen calendar's working hours in words, under the select (the options stay short for phones). */
function presetHours(preset, custom) {
  if (preset === CUSTOM) return t('sla_admin.custom_hint', {zone: isolate(custom.zone)});
  return {iran: t('sla_admin.iran_hours'), israel: t('sla_admin.israel_hours'),
    '24x7': t('sla_admin.always_open_hint')}[preset];
}

/** "۱٫۵", "1,5" or "1.5" typed in any of the three languages is the number 1.5; null if it is not a number. */
function decimal(text) {
  const ascii = toAsciiDigits(text).trim().replace(/[٫,]/g, '.');
  return /^(\d+(\.\d*)?|\.\d+)$/.test(ascii) ? Number(ascii) : null;
}

function shown(number) {
  return number === undefined || number === null ? '' : formatNumber(number);
}

function pairs(targets) {
  return Object.fromEntries(PRIORITIES.map((p) => [p, {first: shown(targets?.[p]?.[0]),
    resolution: shown(targets?.[p]?.[1])}]));
}

function blankPairs(targets) {
  return PRIORITIES.every((p) => !targets[p].first.trim() && !targets[p].resolution.trim());
}

/** A tier as typed: its id, its customers one per line, and `lines`: the textarea line of each address sent
 * (the API names a bad one by its place in the list, the admin sees line numbers). */
function tierForm(id = '', tier = {customers: [], targets: {}}) {
  return {id, customers: tier.customers.join('\n'), targets: pairs(tier.targets), lines: []};
}

/** slaPolicyForm({rerender, onInvalid}) -> {load(departments), render()}; onInvalid() asks the page to focus
 * the first invalid field after this render. */
export function slaPolicyForm({rerender, onInvalid}) {
  let form = null; // what is typed
  let departments = []; // [{id, names}] of the organisation
  const open = new Set(); // departments whose targets are unfolded
  const state = {busy: false, errors: {}, banner: null};

  function fromPolicy(policy) {
    const {preset = CUSTOM, holidays = []} = policy.calendar;
    return {targets: pairs(policy.targets),
      departments: Object.fromEntries(Object.entries(policy.departments).map(([d, targets]) => [d, pairs(targets)])),
      tiers: Object.entries(policy.tiers || {}).map(([id, tier]) => tierForm(id, tier)),
      preset, holidays: [...holidays], custom: preset === CUSTOM ? policy.calendar : null,
      warn: shown(Math.round(policy.warn_share * 1000) / 10),
      raise_priority: policy.raise_priority, reassign_to_supervisor: policy.reassign_to_supervisor};
  }

  async function load(orgDepartments) {
    departments = orgDepartments;
    form = fromPolicy(await api.get('/admin/sla'));
  }

  function departmentTargets(id) {
    form.departments[id] = form.departments[id] || pairs({});
    return form.departments[id];
  }

  /** Departments of the organisation, and any that still have targets here after being removed. */
  function departmentList() {
    const known = departments.map((d) => ({id: d.id, name: localName(d.names)}));
    const gone = Object.keys(form.departments).filter((id) => !departments.some((d) => d.id === id))
      .map((id) => ({id, name: id}));
    return [...known, ...gone];
  }

  /** Where a tier's errors are kept: its path in the API (`tiers.<id>`), or, while its id is blank or already
   * used by a tier above, a path of the form's own (no API error can name that tier). */
  function tierPath(index) {
    const id = form.tiers[index].id.trim();
    const first = form.tiers.findIndex((tier) => tier.id.trim() === id);
    return id && first === index ? `tiers.${id}` : `tiers.#${index + 1}`;
  }

  // ------------------------------------------------------------ reading the form into the API's body

  /** [first, resolution] of one priority; errors at `<path>.0` / `<path>.1` for what is not a number. Blank
   * pair: null when `optional` (a department without targets of its own for this priority). */
  function readPair(pair, path, optional, errors) {
    const blank = [pair.first.trim() === '', pair.resolution.trim() === ''];
    if (optional && blank[0] && blank[1]) return null;
    const hours = ENDS.map(([end, i]) => {
      if (blank[i]) errors[`${path}.${i}`] = 'required';
      else if (decimal(pair[end]) === null) errors[`${path}.${i}`] = 'invalid';
      return decimal(pair[end]);
    });
    return hours;
  }

  function body(errors) {
    const targets = Object.fromEntries(PRIORITIES.map((p) => [p, readPair(form.targets[p], `targets.${p}`, false,
      errors)]));
    const byDepartment = {};
    for (const [d, pairsOf] of Object.entries(form.departments)) {
      const own = {};
      for (const p of PRIORITIES) {
        const hours = readPair(pairsOf[p], `departments.${d}.${p}`, true, errors);
        if (hours) own[p] = hours;
      }
      if (Object.keys(own).length) byDepartment[d] = own;
    }
    const tiers = {};
    form.tiers.forEach((tier, index) => {
      if (!tier.id.trim() && !tier.customers.trim() && blankPairs(tier.targets)) return; // added, left empty
      const path = tierPath(index);
      const id = tier.id.trim();
      if (!id) errors[path] = 'required';
      else if (path !== `tiers.${id}`) errors[path] = 'duplicate';
      const lines = tier.customers.split('\n').map((line, i) => [line.trim(), i + 1]).filter(([line]) => line);
      tier.lines = lines.map(([, number]) => number);
      const targets = {};
      for (const p of PRIORITIES) {
        const hours = readPair(tier.targets[p], `${path}.targets.${p}`, true, errors);
        if (hours) targets[p] = hours;
      }
      tiers[id] = {customers: lines.map(([line]) => line), targets};
    });
    const holidays = alwaysOpen() ? [] : form.holidays.filter(Boolean);
    const calendar = form.preset === CUSTOM ? {...form.custom, holidays} : {preset: form.preset, holidays};
    const percent = decimal(form.warn);
    if (percent === null) errors.warn_share = form.warn.trim() ? 'invalid' : 'required';
    return {targets, departments: byDepartment, tiers, calendar,
      warn_share: percent === null ? null : Math.round(percent * 10) / 1000,
      raise_priority: form.raise_priority, reassign_to_supervisor: form.reassign_to_supervisor};
  }

  function knownFields() {
    const keys = ['targets', 'departments', 'tiers', 'calendar', 'calendar.holidays', 'warn_share', 'raise_priority',
      'reassign_to_supervisor'];
    const rows = (path) => [path, `${path}.0`, `${path}.1`];
    PRIORITIES.forEach((p) => keys.push(...rows(`targets.${p}`)));
    departmentList().forEach(({id}) => {
      keys.push(`departments.${id}`);
      PRIORITIES.forEach((p) => keys.push(...rows(`departments.${id}.${p}`)));
    });
    form.tiers.forEach((_, index) => {
      const path = tierPath(index);
      keys.push(path, `${path}.customers`, `${path}.targets`);
      PRIORITIES.forEach((p) => keys.push(...rows(`${path}.targets.${p}`)));
    });
    form.holidays.forEach((_, i) => keys.push(`calendar.holidays.${i}`));
    return keys;
  }

  async function save() {
    if (state.busy) return;
    const errors = {};
    const sent = body(errors);
    state.errors = errors;
    if (Object.keys(errors).length) {
      state.banner = {text: () => t('error.fix_fields')};
      onInvalid();
      rerender();
      return;
    }
    Object.assign(state, {busy: true, banner: null});
    rerender();
    try {
      form = fromPolicy(await api.put('/admin/sla', sent));
      state.banner = {kind: 'ok', text: () => t('admin.saved')};
    } catch (error) {
      const {byField, leftover} = sortFieldErrors(error.fields, knownFields());
      state.errors = Object.fromEntries(Object.entries(byField).map(([name, [first]]) => [name, first.code]));
      // Each bad line of a tier's customers too (`tiers.<id>.customers.<i>`): all of them are shown.
      Object.values(byField).flat().forEach(({path, code}) => { state.errors[path] = code; });
      state.banner = {text: () => describeError(error), items: leftover};
      onInvalid();
    } finally {
      state.busy = false;
      rerender();
    }
  }

  // ------------------------------------------------------------ rendering

  function alwaysOpen() {
    return form.preset === '24x7' || (form.preset === CUSTOM && form.custom && form.custom.always_open);
  }

  function textInput(target, key, props = {}) {
    const el = h('input', {type: 'text', ...props, value: target[key]});
    el.addEventListener('input', () => { target[key] = el.value; });
    return el;
  }

  /** Mark a control invalid for an error shown elsewhere (its row's), keeping what field() described. */
  function describedBy(control, errorId) {
    const ids = [control.getAttribute('aria-describedby'), errorId].filter(Boolean);
    control.setAttribute('aria-describedby', ids.join(' '));
    control.setAttribute('aria-invalid', 'true');
  }

  /** One priority's two hours: a fieldset named by the priority, the row's API error below it. */
  function targetRow(pair, priority, path, idBase) {
    const rowError = state.errors[path];
    const errorId = `${idBase}-error`;
    const inputs = ENDS.map(([end, i]) => {
      const control = textInput(pair, end, {inputmode: 'decimal', dir: 'ltr', class: 'ltr', maxlength: 8,
        autocomplete: 'off'});
      const el = field({id: `${idBase}-${end}`, testid: `${idBase}-${end}`, error: state.errors[`${path}.${i}`],
        label: t(end === 'first' ? 'sla_admin.first_hours' : 'sla_admin.resolution_hours'), control});
      if (rowError) describedBy(control, errorId);
      return el;
    });
    return h('fieldset', {class: `sla-row${rowError ? ' invalid' : ''}`, 'data-testid': idBase},
      h('legend', {}, t(`priority.${priority}`)),
      h('div', {class: 'sla-pair'}, inputs),
      rowError ? h('p', {class: 'field-error', id: errorId, 'data-testid': `${idBase}-error`}, fieldError(rowError))
        : null);
  }

  function targetsPart() {
    return h('fieldset', {'data-testid': 'sla-targets'},
      h('legend', {}, t('sla_admin.targets')),
      h('p', {class: 'hint'}, t('sla_admin.targets_hint')),
      state.errors.targets ? h('p', {class: 'field-error'}, fieldError(state.errors.targets)) : null,
      PRIORITIES.map((p) => targetRow(form.targets[p], p, `targets.${p}`, `sla-target-${p}`)));
  }

  function departmentPart() {
    const list = departmentList();
    if (!list.length) return null;
    return h('fieldset', {'data-testid': 'sla-departments'},
      h('legend', {}, t('sla_admin.departments')),
      h('p', {class: 'hint'}, t('sla_admin.departments_hint')),
      state.errors.departments ? h('p', {class: 'field-error'}, fieldError(state.errors.departments)) : null,
      list.map(({id, name}) => {
        const own = departmentTargets(id);
        const path = `departments.${id}`;
        const invalid = Object.keys(state.errors).some((k) => k === path || k.startsWith(`${path}.`));
        const set = PRIORITIES.some((p) => own[p].first.trim() || own[p].resolution.trim());
        const details = h('details', {class: 'sla-department', open: open.has(id) || invalid,
          'data-testid': 'sla-department', 'data-id': id},
        h('summary', {}, h('span', {dir: 'auto'}, name), set ? ` — ${t('sla_admin.own_targets')}` : null),
        state.errors[path] ? h('p', {class: 'field-error'}, fieldError(state.errors[path])) : null,
        PRIORITIES.map((p) => targetRow(own[p], p, `${path}.${p}`, `sla-dept-${id}-${p}`)));
        details.addEventListener('toggle', () => { if (details.open) open.add(id); else open.delete(id); });
        return details;
      }));
  }

  /** The customers' error: each bad line ("Line 3: …"), else what the API said of the whole list. */
  function customersError(tier, path) {
    const prefix = `${path}.customers.`;
    const lines = Object.entries(state.errors).filter(([key]) => key.startsWith(prefix))
      .map(([key, code]) => [Number(key.slice(prefix.length)), code]).sort(([a], [b]) => a - b);
    if (lines.length) {
      return {text: lines.map(([i, code]) => t('sla_admin.line_error', {line: formatNumber(tier.lines[i] ?? i + 1),
        error: fieldError(code)})).join(' ')};
    }
    const code = state.errors[`${path}.customers`];
    if (code === 'too_many') return {text: () => t('sla_admin.too_many_customers', {max: formatNumber(MAX_TIER_ENTRIES)})};
    return code;
  }

  function tierPart(tier, index) {
    const path = tierPath(index);
    const number = formatNumber(index + 1);
    const base = `sla-tier-${index}`;
    const id = textInput(tier, 'id', {dir: 'ltr', class: 'ltr', maxlength: 40, autocomplete: 'off',
      autocapitalize: 'none', spellcheck: 'false'});
    const customers = h('textarea', {dir: 'ltr', class: 'ltr', rows: 4, value: tier.customers, autocomplete: 'off',
      autocapitalize: 'none', spellcheck: 'false'});
    customers.addEventListener('input', () => { tier.customers = customers.value; });
    const targetsError = state.errors[`${path}.targets`];
    return h('fieldset', {class: 'sla-tier-form', 'data-testid': 'sla-tier', 'data-index': index},
      h('legend', {}, t('sla_admin.tier', {number})),
      field({id: `${base}-id`, testid: `${base}-id`, label: t('sla_admin.tier_id'),
        hint: t('sla_admin.tier_id_hint', {example: isolate('vip')}),
        error: state.errors[path], control: id}),
      field({id: `${base}-customers`, testid: `${base}-customers`, label: t('sla_admin.tier_customers'),
        hint: t('sla_admin.tier_customers_hint', {address: isolate('name@example.com'),
          domain: isolate('@example.com')}),
        error: customersError(tier, path), control: customers}),
      h('p', {class: 'hint'}, t('sla_admin.tier_targets_hint')),
      targetsError ? h('p', {class: 'field-error'}, fieldError(targetsError)) : null,
      PRIORITIES.map((p) => targetRow(tier.targets[p], p, `${path}.targets.${p}`, `${base}-${p}`)),
      h('button', {type: 'button', class: 'link-button', 'data-testid': `${base}-remove`,
        'aria-label': t('sla_admin.remove_tier', {number}),
        onclick: () => { form.tiers.splice(index, 1); rerender(); }}, t('admin.remove')));
  }

  function tiersPart() {
    const error = state.errors.tiers;
    return h('fieldset', {'data-testid': 'sla-tiers'},
      h('legend', {}, t('sla_admin.tiers')),
      h('p', {class: 'hint'}, t('sla_admin.tiers_hint')),
      error ? h('p', {class: 'field-error'}, error === 'too_many'
        ? t('sla_admin.too_many_tiers', {max: formatNumber(MAX_TIERS)}) : fieldError(error)) : null,
      form.tiers.map(tierPart),
      h('button', {type: 'button', class: 'secondary', 'data-testid': 'sla-add-tier',
        disabled: form.tiers.length >= MAX_TIERS,
        onclick: () => { form.tiers.push(tierForm()); rerender(); }}, t('sla_admin.add_tier')));
  }

  function holidayRow(day, i) {
    const input = h('input', {type: 'date', value: day, dir: 'ltr', class: 'ltr'});
    input.addEventListener('input', () => { form.holidays[i] = input.value; });
    const number = formatNumber(i + 1);
    return h('li', {class: 'sla-holiday', 'data-testid': 'sla-holiday'},
      field({id: `sla-holiday-${i}`, testid: `sla-holiday-${i}`, label: t('sla_admin.holiday', {number}),
        error: state.errors[`calendar.holidays.${i}`], control: input}),
      h('button', {type: 'button', class: 'link-button', 'aria-label': t('sla_admin.remove_holiday', {number}),
        onclick: () => { form.holidays.splice(i, 1); rerender(); }}, t('admin.remove')));
  }

  function calendarPart() {
    const options = [...PRESETS, ...(form.preset === CUSTOM ? [CUSTOM] : [])];
    const select = h('select', {}, options.map((p) => h('option', {value: p}, presetName(p))));
    select.value = form.preset;
    select.addEventListener('change', () => { form.preset = select.value; rerender(); });
    const calendarError = state.errors.calendar;
    const holidaysError = state.errors['calendar.holidays'];
    return h('fieldset', {'data-testid': 'sla-calendar-part'},
      h('legend', {}, t('sla_admin.calendar')),
      field({id: 'sla-calendar', testid: 'sla-calendar', label: t('sla_admin.preset'), error: calendarError,
        hint: presetHours(form.preset, form.custom), control: select}),
      alwaysOpen() ? null : h('div', {},
        h('h3', {class: 'sla-subheading', id: 'sla-holidays-heading'}, t('sla_admin.holidays')),
        h('p', {class: 'hint'}, t('sla_admin.holidays_hint')),
        holidaysError ? h('p', {class: 'field-error', 'data-testid': 'sla-holidays-error'}, fieldError(holidaysError))
          : null,
        h('ul', {class: 'admin-list', 'aria-labelledby': 'sla-holidays-heading'}, form.holidays.map(holidayRow)),
        h('button', {type: 'button', class: 'secondary', 'data-testid': 'sla-add-holiday',
          onclick: () => { form.holidays.push(''); rerender(); }}, t('sla_admin.add_holiday'))));
  }

  function check(key, testid, label) {
    const error = state.errors[key];
    const box = h('input', {type: 'checkbox', id: testid, 'data-testid': testid, checked: form[key],
      'aria-invalid': error ? 'true' : null, 'aria-describedby': error ? `${testid}-error` : null});
    box.addEventListener('change', () => { form[key] = box.checked; });
    return [h('div', {class: 'check'}, box, h('label', {for: testid}, label)),
      error ? h('p', {class: 'field-error', id: `${testid}-error`}, fieldError(error)) : null];
  }

  function escalationPart() {
    return h('fieldset', {},
      h('legend', {}, t('sla_admin.escalation')),
      field({id: 'sla-warn', testid: 'sla-warn', label: t('sla_admin.warn'), hint: t('sla_admin.warn_hint'),
        error: state.errors.warn_share, control: textInput(form, 'warn', {inputmode: 'decimal', dir: 'ltr',
          class: 'ltr sla-percent', maxlength: 6, autocomplete: 'off'})}),
      check('raise_priority', 'sla-raise', t('sla_admin.raise_priority')),
      check('reassign_to_supervisor', 'sla-reassign', t('sla_admin.reassign')));
  }

  function render() {
    if (!form) return null;
    return h('form', {class: 'card', novalidate: true, 'aria-labelledby': 'sla-heading',
      'aria-busy': String(state.busy), 'data-testid': 'admin-sla',
      onsubmit: (event) => { event.preventDefault(); save(); }},
    h('h2', {id: 'sla-heading'}, t('sla_admin.title')),
    h('p', {class: 'hint'}, t('sla_admin.hint')),
    banner(state.banner),
    targetsPart(),
    departmentPart(),
    tiersPart(),
    calendarPart(),
    escalationPart(),
    h('div', {class: 'actions'},
      h('button', {type: 'submit', class: 'primary', disabled: state.busy, 'data-testid': 'save-sla'},
        state.busy ? t('common.sending') : t('sla_admin.save'))));
  }

  return {load, render};
}
