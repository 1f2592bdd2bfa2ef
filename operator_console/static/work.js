// The working screen: the ticket in hand, the actions, the queue and today's figures, kept live.
import { LiveChannel, connectionMark } from "/static/common/live.js";
import { askFinish, askPauseReason, askTransfer } from "./dialogs.js";
import { t, duration, localName, clockTime, element, windowTitle } from "./format.js";
import { renderQueue, tickQueue } from "./queue.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 3000;          // without the websocket (or while it is down)
const REFRESH_MS = 60000;      // a safety net even with it
const MESSAGE_MS = 8000;

export const KEYS = {
  Space: "call", KeyN: "call", KeyR: "recall", KeyS: "start", KeyF: "finish",
  KeyX: "noshow", KeyB: "return", KeyT: "transfer", KeyP: "pause",
};

// The buttons that act on the ticket in hand, by the server's name of the action: the server says
// in `ticket.actions` which its state allows, so the lifecycle is written down only there.
const TICKET_ACTIONS = {
  recall: "recall", start: "start", finish: "finish", noshow: "no-show", return: "return", transfer: "transfer",
};

export class Work {
  constructor({ api, me, window, onAuthLost, onWindowChanged }) {
    Object.assign(this, { api, me, window, onAuthLost, onWindowChanged });
    this.officeId = me.office.id;
    this.topics = new Map();
    this.waiting = new Map();
    this.offset = 0;
    this.busy = false;
    this.connected = false;
    this.pollOk = true;
    this.online = true;
    this.autoNoShowFor = null;
    this.lastRefresh = 0;
    this.mark = connectionMark($("connection-lost"));
    this.showAll = localStorage.getItem("queue.console.all") === "1";
    this.syncClock(me.now);
  }

  // Timers and the live channel first: if the first load fails, polling retries it.
  async start() {
    this.ticker = setInterval(() => this.tick(), 1000);
    this.poller = setInterval(() => this.poll(), POLL_MS);
    this.live = new LiveChannel(`/ws/offices/${this.officeId}/staff`, {
      onSnapshot: () => this.refresh().catch((error) => this.fail(error)),
      onEvent: (message) => this.applyEvent(message),
      onStatus: (up) => this.setConnected(up),
    });
    this.render();
    await this.refresh();
  }

  stop() {
    this.stopped = true;
    clearInterval(this.ticker);
    clearInterval(this.poller);
    clearTimeout(this.soon);
    this.live?.close();
    this.mark(true);
  }

  now() { return Date.now() + this.offset; }

  syncClock(serverNow) { if (serverNow) this.offset = Date.parse(serverNow) - Date.now(); }

  // --- data -------------------------------------------------------------------------------------

  async refresh() {
    if (!this.topicsLoaded) {
      const topics = await this.api.get(`/api/v1/offices/${this.officeId}/topics/operations`);
      this.topics = new Map(topics.data.map((topic) => [topic.id, topic]));
      this.topicsLoaded = true;
    }
    const suffix = `?office_id=${this.officeId}`;
    const [me, waiting] = await Promise.all([
      this.api.get(`/api/v1/operators/me${suffix}`),
      this.api.get(`/api/v1/offices/${this.officeId}/waiting`),
    ]);
    this.me = me.data;
    this.syncClock(me.data.now);
    this.waiting = new Map(waiting.data.tickets.map((ticket) => [ticket.id, ticket]));
    this.lastRefresh = Date.now();
    const held = this.me.ticket?.window;
    if (held && held.id !== this.window.id) { this.window = held; this.onWindowChanged(held); }
    this.render();
  }

  refreshSoon() {
    clearTimeout(this.soon);
    this.soon = setTimeout(() => this.refresh().catch((error) => this.fail(error)), 150);
  }

  async poll() {
    if (this.stopped || (this.connected && Date.now() - this.lastRefresh < REFRESH_MS)) return;
    try {
      await this.refresh();
      this.pollOk = true;
    } catch (error) {
      this.pollOk = false;
      if (error.status === 401) this.onAuthLost();
    }
    this.updateMark();
  }

