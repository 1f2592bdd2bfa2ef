// Forms of the administration: values in, the server's `detail` out next to the field it concerns.
import { el } from "/static/common/dom.js";
import { Offline, detailText } from "/static/common/http.js";
import { AuthLost, t } from "./common.js";

// A problem found before sending: shown next to `field` like the server's.
export class FieldProblem extends Error {
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

function fieldElement(form, name) {
  return form.querySelector(`[name="${CSS.escape(name)}"]`) ?? form.querySelector(`[data-field="${CSS.escape(name)}"]`);
}

function errorSlot(form, name) {
  const field = fieldElement(form, name);
  if (!field) return null;
  const holder = field.closest(".field, fieldset, label") ?? field.parentElement;
  let slot = [...holder.children].find((child) => child.classList.contains("field-error"));
  if (!slot) {
    slot = el("span", { class: "field-error", role: "alert", dataset: { errorFor: name } });
    holder.append(slot);
  }
  return slot;
}

export function clearErrors(form) {
  for (const slot of form.querySelectorAll(".field-error, .form-error")) slot.remove();
  for (const field of form.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
}

export function fieldError(form, name, text) {
  const slot = errorSlot(form, name);
  if (!slot) { formError(form, text); return; }
  slot.textContent = slot.textContent ? `${slot.textContent} ${text}` : text;
  fieldElement(form, name).setAttribute("aria-invalid", "true");
}

export function formError(form, text) {
  const buttons = form.querySelector(".form-buttons") ?? form.querySelector("button[type=submit]");
  const slot = el("p", { class: "form-error", role: "alert" }, text);
  if (buttons) buttons.after(slot);
  else form.append(slot);
}

// The field a validation error's `loc` names: the longest dotted prefix the form has a field for.
function fieldOfLocation(form, loc) {
  const path = (loc ?? []).map(String).filter((part, index) => !(index === 0 && ["body", "query", "path"].includes(part)));
  for (let length = path.length; length > 0; length -= 1) {
    const name = path.slice(0, length).join(".");
    if (fieldElement(form, name)) return name;
  }
  return null;
}

// The server's answer to a form: each validation problem by its field, any other `detail` next
// to the field it concerns (`fieldFor`: {code: field name}, or a function of the body giving the
// name) or under the buttons.
export function showProblem(form, response, fieldFor = {}) {
  const detail = response.body?.detail;
  if (Array.isArray(detail)) {
    for (const item of detail) {
      const name = fieldOfLocation(form, item?.loc);
      const text = String(item?.msg ?? "").replace(/^Value error, /, "");
      if (name) fieldError(form, name, text);
      else formError(form, text);
    }
    return;
  }
  const text = detailText(response.body) || `HTTP ${response.status}`;
  const name = typeof fieldFor === "function" ? fieldFor(response.body ?? {}) : fieldFor[response.body?.code];
  if (name && fieldElement(form, name)) fieldError(form, name, text);
  else formError(form, text);
}

// Run a form's request: errors cleared first, the submit button busy meanwhile; the answer when
// it succeeded, null after showing why it did not.
export async function submit(form, work, { fieldFor = {} } = {}) {
  clearErrors(form);
  const buttons = [...form.querySelectorAll("button")];
  for (const button of buttons) button.disabled = true;
  try {
    const response = await work();
    if (response && !response.ok) {
      showProblem(form, response, fieldFor);
      return null;
    }
    return response;
  } catch (error) {
    if (error instanceof FieldProblem) fieldError(form, error.field, error.message);
    else if (error instanceof Offline) formError(form, t("unreachable"));
    else if (!(error instanceof AuthLost)) throw error;
    return null;
  } finally {
    for (const button of buttons) button.disabled = false;
  }
}

// --- values --------------------------------------------------------------------------------

export function text(form, name) {
  return (form.elements[name]?.value ?? "").trim();
}

export function required(form, name) {
  const value = text(form, name);
  if (!value) throw new FieldProblem(name, t("required"));
  return value;
}

// A whole number, or null when the field is empty and `optional`.
export function integer(form, name, { optional = false, scale = 1 } = {}) {
  const value = text(form, name);
  if (!value) {
    if (optional) return null;
    throw new FieldProblem(name, t("required"));
  }
  const number = Number(value);
  if (!Number.isFinite(number) || !Number.isInteger(number)) throw new FieldProblem(name, t("bad_number"));
  return number * scale;
}

export function checked(form, name) {
  return Boolean(form.elements[name]?.checked);
}

export function setValues(form, values) {
  for (const [name, value] of Object.entries(values)) {
    const field = form.elements[name];
    if (!field) continue;
    if (field.type === "checkbox") field.checked = Boolean(value);
    else field.value = value ?? "";
  }
}

// --- hours ---------------------------------------------------------------------------------

const INTERVAL = /^(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})$/;
const clock = (h, m) => `${h.padStart(2, "0")}:${m}`;

// "08:00–13:00, 14:00–19:00" -> [["08:00","13:00"], ["14:00","19:00"]]; "" -> [].
export function parseIntervals(value, field) {
  const parts = value.split(/[,;]/).map((part) => part.trim()).filter(Boolean);
  return parts.map((part) => {
    const match = INTERVAL.exec(part);
    if (!match || +match[1] > 24 || +match[3] > 24 || +match[2] > 59 || +match[4] > 59) {
      throw new FieldProblem(field, t("bad_hours"));
    }
    return [clock(match[1], match[2]), clock(match[3], match[4])];
  });
}

export function intervalsText(intervals) {
  return (intervals ?? []).map(([from, to]) => `${from}–${to}`).join(", ");
}
