// The calendar: days off and days with other hours, each replacing its weekday's usual hours.
import { byId, el } from "/static/common/dom.js";
import { addDays, dateText, localDate, weekdayName } from "/static/common/format.js";
import { detailText } from "/static/common/http.js";
import { LANG, api, config, load, notify, officeId, session, t } from "../common.js";
import { FieldProblem, intervalsText, parseIntervals, required, submit, text } from "../forms.js";

const form = byId("calendar-form");
const WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const AHEAD_DAYS = 366;

const today = () => localDate(config.now, session.office.timezone);

// "Open 08:00–16:00" wrapping only before the hours, never inside them.
function hoursText(hours) {
  if (!hours.length) return t("day_off");
  const [before, after] = t("day_hours").split("{hours}");
  return [before ?? "", el("span", { class: "nowrap" }, intervalsText(hours)), after ?? ""];
}

function row(day) {
  return el("tr", { dataset: { date: day.date }, class: day.hours.length ? null : "day-off" },
    el("td", { class: "date" }, dateText(day.date, { lang: LANG, weekday: true })),
    el("td", {}, hoursText(day.hours)),
    el("td", {}, day.note || ""),
    el("td", { class: "row-actions" },
      el("button", { type: "button", class: "small secondary", dataset: { action: "edit" }, onClick: () => fill(day) }, t("edit")),
      el("button", { type: "button", class: "small danger", dataset: { action: "remove" }, onClick: () => remove(day) }, t("remove"))));
}

async function refresh() {
  const from = today();
  const days = await load(`/api/v1/offices/${officeId()}/calendar?date_from=${from}&date_to=${addDays(from, AHEAD_DAYS)}`);
  days.sort((a, b) => a.date.localeCompare(b.date));
  const body = byId("days-table").tBodies[0];
  body.replaceChildren(...days.map(row));
  if (!days.length) body.append(el("tr", {}, el("td", { colspan: 4, class: "muted" }, t("no_days"))));
}

function kindChanged() {
  const other = form.elements.kind.value === "hours";
  form.elements.hours.disabled = !other;
  if (other) form.elements.hours.focus();
}

function fill(day) {
  form.elements.date.value = day.date;
  form.elements.kind.value = day.hours.length ? "hours" : "off";
  form.elements.hours.value = intervalsText(day.hours);
  form.elements.note.value = day.note ?? "";
  kindChanged();
}

async function save(event) {
  event.preventDefault();
  let date;
  const response = await submit(form, () => {
    date = required(form, "date");
    const hours = form.elements.kind.value === "hours" ? parseIntervals(text(form, "hours"), "hours") : [];
    if (form.elements.kind.value === "hours" && !hours.length) throw new FieldProblem("hours", t("required"));
    return api("PUT", `/api/v1/offices/${officeId()}/calendar/${date}`, { hours, note: text(form, "note") });
  }, { fieldFor: { office_not_found: "date" } });
  if (!response) return;
  notify(t("day_saved", { date: dateText(date, { lang: LANG }) }));
  await refresh();
}

async function remove(day) {
  const response = await api("DELETE", `/api/v1/offices/${officeId()}/calendar/${day.date}`);
  if (!response.ok) { notify(t("failed", { detail: detailText(response.body) || response.status }), "error"); return; }
  notify(t("day_removed", { date: dateText(day.date, { lang: LANG }) }));
  await refresh();
}

// The weekly hours the exception days depart from, for reference.
function usualHours() {
  const hours = session.office.hours;
  if (hours === null || hours === undefined) { byId("usual-hours").textContent = t("usual_hours", { hours: t("always_open") }); return; }
  // Each day kept on one line: the list wraps between days only.
  const [before, after] = t("usual_hours").split("{hours}");
  const week = WEEK.map((day, index) => el("span", { class: "nowrap" },
    `${weekdayName(index, { lang: LANG })} ${hours[day]?.length ? intervalsText(hours[day]) : t("closed")}`));
  byId("usual-hours").replaceChildren(before ?? "", ...week.flatMap((part, index) => (index ? [" · ", part] : [part])), after ?? "");
}

export async function start() {
  form.addEventListener("submit", save);
  for (const radio of form.querySelectorAll("input[name=kind]")) radio.addEventListener("change", kindChanged);
  form.elements.date.min = today();
  form.elements.date.value = addDays(today(), 1);
  usualHours();
  await refresh();
}
