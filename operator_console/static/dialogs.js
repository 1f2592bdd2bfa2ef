// The three dialogs of the console: Finish (outcomes), Transfer (topic and note), Pause (reason).
// Each returns a promise of the operator's choice, or null when cancelled.
import { t, element, localName } from "./format.js";

const $ = (id) => document.getElementById(id);

// A dialog's "close" event comes a moment after it closes: an operator fast enough (Escape, then
// T at once) reopens it first. So a session ends on a close event only if the dialog is still
// closed, and a new session first ends the one before it.
function runDialog(dialog, collect, onKey) {
  dialog.endSession?.();
  const form = dialog.querySelector("form");
  return new Promise((resolve) => {
    let result = null;
    const submit = (event) => {
      event.preventDefault();
      const value = collect();
      if (value === undefined) return;
      result = value;
      dialog.close();
    };
    const cancel = () => dialog.close();
    const keydown = (event) => {
      const inText = event.target.tagName === "TEXTAREA" || event.target.type === "text";
      if (event.key === "Enter" && !event.shiftKey && event.target.tagName !== "BUTTON") {
        event.preventDefault();
        form.requestSubmit();
        return;
      }
      if (!inText) onKey?.(event);
    };
    const cancelButton = form.querySelector(".cancel");
    const end = () => {
      form.removeEventListener("submit", submit);
      cancelButton.removeEventListener("click", cancel);
      dialog.removeEventListener("keydown", keydown);
      dialog.removeEventListener("close", closed);
      dialog.endSession = null;
      resolve(result);
    };
    const closed = () => {
      if (!dialog.open) end();
    };
    form.addEventListener("submit", submit);
    cancelButton.addEventListener("click", cancel);
    dialog.addEventListener("keydown", keydown);
    dialog.addEventListener("close", closed);
    dialog.endSession = end;
    form.reset();
    dialog.showModal();
  });
}

function digit(event) {
  const match = /^Digit([1-9])$/.exec(event.code) || /^Numpad([1-9])$/.exec(event.code);
  return match ? Number(match[1]) : null;
}

// Outcomes are stored by their Russian wording: the service standard's own, stable for statistics.
export function askFinish(ticket, topic) {
  const dialog = $("finish-dialog");
  $("finish-title").textContent = t("finish_title", { number: ticket.number });
  const box = $("finish-operations");
  box.replaceChildren();
  const operations = topic?.operations ?? [];
  operations.forEach((operation, index) => {
    const key = index < 9 ? element("kbd", {}, index + 1) : null;
    box.append(element("label", {},
      element("input", { type: "checkbox", name: "outcome", value: operation.ru }), key, " ", localName(operation)));
  });
  if (!operations.length) box.append(element("p", { class: "muted" }, t("no_operations")));
  $("finish-hint").hidden = !operations.length;
  const collect = () => ({
    outcomes: [...box.querySelectorAll("input:checked")].map((input) => input.value),
    note: dialog.querySelector("textarea").value.trim(),
  });
  const onKey = (event) => {
    const number = digit(event);
    const input = number && box.querySelectorAll("input")[number - 1];
    if (input) { event.preventDefault(); input.checked = !input.checked; }
  };
  const done = runDialog(dialog, collect, onKey);
  dialog.querySelector("button[type=submit]").focus();
  return done;
}

function topicLabel(topic) {
  const parent = topic.parent ? `${localName(topic.parent)} › ` : "";
  return `${topic.prefix} · ${parent}${localName(topic.name)}`;
}

export function askTransfer(ticket, topics) {
  const dialog = $("transfer-dialog");
  $("transfer-title").textContent = t("transfer_title", { number: ticket.number });
  const box = $("transfer-topics");
  const filter = $("transfer-filter");
  const targets = topics.filter((topic) => topic.id !== ticket.topic_id);
  box.replaceChildren(...targets.map((topic) => element("label", { dataset: { search: topicLabel(topic).toLowerCase() } },
    element("input", { type: "radio", name: "topic", value: topic.id }),
    element("span", {}, `${topic.prefix} · ${localName(topic.name)}`),
    topic.parent ? element("small", { class: "muted" }, localName(topic.parent)) : null)));
  if (!targets.length) box.append(element("p", { class: "muted" }, t("no_topics")));
  const visible = () => [...box.querySelectorAll("label")].filter((label) => !label.hidden);
  const checkFirst = () => { const first = visible()[0]; if (first) first.querySelector("input").checked = true; };
  const onFilter = () => {
    const words = filter.value.trim().toLowerCase();
    for (const label of box.querySelectorAll("label")) label.hidden = Boolean(words) && !label.dataset.search.includes(words);
    const checked = box.querySelector("input:checked");
    if (words && (!checked || checked.closest("label").hidden)) checkFirst();
    if (!words && checked?.closest("label").hidden) checked.checked = false;
  };
  const onArrow = (event) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    event.preventDefault();
    const labels = visible();
    const at = labels.findIndex((label) => label.querySelector("input").checked);
    const next = labels[Math.min(labels.length - 1, Math.max(0, at + (event.key === "ArrowDown" ? 1 : -1)))];
    if (next) { next.querySelector("input").checked = true; next.scrollIntoView({ block: "nearest" }); }
  };
  filter.addEventListener("input", onFilter);
  filter.addEventListener("keydown", onArrow);
  const collect = () => {
    const checked = box.querySelector("input:checked");
    if (!checked) { filter.setCustomValidity(t("choose_topic")); filter.reportValidity(); return undefined; }
    return { topic_id: Number(checked.value), note: dialog.querySelector("textarea").value.trim() };
  };
  const done = runDialog(dialog, collect).finally(() => {
    filter.removeEventListener("input", onFilter);
    filter.removeEventListener("keydown", onArrow);
    filter.setCustomValidity("");
  });
  onFilter();
  filter.focus();
  return done;
}

export function askPauseReason() {
  const dialog = $("pause-dialog");
  const inputs = () => [...dialog.querySelectorAll("input[name=reason]")];
  const collect = () => inputs().find((input) => input.checked)?.value ?? "other";
  const onKey = (event) => {
    const number = digit(event);
    const input = number && inputs()[number - 1];
    if (input) { event.preventDefault(); input.checked = true; }
  };
  const done = runDialog(dialog, collect, onKey);
  dialog.querySelector("button[type=submit]").focus();
  return done;
}
