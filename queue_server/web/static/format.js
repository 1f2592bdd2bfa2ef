// Numbers, times and dates as people read them; times always on the office's wall clock.

// The locale whose clock is 24-hour for both page languages ("en" alone would be 12-hour).
export function clockLocale(lang) {
  return lang === "en" ? "en-GB" : "ru-RU";
}

// Whole minutes of a wait, at least 1: 61 s -> 2 with Math.ceil (the default), 1 with Math.round.
export function minutes(seconds, rounding = Math.ceil) {
  return Math.max(1, rounding((seconds ?? 0) / 60));
}

// 75 -> "1:15", 3725 -> "1:02:05"; "—" for nothing.
export function duration(seconds, rounding = Math.round) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "—";
  const total = Math.max(0, rounding(seconds));
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60);
  const pad = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${pad(m)}:${pad(total % 60)}` : `${m}:${pad(total % 60)}`;
}

// "10:30" (or "10:30:15") of an instant in the office's zone; `locale` defaults to the 24-hour one.
export function clockTime(iso, { zone, lang = "ru", locale = clockLocale(lang), seconds = false } = {}) {
  if (!iso) return "";
  const options = { hour: "2-digit", minute: "2-digit" };
  if (seconds) options.second = "2-digit";
  const date = iso instanceof Date ? iso : new Date(iso);
  try {
    return date.toLocaleTimeString(locale, { ...options, timeZone: zone || undefined });
  } catch {
    return date.toLocaleTimeString(locale, options); // a zone the browser does not know
  }
}

// The date (YYYY-MM-DD) of an instant in the office's zone.
export function localDate(iso, zone) {
  const date = iso instanceof Date ? iso : new Date(iso);
  try {
    return date.toLocaleDateString("sv-SE", { timeZone: zone || undefined });
  } catch {
    return date.toLocaleDateString("sv-SE");
  }
}

// A calendar date written YYYY-MM-DD as a day count (UTC), for arithmetic on dates as written.
export function dayNumber(text) {
  return Math.round(Date.UTC(+text.slice(0, 4), +text.slice(5, 7) - 1, +text.slice(8, 10)) / 86400000);
}

export function daysBetween(from, to) {
  return dayNumber(to) - dayNumber(from);
}

// Monday = 0 ... Sunday = 6 of a date written YYYY-MM-DD.
export function weekdayIndex(text) {
  return (new Date(dayNumber(text) * 86400000).getUTCDay() + 6) % 7;
}

// YYYY-MM-DD plus `days`.
export function addDays(text, days) {
  return new Date((dayNumber(text) + days) * 86400000).toISOString().slice(0, 10);
}

// "23 November 2026" / "23 ноября 2026 г." (weekday too when asked) of a date written YYYY-MM-DD.
export function dateText(text, { lang = "ru", weekday = false } = {}) {
  const options = { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" };
  if (weekday) options.weekday = "short";
  return new Date(dayNumber(text) * 86400000).toLocaleDateString(clockLocale(lang), options);
}

// Date and time of an instant in the office's zone: "23.11.2026, 10:30".
export function dateTime(iso, { zone, lang = "ru" } = {}) {
  if (!iso) return "";
  const options = { day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit" };
  try {
    return new Date(iso).toLocaleString(clockLocale(lang), { ...options, timeZone: zone || undefined });
  } catch {
    return new Date(iso).toLocaleString(clockLocale(lang), options);
  }
}

// "Mon" / "пн" for Monday = 0 ... Sunday = 6.
export function weekdayName(index, { lang = "ru", style = "short" } = {}) {
  return new Date(Date.UTC(2024, 0, 1 + index)).toLocaleDateString(clockLocale(lang), { weekday: style, timeZone: "UTC" });
}
