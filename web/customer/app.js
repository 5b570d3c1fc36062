// The customer site: open a ticket (with attachments) and follow it through the private link
// #/t/<number>/<key>. No sign-in: the key in the link is the credential, sent as X-Ticket-Key.
import {h, replaceKeepingFocus} from '../shared/dom.js';
import {applyToDocument, isolate, languageSwitch, lang, localName, onLangChange, t} from '../shared/i18n.js';
import {createApi} from '../shared/api.js';
import {banner, describeError, field, focusFirstInvalid, sortFieldErrors} from '../shared/forms.js';
import {formatDateTime, formatNumber} from '../shared/format.js';
import {AttachmentPicker} from '../shared/attachments.js';
import {timeline} from '../shared/timeline.js';

const root = document.getElementById('app');
const api = createApi();
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

let catalog = null;
let catalogError = null;
let view = null; // the current view: {render(): Node, afterRender?()}

function rerender() {
  document.title = t('customer.title');
  replaceKeepingFocus(root, h('div', {class: 'page'},
    h('header', {class: 'topbar'},
      h('p', {class: 'brand'}, h('a', {href: '#/', 'data-testid': 'home'}, t('customer.title'))),
      h('div', {class: 'topbar-actions'}, languageSwitch())),
    h('main', {id: 'main'}, view.render())));
  if (view.afterRender) view.afterRender();
}

async function loadCatalog() {
  try {
    catalog = await api.get('/catalog');
    catalogError = null;
  } catch (error) {
    catalogError = error;
  }
  return catalog;
}

// ---------------------------------------------------------------- new ticket

