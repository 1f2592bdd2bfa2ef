// Kiosks: name, printer, retire; a new key whose setup link is shown once.
import { byId, el } from "/static/common/dom.js";
import { api, load, notify, officeId, t } from "../common.js";
import { required, submit, text } from "../forms.js";

// The printer's address is what the server refuses, whatever the code ("not a printer address",
// "outside the spool directory", ...).
function fieldOfProblem({ code, detail }) {
  if (code === "printer_not_allowed" || /printer|spool/i.test(typeof detail === "string" ? detail : "")) return "printer";
  return code === "already_exists" ? "name" : null;
}

// The link with the key, shown this once: whoever opens it on the kiosk sets the kiosk up.
function showKey(kiosk) {
  if (!kiosk.setup_url) return;
  byId("key-text").textContent = t("key_shown_once", { name: kiosk.name });
  const link = byId("key-link");
  link.href = kiosk.setup_url;
  link.textContent = kiosk.setup_url;
  byId("key-copy").textContent = t("copy");
  byId("key-box").hidden = false;
  byId("key-box").dataset.kioskId = kiosk.id;
}

function printerState(kiosk) {
  if (!kiosk.printer) return t("no_printer");
  const detail = kiosk.printer_detail ? ` (${kiosk.printer_detail})` : "";
  return t("printer_state", { status: kiosk.printer_status }) + detail;
}

function kioskForm(kiosk) {
  const retired = kiosk.active === false;
  const form = el("form", { class: `row-form kiosks-row${retired ? " retired" : ""}`, dataset: { kioskId: kiosk.id }, novalidate: true },
    el("label", { class: "field" }, el("input", { name: "name", required: true, maxlength: 200, value: kiosk.name, "aria-label": t("edit") })),
    el("label", { class: "field" }, el("input", { name: "printer", maxlength: 300, value: kiosk.printer ?? "", placeholder: t("no_printer"), "aria-label": printerState(kiosk) })),
    el("span", { class: "state" }, t(retired ? "retired" : "active"),
      kiosk.printer ? el("span", { class: "muted small-text" }, printerState(kiosk)) : null,
      el("a", { class: "small-link", href: kiosk.page_url, target: "_blank", rel: "noopener" }, t("open_page"))),
    el("span", { class: "row-actions" },
      el("button", { type: "submit", class: "small primary" }, t("save")),
      el("button", { type: "button", class: "small secondary", dataset: { action: "key" }, onClick: () => newKey(form, kiosk) }, t("new_key")),
      el("button", { type: "button", class: `small ${retired ? "secondary" : "danger"}`, dataset: { action: retired ? "restore" : "retire" },
        onClick: () => change(form, kiosk, { active: retired }) }, t(retired ? "restore" : "retire"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    change(form, kiosk, null);
  });
  return form;
}

async function change(form, kiosk, fields) {
  const response = await submit(form, () => api("PATCH", `/api/v1/kiosks/${kiosk.id}`, fields ?? {
    name: required(form, "name"), printer: text(form, "printer") || null,
  }), { fieldFor: fieldOfProblem });
  if (!response) return;
  notify(t("kiosk_saved", { name: response.body.name }));
  await refresh();
}

async function newKey(form, kiosk) {
  if (!window.confirm(t("new_key_confirm"))) return;
  const response = await submit(form, () => api("POST", `/api/v1/kiosks/${kiosk.id}/key`));
  if (response) showKey(response.body);
}

async function refresh() {
  const kiosks = await load(`/api/v1/offices/${officeId()}/kiosks`);
  byId("kiosks-list").replaceChildren(...kiosks.map(kioskForm));
  if (!kiosks.length) byId("kiosks-list").append(el("p", { class: "muted" }, t("no_kiosks")));
}

async function add(event) {
  event.preventDefault();
  const form = event.target;
  const response = await submit(form, () => api("POST", `/api/v1/offices/${officeId()}/kiosks`, {
    name: required(form, "name"), printer: text(form, "printer") || null,
  }), { fieldFor: fieldOfProblem });
  if (!response) return;
  form.reset();
  notify(t("kiosk_added", { name: response.body.name }));
  showKey(response.body);
  await refresh();
}

async function copyKey() {
  try {
    await navigator.clipboard.writeText(byId("key-link").href);
    byId("key-copy").textContent = t("copied");
  } catch {
    window.getSelection()?.selectAllChildren(byId("key-link")); // no clipboard: select it to copy by hand
  }
}

export async function start() {
  byId("kiosk-new-form").addEventListener("submit", add);
  byId("key-copy").addEventListener("click", copyKey);
  await refresh();
}
