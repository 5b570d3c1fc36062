// The organisation, for admins (GET /admin/org): departments with their names in every language, categories,
// work groups (members, assignment strategy) and supervisors; the routing rules; the policies. Each part is
// saved on its own with PUT, and the API's field errors are shown next to the fields they name. Each part is
// a tab of its own (one page at a time, not one 9,000-pixel form); switching tabs keeps what was typed.
import {h} from '../shared/dom.js';
import {LANGUAGES, fieldError, isolate, localName, t} from '../shared/i18n.js';
import {banner, describeError, field, focusFirstInvalid, sortFieldErrors} from '../shared/forms.js';
import {formatNumber} from '../shared/format.js';
import {toAsciiDigits} from '../shared/digits.js';
import {api, ensureBasics, forget, isAdmin} from './context.js';
import {slaPolicyForm} from './sla_admin.js';
import {accountsPanel} from './accounts_admin.js';

const STRATEGIES = ['round_robin', 'fewest_open'];
// [tab id, its label's key]: departments and groups, routing, policies, service levels with tiers, accounts.
const TABS = [['departments', 'admin.departments'], ['routing', 'admin.rules'], ['policies', 'admin.policies'],
  ['sla', 'sla_admin.title'], ['accounts', 'accounts.title']];
const TAB_KEY = 'helpdesk.adminTab';
const POLICIES = ['max_open_tickets', 'reply_window_days', 'reminder_after_days', 'auto_close_after_days',
  'archive_after_days'];

function blankNames() {
  return Object.fromEntries(LANGUAGES.map((l) => [l.code, '']));
}

/** "۱۲" or "١٢" typed on a Persian or Arabic keyboard is the number 12. */
function wholeNumber(text) {
  const ascii = toAsciiDigits(text).trim();
  return /^\d+$/.test(ascii) ? Number(ascii) : null;
}

