// The HTTP API client: JSON in and out, and one error type carrying the API's error format
// ({error, message, fields}) so views can show field codes next to the fields.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status; // 0 = the request never got an answer (offline, CORS, DNS)
    this.code = (body && body.error) || (status === 0 ? 'network' : status >= 500 ? 'server' : 'unknown');
    this.fields = (body && body.fields) || {};
    this.body = body || {}; // the rest of the answer, e.g. the fresh `ticket` of a stale-version conflict
  }
}

export function config() {
  const cfg = window.HELPDESK_CONFIG;
  if (!cfg || !cfg.apiUrl) throw new Error('config.js did not set window.HELPDESK_CONFIG.apiUrl');
  return cfg;
}

/**
 * headers(): extra headers per call (e.g. Authorization), may be async.
 * onUnauthorized(): called once on a 401; if it resolves true the call is retried once.
 * onError(apiError): told of every error answer before it is thrown (e.g. the portal's mfa_required).
 */
export function createApi({headers = () => ({}), onUnauthorized = null, onError = null} = {}) {
  const base = config().apiUrl.replace(/\/+$/, '');

  async function request(method, path, body, retried = false, keepalive = false) {
    const init = {method, keepalive, headers: {Accept: 'application/json', ...(await headers())}};
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(base + path, init);
    } catch {
      throw new ApiError(0, null);
    }
    if (response.status === 401 && !retried && onUnauthorized && (await onUnauthorized())) {
      return request(method, path, body, true, keepalive);
    }
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const error = new ApiError(response.status, data);
      if (onError) onError(error);
      throw error;
    }
    return data;
  }

  return {
    get: (path) => request('GET', path),
    post: (path, body) => request('POST', path, body ?? {}),
    // A last word while the page goes away (fetch keepalive: the request outlives the page).
    postOnLeave: (path, body) => request('POST', path, body ?? {}, false, true),
    put: (path, body) => request('PUT', path, body ?? {}),
    delete: (path) => request('DELETE', path),
  };
}