function newTicketView() {
  const values = {subject: '', department: '', category: '', priority: 'normal', text: '', name: '', email: ''};
  let errors = {};
  let bannerState = null;
  let busy = false;
  let created = null; // {number, link, email} after success
  let focusError = false;
  let focusHeading = false;
  let copied = false;
  const picker = new AttachmentPicker({id: 'attachments', testid: 'attachments', onChange: rerender});

  const FIELD_KEYS = {subject: 'subject', department: 'department', category: 'category', priority: 'priority',
    text: 'text', 'customer.name': 'name', 'customer.email': 'email', attachments: 'attachments'};

  function bind(name, control) {
    control.value = values[name];
    control.addEventListener('input', () => {
      values[name] = control.value;
      if (errors[name]) { // the field changed: its old error no longer applies
        delete errors[name];
        rerender();
      }
    });
    return control;
  }

  function validate() {
    const found = {};
    for (const name of ['subject', 'department', 'category', 'text', 'name', 'email']) {
      if (!values[name].trim()) found[name] = 'required';
    }
    if (!found.email && !EMAIL.test(values.email.trim())) found.email = 'invalid';
    return found;
  }

  async function submit(event) {
    event.preventDefault();
    if (busy) return;
    errors = validate();
    picker.limits = catalog && catalog.limits;
    const filesOk = picker.check();
    if (Object.keys(errors).length || !filesOk) {
      bannerState = {text: t('error.fix_fields')};
      focusError = true;
      rerender();
      return;
    }
    busy = true;
    bannerState = null;
    rerender();
    try {
      const attachments = await picker.upload(api);
      const result = await api.post('/tickets', {
        subject: values.subject.trim(), department: values.department, category: values.category,
        priority: values.priority, text: values.text, language: lang(),
        customer: {name: values.name.trim(), email: values.email.trim()}, attachments,
      });
      created = {...result, email: values.email.trim()};
      focusHeading = true;
    } catch (error) {
      showError(error);
    } finally {
      busy = false;
      rerender();
    }
  }

  function showError(error) {
    errors = {};
    const {byField, leftover} = sortFieldErrors(error.fields, Object.keys(FIELD_KEYS));
    for (const [key, list] of Object.entries(byField)) {
      if (key === 'attachments') picker.applyServerErrors(list);
      else errors[FIELD_KEYS[key]] = list[0].code;
    }
    bannerState = {text: describeError(error), items: leftover};
    focusError = error.status === 400;
  }

  function reset() {
    Object.assign(values, {subject: '', department: '', category: '', priority: 'normal', text: ''});
    picker.clear();
    created = null;
    copied = false;
    errors = {};
    rerender();
  }

  function renderForm() {
    if (!catalog) {
      return h('section', {class: 'card'},
        catalogError ? banner({text: describeError(catalogError)}) : h('p', {'aria-busy': 'true'}, t('common.loading')),
        catalogError ? h('button', {type: 'button', class: 'secondary', onclick: async () => {
          catalogError = null; rerender(); await loadCatalog(); rerender();
        }}, t('common.retry')) : null);
    }
    picker.limits = catalog.limits;
    const department = catalog.departments.find((d) => d.id === values.department);
    const depSelect = bind('department', h('select', {required: true},
      h('option', {value: ''}, t('new.choose')),
      catalog.departments.map((d) => h('option', {value: d.id}, localName(d.names)))));
    depSelect.addEventListener('change', () => {
      values.category = ''; // categories belong to one department
      rerender();
    });
    const catSelect = bind('category', h('select', {required: true, disabled: !department},
      h('option', {value: ''}, department ? t('new.choose') : t('new.choose_department_first')),
      (department ? department.categories : []).map((c) => h('option', {value: c.id}, localName(c.names)))));
    const prioritySelect = bind('priority', h('select', {},
      catalog.priorities.map((p) => h('option', {value: p}, t(`priority.${p}`)))));

    return h('form', {class: 'card', novalidate: true, onsubmit: submit, 'aria-busy': String(busy),
      'data-testid': 'new-ticket-form'},
    h('h1', {}, t('new.title')),
    h('p', {class: 'muted'}, t('new.intro')),
    banner(bannerState),
    field({id: 'subject', testid: 'subject', label: t('new.subject'), error: errors.subject,
      control: bind('subject', h('input', {type: 'text', dir: 'auto', maxlength: 200, autocomplete: 'off'}))}),
    field({id: 'department', testid: 'department', label: t('new.department'), error: errors.department,
      control: depSelect}),
    field({id: 'category', testid: 'category', label: t('new.category'), error: errors.category, control: catSelect}),
    field({id: 'priority', testid: 'priority', label: t('new.priority'), error: errors.priority,
      control: prioritySelect}),
    field({id: 'text', testid: 'text', label: t('new.text'), error: errors.text,
      control: bind('text', h('textarea', {dir: 'auto', maxlength: 20000, rows: 8}))}),
    field({id: 'name', testid: 'name', label: t('new.name'), error: errors.name,
      control: bind('name', h('input', {type: 'text', dir: 'auto', maxlength: 120, autocomplete: 'name'}))}),
    field({id: 'email', testid: 'email', label: t('new.email'), error: errors.email, hint: t('new.email_hint'),
      control: bind('email', h('input', {type: 'email', dir: 'ltr', maxlength: 254, autocomplete: 'email',
        inputmode: 'email', spellcheck: 'false'}))}),
    picker.render({disabled: busy}),
    h('div', {class: 'actions'},
      h('button', {type: 'submit', class: 'primary', disabled: busy || picker.busy, 'data-testid': 'submit'},
        busy ? (picker.busy ? t('attach.uploading') : t('common.sending')) : t('new.submit'))));
  }

  function renderCreated() {
    const linkInput = h('input', {type: 'url', readonly: true, value: created.link, id: 'ticket-link',
      'data-testid': 'ticket-link', dir: 'ltr'});
    return h('section', {class: 'card', 'data-testid': 'ticket-created'},
      h('h1', {tabindex: '-1', id: 'created-heading'}, t('done.title')),
      h('p', {}, t('done.number'), ' ',
        h('strong', {class: 'number', 'data-testid': 'ticket-number', 'data-number': created.number},
          formatNumber(created.number))),
      h('div', {class: 'field'},
        h('label', {for: 'ticket-link'}, t('done.link')),
        h('p', {class: 'hint'}, t('done.link_hint')),
        h('div', {class: 'copy-row'}, linkInput,
          h('button', {type: 'button', class: 'secondary', 'data-testid': 'copy-link', onclick: async () => {
            try {
              await navigator.clipboard.writeText(created.link);
            } catch { // no clipboard permission (e.g. plain http): select it so the user can copy
              linkInput.select();
              document.execCommand && document.execCommand('copy');
            }
            copied = true;
            rerender();
          }}, t('done.copy'))),
        h('p', {role: 'status', class: 'hint'}, copied ? t('done.copied') : '')),
      h('p', {class: 'banner banner-ok'}, t('done.email_sent', {email: isolate(created.email)})),
      h('div', {class: 'actions'},
        h('a', {class: 'button primary', href: created.link, 'data-testid': 'open-ticket'}, t('done.open')),
        h('button', {type: 'button', class: 'secondary', onclick: reset}, t('done.another'))));
  }

  return {
    render: () => (created ? renderCreated() : renderForm()),
    afterRender() {
      if (focusHeading) {
        focusHeading = false;
        document.getElementById('created-heading').focus();
      } else if (focusError) {
        focusError = false;
        focusFirstInvalid(root);
      }
    },
  };
}

// ---------------------------------------------------------------- ticket (private link)

