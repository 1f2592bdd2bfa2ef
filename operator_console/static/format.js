// The console's helpers, over the pages' shared modules: texts with {placeholders}, durations,
// names in the page's language, the office's clock, elements built with textContent only.
import { el, readJson } from "/static/common/dom.js";
import { clockTime as officeTime, duration as shortDuration } from "/static/common/format.js";
import { localName as nameIn, translator } from "/static/common/i18n.js";

export const LANG = document.documentElement.lang || "ru";
export const t = translator(readJson("console-texts"));
export const element = el;

// 75 -> "1:15", 3725 -> "1:02:05"; a running timer never shows a second early.
export function duration(seconds) {
  return shortDuration(seconds, Math.floor);
}

export function localName(name) {
  return nameIn(name, LANG);
}

// The office's wall clock, whatever the time zone of the browser.
export function clockTime(iso, timeZone) {
  return officeTime(iso, { zone: timeZone, lang: LANG });
}

// "Window 3", plus the window's name unless it only repeats the number ("3", "Окно 3").
export function windowTitle(window) {
  const title = t("window_n", { number: window.number });
  const name = (window.name || "").trim();
  const repeats = new RegExp(`^(\\D*\\s)?${window.number}$`).test(name);
  return name && !repeats ? `${title} · ${name}` : title;
}
