// The signed-in customer's tickets in three tabs (open, awaiting their reply, closed), each row opening the
// ticket through the session. Tabs follow the WAI-ARIA tabs pattern: one tab stop, arrow keys move between
// tabs (mirrored in right-to-left languages), Home/End jump to the ends.
import {h} from '../shared/dom.js';
import {dir, isolate, t} from '../shared/i18n.js';
import {banner, describeError} from '../shared/forms.js';
import {formatDateTime, formatNumber} from '../shared/format.js';
import {currentSession, identityText} from './session.js';

const TABS = ['open', 'awaiting', 'closed']; // the groups GET /customer/tickets answers with
const FIRST_WORTH_SHOWING = ['awaiting', 'open', 'closed']; // what needs the customer comes first

/** api: the client carrying the session; onSessionLost(): the token was refused (expired or revoked). */
export function historyView({api, rerender, onSessionLost}) {
  let groups = null; // {open: [...], awaiting: [...], closed: [...]}
  let loadError = null;
  let selected = null;
  let focusTab = false;

  async function load() {
    try {
      groups = await api.get('/customer/tickets');
      loadError = null;
      selected = selected || FIRST_WORTH_SHOWING.find((tab) => groups[tab].length) || 'open';
    } catch (error) {
      if (error.status === 401) {
        onSessionLost();
        return;
      }
      loadError = error;
    }
    rerender();
  }

  function select(tab, {focus = false} = {}) {
    selected = tab;
    focusTab = focus;
    rerender();
  }

  function onTabKey(event) {
    const forward = dir() === 'rtl' ? 'ArrowLeft' : 'ArrowRight';
    const backward = dir() === 'rtl' ? 'ArrowRight' : 'ArrowLeft';
    const index = TABS.indexOf(selected);
    const next = {[forward]: (index + 1) % TABS.length, [backward]: (index + TABS.length - 1) % TABS.length,
      Home: 0, End: TABS.length - 1}[event.key];
    if (next === undefined) return;
    event.preventDefault();
    select(TABS[next], {focus: true});
  }

  function row(ticket) {
    return h('li', {},
      h('a', {class: 'ticket-row history-row', href: `#/tickets/${ticket.number}`, 'data-testid': 'history-row',
        'data-number': ticket.number, 'data-status': ticket.status},
      h('span', {class: 'history-number number'}, formatNumber(ticket.number)),
      h('span', {class: 'history-subject', dir: 'auto'}, ticket.subject),
      h('span', {class: `badge status-${ticket.status}`}, t(`status.${ticket.status}`)),
      h('span', {class: 'history-dates'},
        h('span', {}, t('history.opened'), ' ', h('time', {datetime: ticket.created_at}, formatDateTime(ticket.created_at))),
        h('span', {}, t('history.last_activity'), ' ',
          h('time', {datetime: ticket.last_activity_at}, formatDateTime(ticket.last_activity_at))))));
  }

  function renderTabs() {
    return h('div', {},
      h('div', {role: 'tablist', class: 'tabs', 'aria-label': t('history.tabs'), onkeydown: onTabKey},
        TABS.map((tab) => h('button', {
          type: 'button', role: 'tab', id: `tab-${tab}`, class: 'tab', 'aria-selected': String(tab === selected),
          'aria-controls': `panel-${tab}`, tabindex: tab === selected ? '0' : '-1', 'data-testid': `tab-${tab}`,
          'data-count': groups[tab].length, onclick: () => select(tab),
        }, h('span', {}, t(`history.${tab}`)), ' ',
        h('span', {class: 'tab-count', 'data-testid': 'tab-count'}, formatNumber(groups[tab].length))))),
      h('div', {role: 'tabpanel', id: `panel-${selected}`, class: 'tab-panel', 'aria-labelledby': `tab-${selected}`,
        tabindex: '0', 'data-testid': `panel-${selected}`},
      groups[selected].length
        ? h('ul', {class: 'history'}, groups[selected].map(row))
        : h('p', {class: 'muted', 'data-testid': 'history-empty'}, t(`history.empty_${selected}`))));
  }

  function render() {
    const session = currentSession();
    return h('section', {class: 'card', 'data-testid': 'history'},
      h('h1', {}, t('history.title')),
      session ? h('p', {class: 'muted'}, t('customer.signed_in_as', {identity: isolate(identityText(session.identity))}))
        : null,
      loadError ? banner({text: () => describeError(loadError)}) : null,
      groups ? renderTabs() : (loadError ? null : h('p', {'aria-busy': 'true'}, t('common.loading'))),
      h('div', {class: 'actions'},
        h('button', {type: 'button', class: 'secondary', 'data-testid': 'history-refresh', onclick: load},
          loadError ? t('common.retry') : t('history.refresh'))));
  }

  return {
    page: 'tickets',
    render,
    start: load,
    afterRender() {
      if (!focusTab) return;
      focusTab = false;
      document.getElementById(`tab-${selected}`).focus();
    },
  };
}