export function adminView({rerender, root}) {
  let org = null;
  let loadError = null;
  let drafts = []; // departments being edited: {isNew, id, names, categories, groups, supervisors}
  let rules = []; // {category, department, group, keywords: text}
  let policies = {}; // name -> text as typed
  const sections = {}; // key -> {busy, errors: {path: code}, banner}
  let focusError = false;
  let tab = TABS.some(([id]) => id === sessionStorage.getItem(TAB_KEY)) ? sessionStorage.getItem(TAB_KEY) : TABS[0][0];
  let focusTab = false;
  const sla = slaPolicyForm({rerender, onInvalid: () => { focusError = true; }}); // GET|PUT /admin/sla
  const accounts = accountsPanel({rerender}); // sign out everywhere, disable, enable

  function section(key) {
    sections[key] = sections[key] || {busy: false, errors: {}, banner: null};
    return sections[key];
  }

  async function load() {
    try {
      await ensureBasics();
      if (!isAdmin()) throw Object.assign(new Error('admins only'), {status: 403});
      org = await api.get('/admin/org');
      drafts = org.departments.map((d) => ({...structuredClone(d), isNew: false}));
      rules = org.rules.map((r) => ({...r, keywords: r.keywords.join(', ')}));
      policies = Object.fromEntries(POLICIES.map((p) => [p, formatNumber(org.policies[p])]));
      await sla.load(org.departments);
      accounts.load(org.agents);
    } catch (error) {
      loadError = error;
    }
    rerender();
  }

  /** PUT a part; field errors land on the fields, the rest in the part's banner. */
  async function save(key, path, body, knownFields, onSaved) {
    const state = section(key);
    if (state.busy) return;
    state.busy = true;
    state.banner = null;
    state.errors = {};
    rerender();
    try {
      onSaved(await api.put(path, body));
      state.banner = {kind: 'ok', text: () => t('admin.saved')};
      forget(); // queues and the transfer dialog pick up the new organisation
    } catch (error) {
      const {byField, leftover} = sortFieldErrors(error.fields, knownFields);
      state.errors = Object.fromEntries(Object.entries(byField).map(([name, [first]]) => [name, first.code]));
      state.banner = {text: () => describeError(error), items: leftover};
      focusError = true;
    } finally {
      state.busy = false;
      rerender();
    }
  }

  // ------------------------------------------------------------ inputs bound to the drafts

  function textInput(target, key, props = {}) {
    const el = h('input', {type: 'text', ...props, value: target[key]});
    el.addEventListener('input', () => { target[key] = el.value; });
    return el;
  }

  function nameFields(names, idBase, errors, prefix) {
    return h('div', {class: 'name-fields'}, LANGUAGES.map((l) => field({
      id: `${idBase}-name-${l.code}`, testid: `${idBase}-name-${l.code}`, error: errors[`${prefix}names.${l.code}`],
      label: t('admin.name_in', {language: isolate(l.name)}),
      control: textInput(names, l.code, {lang: l.code, dir: l.dir, maxlength: 120}),
    })));
  }

  function idField(target, idBase, errors, path, editable) {
    return field({id: `${idBase}-id`, testid: `${idBase}-id`, label: t('admin.id'), hint: t('admin.id_hint'),
      error: errors[path], control: textInput(target, 'id', {dir: 'ltr', class: 'ltr', spellcheck: 'false',
        maxlength: 40, readonly: !editable})});
  }

  /** Agents by name; the username only where two share a name (usernames may be opaque ids). */
  function agentLabel(agent) {
    const twins = org.agents.filter((a) => a.name === agent.name).length > 1;
    return [h('span', {dir: 'auto'}, agent.name), twins ? [' ', h('span', {dir: 'ltr', class: 'muted'}, agent.id)] : null];
  }

  function agentChecks(chosen, idBase, legend, error) {
    const errorId = `${idBase}-error`;
    return h('fieldset', {class: `checks${error ? ' invalid' : ''}`, 'data-testid': idBase},
      h('legend', {}, legend),
      org.agents.map((a, i) => {
        const box = h('input', {type: 'checkbox', id: `${idBase}-${i}`, value: a.id, checked: chosen.includes(a.id),
          'aria-invalid': error ? 'true' : null, 'aria-describedby': error ? errorId : null});
        box.addEventListener('change', () => {
          const at = chosen.indexOf(a.id);
          if (box.checked && at < 0) chosen.push(a.id);
          if (!box.checked && at >= 0) chosen.splice(at, 1);
        });
        return h('div', {class: 'check'}, box, h('label', {for: box.id}, agentLabel(a)));
      }),
      error ? h('p', {class: 'field-error', id: errorId}, fieldError(error)) : null);
  }

  function removeButton(list, index, label) {
    return h('button', {type: 'button', class: 'link-button', 'aria-label': label,
      onclick: () => { list.splice(index, 1); rerender(); }}, t('admin.remove'));
  }

  function addButton(label, testid, onclick) {
    return h('button', {type: 'button', class: 'secondary', 'data-testid': testid,
      onclick: () => { onclick(); rerender(); }}, label);
  }

  // ------------------------------------------------------------ departments

  function departmentFields(d) {
    const keys = ['id', 'names', 'categories', 'groups', 'supervisors'];
    LANGUAGES.forEach((l) => keys.push(`names.${l.code}`));
    d.categories.forEach((c, j) => keys.push(`categories.${j}`, `categories.${j}.id`,
      ...LANGUAGES.map((l) => `categories.${j}.names.${l.code}`)));
    d.groups.forEach((g, j) => keys.push(`groups.${j}`, `groups.${j}.id`, `groups.${j}.members`, `groups.${j}.strategy`,
      ...LANGUAGES.map((l) => `groups.${j}.names.${l.code}`)));
    return keys;
  }

  function saveDepartment(d, index) {
    const key = `department-${index}`;
    if (!d.id.trim()) {
      Object.assign(section(key), {errors: {id: 'required'}, banner: {text: () => t('error.fix_fields')}});
      focusError = true;
      rerender();
      return;
    }
    const body = {names: d.names, supervisors: d.supervisors,
      categories: d.categories.map(({id, names}) => ({id, names})),
      groups: d.groups.map(({id, names, members, strategy}) => ({id, names, members, strategy}))};
    save(key, `/admin/departments/${encodeURIComponent(d.id.trim())}`, body, departmentFields(d),
      (saved) => { drafts[index] = {...saved, isNew: false}; });
  }

  function category(d, c, j, base, errors) {
    const idBase = `${base}-cat-${j}`;
    return h('li', {class: 'admin-item', 'data-testid': 'admin-category'},
      idField(c, idBase, errors, `categories.${j}.id`, true),
      nameFields(c.names, idBase, errors, `categories.${j}.`),
      removeButton(d.categories, j, t('admin.remove_category', {name: isolate(localName(c.names) || c.id)})));
  }

  function group(d, g, j, base, errors) {
    const idBase = `${base}-group-${j}`;
    const strategy = h('select', {}, STRATEGIES.map((s) => h('option', {value: s}, t(`strategy.${s}`))));
    strategy.value = g.strategy;
    strategy.addEventListener('change', () => { g.strategy = strategy.value; });
    return h('li', {class: 'admin-item', 'data-testid': 'admin-group'},
      idField(g, idBase, errors, `groups.${j}.id`, true),
      nameFields(g.names, idBase, errors, `groups.${j}.`),
      field({id: `${idBase}-strategy`, testid: `${idBase}-strategy`, label: t('admin.strategy'),
        hint: t('admin.strategy_hint'), error: errors[`groups.${j}.strategy`], control: strategy}),
      agentChecks(g.members, `${idBase}-members`, t('admin.members'), errors[`groups.${j}.members`]),
      removeButton(d.groups, j, t('admin.remove_group', {name: isolate(localName(g.names) || g.id)})));
  }

  function department(d, index) {
    const key = `department-${index}`;
    const {busy, errors, banner: state} = section(key);
    const base = `dept-${index}`;
    return h('form', {class: 'card admin-department', novalidate: true, 'aria-labelledby': `${base}-title`,
      'data-testid': 'admin-department', 'data-id': d.id, 'aria-busy': String(busy),
      onsubmit: (event) => { event.preventDefault(); saveDepartment(d, index); }},
    h('h3', {id: `${base}-title`, dir: 'auto'}, d.isNew ? t('admin.new_department') : localName(d.names)),
    banner(state),
    idField(d, base, errors, 'id', d.isNew),
    nameFields(d.names, base, errors, ''),
    h('fieldset', {}, h('legend', {}, t('admin.categories')),
      errors.categories ? h('p', {class: 'field-error'}, fieldError(errors.categories)) : null,
      h('ul', {class: 'admin-list'}, d.categories.map((c, j) => category(d, c, j, base, errors))),
      addButton(t('admin.add_category'), `${base}-add-category`, () => d.categories.push({id: '', names: blankNames()}))),
    h('fieldset', {}, h('legend', {}, t('admin.groups')),
      errors.groups ? h('p', {class: 'field-error'}, fieldError(errors.groups)) : null,
      h('ul', {class: 'admin-list'}, d.groups.map((g, j) => group(d, g, j, base, errors))),
      addButton(t('admin.add_group'), `${base}-add-group`,
        () => d.groups.push({id: '', names: blankNames(), members: [], strategy: STRATEGIES[0]}))),
    agentChecks(d.supervisors, `${base}-supervisors`, t('admin.supervisors'), errors.supervisors),
    h('div', {class: 'actions'},
      h('button', {type: 'submit', class: 'primary', disabled: busy, 'data-testid': 'save-department'},
        busy ? t('common.sending') : t('admin.save_department'))));
  }

  // ------------------------------------------------------------ rules and policies

  function categoryOptions() {
    return drafts.flatMap((d) => d.categories.filter((c) => c.id).map((c) => h('option', {value: c.id},
      `${localName(d.names)} › ${localName(c.names) || c.id}`)));
  }

  function rule(r, j, errors) {
    const idBase = `rule-${j}`;
    const select = (name, options, onChange) => {
      const el = h('select', {}, h('option', {value: ''}, t('new.choose')), options);
      el.value = r[name];
      el.addEventListener('change', () => { r[name] = el.value; if (onChange) { onChange(); rerender(); } });
      return field({id: `${idBase}-${name}`, testid: `${idBase}-${name}`, label: t(`admin.rule_${name}`),
        error: errors[`rules.${j}.${name}`], control: el});
    };
    const target = drafts.find((d) => d.id === r.department);
    return h('li', {class: 'admin-item', 'data-testid': 'admin-rule'},
      select('category', categoryOptions()),
      select('department', drafts.filter((d) => !d.isNew).map((d) => h('option', {value: d.id}, localName(d.names))),
        () => { r.group = ''; }),
      select('group', (target ? target.groups : []).map((g) => h('option', {value: g.id}, localName(g.names)))),
      field({id: `${idBase}-keywords`, testid: `${idBase}-keywords`, label: t('admin.rule_keywords'),
        hint: t('admin.rule_keywords_hint'), error: errors[`rules.${j}.keywords`],
        control: textInput(r, 'keywords', {dir: 'auto'})}),
      removeButton(rules, j, t('admin.remove_rule', {number: formatNumber(j + 1)})));
  }

  function saveRules() {
    const body = rules.map((r) => ({category: r.category, department: r.department, group: r.group,
      keywords: r.keywords.split(/[,،\n]/).map((k) => k.trim()).filter(Boolean)}));
    const known = ['rules', ...rules.flatMap((r, j) => ['category', 'department', 'group', 'keywords']
      .map((name) => `rules.${j}.${name}`).concat(`rules.${j}`))];
    save('rules', '/admin/rules', {rules: body}, known, () => {});
  }

  function rulesSection() {
    const {busy, errors, banner: state} = section('rules');
    return h('form', {class: 'card', novalidate: true, 'aria-labelledby': 'rules-heading', 'aria-busy': String(busy),
      'data-testid': 'admin-rules', onsubmit: (event) => { event.preventDefault(); saveRules(); }},
    h('h2', {id: 'rules-heading'}, t('admin.rules')),
    h('p', {class: 'hint'}, t('admin.rules_hint')),
    banner(state),
    h('ol', {class: 'admin-list'}, rules.map((r, j) => rule(r, j, errors))),
    h('div', {class: 'actions'},
      addButton(t('admin.add_rule'), 'add-rule', () => rules.push({category: '', department: '', group: '', keywords: ''})),
      h('button', {type: 'submit', class: 'primary', disabled: busy, 'data-testid': 'save-rules'},
        busy ? t('common.sending') : t('admin.save_rules'))));
  }

  function savePolicies() {
    const state = section('policies');
    const numbers = Object.fromEntries(POLICIES.map((p) => [p, wholeNumber(policies[p])]));
    const wrong = POLICIES.filter((p) => numbers[p] === null);
    if (wrong.length) {
      Object.assign(state, {errors: Object.fromEntries(wrong.map((p) => [p, 'invalid'])),
        banner: {text: () => t('error.fix_fields')}});
      focusError = true;
      rerender();
      return;
    }
    save('policies', '/admin/policies', numbers, POLICIES, (saved) => {
      policies = Object.fromEntries(POLICIES.map((p) => [p, formatNumber(saved[p])]));
    });
  }

  function policiesSection() {
    const {busy, errors, banner: state} = section('policies');
    return h('form', {class: 'card', novalidate: true, 'aria-labelledby': 'policies-heading', 'aria-busy': String(busy),
      'data-testid': 'admin-policies', onsubmit: (event) => { event.preventDefault(); savePolicies(); }},
    h('h2', {id: 'policies-heading'}, t('admin.policies')),
    banner(state),
    h('div', {class: 'policy-fields'}, POLICIES.map((p) => field({id: `policy-${p}`, testid: `policy-${p}`,
      label: t(`policy.${p}`), hint: t(`policy.${p}_hint`), error: errors[p],
      control: textInput(policies, p, {inputmode: 'numeric', dir: 'ltr', class: 'ltr', maxlength: 4})}))),
    h('div', {class: 'actions'},
      h('button', {type: 'submit', class: 'primary', disabled: busy, 'data-testid': 'save-policies'},
        busy ? t('common.sending') : t('admin.save_policies'))));
  }

  function choose(id) {
    tab = id;
    sessionStorage.setItem(TAB_KEY, id);
    focusTab = true;
    rerender();
  }

  /** The tab list (WAI-ARIA tabs: arrow keys move between them, the chosen one is in the tab order). */
  function tabList() {
    const move = (event, index) => {
      const step = {ArrowRight: 1, ArrowLeft: -1, Home: -index, End: TABS.length - 1 - index}[event.key];
      if (step === undefined) return;
      event.preventDefault();
      const rtl = document.documentElement.dir === 'rtl' && ['ArrowRight', 'ArrowLeft'].includes(event.key);
      choose(TABS[(index + (rtl ? -step : step) + TABS.length) % TABS.length][0]);
    };
    return h('div', {class: 'tabs', role: 'tablist', 'aria-label': t('admin.title')},
      TABS.map(([id, label], index) => h('button', {type: 'button', role: 'tab', class: 'tab', id: `admin-tab-${id}`,
        'data-testid': `admin-tab-${id}`, 'aria-selected': String(id === tab), 'aria-controls': 'admin-panel',
        tabindex: id === tab ? '0' : '-1', onclick: () => choose(id), onkeydown: (event) => move(event, index)},
      t(label))));
  }

  function panel() {
    switch (tab) {
      case 'routing': return rulesSection();
      case 'policies': return policiesSection();
      case 'sla': return sla.render();
      case 'accounts': return accounts.render();
      default: return h('section', {'aria-labelledby': 'departments-heading'},
        h('h2', {id: 'departments-heading'}, t('admin.departments')),
        drafts.map(department),
        h('div', {class: 'actions'}, addButton(t('admin.add_department'), 'add-department', () => drafts.push({
          isNew: true, id: '', names: blankNames(), categories: [], groups: [], supervisors: []}))));
    }
  }

  function render() {
    if (loadError) return h('section', {class: 'card'}, h('h1', {}, t('admin.title')), banner({text: () => describeError(loadError)}));
    if (!org) return h('p', {'aria-busy': 'true'}, t('common.loading'));
    return h('div', {class: 'admin'},
      h('h1', {}, t('admin.title')),
      tabList(),
      h('div', {id: 'admin-panel', role: 'tabpanel', 'aria-labelledby': `admin-tab-${tab}`, 'data-testid': 'admin-panel',
        'data-tab': tab}, panel()));
  }

  return {
    render,
    start: load,
    afterRender() {
      if (focusTab) {
        focusTab = false;
        document.getElementById(`admin-tab-${tab}`)?.focus();
      }
      if (!focusError) return;
      focusError = false;
      focusFirstInvalid(root);
    },
  };
}
