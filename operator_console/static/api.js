// The console's HTTP client: session cookie, CSRF header on every change, errors with the server's
// detail. A thin layer over the pages' shared client (/static/common/http.js).
import { HttpError, Offline, createClient } from "/static/common/http.js";

export class ApiError extends HttpError {
  constructor(status, data) {
    super({ status, body: data }); // status 0 when the server could not be reached
    this.name = "ApiError";
  }
}

export class Api {
  constructor() {
    this.http = createClient();
  }

  get csrfToken() { return this.http.csrfToken; }

  set csrfToken(token) { this.http.csrfToken = token; }

  async request(method, path, body) {
    let response;
    try {
      response = await this.http.request(method, path, body);
    } catch (error) {
      if (error instanceof Offline) throw new ApiError(error.status, error.body);
      throw error;
    }
    if (!response.ok) throw new ApiError(response.status, response.body);
    return { status: response.status, data: response.body };
  }

  get(path) { return this.request("GET", path); }

  post(path, body) { return this.request("POST", path, body); }
}
