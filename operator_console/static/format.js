// Small pure helpers: texts with {placeholders}, durations, names in the page's language.

const TEXTS = JSON.parse(document.getElementById("console-texts").textContent);
export const LANG = document.documentElement.lang || "ru";

export function t(key, values = {}) {
  let text = TEXTS[key] ?? key;
  for (const [name, value] of Object.entries(values)) text = text.replaceAll(`{${name}}`, String(value));
  return text;
}

// 75 -> "1:15", 3725 -> "1:02:05"
export function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "—";
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

export function localName(name) {
  if (!name) return "";
  if (typeof name === "string") return name;
  return (LANG === "en" ? name.en : name.ru) || name.ru || name.en || "";
}

// The office's wall clock, whatever the time zone of the browser.
export function clockTime(iso, timeZone) {
  if (!iso) return "";
  const options = { hour: "2-digit", minute: "2-digit", timeZone: timeZone || undefined };
  try {
    return new Date(iso).toLocaleTimeString(LANG === "en" ? "en-GB" : "ru-RU", options);
  } catch {
    return new Date(iso).toLocaleTimeString(LANG === "en" ? "en-GB" : "ru-RU", { hour: "2-digit", minute: "2-digit" });
  }
}

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// "Window 3", plus the window's name unless it only repeats the number ("3", "Окно 3").
export function windowTitle(window) {
  const title = t("window_n", { number: window.number });
  const name = (window.name || "").trim();
  const repeats = new RegExp(`^(\\D*\\s)?${window.number}$`).test(name);
  return name && !repeats ? `${title} · ${name}` : title;
}
