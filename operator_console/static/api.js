// The console's HTTP client: session cookie, CSRF header on every change, errors with the server's detail.

export class ApiError extends Error {
  constructor(status, data) {
    const detail = data && typeof data.detail === "string" ? data.detail : `HTTP ${status}`;
    super(detail);
    this.status = status; // 0 when the server could not be reached
    this.code = data?.code ?? "";
    this.detail = detail;
  }
}

export class Api {
  constructor() {
    this.csrfToken = "";
  }

  async request(method, path, body) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRF-Token"] = this.csrfToken;
    let payload;
    if (body instanceof FormData) {
      payload = body;
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
    } catch {
      throw new ApiError(0, null);
    }
    let data = null;
    if (response.status !== 204) {
      try { data = await response.json(); } catch { data = null; }
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return { status: response.status, data };
  }

  get(path) { return this.request("GET", path); }

  post(path, body) { return this.request("POST", path, body); }
}