  updateMark() {
    // Only on a change: connectionMark restarts its delay on every call.
    const online = this.connected || this.pollOk;
    if (online === this.online) return;
    this.online = online;
    this.mark(online);
  }

  setConnected(up) {
    if (this.stopped) return; // the closing socket of a console that was left
    this.connected = up;
    document.body.dataset.live = up ? "connected" : "disconnected";
    if (!up) this.pollOk = false; // until the next poll proves the server is there
    this.updateMark();
  }

  applyEvent(message) {
    if (message.type === "office.changed") {
      this.topicsLoaded = false; // a new topic to transfer to, or to name in the queue
      this.refreshSoon();
      return;
    }
    const ticket = message.ticket;
    if (ticket) {
      if (ticket.status === "waiting") {
        const known = this.waiting.get(ticket.id) ?? {};
        const entry = { ...known, ...ticket, queued_at: known.queued_at ?? ticket.issued_at };
        if (message.type === "ticket.transferred") {
          entry.transfer_count = (known.transfer_count ?? 0) + 1;
          entry.note = message.data?.note ?? known.note ?? "";
        }
        this.waiting.set(ticket.id, entry);
      } else {
        this.waiting.delete(ticket.id);
      }
    }
    const me = this.me;
    const mine = message.user_id === me.user_id || (ticket && ticket.operator_id === me.user_id)
      || (ticket && me.ticket && ticket.id === me.ticket.id);
    if (mine) this.refreshSoon();
    this.renderQueue();
  }

  // --- actions ----------------------------------------------------------------------------------

  holdsTicket() { return Boolean(this.me.ticket); }

  // Whether the ticket in hand allows `name` (a server action name), as the server last said.
  ticketAllows(name) { return Boolean(this.me.ticket?.actions?.includes(name)); }

  allowed(action) {
    const ticket = this.me.ticket;
    if (this.busy) return false;
    if (Object.hasOwn(TICKET_ACTIONS, action)) return this.ticketAllows(TICKET_ACTIONS[action]);
    switch (action) {
      case "call": return !ticket && this.me.state !== "paused";
      case "pause": return !ticket;
      default: return false;
    }
  }

  trigger(action) {
    if (!this.allowed(action)) { this.flash(action); return; }
    const ticket = this.me.ticket;
    const path = ticket && `/api/v1/tickets/${ticket.id}`;
    switch (action) {
      case "call": return this.run(() => this.callNext());
      case "recall": return this.act(`${path}/recall`, undefined, "recalled_ticket");
      case "start": return this.act(`${path}/start`, undefined, "started_ticket");
      case "noshow": return this.act(`${path}/no-show`, undefined, "no_show_ticket");
      case "return": return this.act(`${path}/return`, {}, "returned_ticket");
      case "finish": return this.finish(ticket, path);
      case "transfer": return this.transfer(ticket, path);
      case "pause": return this.togglePause();
      default: return undefined;
    }
  }

  async run(work, quiet = false) {
    this.busy = true;
    this.renderButtons();
    try {
      await work();
    } catch (error) {
      if (!quiet) this.fail(error);
    } finally {
      this.busy = false;
      await this.refresh().catch((error) => this.fail(error));
    }
  }

  async callNext() {
    const response = await this.api.post(`/api/v1/windows/${this.window.id}/call-next`);
    if (response.status === 204) this.say(t("nobody_waiting"), "info");
    else this.say(t("called_ticket", { number: response.data.number }), "ok");
  }

  callTicket(ticketId) {
    if (!this.allowed("call")) { this.flash("call"); return undefined; }
    return this.run(async () => {
      const response = await this.api.post(`/api/v1/windows/${this.window.id}/call/${ticketId}`);
      this.say(t("called_ticket", { number: response.data.number }), "ok");
    });
  }

  act(path, body, doneKey, quiet = false) {
    const number = this.me.ticket.number;
    return this.run(async () => {
      await this.api.post(path, body);
      this.say(t(doneKey, { number }), "ok");
    }, quiet);
  }

  async finish(ticket, path) {
    const choice = await askFinish(ticket, this.topics.get(ticket.topic_id));
    if (choice) await this.act(`${path}/finish`, choice, "finished_ticket");
  }

