// A tiny SVG chart module (no dependencies): bars or a line over hours, with an optional target line.
const NS = "http://www.w3.org/2000/svg";

function node(name, attributes, text) {
  const element = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

function niceMax(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

// points: [{label, value|null}]; options: {kind: "bars"|"line", target, targetLabel, title}
export function drawChart(svg, points, options = {}) {
  const width = 560, height = 180, left = 34, right = 8, top = 10, bottom = 22;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.replaceChildren();
  if (options.title) svg.append(node("title", {}, options.title));
  const values = points.map((p) => p.value ?? 0);
  const maximum = niceMax(Math.max(...values, options.target ?? 0, 1));
  const plotW = width - left - right, plotH = height - top - bottom;
  const step = plotW / Math.max(points.length, 1);
  const y = (v) => top + plotH - (v / maximum) * plotH;
  for (const fraction of [0, 0.5, 1]) {
    const value = maximum * fraction;
    svg.append(node("line", { x1: left, x2: width - right, y1: y(value), y2: y(value), class: "axis" }));
    svg.append(node("text", { x: left - 4, y: y(value) + 4, class: "tick", "text-anchor": "end" },
      String(Math.round(value * 10) / 10)));
  }
  points.forEach((point, index) => {
    const x = left + index * step;
    svg.append(node("text", { x: x + step / 2, y: height - 6, class: "tick", "text-anchor": "middle" }, point.label));
    if (options.kind !== "line" && point.value) {
      const bar = node("rect", { x: x + step * 0.15, width: step * 0.7, y: y(point.value),
        height: top + plotH - y(point.value), class: "bar" });
      bar.append(node("title", {}, `${point.label}: ${point.value}`));
      svg.append(bar);
    }
  });
  if (options.kind === "line") {
    const defined = points.map((p, i) => [p, i]).filter(([p]) => p.value !== null && p.value !== undefined);
    const path = defined.map(([p, i], n) => `${n ? "L" : "M"}${left + i * step + step / 2},${y(p.value)}`).join(" ");
    if (path) svg.append(node("path", { d: path, class: "line" }));
    for (const [p, i] of defined) {
      const dot = node("circle", { cx: left + i * step + step / 2, cy: y(p.value), r: 3, class: "dot" });
      dot.append(node("title", {}, `${p.label}: ${p.value}`));
      svg.append(dot);
    }
  }
  if (options.target) {
    svg.append(node("line", { x1: left, x2: width - right, y1: y(options.target), y2: y(options.target), class: "target" }));
    svg.append(node("text", { x: width - right, y: y(options.target) - 3, class: "tick target-label", "text-anchor": "end" },
      options.targetLabel ?? ""));
  }
}
