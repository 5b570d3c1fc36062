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

/** One call of Cognito's JSON API (no SDK); the answer, or an AuthError named after Cognito's error type. */
async function cognito(action, body) {
  let response;
  try {
    response = await fetch(endpoint(), {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw new AuthError('network');
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    // __type is "NotAuthorizedException" or "com.amazon...#NotAuthorizedException"
    throw new AuthError(String(data.__type || 'unknown').split('#').pop(), data.message);
  }
  return data;
}

function authenticated(data) {
  if (!data.AuthenticationResult) throw new AuthError(data.ChallengeName || 'unknown'); // e.g. NEW_PASSWORD_REQUIRED
  return data.AuthenticationResult;
}

async function initiateAuth(flow, parameters) {
  return cognito('InitiateAuth', {AuthFlow: flow, ClientId: config().cognito.clientId, AuthParameters: parameters});
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

let pending = null; // {username, session} between the password and the authenticator code

/**
 * Email and password. Resolves {mfa: true} when the account asks for its authenticator app's code next
 * (answer with answerMfa); otherwise the agent is signed in.
 */
export async function signIn(email, password) {
  const data = await initiateAuth('USER_PASSWORD_AUTH', {USERNAME: email, PASSWORD: password});
  if (data.ChallengeName === 'SOFTWARE_TOKEN_MFA') {
    pending = {username: email, session: data.Session};
    return {mfa: true};
  }
  save(fromResult(authenticated(data), {username: email}));
  return {mfa: false};
}

/** The 6-digit code of the authenticator app, for the sign-in signIn() started. */
export async function answerMfa(code) {
  if (!pending) throw new AuthError('NotAuthorizedException');
  const data = await cognito('RespondToAuthChallenge', {
    ClientId: config().cognito.clientId, ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: pending.session,
    ChallengeResponses: {USERNAME: pending.username, SOFTWARE_TOKEN_MFA_CODE: code},
  }).catch((error) => {
    // A wrong code keeps the challenge (the agent may try again); an expired session does not.
    if (error.type !== 'CodeMismatchException') pending = null;
    throw error;
  });
  const username = pending.username;
  pending = null;
  save(fromResult(authenticated(data), {username}));
}

/** Back to the password step. */
export function cancelMfa() {
  pending = null;
}

// ---------------------------------------------------------------- enrolling an authenticator app

/** Starts enrollment: the secret to show as a QR code (otpauth:// URI) and as text. */
export async function startEnrollment() {
  const data = await cognito('AssociateSoftwareToken', {AccessToken: session.accessToken});
  return data.SecretCode;
}

/** Proves the app shows the right codes, then makes it the second step of every sign-in. */
export async function finishEnrollment(code, deviceName) {
  const verified = await cognito('VerifySoftwareToken', {AccessToken: session.accessToken, UserCode: code,
    FriendlyDeviceName: deviceName});
  if (verified.Status && verified.Status !== 'SUCCESS') throw new AuthError('CodeMismatchException');
  await cognito('SetUserMFAPreference', {AccessToken: session.accessToken,
    SoftwareTokenMfaSettings: {Enabled: true, PreferredMfa: true}});
}

export function signOut() {
  save(null);
}

/** Refresh the tokens; resolves true on success. On failure the session is dropped (sign in again). */
export function refresh() {
  if (!session || !session.refreshToken) return Promise.resolve(false);
  refreshing = refreshing || initiateAuth('REFRESH_TOKEN_AUTH', {REFRESH_TOKEN: session.refreshToken})
    .then((data) => {
      save(fromResult(authenticated(data), session));
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
