// The operator console: sign in, choose the office (admins) and the window, then work (work.js).
import { Api } from "./api.js";
import { t, element, windowTitle } from "./format.js";
import { KEYS, Work } from "./work.js";

const $ = (id) => document.getElementById(id);
const api = new Api();
const VIEWS = ["loading", "login-view", "office-view", "window-view", "work-view"];
const WINDOW_KEY = "queue.console.window"; // {office_id, window_id}: remembered per browser
const OFFICE_KEY = "queue.console.office"; // for users bound to no office (admins)

let session = null;
let work = null;

function show(view) {
  for (const id of VIEWS) $(id).hidden = id !== view;
  const signedIn = view !== "login-view" && view !== "loading";
  $("logout").hidden = !signedIn;
  $("bar-user").textContent = signedIn && session ? session.login : "";
  $("change-window").hidden = view !== "work-view";
  if (view !== "work-view") for (const id of ["bar-window", "bar-state", "pause"]) $(id).hidden = true;
}

function remembered(key) {
  try { return JSON.parse(localStorage.getItem(key) ?? "null"); } catch { return null; }
}

function remember(key, value) {
  if (value === null) localStorage.removeItem(key);
  else localStorage.setItem(key, JSON.stringify(value));
}

// --- signing in ---------------------------------------------------------------------------------

async function boot() {
  try {
    session = (await api.get("/api/v1/auth/me")).data;
  } catch (error) {
    if (error.status === 401) { showLogin(); return; }
    $("loading").textContent = t("unreachable");
    setTimeout(boot, 3000);
    return;
  }
  api.csrfToken = session.csrf_token;
  await enterOffice();
}

function showLogin(message = "") {
  work?.stop();
  work = null;
  session = null;
  $("bar-office").textContent = "";
  show("login-view");
  const error = $("login-error");
  error.textContent = message;
  error.hidden = !message;
  $("login-form").elements.username.focus();
}

async function signIn(event) {
  event.preventDefault();
  const form = event.target;
  const error = $("login-error");
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    session = (await api.post("/api/v1/auth/session", new FormData(form))).data;
    api.csrfToken = session.csrf_token;
    form.reset();
    error.hidden = true;
    await enterOffice();
  } catch (failure) {
    const key = { 0: "unreachable", 422: "wrong_password", 429: "too_many_attempts" }[failure.status] ?? "wrong_password";
    error.textContent = t(key);
    error.hidden = false;
    form.elements.password.select();
  } finally {
    button.disabled = false;
  }
}

async function signOut() {
  if (work?.holdsTicket()) { work.say(t("finish_first", { number: work.me.ticket.number }), "error"); return; }
  await api.post("/api/v1/operators/me/leave").catch(() => null);
  await api.post("/api/v1/auth/logout").catch(() => null);
  showLogin();
}

// --- office and window --------------------------------------------------------------------------

async function fetchMe(officeId) {
  const query = officeId ? `?office_id=${officeId}` : "";
  return (await api.get(`/api/v1/operators/me${query}`)).data;
}

async function enterOffice(officeId) {
  const wanted = officeId ?? (session.office_id ? null : remembered(OFFICE_KEY));
  let me;
  try {
    me = await fetchMe(wanted);
  } catch (error) {
    if (error.status === 401) { showLogin(t("session_expired")); return; }
    if (!wanted) throw error;
    remember(OFFICE_KEY, null);
    me = await fetchMe(null);
  }
  if (!me.office) { await showOffices(); return; }
  if (!session.office_id) remember(OFFICE_KEY, me.office.id);
  $("bar-office").textContent = me.office.name;
  await chooseWindow(me);
}

async function showOffices() {
  const offices = (await api.get("/api/v1/offices")).data;
  $("office-hint").textContent = t("no_office");
  $("office-list").replaceChildren(...offices.map((office) => {
    const button = element("button", { type: "button", class: "choice" }, element("strong", {}, office.name), element("span", {}, office.address));
    button.addEventListener("click", () => enterOffice(office.id));
    return button;
  }));
  show("office-view");
}

