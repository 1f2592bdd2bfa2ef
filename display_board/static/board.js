// The hall display: the last eight calls (current ones lit), waiting per topic, the clock.
// State comes from the display websocket only: a snapshot, then every event in seq order.
import { byId, el, readJson } from "/static/common/dom.js";
import { clockTime } from "/static/common/format.js";
import { pageLanguage, translator } from "/static/common/i18n.js";
import { LiveChannel, connectionMark } from "/static/common/live.js";

const config = readJson("board-config");
const lang = pageLanguage();
const t = translator(config.texts[lang]);
const RECENT = 8;
const CALLS = new Set(["ticket.called", "ticket.recalled"]);
// A call replayed after a reconnect is still announced if it is this fresh (seconds).
const ANNOUNCE_REPLAYED_WITHIN = 60;

const state = { calls: [], waiting: {}, topics: [], office: null, clockOffset: 0 };

// --- rendering -----------------------------------------------------------------------------

function renderCalls(flashId = null) {
  const list = byId("calls");
  list.replaceChildren(...state.calls.map((call) => {
    const row = el("li", { class: `call ${call.status === "called" ? "current" : "past"}`,
      dataset: { ticket: call.id, status: call.status } },
      el("span", { class: "number" }, call.number), el("span", { class: "arrow" }, "→"),
      el("span", { class: "window" }, call.window ?? ""));
    if (call.id === flashId || call.flashing) {
      call.flashing = true;
      row.classList.add("flash");
      row.addEventListener("animationend", () => { call.flashing = false; }, { once: true });
    }
    return row;
  }));
  byId("no-calls").hidden = state.calls.length > 0;
}

// Waiting per top-level topic: a menu topic counts the tickets of all its children.
function renderWaiting() {
  const topics = new Map(state.topics.map((topic) => [topic.id, topic]));
  const root = (topic) => {
    let current = topic;
    while (current.parent_id && topics.has(current.parent_id)) current = topics.get(current.parent_id);
    return current;
  };
  const totals = new Map();
  for (const topic of state.topics) if (!topic.parent_id) totals.set(topic.id, 0);
  for (const [topicId, count] of Object.entries(state.waiting)) {
    const topic = topics.get(Number(topicId));
    if (!topic) continue;
    const top = root(topic);
    totals.set(top.id, (totals.get(top.id) ?? 0) + count);
  }
  const rows = [...totals].map(([id, count]) => {
    const topic = topics.get(id);
    return el("li", { dataset: { topic: id } },
      el("span", { class: "prefix" }, topic.prefix), el("span", { class: "name" }, topic.name[lang]),
      el("span", { class: "count" }, count));
  });
  if (!rows.length) rows.push(el("li", { class: "empty" }, t("nobody")));
  byId("waiting").replaceChildren(...rows);
}

function renderOffice() {
  byId("office-name").textContent = state.office?.name ?? "";
  document.title = state.office?.name ?? document.title;
}

// The server's clock (the office's time), not the TV's, which is often wrong.
function tick() {
  if (!state.office) return;
  const now = new Date(Date.now() + state.clockOffset);
  const zone = state.office.timezone;
  byId("clock-time").textContent = clockTime(now, { zone, locale: lang });
  byId("clock-date").textContent = new Intl.DateTimeFormat(lang, { timeZone: zone, weekday: "short", day: "numeric", month: "long" }).format(now);
}

// --- sound: chime, then the voice, one announcement after the other ------------------------

class Announcer {
  constructor() {
    this.queue = [];
    this.busy = false;
    this.audio = null;
    this.log = [];
    window.boardAnnouncements = this.log; // what was said and how (tests read it)
  }

  context() {
    if (!this.audio) {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return null;
      this.audio = new Context();
    }
    if (this.audio.state === "suspended") {
      const audio = this.audio;
      audio.resume().catch(() => {});
      // Browsers may want a first tap before they play sound: ask for it, discreetly.
      setTimeout(() => { byId("sound").hidden = audio.state === "running"; }, 500);
    }
    return this.audio;
  }

  enqueue(call) {
    const entry = { number: call.number, window: call.window, text: call.text, via: null, queuedAt: performance.now() };
    if (config.voice && !this.browserVoice() && config.serverVoice) {
      entry.audioUrl = `/display/speech?lang=${lang}&number=${encodeURIComponent(call.number)}&window=${call.window}`;
      fetch(entry.audioUrl).catch(() => {}); // warm the server's cache while earlier calls play
    }
    this.queue.push(entry);
    this.pump();
  }

