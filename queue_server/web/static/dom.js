// Builds elements from data with textContent only: names from the server are never parsed as HTML.
//   el("button", { type: "button", class: "topic", dataset: { id: 3 }, onClick: open }, "Name")
// Attributes: `class`, `dataset` (an object), `on<Event>` with a function (onTap is a click),
// `true` sets an empty attribute, null/undefined/false leave it out. Children may be nested
// arrays; strings and numbers become text, null/undefined/false are skipped.

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attributes);
  append(node, children);
  return node;
}

export function setAttributes(node, attributes = {}) {
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "dataset") Object.assign(node.dataset, value);
    else if (name === "onTap") node.addEventListener("click", value);
    else if (/^on[A-Z]/.test(name) && typeof value === "function") {
      node.addEventListener(name.slice(2).toLowerCase(), value);
    } else node.setAttribute(name, value === true ? "" : String(value));
  }
  return node;
}

export function append(node, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Replace a node's children with the given ones (same rules as el's children).
export function fill(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

export const byId = (id) => document.getElementById(id);

// A listener on `root` for events of descendants matching `selector`.
export function on(root, type, selector, handler) {
  root.addEventListener(type, (event) => {
    const target = event.target instanceof Element ? event.target.closest(selector) : null;
    if (target && root.contains(target)) handler(event, target);
  });
}

// The JSON a page's template put in <script type="application/json" id="...">.
export function readJson(id) {
  return JSON.parse(byId(id).textContent);
}
