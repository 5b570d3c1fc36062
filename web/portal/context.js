// What every portal page needs, loaded once per sign-in: the API client, who is signed in (GET /agent/me),
// the catalog (department and category names) and the organisation (work groups, their members, agents'
// names). Pages ask for names through the helpers below, so an id never shows where a name is known.
import {h} from '../shared/dom.js';
import {createApi} from '../shared/api.js';
import {localName, t} from '../shared/i18n.js';
import {authHeaders, refresh} from './auth.js';

// Admins and supervisors without an authenticator app get 403 mfa_required from the API: send them to enroll.
export const api = createApi({headers: authHeaders, onUnauthorized: refresh, onError: (error) => {
  if (error.code === 'mfa_required' && location.hash !== '#/security') location.hash = '#/security';
}});

let me = null;
let catalog = null;
let org = null;
let loading = null;

/** Loads me, the catalog and the organisation (once; again after forget()). */
export function ensureBasics() {
  loading = loading || Promise.all([api.get('/agent/me'), api.get('/catalog'), api.get('/agent/org')])
    .then(([who, found, organisation]) => {
      me = who;
      catalog = found;
      org = organisation;
    })
    .catch((error) => {
      loading = null; // try again on the next page
      throw error;
    });
  return loading;
}

/** After sign-out, or after an admin changed the organisation. */
export function forget() {
  me = null;
  catalog = null;
  org = null;
  loading = null;
}

let notice = null; // a banner state for the next page, e.g. "transferred" after leaving a ticket out of reach

/** Leaves a banner ({kind, text: () => ...}) for the next page that takes it. */
export function leaveNotice(state) {
  notice = state;
}

export function takeNotice() {
  const taken = notice;
  notice = null;
  return taken;
}

export function currentAgent() {
  return me;
}

export function limits() {
  return catalog.limits;
}

export function priorities() {
  return catalog.priorities;
}

export function isAdmin() {
  return !!(me && me.admin);
}

export function supervises(department) {
  return isAdmin() || me.supervises.includes(department);
}

export function memberOf(department, group) {
  return me.member_of.some((m) => m.department === department && (group === undefined || m.group === group));
}

/** The departments whose queues this agent works (admins: all), in the catalog's order. */
export function myDepartments() {
  return catalog.departments.filter((d) => supervises(d.id) || memberOf(d.id));
}

export function allDepartments() {
  return catalog.departments;
}

/** The categories of a department: [{id, names}], the first one its default. */
export function categoriesOf(department) {
  const found = catalog.departments.find((d) => d.id === department);
  return found ? found.categories : [];
}

function orgDepartment(id) {
  return org.departments.find((d) => d.id === id);
}

/** The work groups of a department: [{id, names, members: [usernames], strategy}]. */
export function groupsOf(department) {
  const found = orgDepartment(department);
  return found ? found.groups : [];
}

export function membersOf(department, group) {
  const found = groupsOf(department).find((g) => g.id === group);
  return found ? found.members : [];
}

export function departmentName(id) {
  const d = catalog.departments.find((x) => x.id === id);
  return d ? localName(d.names) : id;
}

/** A category's name; after a transfer to another department it is still found in the one it came from. */
export function categoryName(department, category) {
  const home = catalog.departments.find((x) => x.id === department);
  const found = [home, ...catalog.departments].flatMap((d) => (d ? d.categories : [])).find((c) => c.id === category);
  return found ? localName(found.names) : category;
}

export function groupName(department, group) {
  if (!group) return t('group.none');
  const found = groupsOf(department).find((g) => g.id === group);
  return found ? localName(found.names) : group;
}

/** An agent's display name from a username, or from an {id, name} the API sent. */
export function agentName(agent) {
  if (!agent) return '';
  if (typeof agent === 'object') return agent.name || agentName(agent.id);
  const found = org.agents.find((a) => a.id === agent);
  return found ? found.name : agent;
}

/** A name as an element: written by users, so its direction comes from its own text. */
export function agentLabel(agent) {
  return h('span', {dir: 'auto', class: 'agent-name'}, agentName(agent));
}
