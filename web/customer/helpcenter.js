// The help center (issue 15): browse the categories, search, read an article (#/kb/<lang>/<slug>: a shareable
// address per article and language; the static copy is /customer/kb/<lang>/<slug>.html), vote "was this
// helpful?", and the suggestions on the new-ticket form (deflection).
import {h} from '../shared/dom.js';
import {dir, isolate, lang, localName, t, LANGUAGES} from '../shared/i18n.js';
import {banner, describeError} from '../shared/forms.js';

const SUGGEST_DELAY_MS = 350;
const OPENED_KEY = 'helpdesk.kb.opened'; // suggestions the customer opened while writing a ticket

/** The article body: HTML rendered and sanitized by the API (nh3 allow list: no script, no handlers, no
 * javascript:/data: URLs, no SVG). Parsed inert (DOMParser runs nothing) and moved in as nodes. */
function articleBody(html) {
  const parsed = new DOMParser().parseFromString(`<div>${html}</div>`, 'text/html');
  const holder = h('div', {class: 'kb-body'});
  holder.append(...parsed.body.firstChild.childNodes);
  return holder;
}

function languageName(code) {
  return (LANGUAGES.find((l) => l.code === code) || {name: code}).name;
}

function articleLink(item) {
  return `#/kb/${item.lang}/${encodeURIComponent(item.slug)}`;
}

// ---------------------------------------------------------------- browse and search
export function helpCenterView({api, rerender}) {
  let categories = null;
  let articles = null;
  let error = null;
  let query = '';
  let results = null; // null: not searching
  let timer = null;
  let loadedLang = null;

  async function load() {
    loadedLang = lang();
    try {
      const [cats, list] = await Promise.all([api.get('/kb/categories'), api.get(`/kb/articles?lang=${loadedLang}`)]);
      categories = cats.categories;
      articles = list.articles;
      error = null;
    } catch (caught) {
      error = caught;
    }
    rerender();
  }

  async function search() {
    const q = query.trim();
    if (!q) { results = null; rerender(); return; }
    try {
      results = (await api.get(`/kb/search?q=${encodeURIComponent(q)}&lang=${lang()}`)).results;
    } catch (caught) {
      error = caught;
    }
    rerender();
  }

  function renderList(items) {
    return h('ul', {class: 'kb-list'}, items.map((item) => h('li', {},
      h('a', {href: articleLink(item), 'data-testid': 'kb-article-link', 'data-slug': item.slug}, item.title),
      item.snippet ? h('p', {class: 'muted kb-snippet', dir: 'auto'}, item.snippet) : null)));
  }

  function renderCategories() {
    const byCategory = new Map();
    for (const item of articles) {
      if (!byCategory.has(item.category)) byCategory.set(item.category, []);
      byCategory.get(item.category).push(item);
    }
    const sections = [];
    for (const category of categories) {
      const items = byCategory.get(category.id) || [];
      const children = categories.filter((c) => c.parent === category.id);
      if (category.parent) continue; // shown inside its parent
      const childSections = children.filter((c) => (byCategory.get(c.id) || []).length).map((child) =>
        h('section', {class: 'kb-subcategory', 'data-testid': 'kb-category', 'data-category': child.id},
          h('h3', {}, localName(child.names)), renderList(byCategory.get(child.id))));
      if (!items.length && !childSections.length) continue;
      sections.push(h('section', {class: 'kb-category', 'data-testid': 'kb-category', 'data-category': category.id},
        h('h2', {}, localName(category.names)), items.length ? renderList(items) : null, childSections));
    }
    return sections.length ? sections : h('p', {class: 'muted'}, t('kb.empty'));
  }

  const input = h('input', {type: 'search', id: 'kb-search', dir: 'auto', maxlength: 200, 'data-testid': 'kb-search',
    placeholder: t('kb.search_placeholder'), autocomplete: 'off'});
  input.addEventListener('input', () => {
    query = input.value;
    clearTimeout(timer);
    timer = setTimeout(search, SUGGEST_DELAY_MS);
  });

  return {
    page: 'kb',
    start: load,
    render() {
      if (loadedLang && loadedLang !== lang()) load();
      input.placeholder = t('kb.search_placeholder');
      input.value = query;
      return h('section', {class: 'card kb', 'data-testid': 'help-center'},
        h('h1', {}, t('kb.title')),
        h('form', {role: 'search', onsubmit: (event) => { event.preventDefault(); search(); }},
          h('label', {for: 'kb-search', class: 'visually-hidden'}, t('kb.search')), input),
        error ? banner({text: () => describeError(error)}) : null,
        results !== null
          ? h('div', {'data-testid': 'kb-results'}, results.length ? renderList(results) : h('p', {class: 'muted'}, t('kb.no_results')))
          : categories && articles ? renderCategories() : h('p', {'aria-busy': 'true'}, t('common.loading')));
    },
  };
}

