// Accounts: role, office, skills with their priorities, deactivate, reset the password.
// A manager sees and edits the operators of their office: name, skills, active.
import { byId, el } from "/static/common/dom.js";
import { LANG, api, load, notify, officeId, roleName, session, t } from "../common.js";
import { FieldProblem, integer, required, submit, text } from "../forms.js";

const form = byId("user-form");
const passwordForm = byId("password-form");
const topicsByOffice = new Map();
let users = [];
let editing = null;

const nameOf = (topic) => (LANG === "en" ? topic.name.en : topic.name.ru) || topic.name.ru;

async function topicsOf(id) {
  if (!id) return [];
  if (!topicsByOffice.has(id)) topicsByOffice.set(id, await load(`/api/v1/offices/${id}/topics/all`));
  return topicsByOffice.get(id);
}

function skillsText(user, topics) {
  if (user.role !== "operator") return "—";
  if (!user.skills.length) return t("all_topics");
  const prefixes = new Map(topics.map((topic) => [topic.id, topic.prefix]));
  const sorted = [...user.skills].sort((a, b) => a.priority - b.priority);
  return sorted.map((skill) => `${prefixes.get(skill.topic_id) ?? `#${skill.topic_id}`}·${skill.priority}`).join(", ");
}

function row(user, topics) {
  return el("tr", { dataset: { userId: user.id }, class: [user.active === false ? "retired" : "", editing?.id === user.id ? "selected" : ""].join(" ").trim() || null },
    el("td", { class: "user-login" }, user.login),
    el("td", {}, user.display_name && user.display_name !== user.login ? user.display_name : "—"),
    el("td", {}, roleName(user.role)),
    el("td", { class: "skills-cell" }, skillsText(user, topics)),
    el("td", { class: user.active === false ? "state retired" : "state" }, t(user.active === false ? "retired" : "active")),
    el("td", { class: "row-actions" },
      el("button", { type: "button", class: "small secondary", dataset: { action: "edit" }, "aria-label": `${t("edit")}: ${user.login}`, onClick: () => edit(user) }, t("edit"))));
}

async function refresh() {
  const everyOffice = session.isAdmin && byId("all-offices").checked;
  users = await load(everyOffice ? "/api/v1/users" : `/api/v1/users?office_id=${officeId()}`);
  users.sort((a, b) => a.login.localeCompare(b.login));
  const topics = await topicsOf(officeId());
  const body = byId("users-table").tBodies[0];
  body.replaceChildren(...users.map((user) => row(user, topics)));
  if (!users.length) body.append(el("tr", {}, el("td", { colspan: 6, class: "muted" }, t("no_users"))));
}

// --- the form ------------------------------------------------------------------------------

async function renderSkills(user, office) {
  const topics = await topicsOf(office);
  const parents = new Set(topics.map((topic) => topic.parent_id).filter(Boolean));
  const has = new Map((user?.skills ?? []).map((skill) => [skill.topic_id, skill.priority]));
  const shown = topics.filter((topic) => has.has(topic.id) || (!parents.has(topic.id) && topic.active !== false));
  const list = byId("skills");
  list.replaceChildren(...shown.map((topic) => el("div", { class: "skill", dataset: { topicId: topic.id } },
    el("label", { class: "check" },
      el("input", { type: "checkbox", name: "skill", value: topic.id, checked: has.has(topic.id) }),
      el("span", { class: "prefix" }, topic.prefix), " ", nameOf(topic)),
    el("label", { class: "priority" }, el("span", { class: "visually-hidden" }, t("priority_hint")),
      el("input", { type: "number", name: `priority.${topic.id}`, min: 1, max: 99, step: 1, value: has.get(topic.id) ?? 1, title: t("priority_hint") })))));
  list.append(el("p", { class: "hint" }, t("no_skills_hint")));
  form.querySelector(".skills").hidden = !office;
}

function officeOptions() {
  const select = form.elements.office_id;
  select.replaceChildren(new Option(t("no_office"), ""), ...session.offices.map((office) => new Option(office.name, office.id)));
}

async function edit(user) {
  editing = user;
  form.reset();
  passwordForm.reset();
  byId("user-side").hidden = false;
  byId("user-form-title").textContent = user ? t("edit_user", { login: user.login }) : t("new_user");
  form.dataset.mode = user ? "edit" : "new";
  for (const part of form.querySelectorAll(".new-only")) part.hidden = Boolean(user);
  form.elements.display_name.value = user?.display_name ?? "";
  form.elements.role.value = user?.role ?? "operator";
  form.elements.office_id.value = String(user ? user.office_id ?? "" : officeId());
  await renderSkills(user, user ? user.office_id : officeId());
  const active = byId("user-active");
  active.hidden = !user;
  if (user) {
    active.textContent = t(user.active === false ? "activate" : "deactivate");
    active.className = user.active === false ? "secondary" : "danger";
  }
  passwordForm.hidden = !user || !session.isAdmin;
  for (const line of byId("users-table").tBodies[0].rows) line.classList.toggle("selected", Number(line.dataset.userId) === user?.id);
  (user ? form.elements.display_name : form.elements.login).focus();
}

function skills() {
  return [...form.querySelectorAll("input[name=skill]:checked")].map((box) => ({
    topic_id: Number(box.value),
    priority: integer(form, `priority.${box.value}`),
  }));
}

function body() {
  const data = { display_name: text(form, "display_name"), skills: skills() };
  if (session.isAdmin) {
    data.role = form.elements.role.value;
    const office = text(form, "office_id");
    data.office_id = office ? Number(office) : null;
  }
  if (!editing) {
    data.login = required(form, "login");
    data.password = required(form, "password");
    if (data.office_id === null) delete data.office_id;
  }
  for (const skill of data.skills) {
    if (skill.priority < 1 || skill.priority > 99) throw new FieldProblem(`priority.${skill.topic_id}`, t("bad_number"));
  }
  return data;
}

const FIELD_FOR = { already_exists: "login", weak_password: "password", user_not_found: "login", office_not_found: "office_id", topic_not_found: "skills", last_admin: "role" };

async function save(event) {
  event.preventDefault();
  const response = await submit(form, () => (editing
    ? api("PATCH", `/api/v1/users/${editing.id}`, body())
    : api("POST", "/api/v1/users", body())), { fieldFor: FIELD_FOR });
  if (!response) return;
  notify(t(editing ? "user_saved" : "user_added", { login: response.body.login }));
  await refresh();
  await edit(users.find((user) => user.id === response.body.id) ?? null);
}

async function toggleActive() {
  if (!editing) return;
  const active = editing.active === false;
  const response = await submit(form, () => api("PATCH", `/api/v1/users/${editing.id}`, { active }), { fieldFor: FIELD_FOR });
  if (!response) return;
  notify(t(active ? "user_activated" : "user_deactivated", { login: editing.login }));
  await refresh();
  await edit(users.find((user) => user.id === editing.id) ?? null);
}

async function setPassword(event) {
  event.preventDefault();
  const login = editing.login;
  const response = await submit(passwordForm, () => api("POST", `/api/v1/users/${editing.id}/password`, {
    password: required(passwordForm, "password"),
  }), { fieldFor: { weak_password: "password" } });
  if (!response) return;
  passwordForm.reset();
  notify(t("password_set", { login }));
}

export async function start() {
  officeOptions();
  form.addEventListener("submit", save);
  passwordForm.addEventListener("submit", setPassword);
  byId("user-active").addEventListener("click", toggleActive);
  byId("new-user").addEventListener("click", () => edit(null));
  byId("all-offices").addEventListener("change", refresh);
  form.elements.office_id.addEventListener("change", () => renderSkills(editing, Number(form.elements.office_id.value) || null));
  await refresh();
}
