// The knowledge base in the portal (issue 15). #/kb: the articles of a language (internal ones too), the drafts
// waiting for review (editors), a new article. #/kb/<id>: edit each language's draft with a preview rendered by
// the server (exactly what readers will get), publish, archive, history with restore, visibility and category.
// Agents read everything and may propose drafts; admins and supervisors edit and publish (the API decides).
import {h} from '../shared/dom.js';
import {LANGUAGES, lang, localName, t, dir} from '../shared/i18n.js';
import {banner, describeError, field, sortFieldErrors} from '../shared/forms.js';
import {formatDateTime} from '../shared/format.js';
import {AttachmentPicker} from '../shared/attachments.js';
import {api, currentAgent, ensureBasics, isAdmin, limits} from './context.js';

const TEXT_FIELDS = ['title', 'slug', 'body', 'category', 'lang', 'tags'];

function isEditor() {
  const me = currentAgent();
  return isAdmin() || !!(me && me.supervises && me.supervises.length);
}

function errorsOf(error) {
  const sorted = sortFieldErrors(error.fields || {}, TEXT_FIELDS);
  return {fields: Object.fromEntries(Object.entries(sorted.byField).map(([k, list]) => [k, list[0].code])),
    state: {text: () => describeError(error), items: sorted.leftover}};
}

/** A rendered preview: HTML the API sanitized (nh3 allow list), parsed inert and moved in as nodes. */
function previewNode(html) {
  const parsed = new DOMParser().parseFromString(`<div>${html}</div>`, 'text/html');
  const holder = h('div', {class: 'kb-preview card', 'data-testid': 'kb-preview'});
  holder.append(...parsed.body.firstChild.childNodes);
  return holder;
}

// ---------------------------------------------------------------- list, review queue, new article
export function kbListView(page) {
  let articles = null;
  let categories = [];
  let drafts = null;
  let listLang = lang();
  let state = null;
  let errors = {};
  let busy = false;
  const values = {title: '', slug: '', body: '', category: '', visibility: 'public', lang: lang()};

  async function load() {
    try {
      await ensureBasics();
      const [list, cats] = await Promise.all([api.get(`/agent/kb/articles?lang=${listLang}`), api.get('/kb/categories')]);
      articles = list.articles;
      categories = cats.categories;
      drafts = isEditor() ? (await api.get('/agent/kb/review')).drafts : null;
    } catch (error) {
      state = {text: () => describeError(error)};
    }
    page.rerender();
  }

  async function create(event) {
    event.preventDefault();
    if (busy) return;
    busy = true;
    errors = {};
    try {
      const made = await api.post('/agent/kb/articles', {...values, category: values.category || (categories[0] || {}).id || ''});
      location.hash = `#/kb/${made.id}`;
    } catch (error) {
      ({fields: errors, state} = errorsOf(error));
    }
    busy = false;
    page.rerender();
  }

  function bind(name, el) {
    el.value = values[name];
    el.addEventListener('input', () => { values[name] = el.value; });
    el.addEventListener('change', () => { values[name] = el.value; });
    return el;
  }

  function renderNew() {
    return h('form', {class: 'card', onsubmit: create, 'data-testid': 'kb-new'},
      h('h2', {}, t(isEditor() ? 'kbe.new' : 'kbe.propose')),
      field({id: 'kb-new-lang', label: t('kbe.language'), error: errors.lang,
        control: bind('lang', h('select', {}, LANGUAGES.map((l) => h('option', {value: l.code}, l.name))))}),
      field({id: 'kb-new-title', testid: 'kb-new-title', label: t('kbe.title'), error: errors.title,
        control: bind('title', h('input', {type: 'text', dir: 'auto', maxlength: 200}))}),
      field({id: 'kb-new-slug', testid: 'kb-new-slug', label: t('kbe.slug'), hint: t('kbe.slug_hint'), error: errors.slug,
        control: bind('slug', h('input', {type: 'text', dir: 'auto', maxlength: 80}))}),
      field({id: 'kb-new-category', testid: 'kb-new-category', label: t('kbe.category'), error: errors.category,
        control: bind('category', h('select', {}, categories.map((c) =>
          h('option', {value: c.id}, (c.parent ? '— ' : '') + localName(c.names)))))}),
      field({id: 'kb-new-visibility', testid: 'kb-new-visibility', label: t('kbe.visibility'),
        control: bind('visibility', h('select', {}, ['public', 'internal'].map((v) => h('option', {value: v}, t(`kbe.${v}`)))))}),
      field({id: 'kb-new-body', testid: 'kb-new-body', label: t('kbe.body'), hint: t('kbe.body_hint'), error: errors.body,
        control: bind('body', h('textarea', {dir: 'auto', rows: 8}))}),
      h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary', disabled: busy, 'data-testid': 'kb-create'},
        t('kbe.create'))));
  }

  return {
    start: load,
    render() {
      const langSelect = h('select', {id: 'kb-list-lang', 'data-testid': 'kb-list-lang'},
        LANGUAGES.map((l) => h('option', {value: l.code, selected: l.code === listLang}, l.name)));
      langSelect.addEventListener('change', () => { listLang = langSelect.value; load(); });
      return h('div', {class: 'kb-editor', 'data-testid': 'kb-portal'},
        h('h1', {}, t('kbe.heading')),
        banner(state),
        drafts && drafts.length ? h('section', {class: 'card', 'data-testid': 'kb-review'},
          h('h2', {}, t('kbe.review')),
          h('ul', {}, drafts.map((d) => h('li', {}, h('a', {href: `#/kb/${d.id}`}, h('bdi', {}, d.title)),
            ` · ${d.lang} · `, h('bdi', {dir: 'ltr'}, d.by), ` · ${formatDateTime(d.at)}`)))) : null,
        h('section', {class: 'card'},
          h('h2', {}, t('kbe.published')),
          field({id: 'kb-list-lang', label: t('kbe.language'), control: langSelect}),
          articles === null ? h('p', {'aria-busy': 'true'}, t('common.loading')) :
            h('ul', {'data-testid': 'kb-published'}, articles.map((a) => h('li', {},
              h('a', {href: `#/kb/${a.id}`, 'data-slug': a.slug}, h('bdi', {}, a.title)),
              a.visibility === 'internal' ? h('span', {class: 'badge'}, ' ', t('kbe.internal')) : null)))),
        renderNew());
    },
  };
}

