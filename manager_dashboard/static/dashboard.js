// The managers' dashboard: live figures from the staff websocket (or polling every 2 s), reports.
import { el, readJson } from "/static/common/dom.js";
import { clockTime as officeTime, duration, localDate as officeDate } from "/static/common/format.js";
import { HttpError, Offline, createClient } from "/static/common/http.js";
import { localName, translator } from "/static/common/i18n.js";
import { LiveChannel } from "/static/common/live.js";
import { drawChart } from "./chart.js";

const t = translator(readJson("dashboard-texts"));
const LANG = document.documentElement.lang || "ru";
const http = createClient();
const POLL_FALLBACK_MS = 1500; // without the socket: poll often enough to be at most 2 s late
const POLL_WITH_SOCKET_MS = 5000; // with it: only the clock-driven figures (waits growing) need this
const MAX_EVENTS = 40;
const $ = (selector) => document.querySelector(selector);

const state = {
  me: null, offices: [], officeId: null, zone: "Europe/Moscow", live: null,
  channel: null, timer: null, pollMs: 0, socketUp: false, busy: false, again: false, seen: new Set(),
  eventSeqs: new Set(),
};

// The answer's body, or an HttpError (status 0 when the server could not be reached).
async function request(method, path, body) {
  let response;
  try {
    response = await http.request(method, path, body);
  } catch (error) {
    if (error instanceof Offline) throw new HttpError({ status: error.status, body: error.body });
    throw error;
  }
  if (!response.ok) throw new HttpError(response);
  return response.body;
}

function signIn(me) {
  state.me = me;
  http.csrfToken = me.csrf_token;
}

// --- formatting ---------------------------------------------------------------------------

function clockTime(iso, withSeconds = false) {
  if (!iso) return t("never");
  return officeTime(iso, { zone: state.zone, locale: LANG, seconds: withSeconds });
}

function localDate(iso) {
  return officeDate(iso, state.zone); // YYYY-MM-DD
}

function cell(text, className = "") {
  return el("td", { class: className || null }, text);
}

function topicName(topic) {
  return `${topic.prefix} · ${localName(topic.name, LANG)}`;
}

// --- signing in ---------------------------------------------------------------------------

function show(id, visible) { $(id).hidden = !visible; }

function message(text) {
  $("#message").textContent = text;
  show("#message", Boolean(text));
}

async function start() {
  try {
    signIn(await request("GET", "/api/v1/auth/me"));
  } catch (error) {
    if (error.status === 401) { show("#login-view", true); return; }
    message(t("unreachable"));
    setTimeout(start, 3000);
    return;
  }
  await signedIn();
}

$("#login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  show("#login-error", false);
  try {
    signIn(await request("POST", "/api/v1/auth/session", new FormData(event.target)));
  } catch (error) {
    const key = error.status === 429 ? "too_many_attempts" : error.status === 0 ? "unreachable" : "wrong_password";
    $("#login-error").textContent = t(key);
    show("#login-error", true);
    return;
  }
  show("#login-view", false);
  await signedIn();
});

$("#logout").addEventListener("click", async () => {
  try { await request("POST", "/api/v1/auth/logout"); } catch { /* signed out anyway */ }
  location.reload();
});

async function signedIn() {
  $("#user").textContent = state.me.login;
  show("#logout", true);
  if (state.me.role === "operator") { message(t("not_manager", { role: state.me.role })); return; }
  const offices = await request("GET", "/api/v1/offices");
  const bound = state.me.role !== "admin" && state.me.office_id !== null;
  state.offices = bound ? offices.filter((o) => o.id === state.me.office_id) : offices;
  if (!state.offices.length) { message(t("no_offices")); return; }
  const select = $("#office");
  select.replaceChildren(...state.offices.map((o) => new Option(o.name, o.id)));
  $(".office-pick").hidden = state.offices.length < 2;
  const wanted = Number(new URLSearchParams(location.search).get("office"));
  const office = state.offices.find((o) => o.id === wanted) ?? state.offices[0];
  select.value = String(office.id);
  select.onchange = () => openOffice(Number(select.value));
  openOffice(office.id);
}

// --- live updates -------------------------------------------------------------------------

function openOffice(officeId) {
  state.channel?.close();
  clearInterval(state.timer);
  state.timer = null;
  const office = state.offices.find((o) => o.id === officeId);
  Object.assign(state, {
    officeId, zone: office.timezone, live: null, seen: new Set(), socketUp: false, eventSeqs: new Set(),
  });
  const url = new URL(location.href);
  url.searchParams.set("office", officeId);
  history.replaceState(null, "", url);
  $("#events").replaceChildren();
  $("#load-link").href = `/load/${officeId}?lang=${LANG}`;
  show("#board", true);
  message("");
  poll(POLL_FALLBACK_MS);
  refresh();
  state.channel = new LiveChannel(`/ws/offices/${officeId}/staff`, {
    onSnapshot: () => refresh(),
    onEvent: (event) => { addEvent(event); refresh(); },
    onStatus: (up) => { state.socketUp = up; poll(up ? POLL_WITH_SOCKET_MS : POLL_FALLBACK_MS); modeLabel(); },
  });
  modeLabel();
}

