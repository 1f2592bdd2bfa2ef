// The topic tree: add, rename in both languages, move, retire and bring back, operations, targets.
import { byId, el } from "/static/common/dom.js";
import { detailText } from "/static/common/http.js";
import { LANG, api, load, notify, officeId, t } from "../common.js";
import { FieldProblem, integer, required, setValues, submit, text } from "../forms.js";

const form = byId("topic-form");
let topics = [];
let editing = null; // the topic in the form, or null for a new one

const byOrder = (a, b) => (a.sort_order ?? 0) - (b.sort_order ?? 0) || a.id - b.id;
const nameOf = (topic) => (LANG === "en" ? topic.name.en : topic.name.ru) || topic.name.ru;
const childrenOf = (id) => topics.filter((topic) => (topic.parent_id ?? null) === id).sort(byOrder);

// Depth-first, each topic after its menu.
function flatten(parentId = null, depth = 0, into = []) {
  for (const topic of childrenOf(parentId)) {
    into.push({ topic, depth });
    flatten(topic.id, depth + 1, into);
  }
  return into;
}

function descendants(id) {
  const found = new Set([id]);
  for (const child of childrenOf(id)) for (const below of descendants(child.id)) found.add(below);
  return found;
}

const known = (seconds) => seconds !== null && seconds !== undefined;

function targetsText(target) {
  if (!known(target?.peak) && !known(target?.offpeak)) return "—";
  const part = (seconds) => (known(seconds) ? String(Math.round(seconds / 60)) : "—");
  return `${part(target.peak)} / ${part(target.offpeak)}`;
}

function row({ topic, depth }) {
  const siblings = childrenOf(topic.parent_id ?? null);
  const index = siblings.findIndex((other) => other.id === topic.id);
  const menu = childrenOf(topic.id).length > 0;
  const button = (action, label, handler, { disabled = false, title = label } = {}) =>
    el("button", { type: "button", class: `small ${action === "retire" ? "danger" : "secondary"}`, dataset: { action },
      title, "aria-label": `${title}: ${nameOf(topic)}`, disabled, onClick: handler }, label);
  return el("tr", { dataset: { topicId: topic.id }, class: topic.active === false ? "retired" : null },
    el("td", { class: "prefix" }, topic.prefix),
    el("td", { class: `name depth-${Math.min(depth, 4)}` },
      el("span", { class: "name-ru", lang: "ru" }, topic.name.ru),
      menu ? el("span", { class: "tag" }, t("menu")) : null,
      topic.active === false ? el("span", { class: "tag state-tag" }, t("retired")) : null,
      topic.name.en && topic.name.en !== topic.name.ru ? el("span", { class: "name-en", lang: "en" }, topic.name.en) : null),
    el("td", { class: "num targets" }, targetsText(topic.target_wait_seconds)),
    el("td", { class: "row-actions" },
      button("edit", t("edit"), () => edit(topic)),
      button("up", "↑", () => move(topic, -1), { disabled: index <= 0, title: t("move_up") }),
      button("down", "↓", () => move(topic, 1), { disabled: index >= siblings.length - 1, title: t("move_down") }),
      topic.active === false
        ? button("restore", t("restore"), () => setActive(topic, true))
        : button("retire", t("retire"), () => setActive(topic, false))));
}

function render() {
  const rows = flatten();
  const body = byId("topics-table").tBodies[0];
  body.replaceChildren(...rows.map(row));
  if (!rows.length) body.append(el("tr", {}, el("td", { colspan: 4, class: "muted" }, t("no_topics"))));
}

async function refresh() {
  topics = await load(`/api/v1/offices/${officeId()}/topics/all`);
  render();
}

// --- the form ------------------------------------------------------------------------------

function operationRow(operation = { ru: "", en: "" }) {
  const index = byId("operations").children.length;
  const line = el("div", { class: "operation", dataset: { index } },
    el("label", { class: "field" }, el("span", { class: "visually-hidden" }, t("operation_ru")),
      el("input", { name: `operations.${index}.ru`, value: operation.ru ?? "", maxlength: 200, placeholder: t("operation_ru"), lang: "ru" })),
    el("label", { class: "field" }, el("span", { class: "visually-hidden" }, t("operation_en")),
      el("input", { name: `operations.${index}.en`, value: operation.en ?? "", maxlength: 200, placeholder: t("operation_en"), lang: "en" })),
    el("button", { type: "button", class: "small secondary", title: t("remove"), "aria-label": t("remove"), onClick: () => removeOperation(line) }, "✕"));
  byId("operations").append(line);
}

function removeOperation(line) {
  const kept = operations().filter((_, index) => index !== Number(line.dataset.index));
  byId("operations").replaceChildren();
  for (const operation of kept) operationRow(operation);
}

function operations() {
  return [...byId("operations").children].map((line) => ({
    ru: line.querySelector("[name$='.ru']").value.trim(),
    en: line.querySelector("[name$='.en']").value.trim(),
  }));
}

