// "My tickets" without a password: the customer gives the email address or mobile number of their
// tickets, receives a 6-digit code there, and exchanges it for a session token (see session.js).
// The API answers the same whether or not the identity has tickets, and so does this page.
import {h} from '../shared/dom.js';
import {isolate, lang, t} from '../shared/i18n.js';
import {banner, describeError, field, focusFirstInvalid} from '../shared/forms.js';
import {formatNumber} from '../shared/format.js';
import {toAsciiDigits} from '../shared/digits.js';
import {identityText, startSession} from './session.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9][0-9 ()./-]{5,23}$/; // roughly a number: the API decides whether it is a mobile
const CODE = /^[0-9]{6}$/;

/** {email} or {phone} from what the customer typed (any digits), or null when it is neither. */
export function parseIdentity(text) {
  const value = toAsciiDigits(text).trim();
  if (value.includes('@')) return EMAIL.test(value) ? {email: value} : null;
  return PHONE.test(value) ? {phone: value} : null;
}

/** The code as typed ("۱۲۳ ۴۵۶", "123-456") in ASCII digits only. */
function cleanCode(text) {
  return toAsciiDigits(text).replace(/[\s-]/g, '');
}

/**
 * api: the public client; notice: a message to show first (e.g. "your sign-in has ended");
 * onSignedIn(): called once the token is stored.
 */
export function signInView({api, rerender, notice = null, onSignedIn}) {
  let step = 'identity'; // then 'code'
  let identityInput = '';
  let identity = null; // {email} | {phone}: where the last code went
  let code = '';
  let errors = {};
  let bannerState = notice ? {kind: 'info', text: notice} : null;
  let busy = false;
  let focusTarget = null; // an element id, or 'invalid' for the first invalid field

  function sentBanner({channel, expires_in: expiresIn}) {
    return {kind: 'ok', text: () => t(channel === 'sms' ? 'code.sent_sms' : 'code.sent_email', {
      identity: isolate(identityText(identity)), minutes: formatNumber(Math.round(expiresIn / 60)),
    })};
  }

  async function requestCode() {
    busy = true;
    rerender();
    try {
      const sent = await api.post('/customer/sign-in', {...identity, language: lang()});
      step = 'code';
      code = '';
      errors = {};
      bannerState = sentBanner(sent);
      focusTarget = 'code';
    } catch (error) {
      if (error.status === 429) {
        const wait = error.body.retry_after; // seconds until the identity (or the network) may ask again
        const reason = () => t(error.body.rate_limit ? 'code.too_many_network' : 'code.too_many');
        bannerState = {text: () => (wait
          ? `${reason()} ${t('code.try_again_in', {minutes: formatNumber(Math.ceil(wait / 60))})}` : reason())};
      } else if (error.status === 400) {
        const reported = error.fields.email || error.fields.phone;
        step = 'identity';
        errors = {identity: reported || 'invalid'};
        bannerState = null;
        focusTarget = 'invalid';
      } else {
        bannerState = {text: () => describeError(error)};
      }
    } finally {
      busy = false;
      rerender();
    }
  }

  function submitIdentity(event) {
    event.preventDefault();
    if (busy) return;
    identity = parseIdentity(identityInput);
    errors = identity ? {} : {identity: identityInput.trim() ? 'invalid' : 'required'};
    if (!identity) {
      bannerState = null;
      focusTarget = 'invalid';
      rerender();
      return;
    }
    requestCode();
  }

  async function verify(event) {
    event.preventDefault();
    if (busy) return;
    const digits = cleanCode(code);
    if (!CODE.test(digits)) {
      errors = {code: digits ? 'code_length' : 'required'};
      focusTarget = 'invalid';
      rerender();
      return;
    }
    busy = true;
    errors = {};
    rerender();
    try {
      startSession(await api.post('/customer/sign-in/verify', {...identity, code: digits, language: lang()}), identity);
      onSignedIn();
      return;
    } catch (error) {
      if (error.fields.code === 'wrong') {
        const left = error.body.attempts_left;
        errors = {code: {text: () => (Number.isInteger(left) ? t('code.wrong', {count: formatNumber(left)}) : t('field.wrong'))}};
        code = '';
        focusTarget = 'invalid';
      } else if (error.fields.code === 'expired') { // too many tries or too late: start again
        step = 'identity';
        bannerState = {text: () => t('code.expired')};
        focusTarget = 'send-code';
      } else if (error.status === 429 && error.body.rate_limit) { // too many guesses from this network
        const minutes = formatNumber(Math.ceil((error.body.retry_after || 60) / 60));
        bannerState = {text: `${t('code.too_many_network')} ${t('code.try_again_in', {minutes})}`};
      } else {
        bannerState = {text: () => describeError(error)};
      }
    } finally {
      busy = false;
    }
    rerender();
  }

  function changeIdentity() {
    step = 'identity';
    bannerState = null;
    errors = {};
    focusTarget = 'identity';
    rerender();
  }

  function renderIdentityStep() {
    const input = h('input', {type: 'text', dir: 'ltr', class: 'ltr-field', maxlength: 254, autocomplete: 'username',
      autocapitalize: 'none', spellcheck: 'false', value: identityInput});
    input.addEventListener('input', () => { identityInput = input.value; });
    return h('form', {class: 'card', novalidate: true, onsubmit: submitIdentity, 'aria-busy': String(busy),
      'data-testid': 'signin-form'},
    h('h1', {}, t('code.title')),
    h('p', {class: 'muted'}, t('code.intro')),
    banner(bannerState),
    field({id: 'identity', testid: 'identity', label: t('code.identity'), hint: t('code.identity_hint'),
      error: errors.identity, control: input}),
    h('div', {class: 'actions'},
      h('button', {type: 'submit', class: 'primary', id: 'send-code', 'data-testid': 'send-code', disabled: busy},
        busy ? t('common.sending') : t('code.send'))));
  }

  function renderCodeStep() {
    const input = h('input', {type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', dir: 'ltr',
      class: 'code-input', maxlength: 12, spellcheck: 'false', value: code});
    input.addEventListener('input', () => { code = input.value; });
    return h('form', {class: 'card', novalidate: true, onsubmit: verify, 'aria-busy': String(busy),
      'data-testid': 'code-form'},
    h('h1', {}, t('code.title')),
    banner(bannerState),
    field({id: 'code', testid: 'code', label: t('code.code'), hint: t('code.code_hint'), error: errors.code,
      control: input}),
    h('div', {class: 'actions'},
      h('button', {type: 'submit', class: 'primary', 'data-testid': 'verify-code', disabled: busy},
        busy ? t('code.checking') : t('code.verify')),
      h('button', {type: 'button', class: 'secondary', 'data-testid': 'resend-code', disabled: busy,
        onclick: requestCode}, t('code.resend')),
      h('button', {type: 'button', class: 'link-button', 'data-testid': 'change-identity', disabled: busy,
        onclick: changeIdentity}, t('code.change'))));
  }

  return {
    page: 'tickets',
    render: () => (step === 'code' ? renderCodeStep() : renderIdentityStep()),
    afterRender() {
      if (!focusTarget) return;
      const target = focusTarget === 'invalid' ? null : document.getElementById(focusTarget);
      focusTarget = null;
      if (target) target.focus();
      else focusFirstInvalid(document);
    },
  };
}