  async transfer(ticket, path) {
    const choice = await askTransfer(ticket, [...this.topics.values()]);
    if (choice) await this.act(`${path}/transfer`, choice, "transferred_ticket");
  }

  async togglePause() {
    if (this.me.state === "paused") {
      return this.run(async () => { await this.api.post("/api/v1/operators/me/resume"); this.say(t("resumed"), "ok"); });
    }
    if (!this.allowed("pause")) {
      this.say(t("finish_first", { number: this.me.ticket?.number ?? "" }), "error");
      return undefined;
    }
    const reason = await askPauseReason();
    if (!reason) return undefined;
    return this.run(async () => { await this.api.post("/api/v1/operators/me/pause", { reason }); this.say(t("paused"), "info"); });
  }

  async fail(error) {
    if (error.status === 401) { this.onAuthLost(); return; }
    if (error.code === "csrf_failed") {
      const session = await this.api.get("/api/v1/auth/me").catch(() => null);
      if (session) this.api.csrfToken = session.data.csrf_token;
      this.say(t("csrf_failed"), "error");
      return;
    }
    this.say(error.status === 0 ? t("unreachable") : error.detail, "error");
  }

  say(text, kind = "info") {
    const box = $("message");
    box.textContent = text;
    box.className = `message ${kind}`;
    box.hidden = false;
    clearTimeout(this.messageTimer);
    if (kind !== "error") this.messageTimer = setTimeout(() => { box.hidden = true; }, MESSAGE_MS);
  }

  flash(action) {
    const button = document.querySelector(`[data-action="${action}"]`);
    if (!button) return;
    button.classList.remove("refused");
    void button.offsetWidth; // restart the animation
    button.classList.add("refused");
  }

  // --- rendering --------------------------------------------------------------------------------

  render() {
    this.renderHeader();
    this.renderCurrent();
    this.renderButtons();
    this.renderFigures();
    this.renderQueue();
    this.tick();
  }

  renderHeader() {
    const me = this.me;
    $("bar-office").textContent = me.office.name;
    $("bar-window").textContent = windowTitle(this.window);
    $("bar-window").hidden = false;
    const chip = $("bar-state");
    const reason = me.paused_reason ? `: ${t(`reason_${me.paused_reason}`)}` : "";
    // The server sees no window until the first call; here one is chosen, so the operator is ready.
    const state = me.state === "offline" ? "idle" : me.state;
    chip.textContent = t(`state_${state}`) + reason;
    chip.className = `chip state-${state}`;
    chip.hidden = false;
    const pause = $("pause");
    pause.hidden = false;
    pause.querySelector(".label").textContent = me.state === "paused" ? pause.dataset.resume : pause.dataset.pause;
  }

  renderCurrent() {
    const { ticket, state } = this.me;
    const paused = state === "paused" && !ticket;
    $("current").className = `card current ${ticket ? `is-${ticket.status}` : paused ? "is-paused" : "is-idle"}`;
    $("ticket-number").textContent = ticket ? ticket.number : t(paused ? "state_paused" : "no_ticket");
    $("ticket-number").classList.toggle("empty", !ticket);
    const status = $("ticket-status");
    status.hidden = !ticket;
    if (ticket) { status.textContent = t(`state_${ticket.status}`); status.className = `chip state-${ticket.status}`; }
    $("ticket-priority").hidden = !ticket?.priority;
    $("ticket-type").hidden = !ticket;
    if (ticket) $("ticket-type").textContent = t(ticket.customer_type);
    $("ticket-topic").textContent = ticket ? this.topicName(ticket.topic_id, ticket.topic, true) : "";
    $("ticket-note").hidden = !ticket?.note;
    $("ticket-note").textContent = ticket?.note ? `${t("note")}: ${ticket.note}` : "";
    $("ticket-times").hidden = !ticket;
    $("idle-info").hidden = Boolean(ticket) || paused;
    $("paused-info").hidden = !paused;
    $("time-waited-label").textContent = t("waited");
    $("time-called-label").textContent = t("called_ago");
    $("time-service-label").textContent = t("service");
    $("time-recalls-label").textContent = t("recalls");
    document.title = `${ticket ? `${ticket.number} · ` : ""}${t("window_n", { number: this.window.number })}`;
  }

