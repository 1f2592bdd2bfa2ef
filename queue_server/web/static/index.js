// The index's list of offices, a file of its own: the pages' CSP runs no inline script.
import { byId } from "./dom.js";
import { createClient } from "./http.js";

const response = await createClient().get("/api/v1/offices").catch(() => null);
const offices = response?.ok ? response.body : [];
const template = byId("office-template");
for (const office of offices) {
  const node = template.content.cloneNode(true);
  node.querySelector(".name").textContent = office.name;
  node.querySelector(".display").href = `/display/${office.id}`;
  node.querySelector(".load").href = `/load/${office.id}`;
  byId("offices").append(node);
}