// A socket that keeps failing reports "down" on every retry: keep the running timer then.
function poll(interval) {
  if (state.timer !== null && state.pollMs === interval) return;
  clearInterval(state.timer);
  state.pollMs = interval;
  state.timer = setInterval(refresh, interval);
}

function modeLabel() {
  $("#mode").textContent = state.socketUp ? t("live_socket") : t("live_polling");
  $("#mode").className = `mode ${state.socketUp ? "socket" : "polling"}`;
}

async function refresh() {
  if (state.busy) { state.again = true; return; }
  state.busy = true;
  const officeId = state.officeId;
  try {
    const live = await request("GET", `/api/v1/offices/${officeId}/stats/live`);
    if (officeId !== state.officeId) return;
    const first = state.live === null;
    render(live);
    // Names in event lines come from the live picture, so the history follows the first one.
    if (first || !state.socketUp) loadEvents(first ? 0 : Math.max(0, ...state.eventSeqs));
    $("#connection-lost").classList.remove("shown");
  } catch (error) {
    if (error.status === 401) { location.reload(); return; }
    $("#connection-lost").classList.add("shown");
  } finally {
    state.busy = false;
    if (state.again) { state.again = false; refresh(); }
  }
}

function render(live) {
  const first = state.live === null;
  state.live = live;
  $("#clock").textContent = clockTime(live.now, true);
  $("#period").textContent = live.peak_now ? t("peak") : t("offpeak");
  $("#period").className = `chip ${live.peak_now ? "peak" : "offpeak"}`;
  show("#period", true);
  renderTopics(live.topics);
  renderAlerts(live.alerts);
  renderCharts(live);
  renderOperators(live.operators);
  renderKiosks(live.kiosks);
  if (first) setUpReport(live);
}

// The contract reports 0 as today's average when nobody has been called yet; show a dash then.
function called(topic) {
  return topic.served_today + topic.no_show_today > 0 || topic.average_wait_seconds_today > 0
    || topic.average_wait_seconds_last_hour !== null;
}

function renderTopics(topics) {
  const rows = topics.map((topic) => {
    const tr = el("tr", { class: `state-${topic.state}`, dataset: { topicId: topic.topic_id } });
    const status = el("td", { dataset: { field: "state" } },
      el("span", { class: `light ${topic.state}` }), t(`state_${topic.state}`));
    tr.append(cell(topicName(topic)), status);
    const figures = [
      ["waiting", String(topic.waiting)],
      ["longest", duration(topic.longest_wait_seconds)],
      ["last_hour", duration(topic.average_wait_seconds_last_hour)],
      ["today", called(topic) ? duration(topic.average_wait_seconds_today) : "—"],
      ["served", String(topic.served_today)],
      ["no_show", String(topic.no_show_today)],
      ["target", duration(topic.target_wait_seconds)],
    ];
    const over = (seconds) => Boolean(topic.target_wait_seconds) && seconds > topic.target_wait_seconds;
    for (const [field, text] of figures) {
      const late = (field === "longest" && over(topic.longest_wait_seconds))
        || (field === "last_hour" && over(topic.average_wait_seconds_last_hour));
      const td = cell(text, late ? "num over" : "num");
      td.dataset.field = field;
      tr.append(td);
    }
    return tr;
  });
  $("#topics tbody").replaceChildren(...rows);
  const total = el("tr");
  const sum = (key) => topics.reduce((acc, topic) => acc + (topic[key] ?? 0), 0);
  total.append(cell(t("office_total")), cell(""), cell(String(sum("waiting")), "num"),
    cell(duration(Math.max(0, ...topics.map((x) => x.longest_wait_seconds))), "num"), cell(""), cell(""),
    cell(String(sum("served_today")), "num"), cell(String(sum("no_show_today")), "num"), cell(""));
  $("#topics tfoot").replaceChildren(total);
}

function alertKey(alert) {
  return `${alert.kind}:${alert.topic_id}:${alert.ticket_number ?? ""}`;
}

function alertText(alert) {
  const values = { prefix: alert.prefix, number: alert.ticket_number, count: alert.tickets,
    wait: duration(alert.wait_seconds), target: duration(alert.target_wait_seconds) };
  return t(alert.kind === "ticket_over_target" ? "alert_ticket" : "alert_average", values);
}

