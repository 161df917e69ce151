/* logitlab lab: announcements for screen readers, words for jargon, and the keyboard cursor that
   makes "click to move θ" and "click to add a point" reachable without a mouse.
   Loaded before lab.js; uses its globals (S, $, fmt, …) only when called. */
"use strict";

let GLOSS = {};  // term → explanation, from /api/meta (course_content.GLOSSARY)
const STATUS_WORDS = {
  converged: "converged: the KKT residual (distance from the optimality conditions) fell below the tolerance",
  max_iter: "max_iter: stopped at the iteration limit before converging; run more iterations or adjust α",
  diverged: "diverged: J rose step after step or became non-finite; α is too large for this data",
  separated: "separated: the classes are linearly separable and λ = 0, so J has no minimum",
};

function announce(text) { const el = document.getElementById("live"); if (el) el.textContent = text; }
let announceTimer = null;
function announceJ(J) {  // once the value settles, so a drag is not read out number by number
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => announce(`J = ${fmt(J, 6)}`), 350);
}
function uirev() {  // zoom and camera persist until the data or their scaling change
  return S.dataset ? `${S.dataset.name}|${S.standardize ? 1 : 0}|${S.dataset.X[0].length}` : "none";
}

function buildGlossary() {
  const dl = document.getElementById("glossary");
  if (!dl) return;
  dl.innerHTML = Object.entries(GLOSS).map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join("");
}

// ---------------------------------------------------------------- keyboard cursor on plots
const KEYCUR = { model: null, contour: null };
function cursorShapes(c) {
  const line = { color: "#111", width: 1.5, dash: "dot" };
  const shapes = [{ type: "line", x0: c.x, x1: c.x, yref: "paper", y0: 0, y1: 1, line }];
  if (c.y !== null) shapes.push({ type: "line", y0: c.y, y1: c.y, xref: "paper", x0: 0, x1: 1, line });
  return shapes;
}
function contourShapes() { return KEYCUR.contour ? cursorShapes(KEYCUR.contour) : []; }
function cursorFrame(which) {
  if (which === "contour") return S.land ? { x: S.land.x_range, y: S.land.y_range } : null;
  const v = S.state && S.state.view;
  if (!v) return null;
  return { x: v.x_range, y: v.kind === "map" ? v.y_range : null };
}
function drawCursor(which) {
  const c = KEYCUR[which];
  if (which === "contour") {  // the cursor is a pair of shapes over the contour, which stays as drawn
    const el = document.getElementById("contour-plot");
    if (el.data) Plotly.relayout(el, { shapes: contourShapes() });
  } else if (S.state) renderModel(S.state.view);
  if (!c) return;
  const names = which === "contour" ? S.land.axes : [featName(0), featName(1)];
  announce(`cursor at ${names[0]} ${fmt(c.x, 4)}` + (c.y === null ? "" : `, ${names[1]} ${fmt(c.y, 4)}`));
}
function onPlotKey(which, ev) {
  const f = cursorFrame(which);
  if (!f) return;
  const keys = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Enter", " ", "Escape"];
  if (!keys.includes(ev.key)) return;
  ev.preventDefault();
  let c = KEYCUR[which];
  if (ev.key === "Escape") { KEYCUR[which] = null; drawCursor(which); return; }
  if (!c) {  // start at θ on the contour, at the centre of the data plot
    const [a, b] = axesIdx();
    c = which === "contour" ? { x: S.theta[a], y: S.theta[b] }
      : { x: (f.x[0] + f.x[1]) / 2, y: f.y ? (f.y[0] + f.y[1]) / 2 : null };
  }
  const frac = ev.shiftKey ? 0.1 : 0.02;
  const dx = frac * (f.x[1] - f.x[0]), dy = f.y ? frac * (f.y[1] - f.y[0]) : 0;
  const clamp = (v, r) => Math.min(r[1], Math.max(r[0], v));
  if (ev.key === "ArrowLeft") c.x = clamp(c.x - dx, f.x);
  if (ev.key === "ArrowRight") c.x = clamp(c.x + dx, f.x);
  if (ev.key === "ArrowUp" && f.y) c.y = clamp(c.y + dy, f.y);
  if (ev.key === "ArrowDown" && f.y) c.y = clamp(c.y - dy, f.y);
  KEYCUR[which] = c;
  if (ev.key === "Enter" || ev.key === " ") {
    if (which === "contour") moveThetaTo([c.x, c.y]); else addPointAt([c.x, c.y]);
    announce(which === "contour" ? `θ moved to ${fmt(c.x, 4)}, ${fmt(c.y, 4)}` : `point of class ${S.addClass} added at ${fmt(c.x, 4)}`);
    return;
  }
  drawCursor(which);
}
function wireKeyboardPlots() {
  document.getElementById("model-plot").addEventListener("keydown", (ev) => onPlotKey("model", ev));
  document.getElementById("contour-plot").addEventListener("keydown", (ev) => onPlotKey("contour", ev));
}
