// Canned answers in the reply box (issue 15). Typing `::` opens a type-ahead of the answers in the agent's
// scopes for this ticket (the API matches title and body with the search's folding and puts the ticket's
// language first): arrow keys move, Enter inserts, Escape closes. The "Canned answers" button opens the same
// list with a search field, for pointer and touch. Inserting fills the answer in for the ticket
// (POST /agent/canned/{id}/render) and puts the text where `::` was typed (or at the caret); the reply is then
// sent with the answer (POST /agent/tickets/{n}/canned-replies), which applies its actions and counts its use.
// The list is updated in place while typing: a whole re-render per keystroke would be heavy on phones.
import {h} from '../shared/dom.js';
import {isolate, t} from '../shared/i18n.js';
import {describeError} from '../shared/forms.js';
import {departmentName, groupName} from './context.js';

const TRIGGER = /::([^\n:]{0,60})$/;
const DEBOUNCE_MS = 150;

/** The actions an answer applies, as one short line ("Status: On hold · Priority: High · Transfer: …"). */
export function actionsLine(actions) {
  const parts = [];
  if (actions.status) parts.push(t('canned.action_status', {status: t(`status.${actions.status}`)}));
  if (actions.priority) parts.push(t('canned.action_priority', {priority: t(`priority.${actions.priority}`)}));
  if (actions.transfer) {
    parts.push(t('canned.action_transfer', {place: isolate(`${departmentName(actions.transfer.department)} / ${
      groupName(actions.transfer.department, actions.transfer.group)}`)}));
  }
  return parts.join(' · ');
}

export class CannedTypeahead {
  /** api; number: the ticket; getText/setText: the composer's text; rerender: the page's. */
  constructor({api, number, getText, setText, rerender, language}) {
    Object.assign(this, {api, number, getText, setText, rerender, language});
    this.mode = null; // null (closed) | 'typeahead' | 'picker'
    this.query = '';
    this.items = [];
    this.active = 0;
    this.loading = false;
    this.error = null;
    this.start = 0; // where `::` begins (typeahead) or the caret (picker)
    this.end = 0;
    this.selected = null; // the answer inserted: {id, title, actions}
    this.timer = null;
    this.seq = 0;
    this.listEl = null;
  }

  // ------------------------------------------------------------ the textarea

  attach(textarea) {
    this.textarea = textarea;
    textarea.setAttribute('aria-autocomplete', 'list');
    textarea.setAttribute('aria-controls', 'canned-list');
    textarea.setAttribute('aria-expanded', String(this.mode === 'typeahead'));
    if (this.mode === 'typeahead' && this.items.length) {
      textarea.setAttribute('aria-activedescendant', `canned-option-${this.active}`);
    }
    textarea.addEventListener('input', () => this.detect());
    textarea.addEventListener('keydown', (event) => this.keydown(event));
    textarea.addEventListener('click', () => this.detect());
  }

  detect() {
    const el = this.textarea;
    const caret = el.selectionStart;
    const match = el.value.slice(0, caret).match(TRIGGER);
    if (match) {
      const wasOpen = this.mode === 'typeahead';
      this.mode = 'typeahead';
      this.start = caret - match[0].length;
      this.end = caret;
      if (!wasOpen || match[1] !== this.query) this.search(match[1]);
      if (!wasOpen) this.refresh();
    } else if (this.mode === 'typeahead') {
      this.close();
    }
  }

