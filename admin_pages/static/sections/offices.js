// Offices: name, address, zone, weekly hours, peak hours and the settings of calling and issuing.
import { byId, el } from "/static/common/dom.js";
import { api, load, notify, officeId, session, t } from "../common.js";
import { checked, integer, intervalsText, parseIntervals, required, setValues, submit, text } from "../forms.js";

const form = byId("office-form");
const WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const NUMBERS = ["recall_limit", "recall_timeout_seconds", "max_priority_in_row", "kiosk_tickets_per_minute", "remote_tickets_per_hour"];
const SWITCHES = ["auto_no_show", "remote_open"];

function goTo(id) {
  location.search = `?office=${id}`;
}

function renderList() {
  const body = byId("offices-table").tBodies[0];
  body.replaceChildren(...session.offices.map((office) => el("tr", { dataset: { officeId: office.id }, class: office.id === officeId() ? "selected" : null },
    el("td", {}, office.name),
    el("td", {}, office.address),
    el("td", {}, office.timezone),
    el("td", {}, t(office.open_now ? "open_now" : "closed_now")),
    el("td", { class: "row-actions" }, office.id === officeId()
      ? el("span", { class: "tag" }, t("current"))
      : el("button", { type: "button", class: "small secondary", onClick: () => goTo(office.id) }, t("choose"))))));
}

function fillForm(office) {
  byId("office-form-title").textContent = office.name;
  const values = { name: office.name, address: office.address, timezone: office.timezone, always_open: office.hours === null };
  for (const day of WEEK) values[`hours.${day}`] = intervalsText(office.hours?.[day]);
  values.peak = intervalsText(office.peak);
  for (const name of [...NUMBERS, ...SWITCHES]) if (office[name] !== undefined) values[name] = office[name];
  setValues(form, values);
  alwaysOpenChanged();
}

function alwaysOpenChanged() {
  for (const day of WEEK) form.elements[`hours.${day}`].disabled = checked(form, "always_open");
}

// The server names the weekday ("mon: ..."), the peak periods or the time zone it refused.
function fieldFor({ code, detail }) {
  const text = typeof detail === "string" ? detail : "";
  const day = /^(mon|tue|wed|thu|fri|sat|sun)\b/.exec(text);
  if (day) return `hours.${day[1]}`;
  if (/^peak\b/.test(text)) return "peak";
  if (/time zone/i.test(text)) return "timezone";
  return code === "already_exists" ? "name" : null;
}

// The office with every setting (the public GET leaves the settings out).
async function details() {
  return load(`/api/v1/offices/${officeId()}/settings`);
}

function body() {
  const data = { name: required(form, "name"), address: text(form, "address"), timezone: required(form, "timezone") };
  if (checked(form, "always_open")) data.hours = null;
  else {
    data.hours = {};
    for (const day of WEEK) {
      const intervals = parseIntervals(text(form, `hours.${day}`), `hours.${day}`);
      if (intervals.length) data.hours[day] = intervals;
    }
  }
  data.peak = parseIntervals(text(form, "peak"), "peak");
  for (const name of NUMBERS) {
    const value = integer(form, name, { optional: true });
    if (value !== null) data[name] = value;
  }
  for (const name of SWITCHES) data[name] = checked(form, name);
  return data;
}

async function save(event) {
  event.preventDefault();
  const response = await submit(form, () => api("PATCH", `/api/v1/offices/${officeId()}`, body()), { fieldFor });
  if (!response) return;
  notify(t("office_saved", { name: response.body.name }));
  fillForm(response.body);
  session.offices = session.offices.map((office) => (office.id === response.body.id ? { ...office, ...response.body } : office));
  renderList();
}

async function add(event) {
  event.preventDefault();
  const adding = event.target;
  const response = await submit(adding, () => api("POST", "/api/v1/offices", {
    name: required(adding, "name"), address: text(adding, "address"), timezone: required(adding, "timezone"),
  }), { fieldFor: { already_exists: "name" } });
  if (!response) return;
  notify(t("office_added", { name: response.body.name }));
  goTo(response.body.id);
}

export async function start() {
  renderList();
  form.addEventListener("submit", save);
  form.elements.always_open.addEventListener("change", alwaysOpenChanged);
  byId("office-new-form").addEventListener("submit", add);
  fillForm(await details());
}
