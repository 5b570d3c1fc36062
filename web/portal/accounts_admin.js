// Agents' accounts, for admins, a part of the admin page (admin.js): pick an agent, see whether the account is
// enabled and has an authenticator app (GET /admin/agents/{id}/account), sign them out everywhere or disable
// (and enable) the account. Each action asks once more before it is done: one wrong click changes nothing.
import {h} from '../shared/dom.js';
import {t} from '../shared/i18n.js';
import {banner, describeError, field} from '../shared/forms.js';
import {api, currentAgent} from './context.js';

export function accountsPanel({rerender}) {
  let agents = [];
  let chosen = '';
  let account = null; // {agent, enabled, mfa}
  let confirming = null; // 'sign-out' | 'disable' | 'enable'
  let busy = false;
  let bannerState = null;

  async function show(agentId) {
    chosen = agentId;
    account = null;
    confirming = null;
    bannerState = null;
    rerender();
    if (!agentId) return;
    try {
      account = await api.get(`/admin/agents/${encodeURIComponent(agentId)}/account`);
    } catch (error) {
      bannerState = {text: () => describeError(error)};
    }
    rerender();
  }

  async function act(action) {
    if (busy) return;
    busy = true;
    rerender();
    try {
      account = await api.post(`/admin/agents/${encodeURIComponent(chosen)}/${action}`);
      bannerState = {kind: 'ok', text: () => t(`accounts.done_${action.replace('-', '_')}`)};
    } catch (error) {
      bannerState = {text: () => (error.status === 409 ? t('accounts.not_yourself') : describeError(error))};
    } finally {
      busy = false;
      confirming = null;
      rerender();
    }
  }

  function button(action, label, testid) {
    if (confirming === action) {
      return h('span', {class: 'confirm'},
        h('button', {type: 'button', class: 'primary', disabled: busy, 'data-testid': `${testid}-confirm`,
          onclick: () => act(action)}, t('accounts.confirm')),
        h('button', {type: 'button', class: 'secondary', 'data-testid': `${testid}-cancel`,
          onclick: () => { confirming = null; rerender(); }}, t('accounts.cancel')));
    }
    return h('button', {type: 'button', class: 'secondary', disabled: busy, 'data-testid': testid,
      onclick: () => { confirming = action; bannerState = null; rerender(); }}, label);
  }

  function render() {
    const select = h('select', {},
      h('option', {value: ''}, t('accounts.choose')),
      agents.map((a) => h('option', {value: a.id, selected: a.id === chosen}, a.name)));
    select.addEventListener('change', () => show(select.value));
    const self = currentAgent() && chosen === currentAgent().id;
    return h('section', {'aria-labelledby': 'accounts-heading', 'data-testid': 'accounts'},
      h('h2', {id: 'accounts-heading'}, t('accounts.title')),
      h('p', {class: 'hint'}, t('accounts.hint')),
      field({id: 'accounts-agent', testid: 'accounts-agent', label: t('accounts.agent'), control: select}),
      banner(bannerState),
      account ? h('div', {class: 'account', 'data-testid': 'account-state'},
        h('p', {}, account.enabled ? t('accounts.enabled') : t('accounts.disabled'), ' · ',
          account.mfa ? t('accounts.mfa_on') : t('accounts.mfa_off')),
        h('div', {class: 'actions'},
          button('sign-out', t('accounts.sign_out'), 'account-sign-out'),
          self ? null : account.enabled ? button('disable', t('accounts.disable'), 'account-disable')
            : button('enable', t('accounts.enable'), 'account-enable'))) : null);
  }

  return {
    load(orgAgents) { agents = orgAgents; },
    render,
  };
}
