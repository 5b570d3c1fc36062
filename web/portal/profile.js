// My alert settings (GET/PUT /agent/profile): the language of my alert mail and SMS, my mobile number,
// quiet hours without SMS (urgent tickets still text), the work groups I am on call for, and an SMS opt-out.
import {h} from '../shared/dom.js';
import {LANGUAGES, fieldError, t} from '../shared/i18n.js';
import {banner, describeError, field, focusFirstInvalid, sortFieldErrors} from '../shared/forms.js';
import {toAsciiDigits} from '../shared/digits.js';
import {api, currentAgent, departmentName, ensureBasics, groupName} from './context.js';

const FIELDS = ['language', 'phone', 'quiet_hours', 'on_call'];

export function profileView(page) {
  let values = null; // the form, as the API shapes it
  let quiet = false; // whether quiet hours are on
  let errors = {};
  let state = {kind: 'info', text: () => t('profile.loading')};
  let busy = false;

  async function start() {
    try {
      await ensureBasics();
      values = await api.get('/agent/profile');
      quiet = !!values.quiet_hours;
      values.quiet_hours = values.quiet_hours || {start: '22:00', end: '07:00', zone: defaultZone()};
      state = null;
    } catch (error) {
      state = {text: () => describeError(error)};
    }
    page.rerender();
  }

  async function save(event) {
    event.preventDefault();
    if (busy) return;
    busy = true;
    errors = {};
    const body = {...values, phone: toAsciiDigits(values.phone.trim())};
    if (!quiet) delete body.quiet_hours;
    try {
      const saved = await api.put('/agent/profile', body);
      values = {...saved, quiet_hours: saved.quiet_hours || values.quiet_hours};
      state = {kind: 'success', text: () => t('profile.saved')};
    } catch (error) {
      const sorted = sortFieldErrors(error.fields, FIELDS);
      errors = Object.fromEntries(Object.entries(sorted.byField).map(([k, list]) => [k, list[0].code]));
      state = {text: () => describeError(error), items: sorted.leftover};
    }
    busy = false;
    page.rerender();
    focusFirstInvalid(page.root);
  }

  function bind(el, set) {
    el.addEventListener('input', () => set(el.type === 'checkbox' ? el.checked : el.value));
    el.addEventListener('change', () => set(el.type === 'checkbox' ? el.checked : el.value));
    return el;
  }

  function onCallChoices() {
    const groups = (currentAgent().member_of || []);
    if (!groups.length) return h('p', {class: 'hint', 'data-testid': 'profile-no-groups'}, t('profile.no_groups'));
    return h('fieldset', {class: 'field', 'data-testid': 'profile-on-call'},
      h('legend', {}, t('profile.on_call')),
      h('p', {class: 'hint'}, t('profile.on_call_hint')),
      groups.map(({department, group}) => {
        const key = `${department}/${group}`;
        const box = bind(h('input', {type: 'checkbox', checked: values.on_call.includes(key), value: key}),
          (on) => { values.on_call = on ? [...values.on_call, key] : values.on_call.filter((k) => k !== key); });
        return h('label', {class: 'check'}, box, `${departmentName(department)} · ${groupName(department, group)}`);
      }),
      errors.on_call
        ? h('p', {class: 'field-error', 'data-testid': 'profile-on-call-error'}, fieldError(errors.on_call)) : null);
  }

  function form() {
    const q = values.quiet_hours;
    return h('form', {class: 'card', novalidate: true, onsubmit: save, 'aria-busy': String(busy),
      'data-testid': 'profile-form'},
    h('h1', {}, t('profile.title')),
    banner(state),
    field({id: 'profile-language', testid: 'profile-language', label: t('profile.language'), error: errors.language,
      control: bind(h('select', {}, LANGUAGES.map((l) => h('option',
        {value: l.code, selected: values.language === l.code, lang: l.code}, l.name))),
      (v) => { values.language = v; })}),
    field({id: 'profile-phone', testid: 'profile-phone', label: t('profile.phone'), hint: t('profile.phone_hint'),
      error: errors.phone,
      control: bind(h('input', {type: 'tel', dir: 'ltr', autocomplete: 'tel', value: values.phone}),
        (v) => { values.phone = v; })}),
    h('label', {class: 'check'}, bind(h('input', {type: 'checkbox', checked: quiet, 'data-testid': 'profile-quiet'}),
      (on) => { quiet = on; page.rerender(); }), t('profile.quiet_hours')),
    quiet ? h('div', {class: 'checks'},
      field({id: 'profile-quiet-start', testid: 'profile-quiet-start', label: t('profile.quiet_start'),
        error: errors.quiet_hours, control: bind(h('input', {type: 'time', dir: 'ltr', value: q.start}),
          (v) => { q.start = v; })}),
      field({id: 'profile-quiet-end', testid: 'profile-quiet-end', label: t('profile.quiet_end'),
        control: bind(h('input', {type: 'time', dir: 'ltr', value: q.end}), (v) => { q.end = v; })}),
      field({id: 'profile-quiet-zone', testid: 'profile-quiet-zone', label: t('profile.quiet_zone'),
        control: bind(h('input', {type: 'text', dir: 'ltr', value: q.zone}), (v) => { q.zone = v; })})) : null,
    onCallChoices(),
    h('label', {class: 'check'}, bind(h('input', {type: 'checkbox', checked: values.sms_opt_out,
      'data-testid': 'profile-sms-opt-out'}), (on) => { values.sms_opt_out = on; }), t('profile.sms_opt_out')),
    h('div', {class: 'actions'},
      h('button', {type: 'submit', class: 'primary', disabled: busy, 'data-testid': 'profile-save'},
        t('profile.save'))));
  }

  return {
    start,
    render: () => (values ? form() : h('div', {class: 'card'}, banner(state))),
  };
}

function defaultZone() {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch { return 'UTC'; }
}
