// The agent portal: sign in (Cognito), the department queue, and a ticket with its timeline and a
// composer that either replies to the customer or adds an internal note.
import {h, replaceKeepingFocus} from '../shared/dom.js';
import {applyToDocument, languageSwitch, localName, onLangChange, t} from '../shared/i18n.js';
import {createApi} from '../shared/api.js';
import {banner, describeError, field, focusFirstInvalid, sortFieldErrors} from '../shared/forms.js';
import {formatAge, formatDateTime, formatNumber} from '../shared/format.js';
import {AttachmentPicker} from '../shared/attachments.js';
import {timeline} from '../shared/timeline.js';
import {authHeaders, currentSession, onSessionChange, refresh, signIn, signOut} from './auth.js';

const root = document.getElementById('app');
const api = createApi({headers: authHeaders, onUnauthorized: refresh});
const DEPARTMENT_KEY = 'helpdesk.queueDepartment';

let catalog = null;
let view = null;
let sessionEnded = false; // show "sign in again" after a session could not be refreshed
let signingOut = false;
let signedIn = false; // what the current view was built for

function rerender() {
  document.title = t('portal.title');
  const session = currentSession();
  replaceKeepingFocus(root, h('div', {class: 'page'},
    h('header', {class: 'topbar'},
      h('p', {class: 'brand'}, h('a', {href: '#/'}, t('portal.title'))),
      h('div', {class: 'topbar-actions'},
        session ? h('span', {class: 'user', dir: 'ltr', 'data-testid': 'signed-in-user'}, session.username) : null,
        session ? h('button', {type: 'button', class: 'secondary', 'data-testid': 'sign-out',
          onclick: () => { signingOut = true; signOut(); }}, t('signin.sign_out')) : null,
        languageSwitch())),
    h('main', {id: 'main'}, view.render())));
  if (view.afterRender) view.afterRender();
}

async function ensureCatalog() {
  if (!catalog) catalog = await api.get('/catalog');
  return catalog;
}

function departmentName(id) {
  const d = catalog && catalog.departments.find((x) => x.id === id);
  return d ? localName(d.names) : id;
}

function categoryName(depId, catId) {
  const d = catalog && catalog.departments.find((x) => x.id === depId);
  const c = d && d.categories.find((x) => x.id === catId);
  return c ? localName(c.names) : catId;
}

function badge(kind, value) {
  return h('span', {class: `badge ${kind}-${value}`, 'data-testid': `ticket-${kind}`, [`data-${kind}`]: value},
    t(`${kind}.${value}`));
}

// ---------------------------------------------------------------- sign in

function signInView() {
  const values = {email: '', password: ''};
  let bannerState = sessionEnded ? {kind: 'info', text: t('signin.session_ended')} : null;
  let errors = {};
  let busy = false;
  let focusError = false;

  const MESSAGES = {
    NotAuthorizedException: 'signin.wrong', UserNotFoundException: 'signin.wrong',
    PasswordResetRequiredException: 'signin.reset_required', NEW_PASSWORD_REQUIRED: 'signin.reset_required',
    UserNotConfirmedException: 'signin.not_confirmed', TooManyRequestsException: 'signin.too_many',
    LimitExceededException: 'signin.too_many', network: 'error.network',
  };

  async function submit(event) {
    event.preventDefault();
    if (busy) return;
    errors = {};
    if (!values.email.trim()) errors.email = 'required';
    if (!values.password) errors.password = 'required';
    if (Object.keys(errors).length) {
      bannerState = {text: t('error.fix_fields')};
      focusError = true;
      rerender();
      return;
    }
    busy = true;
    bannerState = null;
    rerender();
    try {
      await signIn(values.email.trim(), values.password);
      sessionEnded = false;
      // onSessionChange routes to the page asked for
    } catch (error) {
      values.password = '';
      bannerState = {text: t(MESSAGES[error.type] || 'signin.failed')};
      busy = false;
      focusError = true;
      rerender();
    }
  }

  function input(name, props) {
    const el = h('input', {...props, value: values[name]});
    el.addEventListener('input', () => { values[name] = el.value; });
    return el;
  }

  return {
    render: () => h('form', {class: 'card', novalidate: true, onsubmit: submit, 'aria-busy': String(busy),
      'data-testid': 'signin-form'},
    h('h1', {}, t('signin.title')),
    banner(bannerState),
    field({id: 'signin-email', testid: 'signin-email', label: t('signin.email'), error: errors.email,
      control: input('email', {type: 'email', dir: 'ltr', autocomplete: 'username', spellcheck: 'false'})}),
    field({id: 'signin-password', testid: 'signin-password', label: t('signin.password'), error: errors.password,
      control: input('password', {type: 'password', dir: 'ltr', autocomplete: 'current-password'})}),
    h('div', {class: 'actions'},
      h('button', {type: 'submit', class: 'primary', disabled: busy, 'data-testid': 'signin-submit'},
        busy ? t('signin.signing_in') : t('signin.submit')))),
    afterRender() {
      if (!focusError) return;
      focusError = false;
      const invalid = root.querySelector('[aria-invalid="true"]');
      (invalid || document.getElementById('signin-password')).focus();
    },
  };
}