// ---------------------------------------------------------------- one article
export function kbArticleView(page, id) {
  let article = null;
  let history = null;
  let categories = [];
  let editLang = lang();
  let values = null; // the form of editLang
  let preview = null;
  let state = null;
  let errors = {};
  let busy = false;
  // Images and files go up like ticket attachments, then to the site's bucket; their Markdown joins the text.
  const picker = new AttachmentPicker({id: 'kb-files', testid: 'kb-files', onChange: () => page.rerender()});

  async function insertFiles() {
    try {
      for (const uploadId of await picker.upload(api)) {
        const published = await api.post('/agent/kb/files', {upload_id: uploadId});
        values.body = `${values.body.replace(/\s*$/, '')}\n\n${published.markdown}\n`;
      }
      picker.clear();
      preview = null;
    } catch (error) {
      ({fields: errors, state} = errorsOf(error));
    }
    page.rerender();
  }

  function formFor(code) {
    const version = article.versions[code];
    const draft = version ? version.draft : null;
    values = {title: draft ? draft.title : '', slug: draft ? draft.slug : '', body: draft ? draft.body : ''};
    preview = null;
  }

  async function load() {
    try {
      await ensureBasics();
      const [found, cats] = await Promise.all([api.get(`/agent/kb/articles/${encodeURIComponent(id)}`), api.get('/kb/categories')]);
      article = found;
      categories = cats.categories;
      if (!article.versions[editLang]) editLang = Object.keys(article.versions)[0] || editLang;
      formFor(editLang);
      history = isEditor() ? (await api.get(`/agent/kb/articles/${encodeURIComponent(id)}/history`)).history : null;
    } catch (error) {
      state = {text: () => describeError(error)};
    }
    page.rerender();
  }

  async function act(method, path, body, done) {
    if (busy) return;
    busy = true;
    errors = {};
    try {
      article = await api[method](path, body);
      state = {kind: 'success', text: () => t(done)};
      formFor(editLang);
      if (isEditor()) history = (await api.get(`/agent/kb/articles/${encodeURIComponent(id)}/history`)).history;
    } catch (error) {
      ({fields: errors, state} = errorsOf(error));
      if (error.status === 409) state = {text: () => t('kbe.stale')};
    }
    busy = false;
    page.rerender();
  }

  const base = () => `/agent/kb/articles/${encodeURIComponent(id)}`;
  const save = (event) => { event.preventDefault(); act('put', `${base()}/texts/${editLang}`, {...values, version: article.version}, 'kbe.saved'); };
  const publish = () => act('post', `${base()}/publish`, {lang: editLang, version: article.version}, 'kbe.published_done');
  const archive = () => act('post', `${base()}/archive`, {lang: editLang, version: article.version}, 'kbe.archived_done');
  const restore = (entry) => act('post', `${base()}/restore`, {lang: entry.lang, revision: entry.revision, version: article.version}, 'kbe.restored_done');
  const settings = (changes) => act('put', `${base()}/settings`, {...changes, version: article.version}, 'kbe.saved');

  async function showPreview() {
    try {
      preview = (await api.post('/agent/kb/preview', {body: values.body})).html;
    } catch (error) {
      state = {text: () => describeError(error)};
    }
    page.rerender();
  }

  function bind(name, el) {
    el.value = values[name];
    el.addEventListener('input', () => { values[name] = el.value; });
    return el;
  }

  function renderArticle() {
    const version = article.versions[editLang];
    const editor = isEditor();
    const tabs = h('div', {class: 'tabs', role: 'tablist'}, LANGUAGES.map((l) => h('button', {type: 'button', role: 'tab',
      class: 'tab', 'aria-selected': String(l.code === editLang), 'data-testid': `kb-tab-${l.code}`,
      onclick: () => { editLang = l.code; formFor(l.code); page.rerender(); }},
    l.name, article.versions[l.code] ? ` · ${t(`kbe.state_${article.versions[l.code].state}`)}` : '')));
    const visibility = h('select', {'data-testid': 'kb-visibility', disabled: !editor},
      ['public', 'internal'].map((v) => h('option', {value: v, selected: article.visibility === v}, t(`kbe.${v}`))));
    visibility.addEventListener('change', () => settings({visibility: visibility.value}));
    const category = h('select', {'data-testid': 'kb-category', disabled: !editor},
      categories.map((c) => h('option', {value: c.id, selected: article.category === c.id}, (c.parent ? '— ' : '') + localName(c.names))));
    category.addEventListener('change', () => settings({category: category.value}));
    return h('div', {class: 'kb-editor', 'data-testid': 'kb-article-editor', 'data-id': article.id},
      h('p', {}, h('a', {href: '#/kb'}, t('kbe.back'))),
      banner(state),
      h('section', {class: 'card'},
        field({id: 'kb-visibility', label: t('kbe.visibility'), control: visibility}),
        field({id: 'kb-category', label: t('kbe.category'), control: category})),
      tabs,
      h('form', {class: 'card', onsubmit: save, lang: editLang, dir: dir(editLang), 'data-testid': 'kb-text-form'},
        version && version.published ? h('p', {class: 'hint'}, t('kbe.live'), ' ',
          h('a', {href: `/customer/kb/${editLang}/${encodeURIComponent(version.published.slug)}.html`, target: '_blank',
            'data-testid': 'kb-live-link'}, h('bdi', {}, version.published.title))) : null,
        field({id: 'kb-title', testid: 'kb-title', label: t('kbe.title'), error: errors.title,
          control: bind('title', h('input', {type: 'text', dir: 'auto', maxlength: 200}))}),
        field({id: 'kb-slug', testid: 'kb-slug', label: t('kbe.slug'), hint: t('kbe.slug_hint'), error: errors.slug,
          control: bind('slug', h('input', {type: 'text', dir: 'auto', maxlength: 80, readonly: !!(version && version.published)}))}),
        field({id: 'kb-body', testid: 'kb-body', label: t('kbe.body'), hint: t('kbe.body_hint'), error: errors.body,
          control: bind('body', h('textarea', {dir: 'auto', rows: 12}))}),
        h('div', {class: 'actions'},
          h('button', {type: 'submit', class: 'primary', disabled: busy, 'data-testid': 'kb-save'}, t('kbe.save')),
          h('button', {type: 'button', class: 'secondary', onclick: showPreview, 'data-testid': 'kb-preview-button'}, t('kbe.preview')),
          editor && version && version.pending ? h('button', {type: 'button', class: 'primary', disabled: busy,
            onclick: publish, 'data-testid': 'kb-publish'}, t('kbe.publish')) : null,
          editor && version && version.state === 'published' ? h('button', {type: 'button', class: 'secondary', disabled: busy,
            onclick: archive, 'data-testid': 'kb-archive'}, t('kbe.archive')) : null)),
      editor ? h('section', {class: 'card'}, (picker.limits = limits(), picker.render({label: t('kbe.files')})),
        h('button', {type: 'button', class: 'secondary', disabled: busy || picker.busy || !picker.entries.length,
          onclick: insertFiles, 'data-testid': 'kb-insert-files'}, t('kbe.insert_files'))) : null,
      preview !== null ? previewNode(preview) : null,
      history ? h('section', {class: 'card', 'data-testid': 'kb-history'},
        h('h2', {}, t('kbe.history')),
        h('ol', {}, history.slice().reverse().map((entry) => h('li', {'data-action': entry.action},
          `${formatDateTime(entry.at)} · `, h('bdi', {dir: 'ltr'}, entry.by), ` · ${t(`kbe.action_${entry.action}`)}`,
          entry.lang ? ` · ${entry.lang}` : '', entry.revision ? ` · #${entry.revision}` : '',
          entry.title ? [' · ', h('bdi', {}, entry.title)] : '',
          entry.revision && ['created', 'edited', 'restored'].includes(entry.action) ? [' ',
            h('button', {type: 'button', class: 'link-button', 'data-testid': 'kb-restore',
              onclick: () => restore(entry)}, t('kbe.restore'))] : null)))) : null);
  }

  return {
    start: load,
    render: () => (article ? renderArticle() : h('div', {}, banner(state), state ? null : h('p', {'aria-busy': 'true'}, t('common.loading')))),
  };
}

