// The audit log: who changed what in the office's set-up, by dates, object type and user.
import { byId, el } from "/static/common/dom.js";
import { addDays, dateText, dateTime, localDate } from "/static/common/format.js";
import { localName } from "/static/common/i18n.js";
import { LANG, api, config, load, notify, officeId, session, t } from "../common.js";
import { intervalsText, required, submit } from "../forms.js";

const form = byId("audit-filters");
let entries = [];
const names = new Map();

const known = (prefix, value) => {
  const key = `${prefix}_${value}`;
  const text = t(key);
  return text === key ? value : text;
};

const isIntervals = (value) => Array.isArray(value)
  && value.every((pair) => Array.isArray(pair) && pair.length === 2 && pair.every((part) => typeof part === "string"));

function valueText(field, value) {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return t(value ? "yes" : "no");
  if (field === "hours" && Array.isArray(value) && !value.length) return t("closed");
  if (isIntervals(value)) return intervalsText(value) || "—";
  if (field === "role") return known("role", value);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function changesList(changes) {
  const items = Object.entries(changes ?? {}).map(([field, pair]) => {
    const [before, after] = Array.isArray(pair) && pair.length === 2 ? pair : [undefined, pair];
    const value = (part) => valueText(field, part);
    return el("li", {}, el("span", { class: "field-name", title: field }, known("field", field)), ": ",
      before === undefined || before === null ? null : [el("span", { class: "old" }, value(before)), " → "],
      el("span", { class: "new" }, value(after)));
  });
  return items.length ? el("ul", { class: "changes" }, items) : "—";
}

// "topic A · Meter readings", "calendar day 01.01.2027": names from the office's lists where
// this account may read them, else the id.
function objectText(object) {
  const kind = known("object", object.type);
  if (object.type === "calendar") {
    const digits = String(object.id);
    return `${kind} ${dateText(`${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}`, { lang: LANG })}`;
  }
  const name = names.get(`${object.type}:${object.id}`);
  return name ? [kind, el("span", { class: "object-name" }, name)] : `${kind} #${object.id}`;
}

async function loadNames() {
  const office = officeId();
  const lists = [
    ["topic", `/api/v1/offices/${office}/topics/all`, (topic) => `${topic.prefix} · ${localName(topic.name, LANG)}`],
    ["window", `/api/v1/offices/${office}/windows`, (window) => t("window_n", { number: window.number })],
    ["user", `/api/v1/users?office_id=${office}`, (user) => user.login],
    ["kiosk", `/api/v1/offices/${office}/kiosks`, (kiosk) => kiosk.name],
  ];
  await Promise.all(lists.map(async ([type, path, name]) => {
    try {
      for (const item of await load(path)) names.set(`${type}:${item.id}`, name(item));
    } catch {
      // not this account's to read: the id is shown
    }
  }));
  names.set(`office:${office}`, session.office.name);
}

function options(select, values, label) {
  const current = select.value;
  select.replaceChildren(new Option(t("all"), ""), ...values.map((value) => new Option(label(value), value)));
  select.value = values.includes(current) ? current : "";
}

function render() {
  const type = form.elements.object_type.value;
  const user = form.elements.user.value;
  const shown = entries.filter((entry) => (!type || entry.object.type === type)
    && (!user || (entry.user?.login ?? "") === user));
  const zone = session.office.timezone;
  const body = byId("audit-table").tBodies[0];
  body.replaceChildren(...shown.map((entry) => el("tr", { dataset: { objectType: entry.object.type, action: entry.action } },
    el("td", { class: "when" }, dateTime(entry.at, { zone, lang: LANG })),
    el("td", {}, entry.user?.login ?? t("system")),
    el("td", {}, known("action", entry.action)),
    el("td", {}, objectText(entry.object)),
    el("td", {}, changesList(entry.changes)))));
  if (!shown.length) body.append(el("tr", {}, el("td", { colspan: 5, class: "muted" }, t("no_entries"))));
  byId("audit-count").textContent = t("entries_n", { count: shown.length });
}

async function show(event) {
  event?.preventDefault();
  const response = await submit(form, () => {
    const query = new URLSearchParams({ date_from: required(form, "date_from"), date_to: required(form, "date_to") });
    return api("GET", `/api/v1/offices/${officeId()}/audit?${query}`);
  }, { fieldFor: { validation_error: "date_to" } });
  if (!response) return;
  entries = response.body;
  const types = [...new Set(["office", "topic", "window", "user", "kiosk", "calendar", ...entries.map((entry) => entry.object.type)])];
  options(form.elements.object_type, types, (value) => known("object", value));
  const logins = [...new Set(entries.map((entry) => entry.user?.login ?? ""))].filter(Boolean).sort();
  options(form.elements.user, logins, (value) => value);
  render();
  notify("");
}

export async function start() {
  const today = localDate(config.now, session.office.timezone);
  form.elements.date_from.value = addDays(today, -6);
  form.elements.date_to.value = today;
  form.addEventListener("submit", show);
  form.elements.object_type.addEventListener("change", render);
  form.elements.user.addEventListener("change", render);
  await loadNames();
  await show();
}
