// The customer site: open a ticket (with attachments) and follow it through the private link
// #/t/<number>/<key> (the key is the credential, sent as X-Ticket-Key), or sign in with a one-time code
// ("My tickets", #/tickets) to see every ticket of an email address or mobile number. Replies are rated
// on the ticket or from the mail's links (#/rate/...).
import {h, replaceKeepingFocus} from '../shared/dom.js';
import {applyToDocument, fieldError, isolate, languageSwitch, lang, localName, onLangChange, t} from '../shared/i18n.js';
import {createApi} from '../shared/api.js';
import {banner, describeError, field, focusFirstInvalid, shown, sortFieldErrors} from '../shared/forms.js';
import {formatDateTime, formatNumber} from '../shared/format.js';
import {AttachmentPicker} from '../shared/attachments.js';
import {timeline} from '../shared/timeline.js';
import {toAsciiDigits} from '../shared/digits.js';
import {currentSession, endSession, sessionHeaders} from './session.js';
import {signInView} from './signin.js';
import {historyView} from './history.js';
import {RatingControls, rateLinkView} from './rating.js';
import {Suggestions, articleView, helpCenterView} from './helpcenter.js';

const root = document.getElementById('app');
const api = createApi();
const sessionApi = createApi({headers: sessionHeaders}); // the signed-in customer's calls
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9][0-9 ()./-]{5,23}$/; // roughly a number: the API decides whether it is a mobile

let catalog = null;
let catalogError = null;
let view = null; // the current view: {render(): Node, afterRender?(), start?(), page?: 'new' | 'tickets' | ...}