function renderAlerts(alerts) {
  const items = alerts.map((alert) => el("li", { class: "alert", dataset: { kind: alert.kind } }, alertText(alert)));
  if (!items.length) items.push(el("li", { class: "calm" }, t("no_alerts")));
  $("#alerts").replaceChildren(...items);
  for (const alert of alerts) {
    const key = alertKey(alert);
    if (!state.seen.has(key)) {
      state.seen.add(key);
      addEvent({ type: "alert", at: state.live.now, text: alertText(alert) });
    }
  }
}

const MIN_CHART_HOURS = 10;
const FIRST_CHART_HOUR = 7; // padding never reaches into the night

function renderCharts(live) {
  const series = [...(live.today_by_hour ?? [])];
  // A young day still gets a readable axis: pad with the hours before the first ticket.
  while (series.length < MIN_CHART_HOURS && series.length && series[0].hour > FIRST_CHART_HOUR) {
    series.unshift({ hour: series[0].hour - 1, waiting: 0, average_wait_seconds: null });
  }
  const label = (row) => String(row.hour).padStart(2, "0");
  drawChart($("#chart-waiting"), series.map((row) => ({ label: label(row), value: row.waiting })),
    { kind: "bars", title: t("waiting_chart") });
  const targets = live.topics.map((topic) => topic.target_wait_seconds).filter(Boolean);
  const minutes = (seconds) => (seconds === null ? null : Math.round(seconds / 6) / 10);
  drawChart($("#chart-average"),
    series.map((row) => ({ label: label(row), value: minutes(row.average_wait_seconds) })),
    { kind: "line", title: t("average_chart"), target: targets.length ? minutes(Math.min(...targets)) : null,
      targetLabel: t("target_line") });
}

function renderOperators(operators) {
  const shown = operators.filter((op) => op.role === "operator" || op.state !== "offline");
  $("#operators tbody").replaceChildren(...shown.map((op) => {
    const tr = el("tr", { class: `op-${op.state}`, dataset: { userId: op.user_id } });
    const what = op.state === "paused" ? `${t("op_paused")}: ${t(`reason_${op.paused_reason ?? "other"}`)}` : t(`op_${op.state}`);
    tr.append(
      cell(op.name || op.login),
      cell(op.window ? t("window_n", { number: op.window.number }) : "—"),
      cell(what, `op-state ${op.state}`),
      cell(op.ticket ? op.ticket.number : "—"),
      cell(op.state === "offline" ? "—" : duration(op.state_seconds), "num"),
    );
    return tr;
  }));
}

function renderKiosks(kiosks) {
  $("#kiosks tbody").replaceChildren(...kiosks.map((kiosk) => {
    const tr = el("tr");
    const online = kiosk.online === null ? t("unknown") : kiosk.online ? t("online") : t("offline");
    let printer = t("no_printer");
    if (kiosk.printer) printer = kiosk.printer_status === "failed" || kiosk.printer_status === "offline"
      ? `${t("printer_failed")}: ${kiosk.printer_detail}` : t("printer_ok");
    tr.append(cell(kiosk.name), cell(online, kiosk.online === false ? "bad" : ""),
      cell(clockTime(kiosk.last_ticket_at)), cell(printer, printer.startsWith(t("printer_failed")) ? "bad" : ""),
      cell(String(kiosk.printer_failures), "num"));
    return tr;
  }));
  if (!kiosks.length) $("#kiosks tbody").append(emptyRow(5, t("no_kiosks")));
}

// A table with nothing to list says so, rather than showing bare headers.
function emptyRow(columns, text) {
  return el("tr", {}, el("td", { class: "muted", colspan: columns }, text));
}

// Window and pause events carry only the user: name and window come from the live picture.
function eventValues(event) {
  const operator = state.live?.operators.find((op) => op.user_id === event.user_id);
  const reason = event.data?.reason;
  return {
    number: event.ticket?.number ?? "",
    window: event.ticket?.window?.number ?? event.window?.number ?? operator?.window?.number ?? "",
    name: operator ? operator.name || operator.login : "",
    reason: reason ? t(`reason_${reason}`) : "",
  };
}

function addEvent(event) {
  const seq = event.type !== "alert" && typeof event.seq === "number" ? event.seq : null;
  if (seq !== null) {
    if (state.eventSeqs.has(seq)) return; // the socket and the history may both bring it
    state.eventSeqs.add(seq);
  }
  const li = el("li", { class: event.type === "alert" ? "alert" : "" });
  // An edit, a retirement or a restoration is a change; only a creation is an addition.
  const change = event.data?.action && event.data.action !== "created" ? "changed" : "added";
  const key = event.type === "office.changed" ? `ev_${change}_${event.data?.changed}` : `ev_${event.type}`;
  const text = event.type === "alert" ? event.text : t(key, eventValues(event));
  li.append(el("time", {}, clockTime(event.at, true)), ` ${text}`);
  // Newest first, by time then seq: the history can arrive after live events it precedes.
  const at = Date.parse(event.at);
  const order = seq ?? Number.MAX_SAFE_INTEGER; // an alert follows the events of its moment
  Object.assign(li.dataset, { at, order });
  const newer = (item) => Number(item.dataset.at) > at || (Number(item.dataset.at) === at && Number(item.dataset.order) > order);
  const list = $("#events");
  list.insertBefore(li, [...list.children].find((item) => !newer(item)) ?? null);
  while (list.children.length > MAX_EVENTS) list.lastChild.remove();
}

