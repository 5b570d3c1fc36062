// The agent portal: sign in (Cognito), then the department queue and "Mine" (queue.js), a ticket with its
// workflow actions, timeline and composer (ticket.js), and, for admins, the organisation (admin.js). The search
// box in the top bar and the results page are search.js.
import {h, replaceKeepingFocus} from '../shared/dom.js';
import {applyToDocument, languageSwitch, onLangChange, t} from '../shared/i18n.js';
import {banner, field} from '../shared/forms.js';
import {answerMfa, cancelMfa, currentSession, onSessionChange, signIn, signOut} from './auth.js';
import {toAsciiDigits} from '../shared/digits.js';
import {forget, isAdmin} from './context.js';
import {queueView} from './queue.js';
import {isSearchHash, searchBox, searchView} from './search.js';
import {ticketView} from './ticket.js';
import {adminView} from './admin.js';
import {profileView} from './profile.js';
import {cannedAdminView} from './canned_admin.js';
import {mfaView} from './mfa.js';
import {reportsView} from './reports.js';
import {kbArticleView, kbListView} from './kb.js';

const root = document.getElementById('app');

let view = null;
let sessionEnded = false; // show "sign in again" after a session could not be refreshed
let signingOut = false;
let signedIn = false; // what the current view was built for

function rerender() {
  document.title = t('portal.title');
  const session = currentSession();
  replaceKeepingFocus(root, h('div', {class: 'page'},
    h('header', {class: 'topbar'},
      h('p', {class: 'brand'}, h('a', {href: '#/'}, t('portal.title'))),
      session ? searchBox() : null,
      h('div', {class: 'topbar-actions'},
        session && isAdmin() ? h('a', {href: '#/admin', class: 'topbar-link', 'data-testid': 'admin-link',
          'aria-current': location.hash === '#/admin' ? 'page' : null}, t('admin.link')) : null,
        session ? h('a', {href: '#/canned', class: 'topbar-link', 'data-testid': 'canned-link',
          'aria-current': location.hash === '#/canned' ? 'page' : null}, t('canned.link')) : null,
        session ? h('a', {href: '#/reports', class: 'topbar-link', 'data-testid': 'reports-link',
          'aria-current': location.hash === '#/reports' ? 'page' : null}, t('reports.link')) : null,
        session ? h('a', {href: '#/kb', class: 'topbar-link', 'data-testid': 'kb-link',
          'aria-current': location.hash.startsWith('#/kb') ? 'page' : null}, t('kbe.link')) : null,
        session ? h('a', {href: '#/profile', class: 'topbar-link', 'data-testid': 'profile-link',
          'aria-current': location.hash === '#/profile' ? 'page' : null}, t('profile.link')) : null,
        session ? h('a', {href: '#/security', class: 'topbar-link', 'data-testid': 'security-link',
          'aria-current': location.hash === '#/security' ? 'page' : null}, t('mfa.link')) : null,
        session ? h('span', {class: 'user', dir: 'ltr', 'data-testid': 'signed-in-user'}, session.username) : null,
        session ? h('button', {type: 'button', class: 'secondary', 'data-testid': 'sign-out',
          onclick: () => { signingOut = true; signOut(); }}, t('signin.sign_out')) : null,
        languageSwitch())),
    h('main', {id: 'main'}, view.render())));
  if (view.afterRender) view.afterRender();
}

// ---------------------------------------------------------------- sign in

