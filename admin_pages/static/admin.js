// The administration shell: sign-in, the office being edited, the sections' menu; then the
// section's own module (sections/<name>.js) draws and edits its part.
import { byId } from "/static/common/dom.js";
import { HttpError, Offline } from "/static/common/http.js";
import { AuthLost, api, config, http, load, notify, session, t, whenAuthLost } from "./common.js";

const OFFICE_KEY = "queue.admin.office";
let started = false;

function message(text) {
  byId("message").textContent = text;
  byId("message").hidden = !text;
}

function showLogin(text = "") {
  byId("shell").hidden = true;
  byId("logout").hidden = true;
  byId("user").textContent = "";
  message("");
  byId("login-view").hidden = false;
  byId("login-error").textContent = text;
  byId("login-error").hidden = !text;
  byId("login-form").elements.username.focus();
}

async function boot() {
  let response;
  try {
    response = await http.get("/api/v1/auth/me");
  } catch (error) {
    if (!(error instanceof Offline)) throw error;
    message(t("unreachable"));
    setTimeout(boot, 3000);
    return;
  }
  if (response.status === 401) { showLogin(); return; }
  await signedIn(response.body);
}

async function signIn(event) {
  event.preventDefault();
  const form = event.target;
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  let response;
  try {
    response = await http.post("/api/v1/auth/session", new FormData(form));
  } catch {
    response = { status: 0 };
  } finally {
    button.disabled = false;
  }
  if (!response.ok) {
    const key = { 0: "unreachable", 429: "too_many_attempts" }[response.status] ?? "wrong_password";
    byId("login-error").textContent = t(key);
    byId("login-error").hidden = false;
    form.elements.password.select();
    return;
  }
  form.reset();
  if (started) { location.reload(); return; } // signed in again: the section starts afresh
  byId("login-view").hidden = true;
  await signedIn(response.body);
}

function chooseOffice(offices) {
  const wanted = Number(new URLSearchParams(location.search).get("office")) || Number(localStorage.getItem(OFFICE_KEY));
  return offices.find((office) => office.id === wanted) ?? offices[0];
}

// Links keep the office: the menu, the language switch.
function keepOffice(officeId) {
  for (const link of document.querySelectorAll(".sections a")) link.href = `${link.pathname}?office=${officeId}`;
  for (const link of document.querySelectorAll(".langs a")) link.href = `?lang=${link.dataset.lang}&office=${officeId}`;
  const url = new URL(location.href);
  url.searchParams.set("office", officeId);
  url.searchParams.delete("lang");
  history.replaceState(null, "", url);
}

function showOffices(offices, office) {
  const select = byId("office");
  select.replaceChildren(...offices.map((item) => new Option(item.name, item.id)));
  select.value = String(office.id);
  select.onchange = () => {
    localStorage.setItem(OFFICE_KEY, select.value);
    location.search = `?office=${select.value}`;
  };
  document.querySelector(".office-pick").hidden = offices.length < 2;
  byId("office-name").textContent = offices.length < 2 ? office.name : "";
}

async function signedIn(me) {
  session.me = me;
  session.isAdmin = me.role === "admin";
  http.csrfToken = me.csrf_token;
  byId("user").textContent = me.login;
  byId("logout").hidden = false;
  if (me.role === "operator") { message(t("not_staff", { role: me.role })); return; }
  let offices;
  try {
    offices = await load("/api/v1/offices");
  } catch (error) {
    if (error instanceof AuthLost) return;
    message(error instanceof HttpError ? error.detail : t("unreachable"));
    return;
  }
  // A manager edits their own office only.
  session.offices = session.isAdmin ? offices : offices.filter((office) => office.id === me.office_id);
  if (!session.offices.length) { message(t("no_offices")); return; }
  session.office = chooseOffice(session.offices);
  localStorage.setItem(OFFICE_KEY, String(session.office.id));
  showOffices(session.offices, session.office);
  keepOffice(session.office.id);
  document.body.dataset.role = me.role;
  for (const link of document.querySelectorAll("[data-admin-only]")) link.hidden = !session.isAdmin;
  for (const part of document.querySelectorAll(".admin-only")) part.hidden = !session.isAdmin;
  byId("shell").hidden = false;
  if (config.adminOnly && !session.isAdmin) {
    for (const part of document.querySelectorAll("#content > :not(.content-head)")) part.hidden = true;
    message(t("admin_only"));
    document.body.dataset.ready = "true";
    return;
  }
  const section = await import(`./sections/${config.section}.js`);
  started = true;
  try {
    await section.start();
    document.body.dataset.ready = "true"; // the section's data is on the page (tests wait for it)
  } catch (error) {
    if (error instanceof AuthLost) return;
    message(error instanceof Offline ? t("unreachable") : error.message);
  }
}

async function signOut() {
  await api("POST", "/api/v1/auth/logout").catch(() => null);
  location.reload();
}

whenAuthLost(() => showLogin(t("session_expired")));
// A list refreshed after a click, without a form to tell: a lost session shows the sign-in form
// already; a lost connection is said under the title.
window.addEventListener("unhandledrejection", (event) => {
  if (event.reason instanceof AuthLost) event.preventDefault();
  else if (event.reason instanceof Offline) {
    event.preventDefault();
    notify(t("unreachable"), "error");
  }
});
byId("login-form").addEventListener("submit", signIn);
byId("logout").addEventListener("click", signOut);
boot();
