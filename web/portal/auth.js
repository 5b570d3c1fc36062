// Agent sign-in straight against Cognito's InitiateAuth from the browser (no SDK: one JSON POST).
// Tokens live in sessionStorage: they end with the tab and are not shared with other tabs or kept on disk.
import {config} from '../shared/api.js';

const STORAGE_KEY = 'helpdesk.session';
const REFRESH_MARGIN_MS = 60_000; // refresh a minute before the access token expires

export class AuthError extends Error {
  constructor(type, message) {
    super(message || type);
    this.type = type; // e.g. NotAuthorizedException, or 'network'
  }
}

let session = load();
let refreshing = null; // one refresh at a time, however many calls are waiting
let timer = null;
const listeners = new Set();

function load() {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE_KEY)) || null;
  } catch {
    return null;
  }
}

function save(next) {
  session = next;
  if (next) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  else sessionStorage.removeItem(STORAGE_KEY);
  schedule();
  listeners.forEach((fn) => fn(next));
}

export function onSessionChange(fn) {
  listeners.add(fn);
}

export function currentSession() {
  return session;
}

function endpoint() {
  const {cognito} = config();
  return cognito.endpoint || `https://cognito-idp.${cognito.region}.amazonaws.com/`;
}

async function initiateAuth(flow, parameters) {
  let response;
  try {
    response = await fetch(endpoint(), {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'AWSCognitoIdentityProviderService.InitiateAuth',
      },
      body: JSON.stringify({AuthFlow: flow, ClientId: config().cognito.clientId, AuthParameters: parameters}),
    });
  } catch {
    throw new AuthError('network');
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    // __type is "NotAuthorizedException" or "com.amazon...#NotAuthorizedException"
    throw new AuthError(String(data.__type || 'unknown').split('#').pop(), data.message);
  }
  if (!data.AuthenticationResult) throw new AuthError(data.ChallengeName || 'unknown'); // e.g. NEW_PASSWORD_REQUIRED
  return data.AuthenticationResult;
}

function fromResult(result, previous) {
  return {
    accessToken: result.AccessToken,
    idToken: result.IdToken,
    refreshToken: result.RefreshToken || previous.refreshToken, // a refresh returns no new refresh token
    expiresAt: Date.now() + (result.ExpiresIn || 3600) * 1000,
    username: previous.username,
  };
}

export async function signIn(email, password) {
  const result = await initiateAuth('USER_PASSWORD_AUTH', {USERNAME: email, PASSWORD: password});
  save(fromResult(result, {username: email}));
}

export function signOut() {
  save(null);
}

/** Refresh the tokens; resolves true on success. On failure the session is dropped (sign in again). */
export function refresh() {
  if (!session || !session.refreshToken) return Promise.resolve(false);
  refreshing = refreshing || initiateAuth('REFRESH_TOKEN_AUTH', {REFRESH_TOKEN: session.refreshToken})
    .then((result) => {
      save(fromResult(result, session));
      return true;
    })
    .catch((error) => {
      if (error.type !== 'network') save(null); // a network blip should not sign the agent out
      return false;
    })
    .finally(() => { refreshing = null; });
  return refreshing;
}

/** The Authorization header, refreshing first when the token is about to expire. */
export async function authHeaders() {
  if (session && session.expiresAt - Date.now() < REFRESH_MARGIN_MS / 2) await refresh();
  return session ? {Authorization: `Bearer ${session.accessToken}`} : {};
}

function schedule() {
  clearTimeout(timer);
  if (!session) return;
  const wait = Math.max(0, session.expiresAt - Date.now() - REFRESH_MARGIN_MS);
  timer = setTimeout(refresh, wait);
}

schedule();
