// A translator over the texts the server put in the page (already in the page's language):
//   const t = translator({ waiting: "Ждут: {count}" });  t("waiting", { count: 3 })
// A placeholder given in `values` is replaced (null/undefined by ""); one not given stays as it is,
// and an unknown key is shown as itself, so a missing text is visible rather than blank.

export function format(text, values = {}) {
  return String(text).replace(/\{(\w+)\}/g, (whole, name) =>
    Object.hasOwn(values, name) ? String(values[name] ?? "") : whole);
}

export function translator(texts = {}) {
  return (key, values = {}) => format(texts[key] ?? key, values);
}

// Pages with texts in every language ({ru: {...}, en: {...}}): t(key, values, lang).
export function multilingual(textsByLanguage, currentLanguage) {
  const translators = Object.fromEntries(
    Object.entries(textsByLanguage).map(([lang, texts]) => [lang, translator(texts)]));
  return (key, values = {}, lang = currentLanguage()) => (translators[lang] ?? translator())(key, values);
}

// The page's language, as the server rendered it.
export function pageLanguage() {
  return document.documentElement.lang === "en" ? "en" : "ru";
}

// A name given in both languages ({ru, en}), in `lang`, falling back to the other.
export function localName(name, lang = pageLanguage()) {
  if (!name) return "";
  if (typeof name === "string") return name;
  return (lang === "en" ? name.en : name.ru) || name.ru || name.en || "";
}
