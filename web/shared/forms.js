// Form pieces shared by both sites: labelled fields wired for screen readers, the error banner, and
// sorting the API's field codes onto the fields of a form.
import {h} from './dom.js';
import {fieldError, t} from './i18n.js';

/** A text that may be given as a function, so that it is worded in the language at render time (a notice
 * shown before a language switch re-renders in the new language). */
export function shown(text) {
  return typeof text === 'function' ? text() : text;
}

/**
 * A labelled field. `control` is the input element; its error (a code, or {text}) is shown below it and
 * tied to it with aria-describedby / aria-invalid.
 */
export function field({id, label, control, error, hint, testid}) {
  control.id = id;
  if (testid) control.dataset.testid = testid;
  const described = [];
  const hintEl = hint ? h('p', {class: 'hint', id: `${id}-hint`}, hint) : null;
  if (hintEl) described.push(hintEl.id);
  let errorEl = null;
  if (error) {
    errorEl = h('p', {class: 'field-error', id: `${id}-error`, 'data-testid': `${testid || id}-error`},
      typeof error === 'string' ? fieldError(error) : shown(error.text));
    described.push(errorEl.id);
    control.setAttribute('aria-invalid', 'true');
  }
  if (described.length) control.setAttribute('aria-describedby', described.join(' '));
  return h('div', {class: `field${error ? ' invalid' : ''}`}, h('label', {for: id}, label), hintEl, control, errorEl);
}

/** The banner for errors that belong to no field (network, server, state). role=alert announces it. */
export function banner(state) {
  if (!state) return h('div', {class: 'banner-slot', 'aria-live': 'polite'});
  const kind = state.kind || 'error';
  return h('div', {class: `banner banner-${kind}`, role: kind === 'error' ? 'alert' : 'status', 'data-testid': 'banner'},
    shown(state.text), state.items && state.items.length ? h('ul', {}, state.items.map((i) => h('li', {}, shown(i)))) : null);
}

/** The banner text for an ApiError (or any error). */
export function describeError(error) {
  const status = error && error.status;
  if (status === 0) return t('error.network');
  if (status === 400) return t('error.fix_fields');
  const byStatus = {401: 'error.unauthorized', 403: 'error.forbidden', 404: 'error.not_found',
    409: 'error.conflict', 429: 'error.limit_reached'};
  if (byStatus[status]) return t(byStatus[status]);
  return t('error.server');
}

/**
 * Split the API's `fields` ({"customer.email": "invalid", "attachments.1": "type_mismatch"}) into errors
 * for the form's fields (exact key, or the longest key that is a dotted prefix) and leftovers for the banner.
 */
export function sortFieldErrors(fields, formKeys) {
  const byField = {};
  const leftover = [];
  for (const [path, code] of Object.entries(fields || {})) {
    const key = formKeys.filter((k) => path === k || path.startsWith(`${k}.`)).sort((a, b) => b.length - a.length)[0];
    if (key) {
      byField[key] = byField[key] || [];
      byField[key].push({path, code});
    } else {
      leftover.push(() => `${path}: ${fieldError(code)}`);
    }
  }
  return {byField, leftover};
}

/** After a failed submit, move focus to the first invalid field so keyboard users land on it. */
export function focusFirstInvalid(root) {
  const el = root.querySelector('[aria-invalid="true"]');
  if (el) el.focus();
}
