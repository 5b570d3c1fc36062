// Time left on a ticket's SLA in the queues: the earliest running target's due time, counted down live
// (negative = overdue). The due time is the one the server's sweep acts on; paused clocks show no countdown.
// Beside it on the ticket page, the customer tier the targets were promised under.
import {h} from '../shared/dom.js';
import {isolate, t} from '../shared/i18n.js';
import {formatDateTime, formatDuration} from '../shared/format.js';

const TICK_MS = 30 * 1000;
let ticking = null;

/** The target to show: the running one due first; null when every clock is paused or met. */
export function nextDue(sla) {
  if (!sla) return null;
  const running = Object.entries(sla).filter(([, s]) => s.due_at)
    .sort(([, a], [, b]) => Date.parse(a.due_at) - Date.parse(b.due_at));
  return running.length ? {target: running[0][0], dueAt: running[0][1].due_at} : null;
}

function label(target, dueAt, now) {
  const seconds = Math.round((Date.parse(dueAt) - now) / 1000);
  const time = isolate(formatDuration(Math.abs(seconds)));
  return `${t(`sla.${target}`)}: ${t(seconds < 0 ? 'sla.overdue' : 'sla.left', {time})}`;
}

function refresh(element, now = Date.now()) {
  const {slaTarget, slaDue} = element.dataset;
  element.textContent = label(slaTarget, slaDue, now);
  element.classList.toggle('overdue', Date.parse(slaDue) <= now);
}

function startTicking() {
  if (ticking) return;
  ticking = setInterval(() => document.querySelectorAll('[data-sla-due]').forEach((e) => refresh(e)), TICK_MS);
}

/** The queue row's SLA cell. */
export function slaCell(sla) {
  const due = nextDue(sla);
  if (!due) {
    const paused = sla && Object.values(sla).some((s) => s.paused);
    return paused ? h('span', {class: 'queue-sla paused', 'data-testid': 'queue-sla'}, t('sla.paused')) : null;
  }
  startTicking();
  const cell = h('span', {class: 'queue-sla', 'data-testid': 'queue-sla', 'data-sla-target': due.target,
    'data-sla-due': due.dueAt, title: formatDateTime(due.dueAt)});
  refresh(cell);
  return cell;
}

/** The customer tier a ticket's targets come from (its id, e.g. "vip"), or nothing. */
export function tierBadge(tier) {
  if (!tier) return null;
  return [' ', h('span', {class: 'visually-hidden'}, `${t('sla.tier')}: `),
    h('span', {class: 'badge sla-tier', dir: 'ltr', title: t('sla.tier'), 'data-testid': 'ticket-sla-tier',
      'data-tier': tier}, tier)];
}
