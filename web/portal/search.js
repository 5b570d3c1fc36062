// Search (issue 14): a box in the top bar of every portal page ("/" focuses it) and the results page #/search,
// answered by GET /agent/search while the agent types (debounced; a slower, older answer never replaces a
// newer one). Filter chips (status, department, assignee incl. me / unassigned, priority), a sort, highlighted
// snippets, "show more" by cursor, keyboard navigation (↓ from the box into the results, ↑ ↓ between them,
// Esc back to the box), an empty state with a hint. The query and filters live in the address
// (#/search?q=…&status=…), so a search can be reloaded and shared.
import {h} from '../shared/dom.js';
import {localName, t} from '../shared/i18n.js';
import {banner, describeError} from '../shared/forms.js';
import {formatAge, formatDateTime, formatNumber} from '../shared/format.js';
import {api, departmentName, ensureBasics, myDepartments} from './context.js';
import {assignee, badge} from './parts.js';

const DEBOUNCE_MS = 250;
const STATUSES = ['new', 'open', 'awaiting_customer', 'needs_info', 'on_hold', 'resolved', 'closed', 'archived'];
const PRIORITIES = ['urgent', 'high', 'normal', 'low'];
const ASSIGNEES = ['', 'me', 'unassigned'];
const SORTS = ['relevance', 'newest', 'sla'];
const BOX_ID = 'search-q';

// What is asked: the box's text and the filters. Module state, so the box keeps its text on every page.
const state = {q: '', status: [], priority: [], department: [], assignee: '', sort: 'relevance'};
let active = null; // the results page, while it is shown: told of every change

export function isSearchHash(hash = location.hash) {
  return hash === '#/search' || hash.startsWith('#/search?');
}

function readAddress() {
  const query = new URLSearchParams(location.hash.split('?')[1] || '');
  const list = (name, allowed) => (query.get(name) || '').split(',').filter((v) => v && (!allowed || allowed.includes(v)));
  state.q = query.get('q') || '';
  state.status = list('status', STATUSES);
  state.priority = list('priority', PRIORITIES);
  state.department = list('department');
  state.assignee = ASSIGNEES.includes(query.get('assignee')) ? query.get('assignee') : '';
  state.sort = SORTS.includes(query.get('sort')) ? query.get('sort') : 'relevance';
}

/** The query string of the current search, for the address and for the API. */
function parameters(cursor) {
  const query = new URLSearchParams();
  if (state.q.trim()) query.set('q', state.q);
  for (const name of ['status', 'priority', 'department']) if (state[name].length) query.set(name, state[name].join(','));
  if (state.assignee) query.set('assignee', state.assignee);
  if (state.sort !== 'relevance') query.set('sort', state.sort);
  if (cursor) query.set('cursor', cursor);
  return query.toString();
}

function hasFilters() {
  return !!(state.status.length || state.priority.length || state.department.length || state.assignee);
}

/** Show the results page for the current state: replace the address on it, go to it from elsewhere. */
function show() {
  const hash = `#/search${parameters() ? `?${parameters()}` : ''}`;
  if (isSearchHash() && active) {
    history.replaceState(null, '', hash); // no hashchange: the page stays, only the results change
    active.changed();
  } else {
    location.hash = hash; // the router builds the results page, which reads the address
  }
}

// ---------------------------------------------------------------- the box in the top bar

/** The search box: a labelled input in a role=search form. Its id is stable, so re-renders keep focus and caret. */
export function searchBox() {
  const input = h('input', {type: 'search', id: BOX_ID, 'data-testid': 'search-box', value: state.q, dir: 'auto',
    autocomplete: 'off', spellcheck: 'false', enterkeyhint: 'search', maxlength: 500,
    placeholder: t('search.placeholder'), 'aria-describedby': 'search-keys',
    'aria-controls': 'search-results', 'aria-keyshortcuts': '/'});
  input.addEventListener('input', () => {
    state.q = input.value;
    if (isSearchHash() && active) active.typed();
    else if (state.q.trim()) show();
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') {
      const first = resultLinks()[0];
      if (first) {
        event.preventDefault();
        first.focus();
      }
    } else if (event.key === 'Escape' && input.value) {
      event.preventDefault();
      input.value = '';
      state.q = '';
      if (isSearchHash() && active) active.typed();
    }
  });
  return h('form', {role: 'search', class: 'topbar-search', 'aria-label': t('search.label'),
    onsubmit: (event) => { event.preventDefault(); show(); }}, // Enter: at once, without the typing pause
  h('label', {for: BOX_ID, class: 'visually-hidden'}, t('search.label')),
  input,
  h('span', {id: 'search-keys', class: 'visually-hidden'}, t('search.keys')));
}

