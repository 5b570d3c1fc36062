// The transfer dialog: department → category of it → work group → optionally one agent of it, and the reason
// (required, it goes on the hand-over trail). The category starts at the ticket's own where the department has
// it, else at the department's first (default) one: a ticket never lands in a category its department lacks.
// A native modal <dialog> on <body>, outside the page that re-renders under it, so it keeps what was typed;
// Escape or Cancel closes it and onClose() puts focus back on the page.
import {h, replaceKeepingFocus} from '../shared/dom.js';
import {localName, t} from '../shared/i18n.js';
import {banner, describeError, field, focusFirstInvalid, sortFieldErrors} from '../shared/forms.js';
import {formatNumber} from '../shared/format.js';
import {agentName, allDepartments, categoriesOf, groupsOf, membersOf} from './context.js';

const FIELDS = ['department', 'category', 'group', 'agent', 'reason'];

/** The category a ticket would take in `department`: its own if the department has it, else the default. */
function arrivingCategory(department, current) {
  const categories = categoriesOf(department);
  if (categories.some((c) => c.id === current)) return current;
  return categories.length ? categories[0].id : '';
}

export class TransferDialog {
  /** submit(body) resolves when the ticket view is done with it (sent, or refused as stale), or throws ApiError. */
  constructor({submit, onClose}) {
    this.submit = submit;
    this.onClose = onClose;
    this.element = null;
  }

  get isOpen() {
    return !!this.element;
  }

  open(ticket) {
    this.ticket = ticket;
    this.values = {department: ticket.department, category: arrivingCategory(ticket.department, ticket.category),
      group: '', agent: '', reason: ''};
    this.errors = {};
    this.bannerState = null;
    this.busy = false;
    this.element = h('dialog', {class: 'dialog', 'aria-labelledby': 'transfer-title', 'data-testid': 'transfer-dialog',
      oncancel: (event) => { event.preventDefault(); this.close(); }});
    document.body.append(this.element);
    this.render();
    this.element.showModal();
    this.element.querySelector('#transfer-department').focus();
  }

  close() {
    if (!this.element) return;
    this.element.close();
    this.element.remove();
    this.element = null;
    this.onClose();
  }

  render() {
    if (!this.element) return;
    replaceKeepingFocus(this.element, this.form());
  }

  select(name, options, onChange) {
    const el = h('select', {disabled: this.busy}, options);
    el.value = this.values[name];
    el.addEventListener('change', () => {
      this.values[name] = el.value;
      delete this.errors[name]; // answered; the mark would now mislead
      if (onChange) onChange();
      this.render();
    });
    return el;
  }

  form() {
    const {department, group} = this.values;
    const reason = h('textarea', {dir: 'auto', rows: 3, maxlength: 1000, value: this.values.reason, disabled: this.busy});
    reason.addEventListener('input', () => { this.values.reason = reason.value; });
    return h('form', {novalidate: true, 'aria-busy': String(this.busy), onsubmit: (event) => this.send(event)},
      h('h2', {id: 'transfer-title'}, t('transfer.title', {number: formatNumber(this.ticket.number)})),
      banner(this.bannerState),
      field({id: 'transfer-department', testid: 'transfer-department', label: t('new.department'),
        error: this.errors.department,
        control: this.select('department', allDepartments().map((d) => h('option', {value: d.id}, localName(d.names))),
          () => {
            this.values.group = '';
            this.values.agent = '';
            this.values.category = arrivingCategory(this.values.department, this.ticket.category);
          })}),
      field({id: 'transfer-category', testid: 'transfer-category', label: t('new.category'),
        error: this.errors.category,
        control: this.select('category', categoriesOf(department).map((c) => h('option', {value: c.id},
          localName(c.names))))}),
      field({id: 'transfer-group', testid: 'transfer-group', label: t('ticket.group'), error: this.errors.group,
        control: this.select('group', [h('option', {value: ''}, t('new.choose')),
          groupsOf(department).map((g) => h('option', {value: g.id}, localName(g.names)))],
        () => { this.values.agent = ''; })}),
      field({id: 'transfer-agent', testid: 'transfer-agent', label: t('transfer.agent'), error: this.errors.agent,
        hint: t('transfer.agent_hint'),
        control: this.select('agent', [h('option', {value: ''}, t('transfer.any_agent')),
          membersOf(department, group).map((m) => h('option', {value: m}, agentName(m)))])}),
      field({id: 'transfer-reason', testid: 'transfer-reason', label: t('transfer.reason'), error: this.errors.reason,
        hint: t('transfer.reason_hint'), control: reason}),
      h('div', {class: 'actions'},
        h('button', {type: 'submit', class: 'primary', disabled: this.busy, 'data-testid': 'transfer-submit'},
          this.busy ? t('common.sending') : t('transfer.submit')),
        h('button', {type: 'button', class: 'secondary', disabled: this.busy, 'data-testid': 'transfer-cancel',
          onclick: () => this.close()}, t('common.cancel'))));
  }

  async send(event) {
    event.preventDefault();
    if (this.busy) return;
    const {department, category, group, agent} = this.values;
    const reason = this.values.reason.trim();
    this.errors = {};
    if (!group) this.errors.group = 'required';
    if (!reason) this.errors.reason = 'required';
    if (Object.keys(this.errors).length) {
      this.bannerState = {text: () => t('error.fix_fields')};
      this.render();
      focusFirstInvalid(this.element);
      return;
    }
    this.busy = true;
    this.bannerState = null;
    this.render();
    try {
      await this.submit({department, group, reason, ...(category ? {category} : {}), ...(agent ? {agent} : {})});
      this.busy = false;
      this.close();
    } catch (error) {
      const {byField, leftover} = sortFieldErrors(error.fields, FIELDS);
      for (const [name, [first]] of Object.entries(byField)) this.errors[name] = first.code;
      this.bannerState = {text: () => describeError(error), items: leftover};
      this.busy = false;
      this.render();
      focusFirstInvalid(this.element);
    }
  }
}