  keydown(event) {
    if (!this.mode) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (!this.items.length) return;
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      this.active = (this.active + step + this.items.length) % this.items.length;
      this.refresh();
    } else if (event.key === 'Enter' && !event.shiftKey) {
      if (!this.items.length) return;
      event.preventDefault();
      this.insert(this.items[this.active]);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      const picker = this.mode === 'picker';
      this.close();
      if (picker) document.getElementById('composer-text')?.focus();
    }
  }

  // ------------------------------------------------------------ finding

  search(query) {
    this.query = query;
    clearTimeout(this.timer);
    this.loading = true;
    this.timer = setTimeout(() => this.fetch(query), DEBOUNCE_MS);
  }

  async fetch(query) {
    const seq = ++this.seq;
    const q = query.trim() ? `&q=${encodeURIComponent(query.trim())}` : '';
    try {
      const found = await this.api.get(`/agent/canned?ticket=${encodeURIComponent(this.number)}${q}`);
      if (seq !== this.seq) return; // a later keystroke asked again
      this.items = found.answers;
      this.error = null;
    } catch (error) {
      if (seq !== this.seq) return;
      this.items = [];
      this.error = error;
    }
    this.loading = false;
    this.active = 0;
    this.refresh();
  }

  openPicker() {
    const el = this.textarea;
    this.start = el ? el.selectionStart : this.getText().length;
    this.end = el ? el.selectionEnd : this.start;
    this.mode = 'picker';
    this.search('');
    this.rerender();
    document.getElementById('canned-search')?.focus();
  }

  close() {
    const wasPicker = this.mode === 'picker';
    this.mode = null;
    clearTimeout(this.timer);
    this.seq++;
    this.items = [];
    this.query = '';
    this.loading = false;
    if (wasPicker) this.rerender(); // the search field goes too
    else this.refresh();
  }

  // ------------------------------------------------------------ inserting

  async insert(item) {
    let filled;
    try {
      filled = await this.api.post(`/agent/canned/${encodeURIComponent(item.id)}/render`,
        {ticket: Number(this.number)});
    } catch (error) {
      this.error = error;
      this.refresh();
      return;
    }
    const text = this.getText();
    const before = text.slice(0, this.start);
    const after = text.slice(this.end);
    this.setText(before + filled.text + after);
    this.selected = {id: item.id, title: item.title, actions: filled.actions, fallback: filled.fallback,
      language: filled.language};
    const caret = before.length + filled.text.length;
    this.mode = null;
    this.items = [];
    this.query = '';
    this.rerender();
    const area = document.getElementById('composer-text');
    if (area) {
      area.focus();
      area.setSelectionRange(caret, caret);
    }
  }

  /** Forget the inserted answer (after sending, or when the agent takes it off). */
  reset() {
    this.selected = null;
    this.close();
  }

  // ------------------------------------------------------------ drawing

  option(item, index) {
    const lang = this.language();
    const body = item.bodies[lang] ?? item.bodies[item.languages[0]] ?? '';
    const actions = actionsLine(item.actions);
    return h('li', {id: `canned-option-${index}`, role: 'option', class: 'canned-option',
      'aria-selected': String(index === this.active), 'data-testid': 'canned-option', 'data-id': item.id,
      onmousedown: (event) => event.preventDefault(), // keep the focus (and caret) in the text
      onclick: () => this.insert(item)},
    h('span', {class: 'canned-title', dir: 'auto'}, item.title),
    h('span', {class: 'canned-langs'}, item.languages.map((l) => h('span', {
      class: `canned-lang${l === lang ? ' current' : ''}`, lang: l}, t(`canned.lang_${l}`)))),
    h('span', {class: 'canned-snippet', dir: 'auto'}, body.length > 90 ? `${body.slice(0, 90)}…` : body),
    actions ? h('span', {class: 'canned-actions'}, actions) : null);
  }

  list() {
    if (!this.mode) return h('div', {id: 'canned-list-slot', hidden: true});
    let content;
    if (this.error) content = h('p', {class: 'field-error', role: 'alert'}, describeError(this.error));
    else if (this.loading && !this.items.length) content = h('p', {class: 'muted'}, t('common.loading'));
    else if (!this.items.length) content = h('p', {class: 'muted', 'data-testid': 'canned-none'}, t('canned.none'));
    else {
      content = h('ul', {id: 'canned-list', role: 'listbox', class: 'canned-list', 'aria-label': t('canned.list_label'),
        'data-testid': 'canned-list'}, this.items.map((item, index) => this.option(item, index)));
    }
    return h('div', {id: 'canned-list-slot', class: 'canned-popup', 'data-testid': 'canned-popup',
      'data-mode': this.mode},
    h('p', {class: 'hint'}, t('canned.keys_hint')), content);
  }

  /** Redraw only the list (and the textarea's pointers to it). */
  refresh() {
    const slot = document.getElementById('canned-list-slot');
    if (slot) {
      const fresh = this.list();
      slot.replaceWith(fresh);
    }
    const area = document.getElementById('composer-text');
    if (area) {
      area.setAttribute('aria-expanded', String(this.mode === 'typeahead'));
      if (this.mode === 'typeahead' && this.items.length) {
        area.setAttribute('aria-activedescendant', `canned-option-${this.active}`);
      } else {
        area.removeAttribute('aria-activedescendant');
      }
    }
    const search = document.getElementById('canned-search');
    if (search) {
      if (this.mode === 'picker' && this.items.length) {
        search.setAttribute('aria-activedescendant', `canned-option-${this.active}`);
      } else search.removeAttribute('aria-activedescendant');
    }
    document.getElementById(`canned-option-${this.active}`)?.scrollIntoView({block: 'nearest'});
  }

  /** The picker button, its search field, the list and the chip of the inserted answer. */
  render({disabled = false} = {}) {
    const search = this.mode === 'picker' ? h('input', {id: 'canned-search', type: 'search', dir: 'auto',
      'data-testid': 'canned-search', role: 'combobox', 'aria-autocomplete': 'list', 'aria-controls': 'canned-list',
      'aria-expanded': 'true', 'aria-label': t('canned.search'), placeholder: t('canned.search'), value: this.query,
      autocomplete: 'off'}) : null;
    if (search) {
      search.addEventListener('input', () => this.search(search.value));
      search.addEventListener('keydown', (event) => this.keydown(event));
    }
    const chip = this.selected ? h('p', {class: 'canned-chip', 'data-testid': 'canned-selected'},
      t('canned.selected', {title: isolate(this.selected.title)}),
      this.selected.fallback ? h('span', {class: 'hint'}, ` ${t('canned.fallback')}`) : null,
      actionsLine(this.selected.actions) ? h('span', {class: 'canned-actions',
        'data-testid': 'canned-selected-actions'},
        ` ${t('canned.with_actions', {actions: actionsLine(this.selected.actions)})}`) : null,
      h('button', {type: 'button', class: 'secondary', 'data-testid': 'canned-unselect',
        onclick: () => { this.selected = null; this.rerender(); }}, t('canned.unselect'))) : null;
    return h('div', {class: 'canned'},
      h('div', {class: 'canned-bar'},
        h('button', {type: 'button', class: 'secondary', disabled, 'data-testid': 'canned-picker-open',
          'aria-expanded': String(this.mode === 'picker'), 'aria-controls': 'canned-list-slot',
          onclick: () => (this.mode === 'picker' ? this.close() : this.openPicker())}, t('canned.picker')),
        search),
      this.list(),
      chip);
  }
}
