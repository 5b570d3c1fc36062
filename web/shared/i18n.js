// Language state, translation lookup and the language switch shared by both sites.
import en from './i18n/en.js';
import fa from './i18n/fa.js';
import he from './i18n/he.js';

const DICTIONARIES = {fa, he, en};
export const LANGUAGES = [
  {code: 'fa', name: 'فارسی', dir: 'rtl'},
  {code: 'he', name: 'עברית', dir: 'rtl'},
  {code: 'en', name: 'English', dir: 'ltr'},
];
const STORAGE_KEY = 'helpdesk.lang';
const listeners = new Set();
let current = initialLanguage();

function supported(code) {
  return LANGUAGES.some((l) => l.code === code);
}

function initialLanguage() {
  let saved = null;
  try { saved = localStorage.getItem(STORAGE_KEY); } catch { /* storage blocked: fall through */ }
  if (supported(saved)) return saved;
  for (const tag of navigator.languages || [navigator.language || '']) {
    let code = String(tag).toLowerCase().split('-')[0];
    if (code === 'iw') code = 'he'; // old Java/Android code for Hebrew
    if (supported(code)) return code;
  }
  return 'en';
}

export function lang() {
  return current;
}

export function dir(code = current) {
  return LANGUAGES.find((l) => l.code === code).dir;
}

export function setLang(code) {
  if (!supported(code) || code === current) return;
  current = code;
  try { localStorage.setItem(STORAGE_KEY, code); } catch { /* not remembered, still switched */ }
  applyToDocument();
  listeners.forEach((fn) => fn(code));
}

export function onLangChange(fn) {
  listeners.add(fn);
}

/** t('key', {name: 'x'}) — falls back to English, then to the key itself (visible, so it gets noticed). */
export function t(key, params) {
  const text = DICTIONARIES[current][key] ?? DICTIONARIES.en[key] ?? key;
  return params ? text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m)) : text;
}

/** Wrap user data placed inside a translated sentence in a bidi isolate (FSI…PDI), so an e-mail address or
 * a Latin file name inside a Persian sentence (or the reverse) cannot reorder the words around it. */
export function isolate(text) {
  return `\u2068${text}\u2069`;
}

/** A field error code from the API (or the client checks) in the UI language. */
export function fieldError(code) {
  const key = `field.${code}`;
  return key in DICTIONARIES.en ? t(key) : t('field.invalid');
}

/** Pick the UI language's name from a catalog entry's {en, fa, he}. */
export function localName(names) {
  return names[current] || names.en || Object.values(names)[0] || '';
}

export function applyToDocument() {
  document.documentElement.lang = current;
  document.documentElement.dir = dir();
}

/** The visible language switch: one button per language, each written in its own language. */
export function languageSwitch() {
  const nav = document.createElement('nav');
  nav.className = 'lang-switch';
  nav.setAttribute('aria-label', t('lang.switch'));
  for (const l of LANGUAGES) {
    const button = document.createElement('button');
    button.type = 'button';
    button.lang = l.code;
    button.dir = l.dir;
    button.textContent = l.name;
    button.dataset.testid = `lang-${l.code}`;
    button.setAttribute('aria-pressed', String(l.code === current));
    button.addEventListener('click', () => setLang(l.code));
    nav.append(button);
  }
  return nav;
}
