// Two-step sign-in (#/security): enroll an authenticator app. The pool gives a secret (AssociateSoftwareToken),
// shown as a QR code of its otpauth:// URI (drawn here by the vendored qrcode-generator: the secret never leaves
// the page) and as text; the agent types the app's code (VerifySoftwareToken) and the app becomes the second step
// of every sign-in (SetUserMFAPreference). Admins and supervisors must (the API answers 403 mfa_required until
// they do, and context.js sends them here); other agents may.
import {h} from '../shared/dom.js';
import {t} from '../shared/i18n.js';
import {banner, describeError, field} from '../shared/forms.js';
import {toAsciiDigits} from '../shared/digits.js';
import qrcode from '../shared/vendor/qrcode-generator/qrcode.js';
import {currentSession, finishEnrollment, startEnrollment} from './auth.js';
import {api, forget} from './context.js';

const ISSUER = 'Helpdesk';

export function otpauthUri(username, secret) {
  const label = encodeURIComponent(`${ISSUER}:${username}`);
  return `otpauth://totp/${label}?secret=${encodeURIComponent(secret)}&issuer=${encodeURIComponent(ISSUER)}`;
}

function qrImage(text) {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  return h('img', {src: qr.createDataURL(5, 4), alt: t('mfa.qr_alt'), class: 'qr', 'data-testid': 'mfa-qr'});
}

export function mfaView({rerender, root}) {
  let me = null;
  let secret = null;
  let code = '';
  let error = null;
  let busy = false;
  let bannerState = null;
  let done = false;

  async function load() {
    try {
      me = await api.get('/agent/me'); // allowed without a second factor: it says whether one is required
    } catch (failure) {
      bannerState = {text: () => describeError(failure)};
    }
    rerender();
  }

  async function start() {
    busy = true;
    bannerState = null;
    rerender();
    try {
      secret = await startEnrollment();
    } catch {
      bannerState = {text: () => t('mfa.failed')};
    }
    busy = false;
    rerender();
  }

  async function verify(event) {
    event.preventDefault();
    if (busy) return;
    const digits = toAsciiDigits(code).replace(/\s/g, '');
    error = /^\d{6}$/.test(digits) ? null : 'invalid';
    if (error) {
      rerender();
      root.querySelector('#mfa-code').focus();
      return;
    }
    busy = true;
    rerender();
    try {
      await finishEnrollment(digits, ISSUER);
      done = true;
      secret = null;
      forget(); // pages load /agent/me again, now with the second factor
      me = await api.get('/agent/me');
    } catch (failure) {
      if (failure.type === 'CodeMismatchException' || failure.type === 'EnableSoftwareTokenMFAException') {
        error = 'code_wrong';
      } else {
        bannerState = {text: () => t('mfa.failed')};
      }
    }
    code = '';
    busy = false;
    rerender();
  }

  function status() {
    if (!me) return h('p', {'aria-busy': 'true'}, t('common.loading'));
    if (me.mfa.enrolled) return h('p', {'data-testid': 'mfa-status'}, t('mfa.enrolled'));
    if (me.mfa.required) return banner({kind: 'info', text: () => t('mfa.required')});
    return h('p', {'data-testid': 'mfa-status'}, t('mfa.optional'));
  }

  function enrollment() {
    const input = h('input', {type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', dir: 'ltr',
      maxlength: 12, value: code});
    input.addEventListener('input', () => { code = input.value; });
    const username = (currentSession() || {}).username || '';
    return h('form', {novalidate: true, onsubmit: verify, 'data-testid': 'mfa-form'},
      h('ol', {class: 'steps'},
        h('li', {}, t('mfa.scan'), h('div', {class: 'qr-box'}, qrImage(otpauthUri(username, secret)))),
        h('li', {}, t('mfa.manual'), ' ',
          h('code', {dir: 'ltr', class: 'secret', 'data-testid': 'mfa-secret'}, secret.match(/.{1,4}/g).join(' '))),
        h('li', {}, field({id: 'mfa-code', testid: 'mfa-code', label: t('mfa.code'),
          error: error ? {text: () => t(`mfa.${error === 'invalid' ? 'code_invalid' : 'code_wrong'}`)} : null,
          control: input}))),
      h('div', {class: 'actions'},
        h('button', {type: 'submit', class: 'primary', disabled: busy, 'data-testid': 'mfa-verify'},
          busy ? t('common.sending') : t('mfa.verify'))));
  }

  return {
    render: () => h('section', {class: 'card', 'data-testid': 'mfa'},
      h('h1', {}, t('mfa.title')),
      h('p', {class: 'hint'}, t('mfa.what')),
      status(),
      banner(done ? {kind: 'ok', text: () => t('mfa.done')} : bannerState),
      done ? h('p', {}, h('a', {href: '#/', 'data-testid': 'mfa-continue'}, t('mfa.continue'))) : null,
      secret ? enrollment() : me && !done ? h('div', {class: 'actions'},
        h('button', {type: 'button', class: me.mfa.enrolled ? 'secondary' : 'primary', disabled: busy,
          'data-testid': 'mfa-start', onclick: start}, me.mfa.enrolled ? t('mfa.replace') : t('mfa.start'))) : null),
    start: load,
  };
}