async function chooseWindow(me, forceChoice = false) {
  const windows = (await api.get(`/api/v1/offices/${me.office.id}/windows`)).data;
  // A retired window takes no calls: it is not offered, but a ticket in hand there is finished.
  const open = windows.filter((window) => window.active !== false);
  const saved = remembered(WINDOW_KEY);
  const byId = (id, among = open) => among.find((window) => window.id === id);
  let window = me.ticket?.window ? byId(me.ticket.window.id, windows) : null;
  if (!window && !forceChoice && saved?.office_id === me.office.id) window = byId(saved.window_id);
  if (!window && !forceChoice && me.window) window = byId(me.window.id);
  if (window) { await startWork(me, window); return; }
  showWindows(me, open);
}

function showWindows(me, windows) {
  const list = $("window-list");
  list.replaceChildren(...windows.map((window) => {
    const holder = window.operator_id;
    const state = !holder ? "free" : holder === me.user_id ? "yours" : "taken";
    const button = element("button", { type: "button", class: `choice window-${state}`, dataset: { window: window.id } },
      element("strong", {}, windowTitle(window)),
      element("span", {}, t(`window_${state}`)));
    button.addEventListener("click", () => {
      remember(WINDOW_KEY, { office_id: me.office.id, window_id: window.id });
      startWork(me, window);
    });
    return button;
  }));
  if (!windows.length) list.append(element("p", { class: "muted" }, t("no_windows")));
  show("window-view");
}

async function startWork(me, window) {
  work?.stop();
  work = new Work({
    api,
    me,
    window,
    onAuthLost: () => showLogin(t("session_expired")),
    onWindowChanged: (held) => remember(WINDOW_KEY, { office_id: me.office.id, window_id: held.id }),
  });
  show("work-view");
  try {
    await work.start();
  } catch (error) {
    if (error.status === 401) showLogin(t("session_expired"));
    else work.say(error.status === 0 ? t("unreachable") : error.detail, "error");
  }
}

async function changeWindow() {
  if (!work) return;
  if (work.holdsTicket()) { work.say(t("finish_first", { number: work.me.ticket.number }), "error"); return; }
  try {
    await api.post("/api/v1/operators/me/leave");
  } catch (error) {
    work.say(error.detail, "error");
    return;
  }
  const me = work.me;
  work.stop();
  work = null;
  remember(WINDOW_KEY, null);
  await chooseWindow(await fetchMe(me.office.id), true);
}

// --- keyboard and buttons -----------------------------------------------------------------------

function onKey(event) {
  if (!work || $("work-view").hidden || event.ctrlKey || event.altKey || event.metaKey || event.repeat) return;
  if (document.querySelector("dialog[open]")) return;
  // A field of a dialog that has just closed may keep the focus until the browser's next frame:
  // a shortcut pressed right after Escape is not typing into it.
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName);
  if (typing && !event.target.closest("dialog:not([open])")) return;
  const action = KEYS[event.code];
  if (!action) return;
  event.preventDefault(); // Space must not also press the focused button or scroll
  work.trigger(action);
}

function bind() {
  $("login-form").addEventListener("submit", signIn);
  $("logout").addEventListener("click", signOut);
  $("change-window").addEventListener("click", changeWindow);
  $("pause").addEventListener("click", () => work?.trigger("pause"));
  $("resume").addEventListener("click", () => work?.trigger("pause"));
  $("proposal-no-show").addEventListener("click", () => work?.trigger("noshow"));
  for (const button of document.querySelectorAll("[data-action]")) {
    button.addEventListener("click", () => work?.trigger(button.dataset.action));
  }
  $("show-all").addEventListener("change", (event) => {
    if (!work) return;
    work.showAll = event.target.checked;
    event.target.blur(); // give the keyboard back to the shortcuts
    localStorage.setItem("queue.console.all", work.showAll ? "1" : "0");
    work.renderQueue();
  });
  document.addEventListener("keydown", onKey);
  document.addEventListener("keyup", (event) => { if (event.code === "Space" && !$("work-view").hidden) event.preventDefault(); });
}

bind();
boot();
