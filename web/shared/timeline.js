// The messages of a ticket, for both sites. Customer and agent messages look different, and internal
// notes (agents only; the customer API never sends them) are labelled and styled apart. Agents also see
// the ticket's other events (status, priority, hand-overs, ratings, automatic steps) between the messages.
import {h} from './dom.js';
import {isolate, t} from './i18n.js';
import {formatDateTime, formatSpent} from './format.js';
import {attachmentLink} from './attachments.js';

export function timeline(messages, options) {
  return h('ol', {class: 'timeline', 'data-testid': 'message-list'}, messages.map((m) => messageItem(m, options)));
}

/** footer(m): what a site adds under a message (the customer site's rating buttons), or null. */
function messageItem(m, {fetchAttachmentUrl, onError, footer = () => null}) {
  const internal = m.visibility === 'internal';
  const kind = internal ? 'internal' : m.author.kind;
  return h('li', {
    class: `msg msg-${kind}`, 'data-testid': 'message', 'data-visibility': m.visibility,
    'data-author-kind': m.author.kind, 'data-message-id': m.id,
  },
  h('header', {class: 'msg-head'},
    internal ? h('span', {class: 'badge badge-internal', 'data-testid': 'internal-label'}, t('msg.internal')) : null,
    h('span', {class: 'msg-author', dir: 'auto'}, m.author.name),
    h('span', {class: 'msg-role'}, t(`msg.author.${m.author.kind}`)),
    h('time', {datetime: m.created_at, class: 'msg-date'}, formatDateTime(m.created_at))),
  h('p', {class: 'msg-text', dir: 'auto', 'data-testid': 'message-text'}, m.text),
  m.attachments && m.attachments.length ? h('ul', {class: 'attachment-list', 'aria-label': t('attach.list')},
    m.attachments.map((a) => attachmentLink(a, fetchAttachmentUrl, onError))) : null,
  footer(m));
}

/**
 * A ticket's whole timeline for agents ("timeline" of GET /agent/tickets/{n}, oldest first): its messages as
 * above, and a line for every other event saying what changed, who did it (or "automatically") and when.
 * `names.agent(username | {id, name})` and `names.place({department, group, agent})` give the UI language's names.
 */
export function activity(entries, {names, ...options}) {
  return h('ol', {class: 'timeline', 'data-testid': 'timeline'},
    entries.map((e) => (e.message ? messageItem(e.message, options) : eventItem(e, names))));
}

function eventItem(e, names) {
  const system = e.actor.kind === 'system';
  return h('li', {class: `event event-${e.type.replace('ticket.', '')}${system ? ' event-system' : ''}`,
    'data-testid': 'event', 'data-type': e.type},
  h('p', {class: 'event-text'}, ...describeEvent(e, names)),
  h('p', {class: 'event-meta'},
    system ? t('event.by_system') : t('event.by', {name: isolate(e.actor.name)}),
    ' · ', h('time', {datetime: e.at}, formatDateTime(e.at))),
  e.data.comment ? h('p', {class: 'event-quote', dir: 'auto', 'data-testid': 'event-comment'}, e.data.comment) : null,
  e.type === 'ticket.assigned' ? reason(e.data) : null);
}

function describeEvent(e, names) {
  const {data} = e;
  switch (e.type) {
    case 'ticket.created': return [t('event.created')];
    case 'ticket.status_changed':
      return [t('event.status_changed', {from: t(`status.${data.from}`), to: t(`status.${data.to}`)}),
        data.reason === 'no_reply' ? ` ${t('event.no_reply')}` : ''];
    case 'ticket.priority_changed':
      return [t('event.priority_changed', {from: t(`priority.${data.from}`), to: t(`priority.${data.to}`)})];
    case 'ticket.assigned': return handover(data, names);
    case 'ticket.rated':
      if (data.change === 'comment') { // the same rating, a new comment: not a second rating
        return [t('event.rating_commented', {agent: isolate(names.agent(data.agent))}),
          data.comment ? [' ', h('q', {dir: 'auto', 'data-testid': 'rating-comment'}, data.comment)] : ''];
      }
      return [t(data.rating === 'good' ? 'event.rated_good' : 'event.rated_bad', {agent: isolate(names.agent(data.agent))}),
        data.comment ? [' ', h('q', {dir: 'auto', 'data-testid': 'rating-comment'}, data.comment)] : ''];
    case 'ticket.reminder_sent': return [t('event.reminder_sent')];
    case 'ticket.archived': return [t('event.archived')];
    case 'ticket.sla_warning': return [t('event.sla_warning', {target: t(`sla.${data.target}`)})];
    case 'ticket.sla_breached': return [t('event.sla_breached', {target: t(`sla.${data.target}`)})];
    case 'ticket.sms_updates_changed': return [t(data.enabled ? 'event.sms_updates_on' : 'event.sms_updates_off')];
    case 'ticket.mail_undeliverable':
      return [h('strong', {}, t('event.mail_undeliverable', {mail: t(`event.mail_kind.${data.mail || 'other'}`)})),
        ' ', h('span', {dir: 'ltr', 'data-testid': 'undeliverable-to'}, data.to || '')];
    case 'ticket.time_logged':
      return [t('event.time_logged', {duration: formatSpent(60 * data.minutes)}),
        data.note ? [' ', h('q', {dir: 'auto', 'data-testid': 'time-note'}, data.note)] : ''];
    case 'ticket.time_spent': return [t('event.time_spent', {duration: formatSpent(data.seconds)})];
    default: return [e.type];
  }
}

/** "Transferred: Billing / Desk (Uri) → Support / First line (Mina)" from an ASSIGNED event's data. */
export function handover(data, names) {
  return [h('strong', {}, t(`handover.${data.kind}`)), ' ',
    h('span', {'data-testid': 'handover-from'}, place(data.from, names)),
    ` ${t('handover.arrow')} `,
    h('span', {'data-testid': 'handover-to'}, place(data.to, names))];
}

function place(where, names) {
  return where && where.department ? isolate(names.place(where)) : t('handover.nowhere');
}

/** Why it moved: the agent's own words, or for automatic routing what decided it. */
export function reason(data) {
  if (!data.reason) return null;
  const why = data.kind === 'auto'
    ? h('span', {'data-testid': 'handover-reason'}, t(data.reason === 'rule' ? 'handover.by_rule' : 'handover.by_default'))
    : h('q', {dir: 'auto', 'data-testid': 'handover-reason'}, data.reason);
  return h('p', {class: 'event-quote'}, h('span', {class: 'muted'}, t('handover.reason')), ' ', why);
}
