/**
 * The admin API as the console calls it: the same endpoints and bearer token as the CLI. The
 * token lives in sessionStorage (gone when the tab closes), never in a cookie, so no other site
 * can make the browser send it.
 */

const TOKEN_KEY = 'switchboard-token';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/** Tells the page to draw itself again: signed in or out. */
const AUTH_EVENT = 'switchboard-auth';

export function onAuthChange(listener) {
  window.addEventListener(AUTH_EVENT, listener);
  return () => window.removeEventListener(AUTH_EVENT, listener);
}

/** Keeps `value` for this tab if the API accepts it; answers whether it did. */
export async function signIn(value) {
  const response = await fetch('/config', { headers: { authorization: `Bearer ${value}` } });
  if (!response.ok) return false;
  sessionStorage.setItem(TOKEN_KEY, value);
  window.dispatchEvent(new Event(AUTH_EVENT));
  return true;
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  window.dispatchEvent(new Event(AUTH_EVENT));
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.issues = body?.issues ?? [];
  }
}

export async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${token()}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  const parsed = type.includes('json') && text ? JSON.parse(text) : text;
  if (response.status === 401) signOut();
  if (!response.ok)
    throw new ApiError(response.status, typeof parsed === 'object' ? parsed : { error: text });
  return parsed;
}