// ---------------------------------------------------------------- queue

function queueView() {
  let department = localStorage.getItem(DEPARTMENT_KEY) || '';
  let tickets = null;
  let bannerState = null;

  let latest = 0; // a slower, older answer must not replace a newer one (quick department changes)

  async function load() {
    const mine = ++latest;
    tickets = null;
    bannerState = null;
    rerender();
    let found = [];
    try {
      await ensureCatalog();
      if (!catalog.departments.some((d) => d.id === department)) department = catalog.departments[0].id;
      found = (await api.get(`/agent/queue?department=${encodeURIComponent(department)}`)).tickets;
    } catch (error) {
      if (mine === latest) bannerState = {text: describeError(error)};
    }
    if (mine !== latest) return;
    tickets = found;
    rerender();
  }

  function render() {
    const select = h('select', {},
      (catalog ? catalog.departments : []).map((d) => h('option', {value: d.id}, localName(d.names))));
    select.value = department;
    select.addEventListener('change', () => {
      department = select.value;
      localStorage.setItem(DEPARTMENT_KEY, department);
      load();
    });
    return h('section', {class: 'card'},
      h('h1', {}, t('queue.title')),
      banner(bannerState),
      h('div', {class: 'queue-controls'},
        field({id: 'queue-department', testid: 'queue-department', label: t('new.department'), control: select}),
        h('button', {type: 'button', class: 'secondary', 'data-testid': 'queue-refresh', onclick: load},
          t('queue.refresh'))),
      tickets === null ? h('p', {'aria-busy': 'true'}, t('common.loading'))
        : tickets.length === 0 ? h('p', {class: 'muted', 'data-testid': 'queue-empty'}, t('queue.empty'))
          : h('ul', {class: 'queue', 'data-testid': 'queue', 'aria-label': t('queue.title')},
            tickets.map((tk) => h('li', {},
              h('a', {class: 'queue-row', href: `#/tickets/${tk.number}`, 'data-testid': 'queue-row',
                'data-number': tk.number, 'data-status': tk.status},
              h('span', {class: 'queue-number number'}, formatNumber(tk.number)),
              h('span', {class: 'queue-subject', dir: 'auto'}, tk.subject),
              h('span', {class: 'queue-age'}, h('time', {datetime: tk.created_at, title: formatDateTime(tk.created_at)},
                formatAge(tk.created_at))),
              h('span', {class: 'queue-meta'},
                badge('status', tk.status), badge('priority', tk.priority),
                h('span', {dir: 'auto'}, tk.customer.name)))))));
  }

  return {render, start: load};
}

// ---------------------------------------------------------------- ticket

