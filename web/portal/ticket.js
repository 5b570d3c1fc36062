// One ticket for an agent: its header with the workflow actions (status, priority, take, assign, transfer),
// the whole timeline, the composer (reply or internal note), and beside it the customer's other tickets
// and the hand-over trail. Every change sends the `version` this page shows; when someone else changed the
// ticket first (409, fields.version = "stale") nothing is overwritten: a banner says what changed and offers
// a reload, and what the agent typed stays. While the page is open it tells the API every 10 s that the
// agent is viewing (or replying), and shows who else is; leaving the page says so (these reports also measure the
// agent's time for the reports). Beside the timeline the agent may log time worked away from the page.
import {h} from '../shared/dom.js';
import {fieldError, isolate, t} from '../shared/i18n.js';
import {banner, describeError, field, focusFirstInvalid, sortFieldErrors} from '../shared/forms.js';
import {formatDateTime, formatNumber, formatSpent} from '../shared/format.js';
import {AttachmentPicker} from '../shared/attachments.js';
import {activity, handover, reason} from '../shared/timeline.js';
import {
  agentName, api, categoryName, currentAgent, departmentName, ensureBasics, groupName, leaveNotice, limits, memberOf,
  membersOf, priorities, supervises,
} from './context.js';
import {assignee, badge, priority, unconfirmedBadge, unverifiedBadge} from './parts.js';
import {TransferDialog} from './transfer.js';
import {CannedTypeahead} from './canned.js';
import {slaCell, tierBadge} from './sla.js';
import {KbTicketPanel} from './kb.js';

const PRESENCE_EVERY_MS = 10_000;