  renderButtons() {
    for (const button of document.querySelectorAll("[data-action]")) button.disabled = !this.allowed(button.dataset.action);
    for (const button of document.querySelectorAll(".call-this")) button.disabled = !this.allowed("call");
    $("proposal-no-show").disabled = !this.allowed("noshow");
    $("resume").disabled = this.busy;
    $("pause").disabled = this.me.state === "paused" ? this.busy : !this.allowed("pause");
  }

  renderFigures() {
    const today = this.me.today ?? {};
    $("fig-served").textContent = today.served ?? 0;
    $("fig-average").textContent = duration(today.average_service_seconds);
    $("fig-no-show").textContent = today.no_show ?? 0;
  }

  renderQueue() {
    renderQueue(this);
    this.renderButtons();
  }

  // "P · Electrical work"; with `full`, its menu too: "P · Paid services › Electrical work".
  topicName(topicId, fallback, full = false) {
    const topic = this.topics.get(topicId);
    if (!topic) return localName(fallback) || `#${topicId}`;
    const parent = full && topic.parent ? `${localName(topic.parent)} › ` : "";
    return `${topic.prefix} · ${parent}${localName(topic.name)}`;
  }

  isMine(topicId) {
    const ids = this.me.topic_ids;
    return !ids.length || ids.includes(topicId);
  }

  // --- every second -----------------------------------------------------------------------------

  tick() {
    const now = this.now();
    const since = (iso) => (iso ? (now - Date.parse(iso)) / 1000 : null);
    const ticket = this.me.ticket;
    if (ticket) {
      const waited = ticket.first_called_at
        ? (Date.parse(ticket.first_called_at) - Date.parse(ticket.issued_at)) / 1000 : since(ticket.issued_at);
      $("time-waited").textContent = duration(waited);
      $("time-called").textContent = duration(since(ticket.called_at));
      $("time-service").textContent = ticket.status === "serving" ? duration(since(ticket.started_at)) : "—";
      $("time-recalls").textContent = `${ticket.recall_count} / ${this.me.office.recall_limit}`;
    } else if (this.me.state === "paused") {
      $("paused-text").textContent = `${t(`reason_${this.me.paused_reason}`)} · ${t("paused_since", { time: clockTime(this.me.paused_at, this.me.office.timezone) })} (${duration(since(this.me.paused_at))})`;
    }
    const mine = [...this.waiting.values()].filter((item) => this.isMine(item.topic_id)).length;
    $("idle-info").replaceChildren(element("p", { class: "big-hint" }, t("press_call")),
      element("p", {}, t("waiting_for_you", { count: mine })));
    tickQueue(this, now);
    this.proposeNoShow(now);
  }

  proposeNoShow(now) {
    const ticket = this.me.ticket;
    const office = this.me.office;
    const box = $("proposal");
    const noShowButton = document.querySelector('[data-action="noshow"]');
    if (!this.ticketAllows("no-show")) { box.hidden = true; noShowButton.classList.remove("suggested"); return; }
    const elapsed = (now - Date.parse(ticket.first_called_at || ticket.called_at)) / 1000;
    // A visitor who may be marked absent but not called again: the recall limit is reached.
    const limitReached = !this.ticketAllows("recall");
    const due = limitReached && elapsed >= office.recall_timeout_seconds;
    noShowButton.classList.toggle("suggested", due);
    box.hidden = !limitReached;
    box.classList.toggle("due", due);
    $("proposal-no-show").hidden = !due;
    $("proposal-text").textContent = due
      ? t("propose_no_show", { count: ticket.recall_count + 1, minutes: Math.floor(elapsed / 60) })
      : t("recall_limit_reached", { time: duration(office.recall_timeout_seconds - elapsed) });
    if (due && office.auto_no_show && !this.busy && this.autoNoShowFor !== ticket.id) {
      this.autoNoShowFor = ticket.id; // once: another tab may have done it already
      this.act(`/api/v1/tickets/${ticket.id}/no-show`, undefined, "auto_no_show_done", true);
    }
  }
}