// ---------------------------------------------------------------- beside a ticket
/**
 * The ticket page's knowledge base panel: search every article (internal ones too) in the ticket's language,
 * insert a public article's link in the customer's language (another language with a note when it has none),
 * and turn the text in the reply box into an internal draft with the customer's details flagged.
 * getTicket() -> the ticket; getText() / setText(text): the reply box.
 */
export class KbTicketPanel {
  constructor({getTicket, getText, setText, rerender}) {
    Object.assign(this, {getTicket, getText, setText, rerender});
    this.query = '';
    this.results = null;
    this.state = null;
    this.draft = null; // {id, flagged}
    this.timer = null;
  }

  async search() {
    const ticket = this.getTicket();
    const q = this.query.trim();
    if (!q) { this.results = null; this.rerender(); return; }
    try {
      this.results = (await api.get(`/agent/kb/search?q=${encodeURIComponent(q)}&lang=${ticket.language}`)).results;
      this.state = null;
    } catch (error) {
      this.state = {text: () => describeError(error)};
    }
    this.rerender();
  }

  async insertLink(result) {
    const ticket = this.getTicket();
    try {
      const link = await api.get(`/agent/kb/articles/${encodeURIComponent(result.id)}/link?lang=${ticket.language}`);
      const note = link.fallback ? `${t('kbe.fallback_note', {lang: LANGUAGES.find((l) => l.code === link.lang).name})}\n` : '';
      this.setText(`${this.getText().replace(/\s*$/, '')}${this.getText().trim() ? '\n\n' : ''}${note}${link.title}: ${link.url}\n`);
      this.state = {kind: 'success', text: () => t('kbe.link_inserted')};
    } catch (error) {
      this.state = {text: () => (error.status === 403 ? t('kbe.internal_not_for_customers') : describeError(error))};
    }
    this.rerender();
  }