export function ticketView({rerender, root}, number) {
  const path = `/agent/tickets/${encodeURIComponent(number)}`;
  let ticket = null;
  let loadError = null;
  let stale = null; // the fresh ticket summary from a stale-version 409
  let focusStale = false;
  let actionBanner = null;
  let choice = {}; // status, priority, agent picked in the header's selects
  let busy = null; // the action or composer button at work
  let composerBanner = null;
  let text = '';
  let textError = null;
  let focusError = false;
  let presenceTimer = null;
  let presenceEl = null; // updated in place: a re-render every 10 s would close an open select
  let others = [];
  let sentState = null;
  let timeMinutes = '';
  let timeNote = '';
  let timeErrors = {};
  let timeBanner = null;
  const picker = new AttachmentPicker({id: 'reply-attachments', testid: 'reply-attachments', onChange: rerender});
  const canned = new CannedTypeahead({api, number, rerender, getText: () => text, setText: (value) => { text = value; },
    language: () => (ticket ? ticket.language : 'en')});
  const kbPanel = new KbTicketPanel({getTicket: () => ticket, getText: () => text, rerender,
    setText: (value) => { text = value; }});
  const transfer = new TransferDialog({
    submit: (body) => change('transfer', body),
    // Back to where the agent goes on: the stale banner's reload, else the button that opened the dialog.
    onClose: () => document.getElementById(stale ? 'stale-reload' : 'transfer-open')?.focus(),
  });

  const names = {
    agent: agentName,
    place: ({department, group, agent}) => [departmentName(department), group ? ` / ${groupName(department, group)}` : '',
      agent ? ` (${isolate(agentName(agent))})` : ''].join(''),
  };

  async function load() {
    try {
      await ensureBasics();
      ticket = await api.get(path);
      loadError = null;
      stale = null;
      choice = {status: ticket.status, priority: ticket.priority, agent: ticket.assignee ? ticket.assignee.id : ''};
    } catch (error) {
      loadError = error;
    }
    rerender();
  }

  function isStale(error) {
    return error.status === 409 && error.fields.version === 'stale';
  }

  /** POST one change with the version shown, then reload. Resolves when it went through or was refused as stale
   * (the banner then says what changed); any other refusal is thrown to the caller. */
  async function change(action, body) {
    busy = action;
    actionBanner = null;
    rerender();
    try {
      const done = await api.post(`${path}/${action}`, {...body, version: ticket.version});
      if (action === 'transfer' && !(await stillReachable())) {
        // Moved out of this agent's reach (another department): that is a success, not "no access here".
        leaveNotice({kind: 'ok', text: () => t('action.done_transfer_away', {number: formatNumber(done.number),
          place: isolate(`${departmentName(done.department)} / ${groupName(done.department, done.group)}`)})});
        location.hash = '#/';
        return;
      }
      await load();
      actionBanner = {kind: 'ok', text: () => t(`action.done_${action}`)};
    } catch (error) {
      if (!isStale(error)) throw error;
      stale = error.body.ticket;
      focusStale = true;
    } finally {
      busy = null;
      rerender();
    }
  }

  /** Whether this agent may still open the ticket (after a transfer it may be out of their departments). */
  async function stillReachable() {
    try {
      await api.get(path);
      return true;
    } catch (error) {
      if ([403, 404].includes(error.status)) return false;
      return true; // anything else: the reload says what went wrong
    }
  }

  async function headerAction(action, body) {
    try {
      await change(action, body);
    } catch (error) {
      actionBanner = {text: () => actionError(action, error)};
      rerender();
    }
  }

  function actionError(action, error) {
    if (action === 'status' && error.fields.status === 'not_allowed') return t('action.status_not_allowed');
    const codes = Object.values(error.fields);
    return codes.length ? `${describeError(error)} ${codes.map(fieldError).join(' ')}` : describeError(error);
  }

  // ------------------------------------------------------------ composer

  async function send(kind) {
    if (busy) return;
    textError = text.trim() ? null : 'required';
    picker.limits = limits();
    let filesOk = picker.check();
    if (kind === 'note' && picker.entries.length) {
      picker.error = {text: () => t('composer.note_no_attachments')};
      filesOk = false;
    }
    if (textError || !filesOk) {
      composerBanner = {text: () => t('error.fix_fields')};
      focusError = true;
      rerender();
      return;
    }
    busy = kind;
    composerBanner = null;
    let notApplied = [];
    rerender();
    try {
      if (kind === 'reply' && canned.selected) { // the answer's actions go with it, and its use is counted
        const attachments = await picker.upload(api);
        const done = await api.post(`${path}/canned-replies`, {answer: canned.selected.id, text, attachments,
          version: ticket.version});
        notApplied = done.not_applied;
        canned.reset();
        if (!(await stillReachable())) { // its transfer took the ticket out of this agent's reach
          text = '';
          picker.clear();
          leaveNotice({kind: 'ok', text: () => t('composer.reply_sent')});
          location.hash = '#/';
          return;
        }
      } else if (kind === 'reply') {
        const attachments = await picker.upload(api);
        await picker.sendWhenChecked(() => api.post(`${path}/replies`, {text, attachments, version: ticket.version}));
      } else {
        await api.post(`${path}/notes`, {text, version: ticket.version});
      }
      text = '';
      picker.clear();
      composerBanner = {kind: 'ok', text: () => t(kind === 'reply' ? 'composer.reply_sent' : 'composer.note_added')};
      if (notApplied.length) { // someone changed the ticket meanwhile: these actions of the answer did not happen
        const skipped = notApplied.map((a) => t(`canned.not_applied_${a}`)).join(' · ');
        composerBanner = {kind: 'info', text: () => t('canned.not_applied', {actions: skipped})};
      }
      await load();
    } catch (error) {
      if (isStale(error)) {
        stale = error.body.ticket;
        focusStale = true;
      } else {
        const {byField, leftover} = sortFieldErrors(error.fields, ['text', 'attachments']);
        textError = byField.text ? byField.text[0].code : null;
        if (byField.attachments) picker.applyServerErrors(byField.attachments);
        composerBanner = {text: () => describeError(error), items: leftover};
        focusError = error.status === 400;
      }
    } finally {
      busy = null;
      rerender();
    }
  }

  // ------------------------------------------------------------ presence

  async function beat() {
    sentState = text.trim() ? 'replying' : 'viewing';
    let answer;
    try {
      answer = await api.post(`${path}/presence`, {state: sentState});
    } catch {
      return; // a courtesy, not a task: the next beat tries again
    }
    const changed = JSON.stringify(answer.others) !== JSON.stringify(others);
    others = answer.others;
    if (changed && presenceEl) presenceEl.replaceChildren(...presenceLines());
  }

  function leave() { // the agent's time interval on this ticket ends now, not at the next idle cut-off
    window.removeEventListener('pagehide', leave);
    if (sentState) api.postOnLeave(`${path}/presence`, {state: 'left'}).catch(() => {});
    sentState = null;
  }

  // ------------------------------------------------------------ time entries

  async function logTime() {
    busy = 'time';
    timeErrors = {};
    timeBanner = null;
    rerender();
    try {
      const minutes = Number(timeMinutes);
      await api.post(`${path}/time`, {minutes: Number.isInteger(minutes) ? minutes : 0,
        ...(timeNote.trim() ? {note: timeNote} : {})});
      timeMinutes = '';
      timeNote = '';
      timeBanner = {kind: 'ok', text: () => t('time.logged')};
      await load();
    } catch (error) {
      const {byField, leftover} = sortFieldErrors(error.fields, ['minutes', 'note']);
      timeErrors = {minutes: byField.minutes ? byField.minutes[0].code : null,
        note: byField.note ? byField.note[0].code : null};
      if (leftover.length || !(timeErrors.minutes || timeErrors.note)) {
        timeBanner = {text: () => describeError(error), items: leftover};
      }
    } finally {
      busy = null;
      rerender();
    }
  }

  function timeEntry() {
    const minutes = h('input', {type: 'number', min: 1, max: 1440, step: 1, inputmode: 'numeric', value: timeMinutes,
      oninput: (event) => { timeMinutes = event.target.value; }});
    const note = h('input', {type: 'text', dir: 'auto', maxlength: 500, value: timeNote,
      oninput: (event) => { timeNote = event.target.value; }});
    const logged = ticket.timeline.filter((e) => e.type === 'ticket.time_logged' || e.type === 'ticket.time_spent')
      .reduce((sum, e) => sum + (e.type === 'ticket.time_logged' ? 60 * e.data.minutes : e.data.seconds), 0);
    return h('form', {class: 'card', novalidate: true, 'data-testid': 'time-entry', 'aria-labelledby': 'time-heading',
      onsubmit: (event) => { event.preventDefault(); logTime(); }},
    h('h2', {id: 'time-heading'}, t('time.title')),
    h('p', {class: 'muted', 'data-testid': 'time-total'}, t('time.total', {duration: formatSpent(logged)})),
    banner(timeBanner),
    field({id: 'time-minutes', testid: 'time-minutes', label: t('time.minutes'), error: timeErrors.minutes,
      control: minutes}),
    field({id: 'time-note', testid: 'time-note-input', label: t('time.note'), error: timeErrors.note, control: note}),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'secondary', disabled: !!busy,
      'data-testid': 'time-submit'}, busy === 'time' ? t('common.sending') : t('time.log'))));
  }

  function presenceLines() {
    return others.map((o) => h('p', {class: 'presence-line', 'data-testid': 'presence-other', 'data-state': o.state},
      t(o.state === 'replying' ? 'presence.replying' : 'presence.viewing', {name: isolate(agentName(o.agent))})));
  }

  // ------------------------------------------------------------ rendering

  function staleBanner() {
    const shown = ticket;
    const rows = [
      ['ticket.status', shown.status !== stale.status, () => badge('status', stale.status, 'stale-status')],
      ['new.priority', shown.priority !== stale.priority, () => priority(stale, 'stale-priority')],
      ['ticket.assignee', (shown.assignee && shown.assignee.id) !== (stale.assignee && stale.assignee.id),
        () => assignee(stale)],
      ['ticket.group', shown.department !== stale.department || shown.group !== stale.group,
        () => `${departmentName(stale.department)} / ${groupName(stale.department, stale.group)}`],
    ].filter(([, differs]) => differs);
    return h('div', {class: 'banner banner-warning', role: 'alert', 'data-testid': 'stale-banner'},
      h('p', {}, t('stale.title')),
      rows.length ? h('ul', {'data-testid': 'stale-changes'}, rows.map(([label, , now]) => h('li', {},
        `${t(label)}: `, now()))) : h('p', {}, t('stale.other_changes')),
      text.trim() ? h('p', {class: 'muted'}, t('stale.text_kept')) : null,
      h('button', {type: 'button', class: 'primary', id: 'stale-reload', 'data-testid': 'stale-reload', onclick: load},
        t('stale.reload')));
  }

  function selectControl(name, options) {
    const el = h('select', {disabled: !!busy || !!stale}, options);
    el.value = choice[name];
    el.addEventListener('change', () => { choice[name] = el.value; rerender(); });
    return el;
  }

  function actionForm(action, {id, label, control, current, body}) {
    return h('form', {class: 'action', novalidate: true, onsubmit: (event) => {
      event.preventDefault();
      headerAction(action, body());
    }},
    field({id, testid: id, label, control}),
    h('button', {type: 'submit', class: 'secondary', 'data-testid': `${action}-submit`,
      disabled: !!busy || !!stale || current},
    busy === action ? t('common.sending') : t(`action.${action}`)));
  }

  function actions() {
    const me = currentAgent();
    const mine = ticket.assignee && ticket.assignee.id === me.id;
    const inGroup = memberOf(ticket.department, ticket.group);
    const supervisor = supervises(ticket.department);
    const frozen = !!busy || !!stale;
    const statuses = [ticket.status, ...ticket.allowed_statuses.filter((s) => s !== ticket.status)];
    return h('section', {class: 'card ticket-actions', 'aria-labelledby': 'actions-heading'},
      h('h2', {id: 'actions-heading'}, t('action.title')),
      stale ? staleBanner() : null,
      actionBanner ? h('div', {'data-testid': 'action-banner'}, banner(actionBanner)) : null,
      h('div', {class: 'action-row'},
        actionForm('status', {id: 'status-select', label: t('ticket.status'), current: choice.status === ticket.status,
          control: selectControl('status', statuses.map((s) => h('option', {value: s}, t(`status.${s}`)))),
          body: () => ({status: choice.status})}),
        actionForm('priority', {id: 'priority-select', label: t('new.priority'),
          current: choice.priority === ticket.priority,
          control: selectControl('priority', priorities().map((p) => h('option', {value: p}, t(`priority.${p}`)))),
          body: () => ({priority: choice.priority})}),
        supervisor ? actionForm('assign', {id: 'assign-select', label: t('action.assign_to'),
          current: !choice.agent || choice.agent === (ticket.assignee && ticket.assignee.id),
          control: selectControl('agent', [h('option', {value: ''}, t('new.choose')),
            membersOf(ticket.department, ticket.group).map((m) => h('option', {value: m}, agentName(m)))]),
          body: () => ({agent: choice.agent})}) : null),
      h('div', {class: 'actions'},
        !mine && (inGroup || supervisor) ? h('button', {type: 'button', class: 'secondary', disabled: frozen,
          'data-testid': 'take', onclick: () => headerAction('take', {})},
        busy === 'take' ? t('common.sending') : t('action.take')) : null,
        mine || inGroup || supervisor ? h('button', {type: 'button', class: 'secondary', id: 'transfer-open',
          'aria-haspopup': 'dialog', disabled: frozen, 'data-testid': 'transfer-open', onclick: () => transfer.open(ticket)},
        t('action.transfer')) : null));
  }

  function header() {
    const c = ticket.customer;
    return h('section', {class: 'card', 'data-testid': 'ticket', 'data-version': ticket.version,
      'data-confirmed': String(ticket.confirmed !== false)},
      h('p', {class: 'muted'}, t('ticket.number'), ' ',
        h('span', {class: 'number', 'data-testid': 'ticket-number', 'data-number': ticket.number},
          formatNumber(ticket.number)),
        ticket.follows ? [' · ', h('a', {href: `#/tickets/${ticket.follows}`, 'data-testid': 'ticket-follows'},
          `${t('ticket.follows')} ${formatNumber(ticket.follows)}`)] : null),
      h('h1', {dir: 'auto', 'data-testid': 'ticket-subject'}, ticket.subject),
      h('dl', {class: 'meta'},
        h('dt', {}, t('ticket.status')), h('dd', {}, badge('status', ticket.status), ' ', unconfirmedBadge(ticket)),
        h('dt', {}, t('new.priority')), h('dd', {}, priority(ticket)),
        h('dt', {}, t('new.department')),
        h('dd', {}, departmentName(ticket.department), ' / ', categoryName(ticket.department, ticket.category)),
        h('dt', {}, t('ticket.group')), h('dd', {'data-testid': 'ticket-group', 'data-group': ticket.group},
          groupName(ticket.department, ticket.group)),
        h('dt', {}, t('ticket.sla')), h('dd', {'data-testid': 'ticket-sla'}, slaCell(ticket.sla) || t('sla.none'),
          tierBadge(ticket.sla_tier)),
        h('dt', {}, t('ticket.assignee')), h('dd', {'data-testid': 'ticket-assignee',
          'data-assignee': ticket.assignee ? ticket.assignee.id : ''}, assignee(ticket)),
        h('dt', {}, t('ticket.customer')),
        h('dd', {'data-testid': 'ticket-customer'}, h('span', {dir: 'auto'}, c.name), ' ',
          h('span', {dir: 'ltr'}, `<${c.email}>`), c.phone ? [' ', h('span', {dir: 'ltr'}, c.phone)] : null,
          ticket.sender_verified === false ? [' ', unverifiedBadge(ticket),
            h('p', {class: 'hint', 'data-testid': 'sender-unverified-hint'}, t('ticket.sender_unverified_hint'))] : null),
        h('dt', {}, t('ticket.opened')),
        h('dd', {}, h('time', {datetime: ticket.created_at}, formatDateTime(ticket.created_at)))),
      presenceEl = h('div', {class: 'presence', 'aria-live': 'polite', 'data-testid': 'presence'}, presenceLines()));
  }

  function composer() {
    picker.limits = limits();
    const textarea = h('textarea', {dir: 'auto', maxlength: 20000, rows: 8, value: text});
    textarea.addEventListener('input', () => {
      text = textarea.value;
      if ((text.trim() ? 'replying' : 'viewing') !== sentState) beat(); // others see it now, not in 10 s
    });
    canned.attach(textarea);
    const frozen = !!busy || !!stale;
    return h('form', {class: 'card composer', novalidate: true, 'aria-busy': String(!!busy), 'data-testid': 'composer',
      onsubmit: (event) => { event.preventDefault(); send('reply'); }},
    h('h2', {}, t('composer.title')),
    banner(composerBanner),
    field({id: 'composer-text', testid: 'composer-text', label: t('composer.text'), error: textError,
      hint: t('composer.hint'), control: textarea}),
    canned.render({disabled: frozen}),
    picker.render({label: t('composer.attachments'), disabled: !!busy}),
    h('div', {class: 'actions'},
      h('button', {type: 'submit', class: 'primary', disabled: frozen, 'data-testid': 'reply-submit'},
        busy === 'reply' ? t('common.sending') : t('composer.reply')),
      h('button', {type: 'button', class: 'secondary', disabled: frozen, 'data-testid': 'note-submit',
        onclick: () => send('note')},
      busy === 'note' ? t('common.sending') : t('composer.note'))));
  }

  function customerTickets() {
    return h('section', {class: 'card', 'aria-labelledby': 'customer-tickets-heading'},
      h('h2', {id: 'customer-tickets-heading'}, t('side.customer_tickets')),
      ticket.customer_tickets.length === 0 ? h('p', {class: 'muted'}, t('side.no_other_tickets'))
        : h('ul', {class: 'side-list', 'data-testid': 'customer-tickets'}, ticket.customer_tickets.map((o) => h('li', {},
          h('a', {href: `#/tickets/${o.number}`, 'data-testid': 'customer-ticket', 'data-number': o.number},
            h('span', {class: 'number'}, formatNumber(o.number)), ' ', h('span', {dir: 'auto'}, o.subject)),
          h('p', {class: 'side-meta'}, badge('status', o.status, 'customer-ticket-status'), ' ',
            h('time', {datetime: o.created_at}, formatDateTime(o.created_at)))))));
  }

  function trail() {
    const handovers = ticket.timeline.filter((e) => e.type === 'ticket.assigned').reverse();
    return h('section', {class: 'card', 'aria-labelledby': 'trail-heading'},
      h('h2', {id: 'trail-heading'}, t('side.trail')),
      handovers.length === 0 ? h('p', {class: 'muted'}, t('side.no_handovers'))
        : h('ol', {class: 'side-list', 'data-testid': 'trail'}, handovers.map((e) => h('li', {
          'data-testid': 'handover', 'data-kind': e.data.kind},
        h('p', {class: 'event-text'}, ...handover(e.data, names)),
        h('p', {class: 'side-meta'},
          e.actor.kind === 'system' ? t('event.by_system')
            : h('span', {'data-testid': 'handover-by'}, t('event.by', {name: isolate(e.actor.name)})),
          ' · ', h('time', {datetime: e.at}, formatDateTime(e.at))),
        reason(e.data)))));
  }

  function render() {
    const back = h('p', {}, h('a', {href: '#/', 'data-testid': 'back-to-queue'}, t('ticket.back')));
    if (loadError) return h('section', {class: 'card'}, back, banner({text: () => describeError(loadError)}));
    if (!ticket) return h('p', {'aria-busy': 'true'}, t('common.loading'));
    transfer.render();
    return h('div', {},
      back,
      h('div', {class: 'ticket-layout'},
        h('div', {class: 'ticket-main'},
          header(),
          actions(),
          h('section', {class: 'card', 'aria-labelledby': 'timeline-heading'},
            h('h2', {id: 'timeline-heading'}, t('ticket.timeline')),
            activity(ticket.timeline, {
              names,
              fetchAttachmentUrl: (id) => api.get(`${path}/attachments/${encodeURIComponent(id)}`),
              onError: (error) => { composerBanner = {text: () => describeError(error)}; rerender(); },
            })),
          composer()),
        h('aside', {class: 'ticket-side', 'aria-label': t('side.label')}, customerTickets(), timeEntry(), kbPanel.render(),
          trail())));
  }

  return {
    render,
    async start() {
      await load();
      if (ticket) {
        beat();
        presenceTimer = setInterval(beat, PRESENCE_EVERY_MS);
        window.addEventListener('pagehide', leave);
      }
    },
    stop() {
      clearInterval(presenceTimer);
      leave();
      transfer.close();
    },
    afterRender() {
      if (focusStale && stale) {
        focusStale = false;
        document.getElementById('stale-reload').focus();
      } else if (focusError) {
        focusError = false;
        focusFirstInvalid(root);
      }
    },
  };
}
