// The index's list of offices, a file of its own: the pages' CSP runs no inline script.
const response = await fetch("/api/v1/offices");
const offices = response.ok ? await response.json() : [];
const template = document.getElementById("office-template");
for (const office of offices) {
  const node = template.content.cloneNode(true);
  node.querySelector(".name").textContent = office.name;
  node.querySelector(".display").href = `/display/${office.id}`;
  node.querySelector(".load").href = `/load/${office.id}`;
  document.getElementById("offices").append(node);
}