// ---------------------------------------------------------------- one article
export function articleView({api, rerender, articleLang, slug}) {
  let article = null;
  let error = null;
  let voted = null; // 'yes' | 'no' | 'already'

  async function load() {
    try {
      article = await api.get(`/kb/articles/${articleLang}/${encodeURIComponent(slug)}`);
      error = null;
    } catch (caught) {
      error = caught;
    }
    rerender();
  }

  async function vote(helpful) {
    try {
      const answer = await api.post(`/kb/articles/${articleLang}/${encodeURIComponent(slug)}/votes`, {helpful});
      voted = answer.counted ? (helpful ? 'yes' : 'no') : 'already';
    } catch (caught) {
      error = caught;
    }
    rerender();
  }

  function renderArticle() {
    const others = Object.entries(article.alternates || {});
    return h('article', {class: 'card kb-article', lang: article.lang, dir: dir(article.lang), 'data-testid': 'kb-article',
      'data-slug': article.slug},
    h('p', {}, h('a', {href: '#/kb', 'data-testid': 'kb-back'}, t('kb.back'))),
    h('h1', {dir: 'auto'}, article.title),
    articleBody(article.html),
    others.length ? h('p', {class: 'kb-others', 'data-testid': 'kb-other-languages'}, t('kb.other_languages'), ' ',
      others.map(([code, other], index) => [index ? ' · ' : '',
        h('a', {href: articleLink({lang: code, slug: other.slug}), lang: code, 'data-lang': code},
          `${languageName(code)}: `, h('bdi', {}, other.title))])) : null,
    h('p', {class: 'kb-share'}, t('kb.share'), ' ',
      h('a', {href: article.static_url, dir: 'ltr', 'data-testid': 'kb-static-link'}, isolate(decodeURI(location.origin + article.static_url)))),
    h('div', {class: 'kb-vote', 'data-testid': 'kb-vote'},
      voted ? h('p', {role: 'status'}, t(voted === 'already' ? 'kb.vote_already' : 'kb.vote_thanks')) : [
        h('span', {}, t('kb.helpful')), ' ',
        h('button', {type: 'button', class: 'secondary', 'data-testid': 'kb-vote-yes', onclick: () => vote(true)}, t('kb.yes')), ' ',
        h('button', {type: 'button', class: 'secondary', 'data-testid': 'kb-vote-no', onclick: () => vote(false)}, t('kb.no'))]),
    (article.related || []).length ? h('section', {class: 'kb-related', 'data-testid': 'kb-related'},
      h('h2', {}, t('kb.related')),
      h('ul', {}, article.related.map((item) => h('li', {}, h('a', {href: articleLink(item)}, item.title))))) : null,
    h('p', {}, h('a', {href: '#/', class: 'button secondary'}, t('kb.still_need_help'))));
  }

  return {
    page: 'kb',
    start: load,
    render: () => (error ? h('section', {class: 'card'}, banner({text: () => (error.status === 404 ? t('kb.not_found') : describeError(error))}),
      h('a', {href: '#/kb'}, t('kb.back')))
      : article ? renderArticle() : h('p', {'aria-busy': 'true'}, t('common.loading'))),
  };
}

