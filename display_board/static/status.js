// The visitor's status page: live from /ws/tickets/{code}; a rating form once the service is over.
import { LiveChannel, connectionMark } from "/static/common/live.js";

const config = JSON.parse(document.getElementById("status-config").textContent);
const lang = document.documentElement.lang === "en" ? "en" : "ru";
const T = config.texts[lang];
const el = (id) => document.getElementById(id);
const format = (text, values) => text.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
let current = null;
let chosen = 0;

function headline(status) {
  const window = status.window?.number ?? "";
  switch (status.status) {
    case "waiting": return status.position === 0 ? T.soon : T.waiting;
    case "called": return T.called_title;
    case "serving": return format(T.serving, { window });
    case "done": return T.done;
    case "no_show": return T.no_show;
    case "expired": return T.expired;
    default: return status.status;
  }
}

function render(status) {
  const card = el("card");
  const wasCalled = current?.status === "called" && current?.called_at === status.called_at;
  current = status;
  card.dataset.status = status.status;
  el("number").textContent = status.number;
  el("headline").textContent = headline(status);
  el("facts").hidden = status.status !== "waiting";
  el("ahead").textContent = status.position;
  el("wait").textContent = format(T.minutes, { minutes: Math.max(1, Math.round(status.estimated_wait_seconds / 60)) });
  const big = el("window-big");
  big.hidden = status.status !== "called";
  big.textContent = format(T.called, { window: status.window?.number ?? "" });
  el("rating").hidden = status.status !== "done" || status.rating != null;
  el("rated").hidden = status.rating == null;
  el("rated").textContent = status.rating == null ? "" : `${T.thanks} ${format(T.rated, { rating: status.rating })}`;
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
  const stars = el("stars");
  for (let rating = 1; rating <= 5; rating += 1) {
    const star = document.createElement("button");
    star.type = "button";
    star.textContent = "★";
    star.dataset.rating = rating;
    star.setAttribute("role", "radio");
    star.setAttribute("aria-label", format(T.star, { rating }));
    star.addEventListener("click", () => choose(rating));
    stars.append(star);
  }
}

function choose(rating) {
  chosen = rating;
  for (const star of el("stars").children) {
    const on = Number(star.dataset.rating) <= rating;
    star.classList.toggle("on", on);
    star.setAttribute("aria-checked", String(Number(star.dataset.rating) === rating));
  }
  el("send").disabled = false;
}

async function sendRating(event) {
  event.preventDefault();
  if (!chosen) return;
  el("send").disabled = true;
  const comment = el("comment").value.trim();
  const response = await fetch(`/api/v1/tickets/${config.code}/feedback`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ rating: chosen, comment: comment || null }),
  }).catch(() => null);
  if (response?.ok || response?.status === 409) {
    const body = await response.json();
    render({ ...current, rating: body.rating ?? current.rating ?? chosen });
    return;
  }
  el("rating-error").textContent = T.rate_failed;
  el("rating-error").hidden = false;
  el("send").disabled = false;
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
    const response = await fetch(`/api/v1/tickets/${encodeURIComponent(config.code)}`, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const status = await response.json();
    if (status.topic) el("where-topic").textContent = `${status.topic.prefix} · ${status.topic.name[lang]}`;
    el("where-office").textContent = status.office_name ?? "";
    el("where").hidden = false;
  } catch {
    whereFor = undefined; // asked again with the next push
  }
}

function onError(error) {
  el("card").dataset.status = "missing";
  el("number").textContent = "—";
  el("headline").textContent = error.code === "ticket_not_found" ? T.not_found : error.detail;
}

buildStars();
el("rating").addEventListener("submit", sendRating);
const mark = connectionMark(el("connection-lost"), 5000);
window.statusChannel = new LiveChannel(`/ws/tickets/${config.code}`, { onEvent, onError, onStatus: mark });