  async draftFromReply() {
    const ticket = this.getTicket();
    if (!this.getText().trim()) { this.state = {text: () => t('kbe.draft_needs_text')}; this.rerender(); return; }
    try {
      const categories = (await api.get('/kb/categories')).categories;
      const made = await api.post('/agent/kb/drafts-from-reply', {ticket: ticket.number, text: this.getText(),
        title: ticket.subject.slice(0, 200), category: (categories[0] || {}).id || 'general', lang: ticket.language});
      this.draft = {id: made.article.id, flagged: made.flagged};
      this.state = {kind: 'success', text: () => t('kbe.draft_made')};
    } catch (error) {
      this.state = {text: () => describeError(error)};
    }
    this.rerender();
  }

  render() {
    const input = h('input', {type: 'search', id: 'kb-ticket-search', dir: 'auto', maxlength: 200, value: this.query,
      'data-testid': 'kb-ticket-search'});
    input.addEventListener('input', () => {
      this.query = input.value;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.search(), 350);
    });
    return h('section', {class: 'card', 'aria-labelledby': 'kb-panel-heading', 'data-testid': 'kb-ticket-panel'},
      h('h2', {id: 'kb-panel-heading'}, t('kbe.panel')),
      banner(this.state),
      field({id: 'kb-ticket-search', label: t('kbe.panel_search'), control: input}),
      this.results ? h('ul', {class: 'side-list'}, this.results.map((r) => h('li', {'data-testid': 'kb-ticket-result'},
        h('a', {href: `#/kb/${r.id}`}, h('bdi', {}, r.title)),
        r.visibility === 'internal' ? h('span', {class: 'badge'}, ' ', t('kbe.internal')) : null, ' ',
        r.visibility === 'public' ? h('button', {type: 'button', class: 'link-button', 'data-testid': 'kb-insert-link',
          onclick: () => this.insertLink(r)}, t('kbe.insert_link')) : null))) : null,
      h('button', {type: 'button', class: 'secondary', 'data-testid': 'kb-draft-from-reply',
        onclick: () => this.draftFromReply()}, t('kbe.draft_from_reply')),
      this.draft ? h('div', {'data-testid': 'kb-draft-made'},
        h('p', {}, h('a', {href: `#/kb/${this.draft.id}`}, t('kbe.open_draft'))),
        this.draft.flagged.length ? [h('p', {}, t('kbe.flagged')), h('ul', {}, this.draft.flagged.map((f) =>
          h('li', {'data-kind': f.kind}, `${t(`kbe.flag_${f.kind}`)}: `, h('bdi', {}, f.text))))] : null) : null);
  }
}
