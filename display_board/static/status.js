// The visitor's status page: live from /ws/tickets/{code}; a rating form once the service is over.
import { byId, el, readJson } from "/static/common/dom.js";
import { minutes } from "/static/common/format.js";
import { createClient } from "/static/common/http.js";
import { localName, pageLanguage, translator } from "/static/common/i18n.js";
import { LiveChannel, connectionMark } from "/static/common/live.js";

const config = readJson("status-config");
const lang = pageLanguage();
const t = translator(config.texts[lang]);
const http = createClient();
let current = null;
let chosen = 0;

function headline(status) {
  const window = status.window?.number ?? "";
  switch (status.status) {
    case "waiting": return status.position === 0 ? t("soon") : t("waiting");
    case "called": return t("called_title");
    case "serving": return t("serving", { window });
    case "done": return t("done");
    case "no_show": return t("no_show");
    case "expired": return t("expired");
    default: return status.status;
  }
}

function render(status) {
  const card = byId("card");
  const wasCalled = current?.status === "called" && current?.called_at === status.called_at;
  current = status;
  card.dataset.status = status.status;
  byId("number").textContent = status.number;
  byId("headline").textContent = headline(status);
  byId("facts").hidden = status.status !== "waiting";
  byId("ahead").textContent = status.position;
  byId("wait").textContent = t("minutes", { minutes: minutes(status.estimated_wait_seconds, Math.round) });
  const big = byId("window-big");
  big.hidden = status.status !== "called";
  big.textContent = t("called", { window: status.window?.number ?? "" });
  byId("rating").hidden = status.status !== "done" || status.rating != null;
  byId("rated").hidden = status.rating == null;
  byId("rated").textContent = status.rating == null ? "" : `${t("thanks")} ${t("rated", { rating: status.rating })}`;
  if (status.status === "called" && !wasCalled) alertVisitor();
}

// Shake the phone and beep where the phone lets a page do so.
function alertVisitor() {
  navigator.vibrate?.([400, 200, 400, 200, 800]);
  try {
    const audio = new (window.AudioContext || window.webkitAudioContext)();
    const tone = audio.createOscillator();
    tone.frequency.value = 880;
    tone.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.4);
  } catch { /* no sound on this phone: the screen and vibration remain */ }
}

function buildStars() {
  const stars = byId("stars");
  for (let rating = 1; rating <= 5; rating += 1) {
    stars.append(el("button", { type: "button", role: "radio", dataset: { rating },
      "aria-label": t("star", { rating }), onClick: () => choose(rating) }, "★"));
  }
}

function choose(rating) {
  chosen = rating;
  for (const star of byId("stars").children) {
    const on = Number(star.dataset.rating) <= rating;
    star.classList.toggle("on", on);
    star.setAttribute("aria-checked", String(Number(star.dataset.rating) === rating));
  }
  byId("send").disabled = false;
}

async function sendRating(event) {
  event.preventDefault();
  if (!chosen) return;
  byId("send").disabled = true;
  const comment = byId("comment").value.trim();
  const body = { rating: chosen, comment: comment || null };
  const response = await http.post(`/api/v1/tickets/${config.code}/feedback`, body).catch(() => null);
  if (response?.ok || response?.status === 409) {
    render({ ...current, rating: response.body?.rating ?? current.rating ?? chosen });
    return;
  }
  byId("rating-error").textContent = t("rate_failed");
  byId("rating-error").hidden = false;
  byId("send").disabled = false;
}

function onEvent(message) {
  if (message.type !== "status") return;
  render(message);
  if (message.topic_id !== whereFor) showWhere(message.topic_id);
}

// The topic and the office, read once over HTTP (and again after a transfer): pushes leave them
// out, so a call reaches every phone in the hall without extra reads.
let whereFor;
async function showWhere(topicId) {
  whereFor = topicId;
  try {
    const response = await http.get(`/api/v1/tickets/${encodeURIComponent(config.code)}`);
    if (!response.ok) return;
    const status = response.body;
    if (status.topic) byId("where-topic").textContent = `${status.topic.prefix} · ${localName(status.topic.name, lang)}`;
    byId("where-office").textContent = status.office_name ?? "";
    byId("where").hidden = false;
  } catch {
    whereFor = undefined; // asked again with the next push
  }
}

function onError(error) {
  byId("card").dataset.status = "missing";
  byId("number").textContent = "—";
  byId("headline").textContent = error.code === "ticket_not_found" ? t("not_found") : error.detail;
}

buildStars();
byId("rating").addEventListener("submit", sendRating);
const mark = connectionMark(byId("connection-lost"), 5000);
window.statusChannel = new LiveChannel(`/ws/tickets/${config.code}`, { onEvent, onError, onStatus: mark });
