// The customer's sign-in: a token exchanged for a one-time code sent by mail or SMS. It lives in
// sessionStorage (never localStorage): it ends with the tab and is not kept on disk or shared with other tabs.
const STORAGE_KEY = 'helpdesk.customer.session';

let session = load();

function load() {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE_KEY)) || null;
  } catch {
    return null;
  }
}

/** The signed-in customer ({token, expiresAt, identity: {email}|{phone}}), or null once it has expired. */
export function currentSession() {
  if (session && session.expiresAt <= Date.now()) endSession();
  return session;
}

export function startSession({token, expires_in: expiresIn}, identity) {
  session = {token, expiresAt: Date.now() + expiresIn * 1000, identity};
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  } catch { /* storage blocked: signed in for this page only */ }
}

export function endSession() {
  session = null;
  try { sessionStorage.removeItem(STORAGE_KEY); } catch { /* nothing was stored */ }
}

/** Headers for the API: the customer's token, when signed in. */
export function sessionHeaders() {
  const current = currentSession();
  return current ? {Authorization: `Bearer ${current.token}`} : {};
}

/** What the customer signed in with, as they typed it (an address or a number). */
export function identityText(identity) {
  return identity.email || identity.phone;
}