function rerender() {
  document.title = t('customer.title');
  const signedIn = Boolean(currentSession());
  const current = (page) => (view.page === page ? 'page' : null);
  replaceKeepingFocus(root, h('div', {class: 'page'},
    h('header', {class: 'topbar'},
      h('p', {class: 'brand'}, h('a', {href: '#/', 'data-testid': 'home'}, t('customer.title'))),
      h('div', {class: 'topbar-actions'},
        h('nav', {class: 'site-nav', 'aria-label': t('customer.nav')},
          h('a', {href: '#/', class: 'nav-link', 'aria-current': current('new'), 'data-testid': 'nav-new'},
            t('customer.new_request')),
          h('a', {href: '#/tickets', class: 'nav-link', 'aria-current': current('tickets'), 'data-testid': 'my-tickets'},
            t('customer.my_tickets')),
          h('a', {href: '#/kb', class: 'nav-link', 'aria-current': current('kb'), 'data-testid': 'nav-kb'},
            t('kb.nav'))),
        signedIn ? h('button', {type: 'button', class: 'secondary', 'data-testid': 'sign-out', onclick: signOut},
          t('customer.sign_out')) : null,
        languageSwitch())),
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

/**
 * followUp: {number, key?, subject, department, category, name, text} when the customer continues a ticket
 * that is closed for replies; the new ticket records `follows` (proved by the key, or by the session).
 */
function newTicketView(followUp = null) {
  const identity = (currentSession() || {}).identity || {};
  const values = {subject: '', department: '', category: '', priority: 'normal', text: '', name: '',
    email: identity.email || '', phone: identity.phone || '', sms_updates: false};
  let follows = null; // {number, key?}
  if (followUp) {
    Object.assign(values, {subject: t('followup.subject', {subject: followUp.subject}).slice(0, 200),
      department: followUp.department, category: followUp.category, name: followUp.name || '', text: followUp.text || ''});
    follows = followUp.key ? {number: followUp.number, key: followUp.key} : {number: followUp.number};
  }
  let errors = {};
  let bannerState = null;
  let openLimit = null; // {limit, tickets} when the API refused a ticket over the open-ticket limit
  let held = null; // {kind: 'address'|'network', email} when requests without sign-in wait for confirmation
  let busy = false;
  let created = null; // {number, link, email} after success
  let focusError = false;
  let focusHeading = false;
  let copied = false;
  const picker = new AttachmentPicker({id: 'attachments', testid: 'attachments', onChange: rerender});
  const suggestions = new Suggestions({api, onChange: rerender}); // knowledge base articles while typing

  const FIELD_KEYS = {subject: 'subject', department: 'department', category: 'category', priority: 'priority',
    text: 'text', 'customer.name': 'name', 'customer.email': 'email', 'customer.phone': 'phone',
    attachments: 'attachments'};

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

  function suggest(control) {
    control.addEventListener('input', () => suggestions.typed(values.subject, values.text));
    return control;
  }

  function validate() {
    const found = {};
    for (const name of ['subject', 'department', 'category', 'text', 'name', 'email']) {
      if (!values[name].trim()) found[name] = 'required';
    }
    if (!found.email && !EMAIL.test(values.email.trim())) found.email = 'invalid';
    if (values.phone.trim() && !PHONE.test(toAsciiDigits(values.phone).trim())) found.phone = 'invalid';
    if (values.sms_updates && !values.phone.trim()) found.phone = 'required_for_sms';
    return found;
  }

  async function submit(event) {
    event.preventDefault();
    if (busy) return;
    errors = validate();
    picker.limits = catalog && catalog.limits;
    const filesOk = picker.check();
    if (Object.keys(errors).length || !filesOk) {
      bannerState = {text: () => t('error.fix_fields')};
      focusError = true;
      rerender();
      return;
    }
    busy = true;
    bannerState = null;
    openLimit = null;
    held = null;
    rerender();
    try {
      const attachments = await picker.upload(api);
      const customer = {name: values.name.trim(), email: values.email.trim()};
      const phone = toAsciiDigits(values.phone).trim();
      if (phone) customer.phone = phone;
      // Signed in, the session proves the address (the ticket is confirmed at once, and a refusal over the
      // limit lists the open tickets); it also proves whose ticket a follow-up without its key continues.
      const client = currentSession() || (follows && !follows.key) ? sessionApi : api;
      const result = await picker.sendWhenChecked(() => client.post('/tickets', {
        subject: values.subject.trim(), department: values.department, category: values.category,
        priority: values.priority, text: values.text, language: lang(), customer, attachments,
        sms_updates: Boolean(phone && values.sms_updates), ...(follows ? {follows} : {}),
      }));
      created = {...result, email: values.email.trim()};
      suggestions.filedAnyway();
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
    // The followed ticket has no field of its own: its refusal is said in the banner.
    const {'follows.number': followsRefused, ...fields} = error.fields;
    const {byField, leftover} = sortFieldErrors(fields, Object.keys(FIELD_KEYS));
    for (const [key, list] of Object.entries(byField)) {
      if (key === 'attachments') picker.applyServerErrors(list);
      else errors[FIELD_KEYS[key]] = list[0].code;
    }
    if (error.code === 'limit_reached' && error.body.open_tickets) {
      openLimit = {limit: error.body.limit, tickets: error.body.open_tickets};
      bannerState = null;
    } else if (error.code === 'limit_reached' && (fields['customer.email'] === 'unconfirmed_limit'
        || fields.client === 'network_limit')) {
      // Nothing about the address's tickets comes back to someone who has not proven it: they go by mail.
      held = {kind: fields.client === 'network_limit' ? 'network' : 'address', email: values.email.trim()};
      bannerState = null;
    } else if (followsRefused && follows) {
      bannerState = {text: () => t('followup.refused', {number: formatNumber(follows.number)}), items: leftover};
    } else {
      bannerState = {text: () => describeError(error), items: leftover};
    }
    focusError = error.status === 400 || Boolean(openLimit) || Boolean(held);
  }

  /** Too many requests without sign-in wait for confirmation: the address is mailed its open tickets. */
  function renderHeld() {
    return h('div', {class: 'banner banner-error', role: 'alert', 'data-testid': 'unconfirmed-limit',
      'data-kind': held.kind},
    h('p', {}, held.kind === 'network' ? t('held.network') : t('held.mail_sent', {email: isolate(held.email)})),
    h('p', {}, h('a', {href: '#/tickets', 'data-testid': 'unconfirmed-limit-sign-in'}, t('held.sign_in'))));
  }

  /** The refusal over the open-ticket limit names the open tickets (links once the customer is signed in). */
  function renderOpenLimit() {
    const signedIn = Boolean(currentSession());
    const label = (ticket) => [h('span', {class: 'number'}, formatNumber(ticket.number)), ' · ',
      h('span', {dir: 'auto'}, ticket.subject), ' · ', t(`status.${ticket.status}`)];
    return h('div', {class: 'banner banner-error', role: 'alert', 'data-testid': 'open-limit'},
      h('p', {}, t('limit.text', {limit: formatNumber(openLimit.limit)})),
      h('ul', {}, openLimit.tickets.map((ticket) => h('li', {'data-testid': 'open-limit-ticket', 'data-number': ticket.number},
        signedIn ? h('a', {href: `#/tickets/${ticket.number}`}, label(ticket)) : label(ticket)))),
      signedIn ? null : h('p', {}, h('a', {href: '#/tickets', 'data-testid': 'open-limit-sign-in'}, t('limit.sign_in'))));
  }

  function renderFollows() {
    return h('div', {class: 'banner banner-info', 'data-testid': 'follows-notice'},
      t('followup.notice', {number: formatNumber(follows.number)}), ' ',
      h('button', {type: 'button', class: 'link-button', 'data-testid': 'unlink-follows',
        onclick: () => { follows = null; rerender(); }}, t('followup.unlink')));
  }

  function reset() {
    Object.assign(values, {subject: '', department: '', category: '', priority: 'normal', text: ''});
    follows = null;
    openLimit = null;
    held = null;
    picker.clear();
    created = null;
    copied = false;
    errors = {};
    rerender();
  }

  function renderForm() {
    if (!catalog) {
      return h('section', {class: 'card'},
        catalogError ? banner({text: () => describeError(catalogError)}) : h('p', {'aria-busy': 'true'}, t('common.loading')),
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
    // Texts on agent replies need a mobile number: the box is usable only while the phone field has one.
    const hasPhone = () => Boolean(values.phone.trim());
    const smsBox = h('input', {type: 'checkbox', id: 'sms-updates', 'data-testid': 'sms-updates',
      checked: values.sms_updates && hasPhone(), disabled: !hasPhone(), 'aria-describedby': 'sms-updates-hint'});
    smsBox.addEventListener('change', () => { values.sms_updates = smsBox.checked; });
    const phoneInput = h('input', {type: 'tel', dir: 'ltr', maxlength: 32, autocomplete: 'tel', inputmode: 'tel'});
    phoneInput.addEventListener('input', () => { // before bind's listener, which may re-render
      values.phone = phoneInput.value;
      smsBox.disabled = !hasPhone();
      if (smsBox.disabled) values.sms_updates = smsBox.checked = false;
    });

    return h('form', {class: 'card', novalidate: true, onsubmit: submit, 'aria-busy': String(busy),
      'data-testid': 'new-ticket-form'},
    h('h1', {}, t('new.title')),
    h('p', {class: 'muted'}, t('new.intro')),
    follows ? renderFollows() : null,
    openLimit ? renderOpenLimit() : held ? renderHeld() : banner(bannerState),
    field({id: 'subject', testid: 'subject', label: t('new.subject'), error: errors.subject,
      control: suggest(bind('subject', h('input', {type: 'text', dir: 'auto', maxlength: 200, autocomplete: 'off'})))}),
    suggestions.render(),
    field({id: 'department', testid: 'department', label: t('new.department'), error: errors.department,
      control: depSelect}),
    field({id: 'category', testid: 'category', label: t('new.category'), error: errors.category, control: catSelect}),
    field({id: 'priority', testid: 'priority', label: t('new.priority'), error: errors.priority,
      control: prioritySelect}),
    field({id: 'text', testid: 'text', label: t('new.text'), error: errors.text,
      control: suggest(bind('text', h('textarea', {dir: 'auto', maxlength: 20000, rows: 8})))}),
    field({id: 'name', testid: 'name', label: t('new.name'), error: errors.name,
      control: bind('name', h('input', {type: 'text', dir: 'auto', maxlength: 120, autocomplete: 'name'}))}),
    field({id: 'email', testid: 'email', label: t('new.email'), error: errors.email, hint: t('new.email_hint'),
      control: bind('email', h('input', {type: 'email', dir: 'ltr', maxlength: 254, autocomplete: 'email',
        inputmode: 'email', spellcheck: 'false'}))}),
    field({id: 'phone', testid: 'phone', label: t('new.phone'), error: errors.phone, hint: t('new.phone_hint'),
      control: bind('phone', phoneInput)}),
    h('div', {class: 'field'},
      h('label', {class: 'check'}, smsBox, t('new.sms_updates')),
      h('p', {class: 'hint', id: 'sms-updates-hint'}, t('new.sms_updates_hint'))),
    picker.render({disabled: busy}),
    h('div', {class: 'actions'},
      h('button', {type: 'submit', class: 'primary', disabled: busy || picker.busy, 'data-testid': 'submit'},
        busy ? (picker.busy ? t('attach.uploading') : t('common.sending')) : t('new.submit'))));
  }

  /** Filed without sign-in: the private link went only to the address; opening it confirms the request. */
  function renderUnconfirmed() {
    return h('section', {class: 'card', 'data-testid': 'ticket-created', 'data-confirmed': 'false'},
      h('h1', {tabindex: '-1', id: 'created-heading'}, t('done.title')),
      h('p', {}, t('done.number'), ' ',
        h('strong', {class: 'number', 'data-testid': 'ticket-number', 'data-number': created.number},
          formatNumber(created.number))),
      h('p', {class: 'banner banner-info', role: 'status', 'data-testid': 'confirm-notice'},
        t('done.confirm', {email: isolate(created.email)})),
      h('div', {class: 'actions'},
        h('button', {type: 'button', class: 'secondary', onclick: reset}, t('done.another'))));
  }

  function renderCreated() {
    if (!created.link) return renderUnconfirmed();
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
    page: 'new',
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

// ---------------------------------------------------------------- ticket (private link or session)

/** key: the private link's key; without it the ticket is read through the signed-in session. */
function ticketView(number, {key = null} = {}) {
  const ticketApi = key ? createApi({headers: () => ({'X-Ticket-Key': key})}) : sessionApi;
  let ticket = null;
  let loadError = null;
  let bannerState = null;
  let replyText = '';
  let replyError = null;
  let sending = false;
  let focusError = false;
  let focusFollowUp = false;
  let windowClosed = false; // a reply was refused: the reply window ended while the page was open
  let smsBusy = false;
  let smsStatus = null; // {ok: bool, text} after the customer turned texts on or off
  const ratings = new Map(); // message id -> RatingControls, kept across reloads of the ticket
  const picker = new AttachmentPicker({id: 'reply-attachments', testid: 'reply-attachments', onChange: rerender});

  async function load() {
    try {
      ticket = await ticketApi.get(`/tickets/${encodeURIComponent(number)}`);
      loadError = null;
    } catch (error) {
      if (!key && error.status === 401) {
        sessionLost();
        return;
      }
      loadError = error;
    }
    rerender();
  }

  const replyWindowOpen = () => !windowClosed && ticket.reply_window_open !== false;

  /** Rating buttons under each public reply of an agent that carries a rating signature. */
  function ratingOf(message) {
    if (message.author.kind !== 'agent' || message.visibility !== 'public' || !message.rating_signature) return null;
    if (!ratings.has(message.id)) {
      ratings.set(message.id, new RatingControls({api, ticket: ticket.number, message: message.id,
        signature: message.rating_signature, rating: message.rating, onChange: rerender}));
    }
    return ratings.get(message.id).render({readOnly: !replyWindowOpen()});
  }

  function followUp() {
    startFollowUp({number: ticket.number, key, subject: ticket.subject, department: ticket.department,
      category: ticket.category, name: ticket.customer && ticket.customer.name, text: replyText});
  }

  async function send(event) {
    event.preventDefault();
    if (sending) return;
    replyError = replyText.trim() ? null : 'required';
    picker.limits = catalog && catalog.limits;
    if (replyError || !picker.check()) {
      bannerState = {text: () => t('error.fix_fields')};
      focusError = true;
      rerender();
      return;
    }
    sending = true;
    bannerState = null;
    rerender();
    try {
      const attachments = await picker.upload(ticketApi);
      await picker.sendWhenChecked(() => ticketApi.post(`/tickets/${encodeURIComponent(number)}/messages`,
        {text: replyText, attachments}));
      replyText = '';
      picker.clear();
      bannerState = {kind: 'ok', text: () => t('ticket.reply_sent')};
      await load();
    } catch (error) {
      if (error.fields.ticket === 'reply_window_closed') { // the text typed goes on to the new ticket
        windowClosed = true;
        bannerState = {text: () => t('field.reply_window_closed')};
        focusFollowUp = true;
        return;
      }
      if (!key && error.status === 401) {
        sessionLost();
        return;
      }
      const {byField, leftover} = sortFieldErrors(error.fields, ['text', 'attachments']);
      replyError = byField.text ? byField.text[0].code : null;
      if (byField.attachments) picker.applyServerErrors(byField.attachments);
      bannerState = {text: () => describeError(error), items: leftover};
      focusError = error.status === 400;
    } finally {
      sending = false;
      rerender();
    }
  }

  async function setSmsUpdates(enabled) {
    if (smsBusy) return;
    smsBusy = true;
    smsStatus = null;
    rerender();
    try {
      const result = await ticketApi.put(`/tickets/${encodeURIComponent(number)}/sms-updates`, {enabled});
      ticket = {...ticket, sms_updates: result.sms_updates};
      smsStatus = {ok: true, text: () => t(result.sms_updates ? 'ticket.sms_on' : 'ticket.sms_off')};
    } catch (error) {
      if (!key && error.status === 401) {
        sessionLost();
        return;
      }
      const code = error.fields['customer.phone'];
      smsStatus = {ok: false, text: () => (code ? fieldError(code) : describeError(error))};
    } finally {
      smsBusy = false;
      rerender();
    }
  }

  /** Texts on agent replies: on or off at any time (off always works; on needs the ticket's mobile number). */
  function renderSmsUpdates() {
    const ending = ticket.sms_phone_ending;
    const box = h('input', {type: 'checkbox', id: 'sms-updates-toggle', 'data-testid': 'sms-updates-toggle',
      checked: Boolean(ticket.sms_updates), disabled: !ending && !ticket.sms_updates,
      'aria-describedby': ending ? null : 'sms-updates-no-phone'});
    // Not disabled while saving (that would drop the keyboard focus): a change meanwhile is ignored, and the
    // box shows the saved choice once the answer is in.
    box.addEventListener('change', () => setSmsUpdates(box.checked));
    return h('section', {class: 'card', 'aria-labelledby': 'sms-heading', 'aria-busy': String(smsBusy),
      'data-testid': 'sms-updates-card'},
      h('h2', {id: 'sms-heading'}, t('ticket.sms_title')),
      h('label', {class: 'check'}, box,
        ending ? t('ticket.sms_updates', {phone: isolate(`…${ending}`)}) : t('new.sms_updates')),
      ending ? null : h('p', {class: 'hint', id: 'sms-updates-no-phone'}, t('ticket.sms_no_phone')),
      h('p', {class: smsStatus && !smsStatus.ok ? 'field-error' : 'hint', role: 'status',
        'data-testid': 'sms-updates-status'}, smsStatus ? shown(smsStatus.text) : ''));
  }

  function renderReplyClosed() {
    return h('section', {class: 'card', 'data-testid': 'reply-closed'},
      h('h2', {}, t('ticket.reply_title')),
      banner(bannerState),
      h('p', {}, t('followup.closed')),
      h('div', {class: 'actions'},
        h('button', {type: 'button', class: 'primary', id: 'follow-up', 'data-testid': 'follow-up', onclick: followUp},
          t('followup.open'))));
  }

  function renderFollows() {
    const label = formatNumber(ticket.follows);
    return [h('dt', {}, t('ticket.follows')),
      h('dd', {'data-testid': 'ticket-follows'}, key ? label : h('a', {href: `#/tickets/${ticket.follows}`}, label))];
  }

  function render() {
    const back = key ? null
      : h('p', {}, h('a', {href: '#/tickets', 'data-testid': 'back-to-history'}, t('history.back')));
    if (loadError) {
      const missing = key ? t('ticket.not_found') : t('history.not_found');
      const text = [403, 404].includes(loadError.status) ? missing : describeError(loadError);
      return h('section', {class: 'card'}, banner({text}), back,
        h('a', {href: '#/', class: 'button secondary'}, t('ticket.new_ticket')));
    }
    if (!ticket) return h('p', {'aria-busy': 'true'}, t('common.loading'));
    picker.limits = catalog && catalog.limits;
    const department = catalog && catalog.departments.find((d) => d.id === ticket.department);
    // A ticket moved before transfers chose a category may still carry one of another department: its name is
    // found there; a code the catalog no longer knows is left out rather than shown raw.
    const category = catalog && [department, ...catalog.departments].flatMap((d) => (d ? d.categories : []))
      .find((c) => c.id === ticket.category);
    return h('div', {},
      back,
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
            category ? [' / ', localName(category.names)] : null),
          h('dt', {}, t('ticket.opened')),
          h('dd', {}, h('time', {datetime: ticket.created_at}, formatDateTime(ticket.created_at))),
          ticket.follows ? renderFollows() : null)),
      renderSmsUpdates(),
      h('section', {class: 'card', 'aria-labelledby': 'messages-heading'},
        h('h2', {id: 'messages-heading'}, t('ticket.messages')),
        timeline(ticket.messages, {
          fetchAttachmentUrl: (id) => ticketApi.get(
            `/tickets/${encodeURIComponent(number)}/attachments/${encodeURIComponent(id)}`),
          onError: (error) => { bannerState = {text: () => describeError(error)}; rerender(); },
          footer: ratingOf,
        })),
      replyWindowOpen() ? renderReplyForm() : renderReplyClosed());
  }

  function renderReplyForm() {
    const textarea = h('textarea', {dir: 'auto', maxlength: 20000, rows: 6, value: replyText});
    textarea.addEventListener('input', () => { replyText = textarea.value; });
    return h('form', {class: 'card', novalidate: true, onsubmit: send, 'aria-busy': String(sending),
      'data-testid': 'reply-form'},
    h('h2', {}, t('ticket.reply_title')),
    banner(bannerState),
    field({id: 'reply-text', testid: 'reply-text', label: t('ticket.reply_label'), error: replyError,
      control: textarea}),
    picker.render({disabled: sending}),
    h('div', {class: 'actions'},
      h('button', {type: 'submit', class: 'primary', disabled: sending, 'data-testid': 'reply-submit'},
        sending ? (picker.busy ? t('attach.uploading') : t('common.sending')) : t('ticket.reply_send'))));
  }

  return {
    page: key ? 'ticket' : 'tickets',
    render,
    start: load,
    afterRender() {
      if (focusFollowUp) {
        focusFollowUp = false;
        document.getElementById('follow-up').focus();
      } else if (focusError) {
        focusError = false;
        focusFirstInvalid(root);
      }
    },
  };
}

// ---------------------------------------------------------------- routing

let newTicket = null; // kept across navigation so a half-written ticket survives a visit to a link
let signIn = null; // kept likewise, so a code asked for is still expected after a look elsewhere
let signInNotice = null; // shown by the next sign-in form, e.g. "your sign-in has ended"

const PRIVATE_LINK = /^#\/t\/(\d+)\/([^/?#]+)$/;
const SESSION_TICKET = /^#\/tickets\/(\d+)$/;
const HISTORY = /^#\/tickets\/?$/;
const RATE_LINK = /^#\/rate\/(\d+)\/([^/?#]+)\/([^/?#]+)\/(good|bad)$/;
const HELP_CENTER = /^#\/kb\/?$/;
const KB_ARTICLE = /^#\/kb\/(fa|he|en)\/([^/?#]+)$/;

/** Go to `hash`, re-routing even when it is the current one. */
function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

/** The view behind a sign-in: the sign-in form first when nobody is signed in. */
function signedIn(makeView) {
  if (currentSession()) return makeView();
  if (!signIn) {
    signIn = signInView({api, rerender, notice: signInNotice, onSignedIn: () => { signIn = null; route(); }});
    signInNotice = null;
  }
  return signIn;
}

/** The API refused the session's token (expired or revoked): sign in again, then come back here. */
function sessionLost() {
  endSession();
  signIn = null;
  signInNotice = () => t('code.session_ended');
  route();
}

function signOut() {
  endSession();
  signIn = null;
  newTicket = null; // it may hold the signed-in identity
  navigate('#/');
}

function startFollowUp(followUp) {
  newTicket = newTicketView(followUp);
  navigate('#/');
}

function route() {
  const hash = location.hash;
  let match;
  if ((match = hash.match(PRIVATE_LINK))) {
    view = ticketView(match[1], {key: decodeURIComponent(match[2])});
  } else if ((match = hash.match(SESSION_TICKET))) {
    const number = match[1];
    view = signedIn(() => ticketView(number));
  } else if (HISTORY.test(hash)) {
    view = signedIn(() => historyView({api: sessionApi, rerender, onSessionLost: sessionLost}));
  } else if ((match = hash.match(RATE_LINK))) {
    const [, number, message, signature, rating] = match;
    view = rateLinkView({api, rerender, number, message: decodeURIComponent(message),
      signature: decodeURIComponent(signature), rating, signedIn: Boolean(currentSession())});
  } else if (HELP_CENTER.test(hash)) {
    view = helpCenterView({api, rerender});
  } else if ((match = hash.match(KB_ARTICLE))) {
    view = articleView({api, rerender, articleLang: match[1], slug: decodeURIComponent(match[2])});
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