// Today's events from the log: all of the latest on opening, then (without the socket) the new ones.
async function loadEvents(after) {
  const officeId = state.officeId;
  try {
    const data = await request("GET", `/api/v1/offices/${officeId}/events?after=${after}&limit=${MAX_EVENTS}`);
    if (officeId === state.officeId) for (const event of data.events) addEvent(event);
  } catch {
    // the next refresh asks again
  }
}

// --- reports ------------------------------------------------------------------------------

function reportQuery() {
  const form = new FormData($("#report-form"));
  const query = new URLSearchParams();
  for (const [key, value] of form.entries()) if (value) query.set(key, value);
  return query;
}

function updateDownloads() {
  const base = `/api/v1/offices/${state.officeId}/reports`;
  const query = reportQuery();
  $("#download-csv").href = `${base}/report.csv?${query}`;
  query.set("part", "operators");
  $("#download-operators-csv").href = `${base}/report.csv?${query}`;
  query.delete("part");
  $("#download-xlsx").href = `${base}/report.xlsx?${query}`;
}

function setUpReport(live) {
  const form = $("#report-form");
  const today = localDate(live.now);
  form.date_from.value = form.date_from.value || today;
  form.date_to.value = form.date_to.value || today;
  form.topic_id.replaceChildren(new Option(t("all"), ""), ...live.topics.map((x) => new Option(topicName(x), x.topic_id)));
  const operators = live.operators.filter((op) => op.role === "operator");
  form.operator_id.replaceChildren(new Option(t("all"), ""), ...operators.map((op) => new Option(op.name || op.login, op.user_id)));
  form.customer_type.replaceChildren(new Option(t("all"), ""), new Option(t("individual"), "individual"),
    new Option(t("organization"), "organization"));
  form.onchange = updateDownloads;
  updateDownloads();
  loadReport();
}

$("#report-form").addEventListener("submit", (event) => { event.preventDefault(); loadReport(); });

async function loadReport() {
  updateDownloads();
  show("#report-error", false);
  let data;
  try {
    data = await request("GET", `/api/v1/offices/${state.officeId}/reports?${reportQuery()}`);
  } catch (error) {
    $("#report-error").textContent = error.message;
    show("#report-error", true);
    return;
  }
  const share = (value) => (value === null ? "—" : `${Math.round(value * 100)} %`);
  const row = (name, f) => {
    const tr = el("tr");
    tr.append(cell(name), ...[f.issued, f.served, f.no_show, f.expired, f.transferred].map((v) => cell(String(v), "num")),
      cell(duration(f.wait.mean_seconds), "num group-start"), cell(duration(f.wait.median_seconds), "num"),
      cell(duration(f.wait.p90_seconds), "num"), cell(share(f.wait.share_within_target), "num"),
      cell(duration(f.service.mean_seconds), "num group-start"), cell(duration(f.service.p90_seconds), "num"),
      cell(f.rating_mean === null ? "—" : f.rating_mean.toFixed(1), "num"));
    return tr;
  };
  const total = row(t("office_total"), data.summary);
  total.className = "total";
  $("#report-topics tbody").replaceChildren(total, ...data.topics.map((x) => row(topicName(x), x)));
  $("#report-operators tbody").replaceChildren(...data.operators.map((op) => {
    const tr = el("tr");
    const pauses = Object.entries(op.pause_seconds).map(([k, v]) => `${t(`reason_${k}`)} ${duration(v)}`).join(", ");
    tr.append(cell(op.name ?? op.login ?? String(op.user_id)), cell(String(op.served), "num"),
      cell(op.served_per_hour === null ? "—" : op.served_per_hour.toFixed(1), "num"),
      cell(duration(op.service_mean_seconds), "num"), cell(duration(op.at_window_seconds), "num"),
      cell(duration(op.idle_seconds), "num"), cell(pauses || "—"));
    return tr;
  }));
  const outcomes = Object.entries(data.summary.outcomes).map(([k, v]) => `${k}: ${v}`).join(" · ");
  $("#report-outcomes").textContent = outcomes;
  if (!data.summary.issued && !data.summary.served) $("#report-outcomes").textContent = t("no_data");
}

for (const element of document.querySelectorAll("[data-text]")) element.textContent = t(element.dataset.text);
start();
