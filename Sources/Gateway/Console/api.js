// The console's only way to the system: the public REST API under /v1, with the
// person's session cookie (sent by the browser, never read here) and, on every write, the
// session's CSRF token. Errors are the API's problem documents, kept whole so a screen can
// put each field error next to its field.

let csrfToken = "";
let signedOut = () => {};

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || "";
    this.fields = problem.errors || [];
    this.problem = problem;
  }
}

export function useSession(session) {
  csrfToken = session ? session.csrfToken : "";
}

export function onSignedOut(handler) {
  signedOut = handler;
}

/** Calls the API; resolves with the JSON answer (null for 204), rejects with ApiError. */
export async function api(method, path, body, { timeout = 10000, query } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  const url = query ? `${path}?${params(query)}` : path;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  let response;
  try {
    response = await fetch(url, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin", signal: controller.signal,
    });
  } catch {
    throw new ApiError(0, { detail: "the gateway did not answer" });
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 204 || response.status === 304) return null;
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json().catch(() => ({})) : await response.text();
  if (!response.ok) {
    const error = new ApiError(response.status, typeof data === "object" ? data : { detail: data });
    if (response.status === 401 && !path.startsWith("/v1/session")) signedOut(error);
    throw error;
  }
  return data;
}

/** A query string from an object, leaving out empty values. */
export function params(query) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "" || value === false) continue;
    search.set(key, String(value));
  }
  return search.toString();
}

/** Every page of a cursor-paged list, up to `max` items (for selects and boards). */
export async function all(path, query = {}, max = 2000) {
  const items = [];
  let cursor = "";
  do {
    const page = await api("GET", path, undefined, { query: { ...query, cursor, limit: query.limit || 500 } });
    items.push(...(page.items || []));
    cursor = page.nextCursor || "";
  } while (cursor && items.length < max);
  return items;
}