function ticketView(number) {
  const path = `/agent/tickets/${encodeURIComponent(number)}`;
  let ticket = null;
  let loadError = null;
  let bannerState = null;
  let text = '';
  let textError = null;
  let busy = null; // 'reply' | 'note' while sending
  let focusError = false;
  const picker = new AttachmentPicker({id: 'reply-attachments', testid: 'reply-attachments', onChange: rerender});

  async function load() {
    try {
      await ensureCatalog();
      ticket = await api.get(path);
      loadError = null;
    } catch (error) {
      loadError = error;
    }
    rerender();
  }

  async function act(kind) {
    if (busy) return;
    textError = text.trim() ? null : 'required';
    picker.limits = catalog.limits;
    let filesOk = picker.check();
    if (kind === 'note' && picker.entries.length) {
      picker.error = {text: t('composer.note_no_attachments')};
      filesOk = false;
    }
    if (textError || !filesOk) {
      bannerState = {text: t('error.fix_fields')};
      focusError = true;
      rerender();
      return;
    }
    busy = kind;
    bannerState = null;
    rerender();
    try {
      if (kind === 'reply') {
        const attachments = await picker.upload(api);
        await api.post(`${path}/replies`, {text, attachments});
      } else {
        await api.post(`${path}/notes`, {text});
      }
      text = '';
      picker.clear();
      bannerState = {kind: 'ok', text: t(kind === 'reply' ? 'composer.reply_sent' : 'composer.note_added')};
      await load();
    } catch (error) {
      const {byField, leftover} = sortFieldErrors(error.fields, ['text', 'attachments']);
      textError = byField.text ? byField.text[0].code : null;
      if (byField.attachments) picker.applyServerErrors(byField.attachments);
      bannerState = {text: describeError(error), items: leftover};
      focusError = error.status === 400;
    } finally {
      busy = null;
      rerender();
    }
  }

  function render() {
    const back = h('p', {}, h('a', {href: '#/', 'data-testid': 'back-to-queue'}, t('ticket.back')));
    if (loadError) return h('section', {class: 'card'}, back, banner({text: describeError(loadError)}));
    if (!ticket) return h('p', {'aria-busy': 'true'}, t('common.loading'));
    picker.limits = catalog.limits;
    const textarea = h('textarea', {dir: 'auto', maxlength: 20000, rows: 8, value: text});
    textarea.addEventListener('input', () => { text = textarea.value; });
    return h('div', {},
      back,
      h('section', {class: 'card', 'data-testid': 'ticket'},
        h('p', {class: 'muted'}, t('ticket.number'), ' ',
          h('span', {class: 'number', 'data-testid': 'ticket-number', 'data-number': ticket.number},
            formatNumber(ticket.number))),
        h('h1', {dir: 'auto', 'data-testid': 'ticket-subject'}, ticket.subject),
        h('dl', {class: 'meta'},
          h('dt', {}, t('ticket.status')), h('dd', {}, badge('status', ticket.status)),
          h('dt', {}, t('new.priority')), h('dd', {}, badge('priority', ticket.priority)),
          h('dt', {}, t('new.department')),
          h('dd', {}, departmentName(ticket.department), ' / ', categoryName(ticket.department, ticket.category)),
          h('dt', {}, t('ticket.customer')),
          h('dd', {'data-testid': 'ticket-customer'}, h('span', {dir: 'auto'}, ticket.customer.name), ' ',
            h('span', {dir: 'ltr'}, `<${ticket.customer.email}>`)),
          h('dt', {}, t('ticket.opened')),
          h('dd', {}, h('time', {datetime: ticket.created_at}, formatDateTime(ticket.created_at))))),
      h('section', {class: 'card', 'aria-labelledby': 'messages-heading'},
        h('h2', {id: 'messages-heading'}, t('ticket.messages')),
        timeline(ticket.messages, {
          fetchAttachmentUrl: (id) => api.get(`${path}/attachments/${encodeURIComponent(id)}`),
          onError: (error) => { bannerState = {text: describeError(error)}; rerender(); },
        })),
      h('form', {class: 'card composer', novalidate: true, 'aria-busy': String(!!busy), 'data-testid': 'composer',
        onsubmit: (event) => { event.preventDefault(); act('reply'); }},
      h('h2', {}, t('composer.title')),
      banner(bannerState),
      field({id: 'composer-text', testid: 'composer-text', label: t('composer.text'), error: textError,
        hint: t('composer.hint'), control: textarea}),
      picker.render({label: t('composer.attachments'), disabled: !!busy}),
      h('div', {class: 'actions'},
        h('button', {type: 'submit', class: 'primary', disabled: !!busy, 'data-testid': 'reply-submit'},
          busy === 'reply' ? t('common.sending') : t('composer.reply')),
        h('button', {type: 'button', class: 'secondary', disabled: !!busy, 'data-testid': 'note-submit',
          onclick: () => act('note')},
        busy === 'note' ? t('common.sending') : t('composer.note')))));
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

function route() {
  signedIn = !!currentSession();
  if (!signedIn) {
    view = signInView();
  } else {
    const match = location.hash.match(/^#\/tickets\/(\d+)$/);
    view = match ? ticketView(match[1]) : queueView();
  }
  rerender();
  if (view.start) view.start(); // after `view` is set: loading re-renders
}

onSessionChange((session) => {
  if (!!session === signedIn) return; // a token refresh: stay on the page
  sessionEnded = !session && !signingOut;
  signingOut = false;
  route();
});

applyToDocument();
onLangChange(rerender);
window.addEventListener('hashchange', route);
route();
