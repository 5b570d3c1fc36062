// Small pieces the portal's pages share: status and priority badges, the assignee, the page tabs.
import {h} from '../shared/dom.js';
import {t} from '../shared/i18n.js';
import {agentLabel} from './context.js';

export function badge(kind, value, testid = `ticket-${kind}`) {
  return h('span', {class: `badge ${kind}-${value}`, 'data-testid': testid, [`data-${kind}`]: value},
    t(`${kind}.${value}`));
}

/** The effective priority; when an agent changed it, the customer's choice beside it ("urgent (customer: normal)"). */
export function priority(ticket, testid) {
  const changed = ticket.agent_priority && ticket.agent_priority !== ticket.customer_priority;
  return h('span', {class: 'priority'}, badge('priority', ticket.priority, testid),
    changed ? h('span', {class: 'muted', 'data-testid': 'customer-priority'},
      ` ${t('priority.customer_chose', {priority: t(`priority.${ticket.customer_priority}`)})}`) : null);
}

/** A ticket filed without sign-in whose customer has not proven the address yet (null once confirmed). */
export function unconfirmedBadge(ticket, testid = 'unconfirmed') {
  if (ticket.confirmed !== false) return null;
  return h('span', {class: 'badge badge-unconfirmed', title: t('ticket.unconfirmed_hint'), 'data-testid': testid},
    t('ticket.unconfirmed'));
}

export function assignee(ticket) {
  return ticket.assignee ? agentLabel(ticket.assignee) : h('span', {class: 'muted'}, t('ticket.unassigned'));
}

/** The department queue and "Mine" as links; the current one is marked for screen readers (aria-current). */
export function pageTabs(current) {
  const tabs = [['queue', '#/', t('tabs.queue')], ['mine', '#/mine', t('tabs.mine')]];
  return h('nav', {class: 'tabs', 'aria-label': t('tabs.label')},
    tabs.map(([id, href, label]) => h('a', {href, class: 'tab', 'data-testid': `tab-${id}`,
      'aria-current': id === current ? 'page' : null}, label)));
}

/** A ticket opened by a mail whose sender SES did not prove (SPF/DKIM/DMARC failed, or spam): it may not come
 *  from the address shown, so agents see a warning before they trust it (issue 11). Null for proven senders. */
export function unverifiedBadge(ticket) {
  return ticket.sender_verified === false
    ? h('span', {class: 'badge sender-unverified', title: t('ticket.sender_unverified_hint'),
      'data-testid': 'sender-unverified'}, t('ticket.sender_unverified'))
    : null;
}
