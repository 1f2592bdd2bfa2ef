// The right-hand side: waiting count and longest wait per topic, and the list of waiting tickets
// from which one can be called out of turn. Built from the console's waiting map; waits tick locally.
import { t, duration, element } from "./format.js";

const $ = (id) => document.getElementById(id);

function queueOrder(a, b) {
  const at = Date.parse(a.queued_at ?? a.issued_at) - Date.parse(b.queued_at ?? b.issued_at);
  return at || a.id - b.id;
}

function topicRows(work) {
  const rows = new Map();
  for (const ticket of work.waiting.values()) {
    if (!work.isMine(ticket.topic_id)) continue;
    const row = rows.get(ticket.topic_id) ?? { topicId: ticket.topic_id, count: 0, oldest: ticket.issued_at };
    row.count += 1;
    if (Date.parse(ticket.issued_at) < Date.parse(row.oldest)) row.oldest = ticket.issued_at;
    rows.set(ticket.topic_id, row);
  }
  return [...rows.values()].sort((a, b) => Date.parse(a.oldest) - Date.parse(b.oldest));
}

function renderTopics(work) {
  const body = $("topic-table").tBodies[0];
  const rows = topicRows(work);
  const total = rows.reduce((sum, row) => sum + row.count, 0);
  const oldest = rows.length ? rows[0].oldest : null;
  body.replaceChildren(...rows.map((row) => element("tr", { dataset: { topic: row.topicId } },
    element("td", { class: "topic-name", title: work.topicName(row.topicId, null, true) }, work.topicName(row.topicId)),
    element("td", { class: "num count" }, row.count),
    element("td", { class: "num wait", dataset: { since: row.oldest } }, "—"))));
  if (!rows.length) body.append(element("tr", {}, element("td", { colspan: 3, class: "muted" }, t("nobody_waiting"))));
  body.append(element("tr", { class: "total" },
    element("td", {}, t("total")),
    element("td", { class: "num count", id: "total-waiting" }, total),
    element("td", { class: "num wait", dataset: oldest ? { since: oldest } : {} }, "—")));
}

function ticketItem(work, ticket) {
  const button = element("button", { type: "button", class: "call-this", title: t("call_out_of_turn"), dataset: { ticket: ticket.id } },
    t("call_short"));
  button.addEventListener("click", () => { button.blur(); work.callTicket(ticket.id); });
  return element("li", { dataset: { ticket: ticket.id }, class: ticket.priority ? "priority" : "" },
    element("span", { class: "number" }, ticket.number),
    element("span", { class: "marks" },
      ticket.priority ? element("span", { class: "mark priority", title: t("priority") }, "★") : null,
      ticket.customer_type === "organization" ? element("span", { class: "mark org", title: t("organization") }, t("org_short")) : null,
      ticket.transfer_count ? element("span", { class: "mark transfer", title: ticket.note || t("transfers", { count: ticket.transfer_count }) }, "↪") : null),
    element("span", { class: "topic", title: work.topicName(ticket.topic_id, null, true) }, work.topicName(ticket.topic_id)),
    element("span", { class: "wait", dataset: { since: ticket.issued_at } }, "—"),
    button);
}

function renderList(work) {
  const list = $("waiting-list");
  const tickets = [...work.waiting.values()]
    .filter((ticket) => work.showAll || work.isMine(ticket.topic_id))
    .sort(queueOrder);
  list.replaceChildren(...tickets.map((ticket) => ticketItem(work, ticket)));
  if (!tickets.length) list.append(element("li", { class: "empty muted" }, t("nobody_in_list")));
  $("show-all").checked = work.showAll;
}

export function renderQueue(work) {
  renderTopics(work);
  renderList(work);
  tickQueue(work, work.now());
}

export function tickQueue(work, now) {
  for (const cell of document.querySelectorAll("#work-view [data-since]")) {
    cell.textContent = duration((now - Date.parse(cell.dataset.since)) / 1000);
  }
}