  async pump() {
    if (this.busy) return;
    this.busy = true;
    while (this.queue.length) {
      const entry = this.queue.shift();
      entry.startedAt = performance.now();
      this.log.push(entry);
      await this.chime();
      await this.speak(entry);
      entry.endedAt = performance.now();
      await sleep(400);
    }
    this.busy = false;
  }

  async chime() {
    if (!config.chime) return;
    const audio = this.context();
    if (!audio) return;
    const start = audio.currentTime + 0.05;
    for (const [offset, frequency] of [[0, 784], [0.28, 659], [0.56, 523]]) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.type = "sine";
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.35, start + offset + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.6);
      tone.connect(gain).connect(audio.destination);
      tone.start(start + offset);
      tone.stop(start + offset + 0.65);
    }
    await sleep(1300);
  }

  // A voice installed on this device for the language; online voices are never used.
  browserVoice() {
    if (!("speechSynthesis" in window)) return null;
    const voices = speechSynthesis.getVoices().filter((voice) => voice.localService);
    return voices.find((voice) => voice.lang.toLowerCase().startsWith(lang)) ?? null;
  }

  async speak(entry) {
    if (!config.voice) { entry.via = "chime"; return; }
    const voice = this.browserVoice();
    if (voice) { entry.via = "browser"; await this.speakInBrowser(entry.text, voice); return; }
    if (entry.audioUrl) {
      entry.via = "server";
      if (await this.play(entry.audioUrl)) return;
    }
    entry.via = "chime";
  }

  speakInBrowser(text, voice) {
    return new Promise((resolve) => {
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.rate = 0.9;
      const done = () => { clearTimeout(guard); resolve(); };
      const guard = setTimeout(done, 15000); // a voice that never ends must not block the queue
      utterance.onend = done;
      utterance.onerror = done;
      speechSynthesis.speak(utterance);
    });
  }

  play(url) {
    return new Promise((resolve) => {
      const player = new Audio(url);
      let guard = setTimeout(() => finish(true), 15000);
      const finish = (ok) => { clearTimeout(guard); guard = null; resolve(ok); };
      player.onended = () => finish(true);
      player.onerror = () => finish(false);
      player.onloadedmetadata = () => {
        clearTimeout(guard);
        guard = setTimeout(() => finish(true), (player.duration || 10) * 1000 + 2000);
      };
      player.play().catch(() => { byId("sound").hidden = false; finish(false); });
    });
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const announcer = new Announcer();

// --- the live feed -------------------------------------------------------------------------

function callOf(message) {
  const ticket = message.ticket;
  return {
    id: ticket.id, number: ticket.number, status: ticket.status,
    window: ticket.window?.number ?? null, text: message.announcement?.[lang] ?? ticket.number,
  };
}

function onSnapshot(snapshot) {
  state.office = snapshot.office;
  state.topics = snapshot.topics;
  state.waiting = snapshot.waiting;
  state.clockOffset = Date.parse(snapshot.now) - Date.now();
  state.calls = snapshot.recent_calls.map(callOf);
  renderOffice();
  renderCalls();
  renderWaiting();
  tick();
}

function onEvent(message) {
  // `office.changed` carries the topics: a topic added today gets its row in the waiting panel.
  if (message.topics) state.topics = message.topics;
  if (message.waiting) state.waiting = message.waiting;
  if (message.topics || message.waiting) renderWaiting();
  const ticket = message.ticket;
  if (!ticket) return;
  if (CALLS.has(message.type)) {
    const call = callOf(message);
    state.calls = [call, ...state.calls.filter((other) => other.id !== call.id)].slice(0, RECENT);
    renderCalls(call.id);
    const fresh = !message.replayed || message.age_seconds < ANNOUNCE_REPLAYED_WITHIN;
    if (fresh && call.window !== null) announcer.enqueue(call);
    return;
  }
  const known = state.calls.find((call) => call.id === ticket.id);
  if (known && known.status !== ticket.status) { known.status = ticket.status; renderCalls(); }
}

function onError(error) {
  if (error.code === "office_not_found") byId("no-calls").textContent = t("office_missing");
}

byId("sound").addEventListener("click", () => {
  announcer.context()?.resume();
  byId("sound").hidden = true;
});
if ("speechSynthesis" in window) speechSynthesis.getVoices(); // voices load lazily
setInterval(tick, 1000);
const mark = connectionMark(byId("connection-lost"), 5000);
window.boardChannel = new LiveChannel(`/ws/offices/${config.officeId}/display`, {
  onSnapshot, onEvent, onError, onStatus: mark,
});