function signInView() {
  const values = {email: '', password: '', code: ''};
  let step = 'password'; // then 'code' when the account has an authenticator app
  let bannerState = sessionEnded ? {kind: 'info', text: () => t('signin.session_ended')} : null;
  let errors = {};
  let busy = false;
  let focusError = false;

  const MESSAGES = {
    NotAuthorizedException: 'signin.wrong', UserNotFoundException: 'signin.wrong',
    PasswordResetRequiredException: 'signin.reset_required', NEW_PASSWORD_REQUIRED: 'signin.reset_required',
    UserNotConfirmedException: 'signin.not_confirmed', TooManyRequestsException: 'signin.too_many',
    LimitExceededException: 'signin.too_many', network: 'error.network',
    CodeMismatchException: 'signin.code_wrong', ExpiredCodeException: 'signin.code_wrong',
  };

  async function submitCode(event) {
    event.preventDefault();
    if (busy) return;
    const code = toAsciiDigits(values.code).replace(/\s/g, '');
    errors = /^\d{6}$/.test(code) ? {} : {code: 'invalid'};
    if (errors.code) {
      bannerState = null;
      focusError = true;
      rerender();
      return;
    }
    busy = true;
    bannerState = null;
    rerender();
    try {
      await answerMfa(code);
      sessionEnded = false;
    } catch (error) {
      values.code = '';
      if (error.type === 'CodeMismatchException' || error.type === 'network') {
        bannerState = {text: () => t(MESSAGES[error.type])};
      } else { // the sign-in session ran out (3 minutes): start again
        step = 'password';
        values.password = '';
        bannerState = {text: () => t('signin.code_expired')};
      }
      busy = false;
      focusError = true;
      rerender();
    }
  }

  async function submit(event) {
    event.preventDefault();
    if (busy) return;
    errors = {};
    if (!values.email.trim()) errors.email = 'required';
    if (!values.password) errors.password = 'required';
    if (Object.keys(errors).length) {
      bannerState = {text: () => t('error.fix_fields')};
      focusError = true;
      rerender();
      return;
    }
    busy = true;
    bannerState = null;
    rerender();
    try {
      const {mfa} = await signIn(values.email.trim(), values.password);
      if (mfa) { // the authenticator app's code next
        step = 'code';
        busy = false;
        focusError = true;
        rerender();
        return;
      }
      sessionEnded = false;
      // onSessionChange routes to the page asked for
    } catch (error) {
      values.password = '';
      bannerState = {text: () => t(MESSAGES[error.type] || 'signin.failed')};
      busy = false;
      focusError = true;
      rerender();
    }
  }

  function input(name, props) {
    const el = h('input', {...props, value: values[name]});
    el.addEventListener('input', () => { values[name] = el.value; });
    return el;
  }

  function codeForm() {
    return h('form', {class: 'card', novalidate: true, onsubmit: submitCode, 'aria-busy': String(busy),
      'data-testid': 'signin-code-form'},
    h('h1', {}, t('signin.title')),
    banner(bannerState),
    field({id: 'signin-code', testid: 'signin-code', label: t('signin.code'), hint: t('signin.code_hint'),
      error: errors.code ? {text: () => t('signin.code_invalid')} : null,
      control: input('code', {type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', dir: 'ltr',
        maxlength: 12})}),
    h('div', {class: 'actions'},
      h('button', {type: 'submit', class: 'primary', disabled: busy, 'data-testid': 'signin-code-submit'},
        busy ? t('signin.signing_in') : t('signin.submit')),
      h('button', {type: 'button', class: 'secondary', disabled: busy, 'data-testid': 'signin-code-back',
        onclick: () => { cancelMfa(); step = 'password'; values.password = ''; bannerState = null; rerender(); }},
      t('signin.back'))));
  }

  return {
    render: () => step === 'code' ? codeForm() : h('form', {class: 'card', novalidate: true, onsubmit: submit,
      'aria-busy': String(busy), 'data-testid': 'signin-form'},
    h('h1', {}, t('signin.title')),
    banner(bannerState),
    field({id: 'signin-email', testid: 'signin-email', label: t('signin.email'), error: errors.email,
      control: input('email', {type: 'email', dir: 'ltr', autocomplete: 'username', spellcheck: 'false'})}),
    field({id: 'signin-password', testid: 'signin-password', label: t('signin.password'), error: errors.password,
      control: input('password', {type: 'password', dir: 'ltr', autocomplete: 'current-password'})}),
    h('div', {class: 'actions'},
      h('button', {type: 'submit', class: 'primary', disabled: busy, 'data-testid': 'signin-submit'},
        busy ? t('signin.signing_in') : t('signin.submit')))),
    afterRender() {
      if (!focusError) return;
      focusError = false;
      const invalid = root.querySelector('[aria-invalid="true"]');
      (invalid || document.getElementById(step === 'code' ? 'signin-code' : 'signin-password')).focus();
    },
  };
}

// ---------------------------------------------------------------- routing

function pageFor(hash) {
  const page = {rerender, root};
  if (isSearchHash(hash)) return searchView(page);
  const ticket = hash.match(/^#\/tickets\/(\d+)$/);
  if (ticket) return ticketView(page, ticket[1]);
  if (hash === '#/admin') return adminView(page);
  const article = hash.match(/^#\/kb\/([a-z0-9-]{1,64})$/);
  if (article) return kbArticleView(page, article[1]);
  if (hash === '#/kb') return kbListView(page);
  if (hash === '#/profile') return profileView(page);
  if (hash === '#/canned') return cannedAdminView(page);
  if (hash === '#/security') return mfaView(page);
  if (hash === '#/reports') return reportsView(page);
  return queueView({...page, mine: hash === '#/mine'});
}

function route() {
  if (view && view.stop) view.stop(); // e.g. the ticket page's presence beats
  signedIn = !!currentSession();
  if (!signedIn) forget(); // the next agent loads their own /agent/me
  view = signedIn ? pageFor(location.hash) : signInView();
  rerender();
  if (view.start) view.start(); // after `view` is set: loading re-renders
}

onSessionChange((session) => {
  if (!!session === signedIn) return; // a token refresh: stay on the page
  sessionEnded = !session && !signingOut;
  signingOut = false;
  route();
});

applyToDocument();
onLangChange(rerender);
window.addEventListener('hashchange', route);
route();