function parentOptions(topic) {
  const excluded = topic ? descendants(topic.id) : new Set();
  const select = form.elements.parent_id;
  select.replaceChildren(new Option(t("top_level"), ""),
    ...flatten().filter(({ topic: other }) => !excluded.has(other.id))
      .map(({ topic: other, depth }) => new Option(`${"  ".repeat(depth)}${other.prefix} · ${nameOf(other)}`, other.id)));
}

function edit(topic) {
  editing = topic;
  form.reset();
  parentOptions(topic);
  byId("topic-form-title").textContent = topic ? t("edit_topic", { prefix: topic.prefix, name: nameOf(topic) }) : t("new_topic");
  const target = topic?.target_wait_seconds ?? {};
  const minutes = (seconds) => (seconds === null || seconds === undefined ? "" : Math.round(seconds / 60));
  setValues(form, {
    "name.ru": topic?.name.ru, "name.en": topic?.name.en, prefix: topic?.prefix,
    parent_id: topic?.parent_id ?? "",
    "target_wait_seconds.peak": minutes(target.peak), "target_wait_seconds.offpeak": minutes(target.offpeak),
  });
  byId("operations").replaceChildren();
  for (const operation of topic?.operations ?? []) operationRow(operation);
  form.dataset.mode = topic ? "edit" : "new";
  for (const line of byId("topics-table").tBodies[0].rows) line.classList.toggle("selected", Number(line.dataset.topicId) === topic?.id);
  form.elements["name.ru"].focus();
}

function body() {
  const name = { ru: required(form, "name.ru") };
  const english = text(form, "name.en");
  if (english) name.en = english;
  const prefix = required(form, "prefix").toUpperCase();
  const parent = text(form, "parent_id");
  const peak = integer(form, "target_wait_seconds.peak", { optional: true, scale: 60 });
  const offpeak = integer(form, "target_wait_seconds.offpeak", { optional: true, scale: 60 });
  const listed = operations();
  listed.forEach((operation, index) => {
    if (!operation.ru && operation.en) throw new FieldProblem(`operations.${index}.ru`, t("required"));
  });
  const data = {
    name, prefix,
    parent_id: parent ? Number(parent) : null,
    target_wait_seconds: peak === null && offpeak === null ? null : { peak, offpeak },
    operations: listed.filter((operation) => operation.ru)
      .map((operation) => (operation.en ? operation : { ru: operation.ru })),
  };
  if (!editing) {
    if (data.parent_id === null) delete data.parent_id;
    if (data.target_wait_seconds === null) delete data.target_wait_seconds;
  }
  return data;
}

async function save(event) {
  event.preventDefault();
  const response = await submit(form, () => {
    const data = body();
    return editing
      ? api("PATCH", `/api/v1/topics/${editing.id}`, data)
      : api("POST", `/api/v1/offices/${officeId()}/topics`, data);
  }, { fieldFor: { already_exists: "prefix", topic_not_found: "parent_id" } });
  if (!response) return;
  const saved = response.body;
  notify(t(editing ? "topic_saved" : "topic_added", { name: nameOf(saved) }));
  await refresh();
  edit(editing ? topics.find((topic) => topic.id === saved.id) ?? null : null);
}

// --- the tree ------------------------------------------------------------------------------

async function patch(topic, data) {
  const response = await api("PATCH", `/api/v1/topics/${topic.id}`, data);
  if (!response.ok) notify(t("failed", { detail: detailText(response.body) || response.status }), "error");
  return response;
}

async function setActive(topic, active) {
  const response = await patch(topic, { active });
  if (!response.ok) return;
  notify(t(active ? "topic_restored" : "topic_retired", { name: nameOf(topic) }));
  await refresh();
}

// Swap with the neighbour: the siblings are numbered again 10, 20, ... in their new order.
async function move(topic, step) {
  const siblings = childrenOf(topic.parent_id ?? null);
  const index = siblings.findIndex((other) => other.id === topic.id);
  const target = index + step;
  if (target < 0 || target >= siblings.length) return;
  [siblings[index], siblings[target]] = [siblings[target], siblings[index]];
  for (const [position, sibling] of siblings.entries()) {
    const order = (position + 1) * 10;
    if (sibling.sort_order === order) continue;
    const response = await patch(sibling, { sort_order: order });
    if (!response.ok) break;
  }
  await refresh();
  byId("topics-table").querySelector(`tr[data-topic-id="${topic.id}"] [data-action="${step < 0 ? "up" : "down"}"]`)?.focus();
}

export async function start() {
  form.addEventListener("submit", save);
  byId("add-operation").addEventListener("click", () => operationRow());
  byId("new-topic").addEventListener("click", () => edit(null));
  byId("topic-cancel").addEventListener("click", () => edit(null));
  form.elements.prefix.addEventListener("input", (event) => { event.target.value = event.target.value.toUpperCase(); });
  await refresh();
  edit(null);
}
