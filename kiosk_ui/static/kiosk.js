// The touchscreen kiosk: topic menu -> visitor type -> ticket, talking to /api/v1 like any client.
// It shows only numbers the server issued: when a request fails it says so and offers no number.
import { append, el, readJson } from "/static/common/dom.js";
import { daysBetween, minutes, weekdayIndex } from "/static/common/format.js";
import { Offline, createClient } from "/static/common/http.js";
import { multilingual } from "/static/common/i18n.js";
import { LiveChannel } from "/static/common/live.js";

(() => {
  const config = readJson("kiosk-config");
  const API = "/api/v1";
  const REQUEST_TIMEOUT_MS = 8000; // above the server's 3 s print limit
  // A tap whose answer is lost (timeout, dropped connection, 5xx) is asked again with the same
  // idempotency key: the server answers with the ticket it already issued, never a second one.
  const ISSUE_ATTEMPTS = 4;
  const ISSUE_RETRY_MS = 1500;
  const RETRY_SECONDS = 3;
  const REFRESH_MS = 30000;
  // Screens where the idle timer has nothing to undo.
  const RESTING = new Set(["loading", "home", "closed", "offline", "issuing", "no-kiosk", "no-key"]);
  const kioskKey = rememberKey();
  const http = createClient({ base: API, timeoutMs: REQUEST_TIMEOUT_MS, fetchOptions: { cache: "no-store" } });

  const screen = document.getElementById("screen");
  const nav = document.getElementById("nav");
  const backButton = document.getElementById("back");
  const homeButton = document.getElementById("home");
  const officeName = document.getElementById("office-name");
  const languages = document.getElementById("languages");

  const state = {
    lang: config.lang,
    kiosk: null,
    tree: [],
    path: [], // ids of the menus opened from home
    topicId: null,
    priority: false,
    ticket: null,
    screen: "loading",
    generation: 0, // counts screens shown: a late answer must not replace a newer screen
    message: null,
    back: null,
    idleTimer: null,
    retryTimer: null,
    live: null, // the office's display channel: set-up changes reach the menu at once
    snapshots: 0,
    refreshing: false,
    changedAgain: false,
  };

  // The kiosk is opened once as /kiosk/{id}?key=K by staff; it keeps K and takes it out of the
  // address bar, so nobody in the hall reads it off the screen.
  function rememberKey() {
    const storageKey = `queue.kiosk.${config.kioskId}.key`;
    const url = new URL(window.location.href);
    const given = url.searchParams.get("key");
    if (given) {
      try {
        window.localStorage.setItem(storageKey, given);
      } catch {
        // storage refused (private mode): the key still works until the page reloads
      }
      url.searchParams.delete("key");
      window.history.replaceState(null, "", url.pathname + url.search);
      return given;
    }
    try {
      return window.localStorage.getItem(storageKey);
    } catch {
      return null;
    }
  }

  // One key per tap, from the browser's random source (randomUUID needs a secure context).
  function tapKey() {
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  const t = multilingual(config.texts, () => state.lang);

  function findTopic(id, nodes = state.tree) {
    for (const node of nodes) {
      if (node.id === id) return node;
      const found = findTopic(id, node.children || []);
      if (found) return found;
    }
    return null;
  }

  // ---- screens ------------------------------------------------------------------------------

  function show(name, content, { back = null, home = false, homeLabel = "home", languages: langs = true } = {}) {
    state.screen = name;
    state.generation += 1;
    state.back = back;
    screen.dataset.screen = name;
    screen.replaceChildren();
    append(screen, content);
    screen.scrollTop = 0;
    nav.hidden = !back && !home;
    backButton.hidden = !back;
    homeButton.hidden = !home;
    backButton.replaceChildren(el("span", { class: "arrow", "aria-hidden": "true" }, "←"), t("back"));
    homeButton.replaceChildren(t(homeLabel));
    languages.hidden = !langs;
    for (const button of languages.querySelectorAll("button")) {
      button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
    }
    document.documentElement.lang = state.lang;
  }

  function waitText(node) {
    if (!node.waiting) return t("no_queue");
    return `${t("waiting", { count: node.waiting })} · ${t("about", { minutes: minutes(node.estimated_wait_seconds) })}`;
  }

  function topicButton(node) {
    const menu = (node.children || []).length > 0;
    const details = menu
      ? el("span", { class: "topic-more", "aria-hidden": "true" }, "›")
      : el("span", { class: "topic-wait" }, waitText(node));
    return el(
      "button",
      {
        type: "button",
        class: menu ? "topic menu" : "topic",
        "data-topic-id": node.id,
        onTap: () => (menu ? openMenu(node.id) : chooseTopic(node.id)),
      },
      el("span", { class: "topic-name" }, node.name),
      details,
    );
  }

  function topicGrid(nodes) {
    if (!nodes.length) return el("p", { class: "message-text" }, t("no_topics"));
    const layout = nodes.length > 6 ? "grid many" : "grid";
    return el("div", { class: layout, "data-count": nodes.length }, nodes.map(topicButton));
  }

  function renderTopics() {
    const menu = state.path.length ? findTopic(state.path[state.path.length - 1]) : null;
    if (state.path.length && !menu) state.path = []; // the menu vanished after a refresh
    if (!menu) return renderHome();
    const kicker = el("p", { class: "kicker" }, t(state.priority ? "priority_banner" : "choose"));
    const title = el("h1", { class: "title menu-title" }, menu.name);
    show("menu", [kicker, title, topicGrid(menu.children)], {
      back: () => {
        state.path.pop();
        renderTopics();
      },
      home: true,
    });
  }

  function renderHome() {
    state.path = [];
    if (state.priority) {
      const title = el("h1", { class: "title banner-title" }, t("priority_banner"));
      show("priority", [title, topicGrid(state.tree)], {
        back: () => {
          state.priority = false;
          renderHome();
        },
        home: true,
      });
      return;
    }
    const priority = el(
      "button",
      { type: "button", id: "priority", class: "priority", onTap: startPriority },
      el("span", { class: "priority-name" }, t("priority")),
      el("span", { class: "priority-who" }, t("priority_who")),
    );
    show("home", [el("h1", { class: "title" }, t("choose")), topicGrid(state.tree), priority]);
  }

  function startPriority() {
    state.priority = true;
    renderHome();
  }

  function openMenu(id) {
    state.path.push(id);
    renderTopics();
  }

  function chooseTopic(id) {
    state.topicId = id;
    renderCustomer();
  }

  function customerButton(kind) {
    return el(
      "button",
      { type: "button", id: kind, class: "customer", onTap: () => issue(kind) },
      el("span", { class: "customer-name" }, t(kind)),
      el("span", { class: "customer-note" }, t(`${kind}_note`)),
    );
  }

  function renderCustomer() {
    const topic = findTopic(state.topicId);
    const content = [
      el("h1", { class: "title" }, t("who")),
      topic ? el("p", { class: "chosen" }, topic.name) : null,
      el("div", { class: "customers" }, customerButton("individual"), customerButton("organization")),
    ];
    show("customer", content, { back: renderTopics, home: true });
  }

  function renderMessage(titleKey, textKey, name = "message") {
    state.message = [titleKey, textKey, name];
    const content = el(
      "section",
      { class: "message" },
      el("h1", { class: "title" }, t(titleKey)),
      el("p", { class: "message-text" }, t(textKey)),
    );
    show(name, content, { back: renderTopics, home: true });
  }

  function minutesText(seconds) {
    return t("minutes", { minutes: minutes(seconds) });
  }

  function stat(labelKey, value) {
    return el(
      "div",
      { class: "stat" },
      el("span", { class: "stat-label" }, t(labelKey)),
      el("span", { class: "stat-value" }, value),
    );
  }

  function printNote(ticket) {
    const status = ticket.print ? ticket.print.status : "none";
    if (status === "failed") {
      return el("p", { class: "print-note failed", role: "alert" }, t("printer_failed", { number: ticket.number }));
    }
    return el("p", { class: "print-note" }, t(status === "printed" ? "take_ticket" : "no_printer"));
  }

  function renderTicket() {
    const ticket = state.ticket;
    const topic = findTopic(ticket.topic_id);
    const queue =
      ticket.position > 0
        ? el("div", { class: "stats" }, stat("ahead", String(ticket.position)), stat("wait", minutesText(ticket.estimated_wait_seconds)))
        : el("p", { class: "nobody" }, t("nobody_ahead"));
    const main = el(
      "div",
      { class: "ticket-main" },
      el("p", { class: "label" }, t("your_number")),
      el("p", { class: "number", id: "ticket-number" }, ticket.number),
      topic ? el("p", { class: "topic-line" }, topic.name) : null,
      ticket.priority ? el("p", { class: "badge" }, t("priority_ticket")) : null,
      queue,
    );
    const qr = el(
      "figure",
      { class: "qr" },
      el("img", { src: `/kiosk/qr.svg?data=${encodeURIComponent(ticket.status_url)}`, alt: ticket.status_url }),
      el("figcaption", {}, t("scan")),
    );
    const side = el("div", { class: "ticket-side" }, printNote(ticket), qr);
    show("ticket", el("section", { class: "ticket" }, main, side), { home: true, homeLabel: "done" });
  }

  function renderIssuing() {
    show("issuing", el("p", { class: "issuing" }, t("issuing")), { languages: false });
  }

  function opensText(lang) {
    const kiosk = state.kiosk;
    if (!kiosk.opens_at) return t("opens_never", {}, lang);
    // The API gives the instant in the office's own offset: its date and time are read as written.
    const day = kiosk.opens_at.slice(0, 10);
    const time = kiosk.opens_at.slice(11, 16);
    const days = daysBetween(kiosk.today, day);
    if (days === 0) return t("opens_today", { time }, lang);
    if (days === 1) return t("opens_tomorrow", { time }, lang);
    const weekday = t(`weekday_${weekdayIndex(day)}`, {}, lang);
    // After a long holiday a weekday alone would name the wrong week: add the date.
    if (days > 6) return t("opens_on_date", { day: weekday, date: `${day.slice(8, 10)}.${day.slice(5, 7)}`, time }, lang);
    return t("opens_on", { day: weekday, time }, lang);
  }

  function renderClosed() {
    // Both languages at once: nothing on this screen is there to be pressed.
    const block = (lang) =>
      el(
        "div",
        { class: `closed-block ${lang}`, lang },
        el("h1", { class: "title" }, t("closed_title", {}, lang)),
        el("p", { class: "opens" }, opensText(lang)),
      );
    const first = config.lang === "en" ? "en" : "ru";
    const second = first === "ru" ? "en" : "ru";
    show("closed", el("section", { class: "closed" }, block(first), block(second)), { languages: false });
  }

  function renderOffline() {
    clearTimeout(state.retryTimer);
    let seconds = RETRY_SECONDS;
    const countdown = el("p", { class: "retrying" }, t("retrying", { seconds }));
    const content = el(
      "section",
      { class: "message offline" },
      el("h1", { class: "title" }, t("offline_title")),
      el("p", { class: "message-text" }, t("offline_text")),
      countdown,
    );
    show("offline", content);
    const tick = async () => {
      if (state.screen !== "offline") return;
      seconds -= 1;
      if (seconds > 0) {
        countdown.textContent = t("retrying", { seconds });
        state.retryTimer = setTimeout(tick, 1000);
        return;
      }
      if (await refresh()) renderHome();
      else if (state.screen === "offline") renderOffline();
    };
    state.retryTimer = setTimeout(tick, 1000);
  }

  function renderNoKiosk() {
    const content = el(
      "section",
      { class: "message" },
      el("h1", { class: "title" }, t("no_kiosk_title")),
      el("p", { class: "message-text" }, t("no_kiosk_text")),
    );
    show("no-kiosk", content);
  }

  function renderNoKey() {
    const content = el(
      "section",
      { class: "message no-key" },
      el("h1", { class: "title" }, t("no_key_title")),
      el("p", { class: "message-text" }, t("no_key_text")),
    );
    show("no-key", content);
  }

  // ---- data ---------------------------------------------------------------------------------

  // Reload the kiosk's office and topics; false (after showing why) when tickets cannot be issued.
  async function refresh() {
    try {
      // A check-in rather than a plain GET: the dashboard sees the kiosk alive by it.
      const kiosk = await http.post(`/kiosks/${config.kioskId}/check-in`);
      if (kiosk.status === 404) {
        renderNoKiosk();
        return false;
      }
      if (!kiosk.ok) throw new Offline(`HTTP ${kiosk.status}`);
      state.kiosk = kiosk.body;
      listen(kiosk.body.office_id);
      officeName.textContent = kiosk.body.office.name;
      if (kiosk.body.active === false) {
        renderNoKey(); // a retired kiosk: its key issues nothing until staff restore it
        return false;
      }
      if (!kiosk.body.office.open_now) {
        renderClosed();
        return false;
      }
      const topics = await http.get(`/offices/${kiosk.body.office_id}/topics?lang=${state.lang}`);
      if (!topics.ok) throw new Offline(`HTTP ${topics.status}`);
      state.tree = topics.body;
      return true;
    } catch (error) {
      if (!(error instanceof Offline)) throw error;
      renderOffline();
      return false;
    }
  }

  // Ask for the ticket, again with the same key while the answer is lost; the answer, or
  // Offline once every attempt failed.
  async function requestTicket(body, key) {
    const path = `/offices/${state.kiosk.office_id}/tickets?lang=${state.lang}`;
    const headers = { "X-Kiosk-Key": kioskKey, "Idempotency-Key": key };
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await http.post(path, body, { headers });
      } catch (error) {
        if (!(error instanceof Offline) || attempt >= ISSUE_ATTEMPTS) throw error;
        await sleep(ISSUE_RETRY_MS);
      }
    }
  }

  async function issue(customerType) {
    renderIssuing();
    const body = {
      topic_id: state.topicId,
      customer_type: customerType,
      priority: state.priority,
    };
    let response;
    try {
      response = await requestTicket(body, tapKey());
    } catch (error) {
      if (!(error instanceof Offline)) throw error;
      renderOffline();
      return;
    }
    const code = response.body && response.body.code;
    if (response.status === 201 || response.status === 200) {
      state.ticket = response.body;
      renderTicket();
    } else if (response.status === 401) {
      renderNoKey();
    } else if (response.status === 429) {
      renderMessage("busy_title", "busy_text", "busy");
    } else if (code === "office_closed") {
      await refresh();
    } else if (code === "topic_not_issuable" || code === "topic_not_found") {
      if (await refresh()) renderMessage("unavailable_title", "unavailable_text", "unavailable");
    } else {
      renderMessage("error_title", "error_text", "error");
    }
  }

  async function goHome() {
    state.priority = false;
    state.path = [];
    state.ticket = null;
    if (state.tree.length) renderHome(); // at once from what we have; fresh counts follow
    const generation = state.generation;
    if ((await refresh()) && generation === state.generation) renderHome();
  }

  // Draw the screen the visitor is on again, in the current language.
  function rerender() {
    const screens = {
      ticket: () => (state.ticket ? renderTicket() : renderHome()),
      customer: renderCustomer,
      menu: renderTopics,
      offline: renderOffline,
      "no-kiosk": renderNoKiosk,
      "no-key": renderNoKey,
      message: () => renderMessage(...state.message),
      busy: () => renderMessage(...state.message),
      unavailable: () => renderMessage(...state.message),
      error: () => renderMessage(...state.message),
      home: renderHome,
      priority: renderHome,
    };
    const draw = screens[state.screen];
    if (draw) draw();
  }

  async function switchLanguage(lang) {
    if (lang === state.lang || !config.texts[lang]) return;
    state.lang = lang;
    rerender(); // the page's own words change at once; topic names follow from the server
    if (state.screen === "offline") return;
    // whatever screen the visitor has reached meanwhile is drawn again with the new names
    if (await refresh()) rerender();
  }

  // ---- idle and touch -----------------------------------------------------------------------

  function resetIdle() {
    clearTimeout(state.idleTimer);
    state.idleTimer = setTimeout(onIdle, config.idleSeconds * 1000);
  }

  function onIdle() {
    const atRest = RESTING.has(state.screen) && !state.priority && state.lang === config.lang;
    if (!atRest) {
      state.lang = config.lang; // the next visitor starts in the kiosk's own language
      goHome();
    }
    resetIdle();
  }

  // A topic added, renamed or retired, or the day's hours changed (`office.changed`), and every
  // reconnection (which may have missed one): screens that show the menu or the closed notice
  // are drawn again from fresh data; a visitor further on gets it on the way home.
  function listen(officeId) {
    if (state.live) return;
    state.live = new LiveChannel(`/ws/offices/${officeId}/display`, {
      replay: false,
      onSnapshot: () => {
        state.snapshots += 1;
        if (state.snapshots > 1) onOfficeChanged();
      },
      onEvent: (message) => message.type === "office.changed" && onOfficeChanged(),
    });
  }

  // Changes come in bursts (a reorder is one per topic): one refresh at a time, and one more after
  // it when others arrived meanwhile, so the last change is the one shown.
  async function onOfficeChanged() {
    if (state.refreshing) {
      state.changedAgain = true;
      return;
    }
    state.refreshing = true;
    try {
      do {
        state.changedAgain = false;
        if (!["home", "priority", "menu", "closed"].includes(state.screen)) return;
        const generation = state.generation;
        const wasClosed = state.screen === "closed";
        if ((await refresh()) && generation === state.generation) {
          if (wasClosed) renderHome();
          else rerender();
        }
      } while (state.changedAgain);
    } finally {
      state.refreshing = false;
    }
  }

  function periodicRefresh() {
    if (state.screen !== "home" && state.screen !== "closed") return;
    const generation = state.generation;
    refresh().then((ok) => ok && generation === state.generation && renderHome());
  }

  backButton.addEventListener("click", () => state.back && state.back());
  homeButton.addEventListener("click", goHome);
  for (const button of languages.querySelectorAll("button")) {
    button.addEventListener("click", () => switchLanguage(button.dataset.lang));
  }
  document.addEventListener("pointerdown", resetIdle, true);
  document.addEventListener("keydown", resetIdle, true);
  // A kiosk is not a web page: no zoom, no long-press menu, no selection.
  document.addEventListener("contextmenu", (event) => event.preventDefault());
  document.addEventListener("dblclick", (event) => event.preventDefault());
  document.addEventListener("gesturestart", (event) => event.preventDefault());
  document.addEventListener(
    "touchmove",
    (event) => {
      if (event.touches.length > 1) event.preventDefault();
    },
    { passive: false },
  );
  document.addEventListener("wheel", (event) => event.ctrlKey && event.preventDefault(), { passive: false });

  resetIdle();
  if (!kioskKey) {
    renderNoKey(); // nothing can be issued without it: say so before anyone taps
  } else {
    setInterval(periodicRefresh, REFRESH_MS);
    refresh().then((ok) => ok && renderHome());
  }
})();
