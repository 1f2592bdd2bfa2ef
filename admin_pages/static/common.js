// What every administration section shares: the page's texts, the signed-in user, the API.
import { byId, readJson } from "/static/common/dom.js";
import { HttpError, createClient } from "/static/common/http.js";
import { pageLanguage, translator } from "/static/common/i18n.js";

export const config = readJson("admin-config");
export const t = translator(config.texts);
export const LANG = pageLanguage();
export const http = createClient();
export const session = { me: null, office: null, offices: [], isAdmin: false };

// A request whose session has ended: the shell shows the sign-in form, the caller stops.
export class AuthLost extends Error {}

let onAuthLost = () => {};
export function whenAuthLost(handler) { onAuthLost = handler; }

// Server messages (`detail`) come in the page's language.
function withLang(path) {
  return `${path}${path.includes("?") ? "&" : "?"}lang=${LANG}`;
}

// {status, ok, body}; Offline when the server cannot be reached, AuthLost on 401.
export async function api(method, path, body) {
  const response = await http.request(method, withLang(path), body);
  if (response.status === 401) {
    onAuthLost();
    throw new AuthLost();
  }
  return response;
}

// The body of a GET that must succeed (HttpError otherwise).
export async function load(path) {
  const response = await api("GET", path);
  if (!response.ok) throw new HttpError(response);
  return response.body;
}

let noticeTimer = null;
// A line under the section's title: what just happened, or what went wrong.
export function notify(text, kind = "ok") {
  const notice = byId("notice");
  clearTimeout(noticeTimer);
  notice.textContent = text;
  notice.className = `notice ${kind}`;
  notice.hidden = !text;
  if (text && kind === "ok") noticeTimer = setTimeout(() => { notice.hidden = true; }, 10000);
}

export const officeId = () => session.office.id;
export const roleName = (role) => t(`role_${role}`);
