// The pages' one HTTP client: JSON requests with a timeout, the CSRF header on every change once
// the session has given one, and `Offline` for what a person cannot fix by editing a form
// (no network, no answer in time, a 5xx). Every other answer, 4xx included, is returned as
// {status, ok, body}: the page decides what it means.
//   const http = createClient({ timeoutMs: 8000 });
//   http.csrfToken = session.csrf_token;
//   const { status, ok, body } = await http.patch("/api/v1/topics/3", { active: false });

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
export const DEFAULT_TIMEOUT_MS = 15000;

export class Offline extends Error {
  // status: 0 when nothing came back (network, timeout), else the 5xx the server sent.
  constructor(reason, status = 0, body = null) {
    super(reason);
    this.name = "Offline";
    this.status = status;
    this.body = body;
  }
}

// A 4xx as an error, for callers that prefer to throw: `detail` is the server's text.
export class HttpError extends Error {
  constructor(response) {
    const detail = detailText(response.body) || `HTTP ${response.status}`;
    super(detail);
    this.name = "HttpError";
    this.status = response.status;
    this.code = response.body?.code ?? "";
    this.detail = detail;
    this.body = response.body;
  }
}

// The server's message: a string, or FastAPI's list of validation problems joined.
export function detailText(body) {
  const detail = body?.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return detail.map((item) => item?.msg ?? String(item)).join("; ");
  return "";
}

async function readBody(response) {
  if (response.status === 204) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

export class Client {
  constructor({ base = "", timeoutMs = DEFAULT_TIMEOUT_MS, headers = {}, fetchOptions = {} } = {}) {
    this.base = base;
    this.timeoutMs = timeoutMs;
    this.headers = headers;
    this.fetchOptions = fetchOptions;
    this.csrfToken = "";
  }

  // `body`: a plain value is sent as JSON; FormData, URLSearchParams, Blob and strings as they are.
  async request(method, path, body, { headers = {}, timeoutMs = this.timeoutMs, ...options } = {}) {
    const verb = method.toUpperCase();
    const sent = { Accept: "application/json", ...this.headers, ...headers };
    if (UNSAFE.has(verb) && this.csrfToken) sent["X-CSRF-Token"] = this.csrfToken;
    let payload = body;
    const raw = body === undefined || body === null || body instanceof FormData
      || body instanceof URLSearchParams || body instanceof Blob || typeof body === "string";
    if (!raw) {
      sent["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let response;
    try {
      response = await fetch(this.base + path, {
        credentials: "same-origin", ...this.fetchOptions, ...options,
        method: verb, headers: sent, body: payload ?? undefined, signal: controller.signal,
      });
    } catch (error) {
      throw new Offline(String(error));
    } finally {
      clearTimeout(timer);
    }
    const data = await readBody(response);
    if (response.status >= 500) throw new Offline(`HTTP ${response.status}`, response.status, data);
    return { status: response.status, ok: response.ok, body: data };
  }

  get(path, options) { return this.request("GET", path, undefined, options); }

  post(path, body, options) { return this.request("POST", path, body, options); }

  put(path, body, options) { return this.request("PUT", path, body, options); }

  patch(path, body, options) { return this.request("PATCH", path, body, options); }

  delete(path, options) { return this.request("DELETE", path, undefined, options); }
}

export function createClient(options) {
  return new Client(options);
}