function resultLinks() {
  return [...document.querySelectorAll('[data-testid=search-result-link]')];
}

function box() {
  return document.getElementById(BOX_ID);
}

// "/" focuses the box from anywhere but a text field; ↑ ↓ move between results; Esc goes back to the box.
document.addEventListener('keydown', (event) => {
  const target = event.target;
  const typing = target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
  if (event.key === '/' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey && box()) {
    event.preventDefault();
    box().focus();
    box().select();
    return;
  }
  const links = resultLinks();
  const at = links.indexOf(target);
  if (at === -1) return;
  if (event.key === 'ArrowDown' && at < links.length - 1) {
    event.preventDefault();
    links[at + 1].focus();
  } else if (event.key === 'ArrowUp') {
    event.preventDefault();
    (at > 0 ? links[at - 1] : box()).focus();
  } else if (event.key === 'Escape') {
    event.preventDefault();
    box().focus();
  }
});

// ---------------------------------------------------------------- the results page

/** The snippet as the API sends it (HTML-escaped text with <mark>…</mark> around matches), built as text nodes
 * and <mark> elements: nothing else the string may hold ever becomes markup. */
export function snippetNodes(html) {
  const unescape = (text) => text.replace(/&(lt|gt|quot|#x27|#39|amp);/g, (m, name) =>
    ({lt: '<', gt: '>', quot: '"', '#x27': "'", '#39': "'", amp: '&'})[name]);
  return String(html || '').split(/(<mark>.*?<\/mark>)/s).filter(Boolean).map((part) => {
    const marked = part.match(/^<mark>(.*)<\/mark>$/s);
    return marked ? h('mark', {}, unescape(marked[1])) : unescape(part);
  });
}

export function searchView({rerender}) {
  readAddress();
  let results = null; // null while the first answer is awaited
  let total = 0;
  let next = null;
  let busy = false;
  let bannerState = null;
  let queryError = null; // a field code for q (too_long, only_stop_words, ...)
  let latest = 0;
  let timer = null;
  let ready = false; // me and the catalog loaded: department names and chips can be shown
  let shown = null; // the query string the results on the page answer
  let filtersOpen = hasFilters() || window.matchMedia('(min-width: 40rem)').matches; // folded on phones

  async function load({more = false} = {}) {
    clearTimeout(timer);
    const call = ++latest;
    const asked = parameters();
    busy = true;
    bannerState = null;
    if (!more) queryError = null;
    rerender();
    try {
      await ensureBasics();
      ready = true;
      const answer = await api.get(`/agent/search?${parameters(more ? next : null)}`);
      if (call !== latest) return;
      results = more ? [...(results || []), ...answer.results] : answer.results;
      total = answer.total;
      next = answer.next;
      shown = asked;
    } catch (error) {
      if (call !== latest) return;
      if (error.status === 400 && error.fields && error.fields.q) {
        shown = asked;
        queryError = error.fields.q;
        results = [];
        total = 0;
        next = null;
      } else {
        bannerState = {text: () => describeError(error)};
      }
    }
    busy = false;
    rerender();
  }

  function typed() {
    clearTimeout(timer);
    history.replaceState(null, '', `#/search${parameters() ? `?${parameters()}` : ''}`);
    timer = setTimeout(() => load(), DEBOUNCE_MS);
  }

  function toggle(name, value) {
    state[name] = state[name].includes(value) ? state[name].filter((v) => v !== value) : [...state[name], value];
    show();
  }

  function chip(label, pressed, onclick, testid, value) {
    return h('button', {type: 'button', class: 'chip', 'aria-pressed': String(pressed), onclick,
      'data-testid': testid, 'data-value': value}, label);
  }

  function chips(name, legend, items) {
    return h('fieldset', {class: 'chips', 'data-testid': `search-filter-${name}`},
      h('legend', {}, legend), items);
  }

  function filters() {
    const departments = myDepartments();
    const sort = h('select', {id: 'search-sort', 'data-testid': 'search-sort'},
      SORTS.map((s) => h('option', {value: s}, t(`search.sort_${s}`))));
    sort.value = state.sort;
    sort.addEventListener('change', () => { state.sort = sort.value; show(); });
    const details = h('details', {class: 'search-filters', open: filtersOpen},
      h('summary', {'data-testid': 'search-filters-toggle'}, t('search.filters'), hasFilters() ? ` (${formatNumber(
        state.status.length + state.priority.length + state.department.length + (state.assignee ? 1 : 0))})` : ''),
      chips('status', t('search.filter_status'), STATUSES.map((s) =>
        chip(t(`status.${s}`), state.status.includes(s), () => toggle('status', s), 'search-chip-status', s))),
      chips('assignee', t('search.filter_assignee'), ASSIGNEES.map((a) =>
        chip(t(`search.assignee_${a || 'anyone'}`), state.assignee === a,
          () => { state.assignee = a; show(); }, 'search-chip-assignee', a || 'anyone'))),
      chips('priority', t('search.filter_priority'), PRIORITIES.map((p) =>
        chip(t(`priority.${p}`), state.priority.includes(p), () => toggle('priority', p), 'search-chip-priority', p))),
      departments.length > 1 ? chips('department', t('search.filter_department'), departments.map((d) =>
        chip(localName(d.names), state.department.includes(d.id), () => toggle('department', d.id),
          'search-chip-department', d.id))) : null,
      h('div', {class: 'search-sort'},
        h('label', {for: 'search-sort'}, t('search.sort')), sort,
        hasFilters() ? h('button', {type: 'button', class: 'secondary', 'data-testid': 'search-clear',
          onclick: () => { Object.assign(state, {status: [], priority: [], department: [], assignee: ''}); show(); }},
        t('search.clear_filters')) : null));
    details.addEventListener('toggle', () => { filtersOpen = details.open; });
    return details;
  }

  function row(r) {
    return h('li', {class: 'search-result', 'data-testid': 'search-result', 'data-number': r.number,
      'data-status': r.status},
    h('a', {class: 'search-result-link', href: `#/tickets/${r.number}`, 'data-testid': 'search-result-link'},
      h('span', {class: 'queue-number number'}, formatNumber(r.number)), ' ',
      h('bdi', {class: 'search-subject', 'data-testid': 'search-result-subject'}, r.subject)),
    r.snippet ? h('p', {class: 'snippet', dir: 'auto', 'data-testid': 'search-snippet'}, snippetNodes(r.snippet))
      : null,
    h('p', {class: 'search-meta'},
      badge('status', r.status, 'search-result-status'),
      h('span', {}, h('span', {class: 'label'}, `${t('search.department')}: `), h('bdi', {}, departmentName(r.department))),
      h('span', {}, h('span', {class: 'label'}, `${t('ticket.assignee')}: `), assignee(r)),
      r.customer ? h('span', {}, h('span', {class: 'label'}, `${t('ticket.customer')}: `), h('bdi', {}, r.customer))
        : null,
      h('span', {}, h('span', {class: 'label'}, `${t('search.updated')}: `),
        h('time', {datetime: r.updated_at, title: formatDateTime(r.updated_at)}, formatAge(r.updated_at)))));
  }

  function answer() {
    if (queryError) {
      return h('div', {class: 'search-empty', 'data-testid': 'search-query-error', 'data-code': queryError},
        h('p', {}, t(`search.q_${queryError}`) === `search.q_${queryError}` ? t('search.q_invalid')
          : t(`search.q_${queryError}`)),
        h('p', {class: 'muted'}, t('search.hint')));
    }
    if (results === null || !ready) return h('p', {'aria-busy': 'true'}, t('search.searching'));
    if (results.length === 0) {
      return h('div', {class: 'search-empty', 'data-testid': 'search-empty'},
        h('p', {}, t('search.empty')),
        h('p', {class: 'muted'}, state.q.trim() || hasFilters() ? t('search.empty_hint') : t('search.hint')));
    }
    return [
      h('ul', {class: 'search-results', id: 'search-results', 'data-testid': 'search-results',
        'aria-label': t('search.results')}, results.map(row)),
      next ? h('button', {type: 'button', class: 'secondary', 'data-testid': 'search-more', disabled: busy,
        onclick: () => load({more: true})}, t('search.more')) : null,
    ];
  }

  function render() {
    const count = results === null || queryError ? '' : t(total === 1 ? 'search.count_one' : 'search.count', {count: formatNumber(total)});
    return h('section', {class: 'card search-page', 'data-testid': 'search-page', 'data-shown': shown},
      h('h1', {}, t('search.title')),
      banner(bannerState),
      ready ? filters() : null,
      h('p', {class: 'search-count', role: 'status', 'aria-live': 'polite', 'data-testid': 'search-count',
        'aria-busy': String(busy), 'data-total': results === null ? '' : String(total)},
      busy ? t('search.searching') : count),
      answer());
  }

  const view = {
    render,
    typed,
    changed: () => load(), // a filter, the sort or Enter in the box: at once
    start() {
      active = view;
      load();
    },
    stop() {
      clearTimeout(timer);
      latest += 1; // an answer still on its way is not shown
      if (active === view) active = null;
    },
  };
  return view;
}