function ticketView(number, key) {
  const ticketApi = createApi({headers: () => ({'X-Ticket-Key': key})});
  let ticket = null;
  let loadError = null;
  let bannerState = null;
  let replyText = '';
  let replyError = null;
  let sending = false;
  let focusError = false;
  const picker = new AttachmentPicker({id: 'reply-attachments', testid: 'reply-attachments', onChange: rerender});

  async function load() {
    try {
      ticket = await ticketApi.get(`/tickets/${encodeURIComponent(number)}`);
      loadError = null;
    } catch (error) {
      loadError = error;
    }
    rerender();
  }

  async function send(event) {
    event.preventDefault();
    if (sending) return;
    replyError = replyText.trim() ? null : 'required';
    picker.limits = catalog && catalog.limits;
    if (replyError || !picker.check()) {
      bannerState = {text: t('error.fix_fields')};
      focusError = true;
      rerender();
      return;
    }
    sending = true;
    bannerState = null;
    rerender();
    try {
      const attachments = await picker.upload(ticketApi);
      await ticketApi.post(`/tickets/${encodeURIComponent(number)}/messages`, {text: replyText, attachments});
      replyText = '';
      picker.clear();
      bannerState = {kind: 'ok', text: t('ticket.reply_sent')};
      await load();
    } catch (error) {
      const {byField, leftover} = sortFieldErrors(error.fields, ['text', 'attachments']);
      replyError = byField.text ? byField.text[0].code : null;
      if (byField.attachments) picker.applyServerErrors(byField.attachments);
      bannerState = {text: describeError(error), items: leftover};
      focusError = error.status === 400;
    } finally {
      sending = false;
      rerender();
    }
  }

  function render() {
    if (loadError) {
      const text = loadError.status === 404 ? t('ticket.not_found') : describeError(loadError);
      return h('section', {class: 'card'}, banner({text}),
        h('a', {href: '#/', class: 'button secondary'}, t('ticket.new_ticket')));
    }
    if (!ticket) return h('p', {'aria-busy': 'true'}, t('common.loading'));
    picker.limits = catalog && catalog.limits;
    const department = catalog && catalog.departments.find((d) => d.id === ticket.department);
    const category = department && department.categories.find((c) => c.id === ticket.category);
    const textarea = h('textarea', {dir: 'auto', maxlength: 20000, rows: 6, value: replyText});
    textarea.addEventListener('input', () => { replyText = textarea.value; });
    return h('div', {},
      h('section', {class: 'card', 'data-testid': 'ticket'},
        h('p', {class: 'muted'}, t('ticket.number'), ' ',
          h('span', {class: 'number', 'data-testid': 'ticket-number', 'data-number': ticket.number},
            formatNumber(ticket.number))),
        h('h1', {dir: 'auto', 'data-testid': 'ticket-subject'}, ticket.subject),
        h('dl', {class: 'meta'},
          h('dt', {}, t('ticket.status')),
          h('dd', {}, h('span', {class: `badge status-${ticket.status}`, 'data-testid': 'ticket-status',
            'data-status': ticket.status}, t(`status.${ticket.status}`))),
          h('dt', {}, t('new.priority')), h('dd', {}, t(`priority.${ticket.priority}`)),
          h('dt', {}, t('new.department')),
          h('dd', {}, department ? localName(department.names) : ticket.department,
            ' / ', category ? localName(category.names) : ticket.category),
          h('dt', {}, t('ticket.opened')),
          h('dd', {}, h('time', {datetime: ticket.created_at}, formatDateTime(ticket.created_at))))),
      h('section', {class: 'card', 'aria-labelledby': 'messages-heading'},
        h('h2', {id: 'messages-heading'}, t('ticket.messages')),
        timeline(ticket.messages, {
          fetchAttachmentUrl: (id) => ticketApi.get(
            `/tickets/${encodeURIComponent(number)}/attachments/${encodeURIComponent(id)}`),
          onError: (error) => { bannerState = {text: describeError(error)}; rerender(); },
        })),
      h('form', {class: 'card', novalidate: true, onsubmit: send, 'aria-busy': String(sending),
        'data-testid': 'reply-form'},
      h('h2', {}, t('ticket.reply_title')),
      banner(bannerState),
      field({id: 'reply-text', testid: 'reply-text', label: t('ticket.reply_label'), error: replyError,
        control: textarea}),
      picker.render({disabled: sending}),
      h('div', {class: 'actions'},
        h('button', {type: 'submit', class: 'primary', disabled: sending, 'data-testid': 'reply-submit'},
          sending ? (picker.busy ? t('attach.uploading') : t('common.sending')) : t('ticket.reply_send')))));
  }

  return {
    render,
    start: load,
    afterRender() {
      if (focusError) {
        focusError = false;
        focusFirstInvalid(root);
      }
    },
  };
}

// ---------------------------------------------------------------- routing

let newTicket = null; // kept across navigation so a half-written ticket survives a visit to a link

function route() {
  const match = location.hash.match(/^#\/t\/(\d+)\/([^/?#]+)$/);
  if (match) {
    view = ticketView(match[1], decodeURIComponent(match[2]));
  } else {
    newTicket = newTicket || newTicketView();
    view = newTicket;
  }
  rerender();
  if (view.start) view.start(); // after `view` is set: loading re-renders
}

applyToDocument();
onLangChange(rerender);
window.addEventListener('hashchange', route);
route();
loadCatalog().then(rerender);
