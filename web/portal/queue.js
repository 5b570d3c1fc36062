// The lists of tickets: a department's queue (optionally one work group of it), one queue across all the
// agent's departments (admins: all departments), and "Mine" (the active tickets assigned to the signed-in
// agent). Only departments the agent works in are offered; admins see all.
// The server sorts both by the earliest SLA due time; each row counts down the time left.
import {h} from '../shared/dom.js';
import {localName, t} from '../shared/i18n.js';
import {banner, describeError, field} from '../shared/forms.js';
import {formatAge, formatDateTime, formatNumber} from '../shared/format.js';
import {api, departmentName, ensureBasics, groupName, groupsOf, isAdmin, myDepartments, takeNotice} from './context.js';
import {assignee, badge, pageTabs, priority, unconfirmedBadge, unverifiedBadge} from './parts.js';
import {slaCell} from './sla.js';

const DEPARTMENT_KEY = 'helpdesk.queueDepartment';
const GROUP_KEY = 'helpdesk.queueGroup';
const ALL = '*'; // "all my departments": no department id can be this

export function queueView({rerender, mine}) {
  let department = localStorage.getItem(DEPARTMENT_KEY) || '';
  let group = localStorage.getItem(GROUP_KEY) || '';
  let tickets = null;
  let ready = false; // me, catalog and organisation loaded
  let bannerState = null;
  const notice = takeNotice(); // what the page before says happened (a transfer out of this agent's reach)
  let latest = 0; // a slower, older answer must not replace a newer one (quick department changes)

  async function load() {
    const call = ++latest;
    tickets = null;
    bannerState = null;
    rerender();
    let found = [];
    try {
      await ensureBasics();
      ready = true;
      found = mine ? (await api.get('/agent/mine')).tickets : await departmentQueue();
    } catch (error) {
      if (call === latest) bannerState = {text: () => describeError(error)};
    }
    if (call !== latest) return;
    tickets = found;
    rerender();
  }

  /** Offered to whoever works in more than one department, and to admins. */
  function offersAll() {
    return isAdmin() || myDepartments().length > 1;
  }

  async function departmentQueue() {
    if (department === ALL && offersAll()) {
      group = '';
      return (await api.get('/agent/queue/all')).tickets;
    }
    const departments = myDepartments();
    if (!departments.some((d) => d.id === department)) department = departments.length ? departments[0].id : '';
    if (!groupsOf(department).some((g) => g.id === group)) group = '';
    if (!department) return [];
    const query = `department=${encodeURIComponent(department)}${group ? `&group=${encodeURIComponent(group)}` : ''}`;
    return (await api.get(`/agent/queue?${query}`)).tickets;
  }

  function remember(key, value) {
    localStorage.setItem(key, value);
    load();
  }

  function controls() {
    const departmentSelect = h('select', {},
      offersAll() ? h('option', {value: ALL}, t(isAdmin() ? 'queue.all_departments' : 'queue.all_my_departments'))
        : null,
      myDepartments().map((d) => h('option', {value: d.id}, localName(d.names))));
    departmentSelect.value = department;
    departmentSelect.addEventListener('change', () => {
      department = departmentSelect.value;
      group = '';
      localStorage.removeItem(GROUP_KEY);
      remember(DEPARTMENT_KEY, department);
    });
    const groupSelect = h('select', {},
      h('option', {value: ''}, t('queue.all_groups')),
      groupsOf(department).map((g) => h('option', {value: g.id}, localName(g.names))));
    groupSelect.value = group;
    groupSelect.addEventListener('change', () => {
      group = groupSelect.value;
      remember(GROUP_KEY, group);
    });
    return [
      field({id: 'queue-department', testid: 'queue-department', label: t('new.department'), control: departmentSelect}),
      department === ALL ? null
        : field({id: 'queue-group', testid: 'queue-group', label: t('queue.group'), control: groupSelect}),
    ];
  }

  function row(tk) {
    return h('li', {},
      h('a', {class: 'ticket-row queue-row', href: `#/tickets/${tk.number}`, 'data-testid': 'queue-row', 'data-number': tk.number,
        'data-status': tk.status, 'data-group': tk.group, 'data-assignee': tk.assignee ? tk.assignee.id : '',
        'data-confirmed': String(tk.confirmed !== false)},
      h('span', {class: 'queue-number number', 'data-testid': 'queue-number'}, formatNumber(tk.number)),
      // The cell keeps the page's direction (so it starts next to the number); the subject, written by the
      // customer in any direction, is isolated inside it. Same for every name below, each with its label.
      h('span', {class: 'queue-subject', 'data-testid': 'queue-subject'}, h('bdi', {}, tk.subject)),
      h('span', {class: 'queue-age'}, h('time', {datetime: tk.created_at, title: formatDateTime(tk.created_at)},
        formatAge(tk.created_at))),
      slaCell(tk.sla),
      h('span', {class: 'queue-meta'},
        badge('status', tk.status), unconfirmedBadge(tk), priority(tk),
        h('span', {'data-testid': 'queue-row-group'}, h('span', {class: 'label'}, `${t('ticket.group')}: `),
          h('bdi', {}, mine || department === ALL ? `${departmentName(tk.department)} / ` : '',
            groupName(tk.department, tk.group))),
        h('span', {'data-testid': 'queue-assignee'}, h('span', {class: 'label'}, `${t('ticket.assignee')}: `),
          assignee(tk)),
        h('span', {'data-testid': 'queue-customer'}, h('span', {class: 'label'}, `${t('ticket.customer')}: `),
          h('bdi', {}, tk.customer.name)),
        unverifiedBadge(tk))));
  }

  function list() {
    if (tickets === null) return h('p', {'aria-busy': 'true'}, t('common.loading'));
    if (tickets.length === 0) {
      const empty = mine ? 'queue.mine_empty' : department === ALL ? 'queue.all_empty'
        : department ? 'queue.empty' : 'queue.no_department';
      return h('p', {class: 'muted', 'data-testid': 'queue-empty'}, t(empty));
    }
    const title = mine ? t('tabs.mine') : t('queue.title');
    return h('ul', {class: 'queue', 'data-testid': 'queue', 'aria-label': title}, tickets.map(row));
  }

  function render() {
    return h('section', {class: 'card'},
      pageTabs(mine ? 'mine' : 'queue'),
      h('h1', {}, mine ? t('queue.mine_title') : t('queue.title')),
      notice ? h('div', {'data-testid': 'queue-notice'}, banner(notice)) : null,
      banner(bannerState),
      h('div', {class: 'queue-controls'},
        !mine && ready ? controls() : null,
        h('button', {type: 'button', class: 'secondary', 'data-testid': 'queue-refresh', onclick: load},
          t('queue.refresh'))),
      list());
  }

  return {render, start: load};
}