// ---------------------------------------------------------------- suggestions on the new-ticket form
/**
 * Suggests up to five public articles in the visitor's language while they type the subject and text
 * (debounced: one request per pause). Opening one is remembered; leaving the site afterwards without filing
 * is recorded as a deflection, filing anyway records the suggestions that were shown.
 */
export class Suggestions {
  constructor({api, onChange}) {
    this.api = api;
    this.onChange = onChange;
    this.items = [];
    this.shown = new Map(); // "lang/slug" -> {lang, slug}: every suggestion shown while writing this ticket
    this.timer = null;
    this.lastQuery = '';
    this.filed = false;
    window.addEventListener('pagehide', () => this.leaving());
  }

  typed(subject, text) {
    const query = `${subject} ${text.slice(0, 200)}`.trim();
    clearTimeout(this.timer);
    if (query.length < 3) {
      if (this.items.length) { this.items = []; this.onChange(); }
      return;
    }
    this.timer = setTimeout(() => this.fetch(query), SUGGEST_DELAY_MS);
  }

  async fetch(query) {
    if (query === this.lastQuery) return;
    this.lastQuery = query;
    try {
      const answer = await this.api.get(`/kb/search?q=${encodeURIComponent(query)}&lang=${lang()}&suggest=1`);
      this.items = answer.results.slice(0, 5);
      for (const item of this.items) this.shown.set(`${item.lang}/${item.slug}`, {lang: item.lang, slug: item.slug});
    } catch { // suggestions are a help, never in the way
      this.items = [];
    }
    this.onChange();
  }

  opened(item) {
    const list = Suggestions.openedList();
    if (!list.some((o) => o.lang === item.lang && o.slug === item.slug)) list.push({lang: item.lang, slug: item.slug});
    try { sessionStorage.setItem(OPENED_KEY, JSON.stringify(list.slice(-5))); } catch { /* not remembered */ }
  }

  static openedList() {
    try { return JSON.parse(sessionStorage.getItem(OPENED_KEY) || '[]'); } catch { return []; }
  }

  /** The ticket was filed: record what had been shown, and forget what was opened (no deflection). */
  filedAnyway() {
    this.filed = true;
    const articles = [...this.shown.values()].slice(0, 5);
    try { sessionStorage.removeItem(OPENED_KEY); } catch { /* nothing kept */ }
    if (articles.length) this.api.post('/kb/deflections', {outcome: 'filed', articles}).catch(() => {});
    this.shown.clear();
    this.items = [];
  }

  /** Leaving the site after opening suggestions, without filing: a deflection (sent even as the page goes). */
  leaving() {
    const articles = Suggestions.openedList();
    if (this.filed || !articles.length) return;
    try { sessionStorage.removeItem(OPENED_KEY); } catch { /* nothing kept */ }
    const base = window.HELPDESK_CONFIG.apiUrl.replace(/\/+$/, '');
    fetch(`${base}/kb/deflections`, {method: 'POST', keepalive: true, headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({outcome: 'deflected', articles: articles.slice(0, 5)})}).catch(() => {});
  }

  render() {
    if (!this.items.length) return null;
    return h('aside', {class: 'kb-suggestions banner banner-info', 'data-testid': 'kb-suggestions', 'aria-live': 'polite'},
      h('p', {}, t('kb.suggested')),
      h('ul', {}, this.items.map((item) => h('li', {},
        h('a', {href: articleLink(item), 'data-testid': 'kb-suggestion', 'data-slug': item.slug,
          onclick: () => this.opened(item)}, item.title),
        item.snippet ? h('span', {class: 'muted kb-snippet', dir: 'auto'}, ' — ', item.snippet) : null))));
  }
}
