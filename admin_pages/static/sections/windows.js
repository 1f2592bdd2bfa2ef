// Service windows: number and name, retire and bring back, add.
import { byId, el } from "/static/common/dom.js";
import { api, load, notify, officeId, t } from "../common.js";
import { integer, submit, text } from "../forms.js";

const FIELD_FOR = { already_exists: "number", window_busy: "active" };
let operators = new Map();

function windowForm(window) {
  const form = el("form", { class: `row-form windows-row${window.active === false ? " retired" : ""}`, dataset: { windowId: window.id }, novalidate: true },
    el("label", { class: "field" }, el("span", { class: "visually-hidden" }, t("window_n", { number: "" })),
      el("input", { name: "number", type: "number", min: 1, max: 9999, step: 1, required: true, value: window.number })),
    el("label", { class: "field" }, el("input", { name: "name", maxlength: 100, value: window.name ?? "", "aria-label": t("window_n", { number: window.number }) })),
    el("span", { class: "state", dataset: { field: "active" } }, t(window.active === false ? "retired" : "active"),
      window.operator_id ? el("span", { class: "muted" }, ` · ${t("operator_at", { login: operators.get(window.operator_id) ?? `#${window.operator_id}` })}`) : null),
    el("span", { class: "row-actions" },
      el("button", { type: "submit", class: "small primary" }, t("save")),
      el("button", { type: "button", class: `small ${window.active === false ? "secondary" : "danger"}`, dataset: { action: window.active === false ? "restore" : "retire" },
        onClick: () => setActive(form, window, window.active === false) }, t(window.active === false ? "restore" : "retire"))));
  form.addEventListener("submit", (event) => { event.preventDefault(); save(form, window); });
  return form;
}

async function save(form, window) {
  const response = await submit(form, () => api("PATCH", `/api/v1/windows/${window.id}`, {
    number: integer(form, "number"), name: text(form, "name"),
  }), { fieldFor: FIELD_FOR });
  if (response) { notify(t("window_saved", { number: response.body.number })); await refresh(); }
}

async function setActive(form, window, active) {
  const response = await submit(form, () => api("PATCH", `/api/v1/windows/${window.id}`, { active }), { fieldFor: FIELD_FOR });
  if (response) { notify(t("window_saved", { number: window.number })); await refresh(); }
}

async function refresh() {
  const windows = await load(`/api/v1/offices/${officeId()}/windows`);
  windows.sort((a, b) => a.number - b.number);
  byId("windows-list").replaceChildren(...windows.map(windowForm));
  if (!windows.length) byId("windows-list").append(el("p", { class: "muted" }, t("no_windows")));
}

async function add(event) {
  event.preventDefault();
  const form = event.target;
  const response = await submit(form, () => {
    const body = { number: integer(form, "number") };
    if (text(form, "name")) body.name = text(form, "name");
    return api("POST", `/api/v1/offices/${officeId()}/windows`, body);
  }, { fieldFor: FIELD_FOR });
  if (!response) return;
  form.reset();
  notify(t("window_added", { number: response.body.number }));
  await refresh();
  form.elements.number.focus();
}

export async function start() {
  byId("window-new-form").addEventListener("submit", add);
  try {
    const users = await load(`/api/v1/users?office_id=${officeId()}`);
    operators = new Map(users.map((user) => [user.id, user.display_name || user.login]));
  } catch {
    operators = new Map(); // names are a nicety: the windows are listed without them
  }
  await refresh();
}
