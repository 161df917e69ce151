/* logitlab lab: the page only draws. Every number (J, ∇J, ŷ, paths, metrics) comes from the
   Python core through /api/*; this file keeps the learner's settings and renders responses. */
"use strict";

const $ = (id) => document.getElementById(id);
// No control may send data off the machine: no cloud/"edit in Chart Studio"/link buttons, and a
// toolbar of one to three buttons per plot (Plotly's default adds ~8 tab stops to each plot).
const BASE_CFG = { displaylogo: false, responsive: true, showSendToCloud: false, showEditInChartStudio: false,
                   showLink: false, sendData: false, linkText: "", plotlyServerURL: "", showTips: false, scrollZoom: false };
const cfgWith = (buttons) => ({ ...BASE_CFG, modeBarButtons: [buttons] });
const PLOT_CFG = cfgWith(["toImage"]);
const ZOOM_CFG = cfgWith(["zoom2d", "resetScale2d", "toImage"]);
const CFG_3D = cfgWith(["resetCameraDefault3d", "toImage"]);
// the same colour means class 1 everywhere: points, curves, table and the probability map (ŷ → 1)
const COLORS = { pos: "#d6452f", neg: "#2f6fd6", path: "#111", mse: "#b06a00", log: "#6b3fd6" };
const PROB_SCALE = [[0, COLORS.neg], [0.5, "#f4f4f4"], [1, COLORS.pos]];
const SERIES = ["#6b3fd6", "#b06a00", "#0f8b8d", "#555555"];  // lines that are not classes

const S = {
  meta: null, dataset: null, extraX: [], extraY: [],
  theta: [0, 0], theta0: [0, 0], lam: 0, l1_ratio: 0, learning_rate: 0.5, iterations: 500,
  loss: "log", loss_form: "logits", standardize: false, class_weight: "none",
  threshold: 0.5, cost_fp: 1, cost_fn: 1, addClass: 1,
  gd: null, state: null, pathRes: null, land: null, cmp: null, cmpRuns: null, animating: false, animMs: 1500,
};
window.lab = { S };

// ---------------------------------------------------------------- requests
let busy = 0;
function setBusy(d) { busy += d; document.body.dataset.busy = String(busy); }

async function api(path, body, opts = {}) {
  setBusy(+1);
  try {
    const init = body === undefined ? {} : (body instanceof FormData
      ? { method: "POST", body }
      : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    let r = await fetch(path, init);
    for (let k = 0; r.status === 503 && k < 4; k++) {  // the server bounds heavy work: wait and retry
      await new Promise((res) => setTimeout(res, 400 * (k + 1)));
      r = await fetch(path, init);
    }
    const data = await r.json().catch(() => ({ detail: `HTTP ${r.status}` }));
    if (!r.ok) {
      const err = new Error(data.detail || `HTTP ${r.status}`);
      err.status = r.status;
      throw err;
    }
    if (!opts.keepErrors) showError("");
    return data;
  } finally { setBusy(-1); }
}
function showError(msg) { $("errors").textContent = msg ? `⚠ ${msg}` : ""; }

// ---------------------------------------------------------------- helpers
const isNum = (v) => typeof v === "number" && Number.isFinite(v);
function fmt(v, d = 5, scale = 0) {
  if (v === null || v === undefined) return "–";
  if (typeof v === "string") return v;
  if (!Number.isFinite(v)) return String(v);
  if (v === 0 || Math.abs(v) < 1e-12 * scale) return "0";  // rounding noise of a zero, e.g. b = 6e-15
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-4) return v.toExponential(d - 1);
  return String(Number(v.toPrecision(d)));
}
function data() {
  return { X: S.dataset.X.concat(S.extraX), y: S.dataset.y.concat(S.extraY) };
}
function problem() {
  const d = data();
  return { X: d.X, y: d.y, lam: S.lam, l1_ratio: S.l1_ratio, loss: S.loss,
           standardize: S.standardize, class_weight: S.class_weight };
}
const nFeat = () => S.dataset.X[0].length;
function paramNames() { return nFeat() === 1 ? ["w", "b"] : ["w₁", "w₂", "b"]; }
function featName(j) { return S.dataset.features[j] || `x${j + 1}`; }

// ---------------------------------------------------------------- sliders
// Each number box refuses what the server would refuse, at once: the box snaps back to the value
// in use and says why (a box that kept "λ = −3" while λ = 0 was used misled the learner).
const SLIDERS = {};
const shown = (v, scale) => String(Math.abs(v) < 1e-12 * scale ? 0 : Number(Number(v).toPrecision(6)));
function sliderRow(key, label, min, max, step, value, onChange, opts = {}) {
  const row = document.createElement("div");
  row.className = "slider";
  const toSlider = opts.log ? (v) => Math.log10(Math.max(v, 1e-12)) : (v) => v;
  const fromSlider = opts.log ? (s) => Number((10 ** s).toPrecision(3)) : (s) => s;
  const scale = Math.max(Math.abs(min), Math.abs(max), 1e-300);
  const tip = opts.tip ? ` title="${escapeHtml(opts.tip)}"` : "";
  row.innerHTML = `<label for="s-${key}"${tip}>${label}</label>` +
    `<input type="range" id="s-${key}" min="${min}" max="${max}" step="${step}" aria-describedby="why-${key}">` +
    `<input type="number" id="n-${key}" step="any" aria-label="${label} (exact value)" aria-describedby="why-${key}">` +
    `<span class="why" id="why-${key}" aria-live="polite"></span>`;
  const rng = row.querySelector("input[type=range]");
  const num = row.querySelector("input[type=number]");
  const why = row.querySelector(".why");
  let current = value;
  const set = (v) => { current = v; rng.value = String(toSlider(v)); num.value = shown(v, opts.log ? 1 : scale); };
  set(value);
  rng.addEventListener("input", () => {
    noteInput();
    const v = fromSlider(Number(rng.value));
    current = v; num.value = shown(v, opts.log ? 1 : scale); why.textContent = "";
    onChange(v);
  });
  num.addEventListener("change", () => {
    const text = num.value.trim(), v = Number(text);
    const reason = text === "" || !Number.isFinite(v) ? "enter a number" : (opts.check ? opts.check(v) : "");
    if (reason) {  // snap back to the value in use and say why
      why.textContent = `${text || "(empty)"} rejected: ${reason}; kept ${shown(current, scale)}.`;
      num.value = shown(current, opts.log ? 1 : scale);
      return;
    }
    why.textContent = "";
    current = v; rng.value = String(toSlider(v));
    noteInput();
    onChange(v);
  });
  SLIDERS[key] = { set, row, why };
  return row;
}
const CHECKS = {
  theta: (v) => (Math.abs(v) <= 1e6 ? "" : "parameters must lie within ±1e6"),
  lam: (v) => (v < 0 ? "λ must be ≥ 0 (0 = no penalty)" : v > 1e6 ? "λ must be at most 1e6" : ""),
  l1_ratio: (v) => (v < 0 || v > 1 ? "the L1 share a lies from 0 (pure L2) to 1 (pure L1)" : ""),
  learning_rate: (v) => (v <= 0 ? "α must be > 0 (α = 0 never moves θ)" : v > 100 ? "α must be at most 100" : ""),
  iterations: (v) => (Number.isInteger(v) && v >= 1 && v <= 5000 ? "" : "iterations must be a whole number from 1 to 5000"),
};

function buildSliders() {
  const box = $("sliders");
  box.innerHTML = "";
  const sg = S.dataset.suggested;
  const names = paramNames();
  const p = nFeat();
  for (let k = 0; k <= p; k++) {
    const isB = k === p;
    const r = S.standardize ? (isB ? sg.b_range_std : sg.w_range_std[k]) : (isB ? sg.b_range_raw : sg.w_range_raw[k]);
    const step = r / 500;
    box.appendChild(sliderRow(`theta${k}`, names[k], -r, r, step, S.theta[k], (v) => {
      S.theta[k] = v; S.theta0 = S.theta.slice(); clearPath();
      refreshState();  // the contour's θ, path and arrow move when the answer is drawn
      if ((p === 2 && isB) || !inFrame([S.theta])) refreshLandscapesSoon();
    }, { check: CHECKS.theta, tip: isB ? "the intercept b (never penalized)" : `the weight of ${featName(k)}` }));
  }
  box.appendChild(sliderRow("lam", "λ", 0, 20, 0.05, S.lam, (v) => {
    S.lam = v; clearPath(); refreshState(); refreshLandscapesSoon(); updatePathLambda();
  }, { check: CHECKS.lam, tip: "regularization strength: J adds (λ/m)·(a‖w‖₁ + (1−a)/2·‖w‖²)" }));
  box.appendChild(sliderRow("l1_ratio", "L1 share a", 0, 1, 0.05, S.l1_ratio, (v) => {
    S.l1_ratio = v; clearPath(); refreshState(); refreshLandscapesSoon();
  }, { check: CHECKS.l1_ratio, tip: GLOSS["a (L1 share)"] }));
  box.appendChild(sliderRow("learning_rate", "α (rate)", -4, 1, 0.01, S.learning_rate, (v) => {
    S.learning_rate = v; refreshState();
  }, { log: true, check: CHECKS.learning_rate, tip: GLOSS["α"] }));
  box.appendChild(sliderRow("iterations", "iterations", 1, 5000, 1, S.iterations, (v) => {
    S.iterations = v;
  }, { check: CHECKS.iterations, tip: "gradient-descent steps per Run (the solver's max_iter)" }));
  shareSoon();
}
function syncSliders() {
  for (let k = 0; k < S.theta.length; k++) SLIDERS[`theta${k}`]?.set(S.theta[k]);
  SLIDERS.lam?.set(S.lam); SLIDERS.l1_ratio?.set(S.l1_ratio);
  SLIDERS.learning_rate?.set(S.learning_rate); SLIDERS.iterations?.set(S.iterations);
  $("loss").value = S.loss; $("loss_form").value = S.loss_form;
  $("standardize").checked = S.standardize; $("class_weight").value = S.class_weight;
  $("threshold").value = String(S.threshold); $("threshold-num").value = String(Number(S.threshold.toFixed(4)));
  $("cost_fp").value = String(S.cost_fp); $("cost_fn").value = String(S.cost_fn);
}

// ---------------------------------------------------------------- data sets
async function loadDataset(name) {
  const d = await api(`/api/dataset/${encodeURIComponent(name)}`);
  useDataset(d);
}
function useDataset(d) {
  S.dataset = d; S.extraX = []; S.extraY = [];
  if (d.name === "upload") S.uploaded = d;
  const sg = d.suggested;
  S.theta = sg.theta0.slice(); S.theta0 = sg.theta0.slice();
  S.lam = sg.lam; S.l1_ratio = sg.l1_ratio; S.learning_rate = sg.learning_rate;
  S.iterations = sg.iterations; S.standardize = sg.standardize;
  S.class_weight = "none"; S.threshold = 0.5;
  S.cmpRuns = null; clearPath(); clearPathPanel();
  if ([...$("dataset").options].some((o) => o.value === d.name)) $("dataset").value = d.name;
  $("dataset-desc").textContent = `${d.title}. ${d.description}` + (d.note ? ` (${d.note})` : "");
  buildSliders(); syncSliders();
}

async function onUploadFile() {
  const f = $("csv-file").files[0];
  $("upload-msg").textContent = ""; $("upload-pick").hidden = true;
  if (!f) return;
  const fd = new FormData(); fd.append("file", f);
  try {
    const info = await api("/api/upload", fd);
    const fill = (sel, names, val, allowNone) => {
      sel.innerHTML = (allowNone ? `<option value="">(none)</option>` : "") +
        names.map((n) => `<option>${escapeHtml(n)}</option>`).join("");
      if (val) sel.value = val;
    };
    const all = info.columns.map((c) => c.name);
    const numeric = info.columns.filter((c) => c.numeric).map((c) => c.name);
    fill($("up-x1"), numeric.length ? numeric : all, info.guess.x1, false);
    fill($("up-x2"), numeric.length ? numeric : all, info.guess.x2, true);
    fill($("up-label"), all, info.guess.label, false);
    const fillPos = () => {
      const c = info.columns.find((c) => c.name === $("up-label").value);
      fill($("up-positive"), c ? c.values : [], c && c.values.length ? c.values[c.values.length - 1] : "", true);
    };
    $("up-label").onchange = fillPos; fillPos();
    $("upload-pick").hidden = false;
    $("upload-msg").textContent = "";
  } catch (e) { $("upload-msg").textContent = `Could not use this file: ${e.message}`; }
}
async function onUploadUse() {
  const f = $("csv-file").files[0];
  if (!f) { $("upload-msg").textContent = "Choose a CSV file first."; return; }
  const fd = new FormData(); fd.append("file", f);
  for (const k of ["x1", "x2", "label", "positive"]) {
    const v = $(`up-${k}`).value; if (v) fd.append(k, v);
  }
  try {
    const d = await api("/api/upload", fd);
    const sel = $("dataset");  // the picker names what is loaded, so choosing a built-in set works again
    let opt = [...sel.options].find((o) => o.value === "upload");
    if (!opt) { opt = document.createElement("option"); opt.value = "upload"; sel.appendChild(opt); }
    opt.textContent = d.title;
    useDataset(d);
    $("upload-msg").textContent = "";
    await refreshAll();
  } catch (e) { $("upload-msg").textContent = `Could not use these columns: ${e.message}`; }
}
function escapeHtml(s) { return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c])); }

// ---------------------------------------------------------------- state (concept drill)
// One /api/state request in flight at a time: inputs that arrive meanwhile coalesce into one
// follow-up request with the latest settings, sent as soon as the answer before it arrives
// (while that answer is drawn); an answer older than the newest request is dropped; drawing
// happens once per animation frame.
let stateSeq = 0, stateInFlight = false, stateQueued = false;
const inputTimes = [];  // performance.now() of inputs not yet shown (for the latency benchmark)
window.lab.latencies = [];
window.lab.breakdown = [];  // each latency's parts, to tell a stall from a steady cost
function noteInput() { inputTimes.push(performance.now()); }
async function refreshStateNow(onAnswer) {
  const seq = ++stateSeq;
  const sentAt = performance.now();
  $("J").dataset.pending = "1";  // until this answer (or a newer one) is drawn
  const body = { ...problem(), theta: S.theta.slice(), learning_rate: S.learning_rate, threshold: S.threshold,
                 cost_fp: S.cost_fp, cost_fn: S.cost_fn, loss_form: S.loss_form };
  try {
    const st = await api("/api/state", body);
    const answeredAt = performance.now();
    if (seq !== stateSeq) return st;  // stale: a newer request is on its way
    if (onAnswer) onAnswer();  // a queued follow-up leaves now
    st.theta = body.theta;
    S.state = st;
    const shown = [];  // the inputs this answer shows (answers arrive in the order sent)
    while (inputTimes.length && inputTimes[0] <= sentAt) shown.push(inputTimes.shift());
    const drawn = await drawNextFrame(() => renderState(st));
    if (shown.length) stampWhenPainted(shown, drawn, { sentAt, answeredAt, drawnAt: performance.now() });
    if (seq === stateSeq && !stateQueued) delete $("J").dataset.pending;  // the page shows the latest settings
    shareSoon();
    return st;
  } catch (e) { showError(e.message); delete $("J").dataset.pending; return null; }
}
function refreshState() {
  $("J").dataset.pending = "1";
  if (stateInFlight) { stateQueued = true; return; }
  stateInFlight = true;
  let released = false;
  const release = () => {
    if (released) return;
    released = true; stateInFlight = false;
    if (stateQueued) { stateQueued = false; refreshState(); }
  };
  refreshStateNow(release).finally(release);
}
// An input's latency ends when the plots showing it are on screen: after every drawing it caused
// has finished (a moved trace is drawn in a later animation frame) and that frame was painted
// (the first task after it). The page counts as busy until then.
function stampWhenPainted(times, drawn, at) {
  setBusy(+1);
  Promise.all(drawn || []).catch(() => {})
    .then(() => new Promise((res) => setTimeout(res, 0)))
    .then(() => {
      const now = performance.now();
      for (const t of times) {
        window.lab.latencies.push(now - t);
        window.lab.breakdown.push({ wait: at.sentAt - t, server: at.answeredAt - at.sentAt,
                                    frame: at.drawnAt - at.answeredAt, paint: now - at.drawnAt });
      }
    })
    .finally(() => setBusy(-1));
}
let frameJobs = null;
function drawNextFrame(job) {  // every draw requested before the next frame runs in that frame
  return new Promise((resolve) => {
    if (!frameJobs) {
      frameJobs = [];
      requestAnimationFrame(() => {
        const jobs = frameJobs; frameJobs = null;
        for (const [j, done] of jobs) { let out; try { out = j(); } finally { done(out); } }
      });
    }
    frameJobs.push([job, resolve]);
  });
}

// Light redraws. On a w/b move most of a plot stays as it is (the data points, the loss curves,
// the contour); only a few marks move. In plots of scatter traces only, those traces are moved
// with Plotly.animate without a redraw (a few ms, drawn in the next frame) instead of
// Plotly.react, which recomputes and redraws everything (25–60 ms a plot on the 2-core test
// machine). Not for a plot with a contour or heatmap: animate replots only the moved traces'
// layers and drops the others (the contour's θ and arrow have their own overlay, below).
const MOVE = { transition: { duration: 0 }, frame: { duration: 0, redraw: false }, mode: "immediate" };
// A move is finished when Plotly has drawn it, when a newer move interrupts it, or when a full
// redraw supersedes it: Plotly.react before a queued move's frame still lets that frame apply its
// (older) coordinates but never settles its promise, so drawMoving finishes it and moves again.
// The page counts as busy while a move is unfinished; 2 s is a backstop against a lost promise.
function moveTraces(el, moves, idx) {
  el = typeof el === "string" ? $(el) : el;
  const pending = el._labMoves || (el._labMoves = new Set());
  setBusy(+1);
  return new Promise((resolve) => {
    let timer = null;
    const finish = () => {
      if (!pending.delete(finish)) return;
      clearTimeout(timer); setBusy(-1); resolve();
    };
    pending.add(finish);
    timer = setTimeout(finish, 2000);
    Plotly.animate(el, { data: moves, traces: idx }, MOVE).then(finish, finish);
  });
}
const restyleTraces = (el, moves, idx) => Plotly.restyle(el, {  // for 3D traces, which animate cannot move
  x: moves.map((m) => m.x), y: moves.map((m) => m.y), z: moves.map((m) => m.z) }, idx);
// Draws a plot: a full Plotly.react when anything but the moving traces' coordinates changed
// (data, ranges, layout, styles), else only the traces listed in `moving` are moved.
function drawMoving(id, traces, layout, cfg, moving, mover = moveTraces, redraw = null) {
  const el = $(id);
  const coords = (i) => ({ x: traces[i].x, y: traces[i].y, ...(traces[i].z !== undefined && traces[i].type === "scatter3d" ? { z: traces[i].z } : {}) });
  const key = JSON.stringify([layout, cfg, traces.map((t, i) => (moving.includes(i) ? { ...t, x: 0, y: 0, z: 0 } : t))]);
  if (el.data && el._labKey === key && el.data.length === traces.length) {
    return moving.length ? mover(el, moving.map(coords), moving) : undefined;
  }
  el._labKey = key;
  const queued = el._labMoves ? [...el._labMoves] : [];
  const drawn = Plotly.react(el, traces, layout, cfg);
  if (queued.length) {  // a move queued for the next frame carries older coordinates: supersede it
    queued.forEach((finish) => finish());
    if (moving.length) return Promise.all([drawn, moveTraces(el, moving.map(coords), moving)]);
    // nothing moves in the new drawing (e.g. the sigmoid became the probability map): draw it
    // again once the stale frame has run
    el._labKey = null;
    if (redraw) requestAnimationFrame(() => requestAnimationFrame(() => { if (el._labKey === null) redraw(); }));
  }
  return drawn;
}

// Plots out of view are not redrawn on every input: their newest drawing waits (one per plot) and
// runs when they scroll into view. A drag then costs only the plots the learner can see.
const VISIBLE = new Set(), DIRTY = new Map();
const viewWatch = typeof IntersectionObserver === "undefined" ? null : new IntersectionObserver((entries) => {
  for (const e of entries) {
    if (!e.isIntersecting) { VISIBLE.delete(e.target.id); continue; }
    VISIBLE.add(e.target.id);
    const draw = DIRTY.get(e.target.id);
    if (draw) { DIRTY.delete(e.target.id); draw(); }
  }
}, { rootMargin: "0px" });
function drawWhenVisible(id, draw) {
  const el = $(id);
  if (!viewWatch || VISIBLE.has(id) || !el.data) { DIRTY.delete(id); return draw(); }
  DIRTY.set(id, draw);
  return undefined;
}
function flushDrawings() { for (const [id, draw] of [...DIRTY]) { DIRTY.delete(id); draw(); } }
window.lab.flush = flushDrawings;

function renderState(st) {
  const J = st.shown_J;
  $("J").textContent = fmt(J, 6);
  $("J").dataset.value = String(J);
  announceJ(J);
  $("J").dataset.theta = JSON.stringify(st.theta);
  const naive = st.naive_J !== undefined;
  $("data-loss").textContent = fmt(naive ? st.naive_data_loss : st.data_loss, 6);
  $("penalty").textContent = fmt(st.penalty, 6);
  const nn = $("naive-note");
  if (naive) {
    nn.hidden = false;
    nn.textContent = isNum(st.naive_J)
      ? `Naive formula on ŷ: ${fmt(st.naive_J, 6)} (the logit form gives ${fmt(st.J, 6)}).`
      : `Naive formula on ŷ gives J = ${st.naive_J}: some ŷ rounded to exactly 0 or 1, so log(0) appeared. The logit form gives ${fmt(st.J, 6)}.`;
  } else nn.hidden = true;
  $("grad").textContent = "(" + st.gradient.map((g) => fmt(g, 4, 1)).join(", ") + ")";
  $("gradnorm").textContent = fmt(st.gradient_norm, 4, 1) + (S.l1_ratio > 0 && S.lam > 0 ? " (of the smooth part; the L1 part acts by soft-thresholding each step)" : "");
  $("formula").textContent = st.formula;
  S.state = st;
  const drawn = [drawWhenVisible("model-plot", () => renderModel(S.state.view))];
  renderTable(st);
  drawn.push(drawWhenVisible("curves-plot", () => renderCurves(S.state)));
  drawn.push(renderThreshold(st.threshold));
  drawn.push(drawWhenVisible("contour-plot", updateContourMarkers));
  if (window.course) window.course.onState();
  return drawn;
}

function renderModel(v) {
  const d = data();
  const pos = d.X.map((x, i) => [x, d.y[i]]).filter(([, y]) => y === 1).map(([x]) => x);
  const neg = d.X.map((x, i) => [x, d.y[i]]).filter(([, y]) => y === 0).map(([x]) => x);
  const mk = { size: 8, line: { width: 1, color: "#fff" } };
  let traces, layout, moving = [];
  if (v.kind === "sigmoid") {
    $("model-title").textContent = "The sigmoid ŷ = σ(w·x + b)";
    traces = [
      { x: v.x, y: v.p, mode: "lines", name: "ŷ = σ(wx + b)", line: { color: COLORS.log, width: 3 }, hoverinfo: "skip" },
      { x: pos.map((x) => x[0]), y: pos.map(() => 1), mode: "markers", name: "y = 1", marker: { ...mk, color: COLORS.pos } },
      { x: neg.map((x) => x[0]), y: neg.map(() => 0), mode: "markers", name: "y = 0", marker: { ...mk, color: COLORS.neg } },
    ];
    const cut = isNum(v.boundary) && v.boundary >= v.x_range[0] && v.boundary <= v.x_range[1];
    traces.push({ x: cut ? [v.boundary, v.boundary] : [], y: cut ? [-0.05, 1.05] : [], mode: "lines", name: "boundary ŷ = 0.5",
                  line: { dash: "dash", color: "#333", width: 2 }, showlegend: false, hoverinfo: "skip" });
    if (S.state && S.state.p_all.length === d.y.length) { // each example's ŷ on the curve, joined to its label
      const rx = [], ry = [];
      d.X.forEach((x, i) => { rx.push(x[0], x[0], null); ry.push(d.y[i], S.state.p_all[i], null); });
      traces.push({ x: rx, y: ry, mode: "lines", name: "ŷᵢ − yᵢ", line: { color: "rgba(0,0,0,.25)", dash: "dot", width: 1 }, hoverinfo: "skip" });
      traces.push({ x: d.X.map((x) => x[0]), y: S.state.p_all, mode: "markers", name: "ŷᵢ", marker: { size: 5, color: COLORS.log }, showlegend: false,
                    hovertemplate: "ŷ = %{y:.4f}<extra></extra>" });
    }
    const shapes = [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: 0.5, y1: 0.5, line: { dash: "dot", color: "#999", width: 1 } }];
    moving = [0, 3, 4, 5].filter((i) => i < traces.length);  // the curve, the boundary, each ŷᵢ: the data stay
    layout = { margin: { l: 45, r: 10, t: 10, b: 40 }, xaxis: { title: { text: featName(0) }, range: v.x_range, fixedrange: true },
               yaxis: { title: { text: "ŷ" }, range: [-0.08, 1.08], fixedrange: true }, shapes, dragmode: false,
               legend: { orientation: "h", y: 1.08 }, hovermode: "closest" };
  } else {
    $("model-title").textContent = "Probability map and decision boundary";
    traces = [
      { type: "heatmap", x: v.x, y: v.y, z: v.p, zmin: 0, zmax: 1, colorscale: PROB_SCALE,
        opacity: 0.75, colorbar: { title: { text: "ŷ" }, thickness: 12 }, hovertemplate: "ŷ = %{z:.3f}<extra></extra>", name: "ŷ" },
      { x: pos.map((x) => x[0]), y: pos.map((x) => x[1]), mode: "markers", name: "y = 1", marker: { ...mk, color: COLORS.pos, symbol: "circle" } },
      { x: neg.map((x) => x[0]), y: neg.map((x) => x[1]), mode: "markers", name: "y = 0", marker: { ...mk, color: COLORS.neg, symbol: "square" } },
    ];
    if (v.boundary) traces.push({ x: v.boundary.x, y: v.boundary.y, mode: "lines", name: "boundary ŷ = 0.5", line: { color: "#111", width: 2 } });
    layout = { margin: { l: 55, r: 10, t: 10, b: 40 }, xaxis: { title: { text: featName(0) }, range: v.x_range, fixedrange: true },
               yaxis: { title: { text: featName(1) }, range: v.y_range, fixedrange: true }, dragmode: false,
               legend: { orientation: "h", y: 1.1 }, hovermode: "closest" };
  }
  layout.uirevision = uirev();
  if (KEYCUR.model) layout.shapes = (layout.shapes || []).concat(cursorShapes(KEYCUR.model));
  return drawMoving("model-plot", traces, layout, PLOT_CFG, moving, moveTraces, () => S.state && renderModel(S.state.view));
}

function renderTable(st) {
  const t = st.table;
  const p = nFeat();
  const naive = t.naive !== null && t.naive !== undefined;
  const lossName = S.loss === "log" ? "ℓ (log-loss)" : "½(ŷ − y)²";
  let h = "<thead><tr><th>i</th>" + [...Array(p).keys()].map((j) => `<th>${escapeHtml(featName(j))}</th>`).join("") +
          `<th>y</th><th>z</th><th>ŷ</th><th>${lossName}</th>` + (naive ? "<th>naive on ŷ</th>" : "") + "</tr></thead><tbody>";
  for (let i = 0; i < t.shown; i++) {
    const big = isNum(t.loss[i]) && t.loss[i] > 2 ? " class=big" : "";
    h += `<tr class="y${t.y[i]}"><td>${i + 1}</td>` + t.x[i].map((v) => `<td>${fmt(v, 4)}</td>`).join("") +
         `<td class="y">${t.y[i]}</td><td>${fmt(t.z[i], 4)}</td><td>${fmt(t.p[i], 4)}</td><td${big}>${fmt(t.loss[i], 4)}</td>` +
         (naive ? `<td${isNum(t.naive[i]) ? "" : " class=big"}>${fmt(t.naive[i], 4)}</td>` : "") + "</tr>";
  }
  $("table").innerHTML = h + "</tbody>";
  $("table-foot").textContent = (t.shown < t.total ? `First ${t.shown} of ${t.total} examples. ` : `${t.total} examples. `) +
    `J = mean loss ${fmt(st.data_loss, 6)} + penalty ${fmt(st.penalty, 6)} = ${fmt(st.J, 6)}` +
    (S.class_weight === "balanced" ? " (class-weighted mean)." : ".");
}

function renderCurves(st) {
  const c = st.loss_curves;
  const d = data();
  const pp = [], pl = [], np_ = [], nl = [];
  d.y.forEach((y, i) => {
    if (y === 1) { pp.push(st.p_all[i]); pl.push(st.log_loss_all[i]); }
    else { np_.push(st.p_all[i]); nl.push(st.log_loss_all[i]); }
  });
  const traces = [
    { x: c.p, y: c.pos, mode: "lines", name: "−log(ŷ)  (y = 1)", line: { color: COLORS.pos } },
    { x: c.p, y: c.neg, mode: "lines", name: "−log(1−ŷ)  (y = 0)", line: { color: COLORS.neg } },
    { x: pp, y: pl, mode: "markers", name: "positives", marker: { color: COLORS.pos, size: 7, line: { color: "#fff", width: 1 } } },
    { x: np_, y: nl, mode: "markers", name: "negatives", marker: { color: COLORS.neg, size: 7, symbol: "square", line: { color: "#fff", width: 1 } } },
  ];
  const ymax = Math.max(5, ...pl.filter(isNum), ...nl.filter(isNum)) * 1.05;
  return drawMoving("curves-plot", traces, {
    uirevision: uirev(), margin: { l: 45, r: 10, t: 10, b: 40 }, xaxis: { title: { text: "ŷ" }, range: [0, 1] },
    yaxis: { title: { text: "loss" }, range: [0, Math.min(ymax, 40)] }, legend: { orientation: "h", y: 1.12 }, hovermode: "closest",
  }, PLOT_CFG, [2, 3]);
}

// ---------------------------------------------------------------- threshold
function renderThreshold(t) {
  renderThresholdNumbers(t);
  return drawWhenVisible("thr-plot", () => drawThresholdPlot(S.state.threshold));
}
function drawThresholdPlot(t) {
  const c = t.curve;
  const shapes = [{ type: "line", x0: S.threshold, x1: S.threshold, yref: "paper", y0: 0, y1: 1, line: { color: "#111", width: 2 } }];
  if (t.chosen) shapes.push({ type: "line", x0: t.chosen.threshold, x1: t.chosen.threshold, yref: "paper", y0: 0, y1: 1, line: { color: COLORS.log, dash: "dash", width: 2 } });
  return Plotly.react("thr-plot", [
    { x: c.threshold, y: c.precision, name: "precision", mode: "lines", line: { color: SERIES[0] } },
    { x: c.threshold, y: c.recall, name: "recall", mode: "lines", line: { color: SERIES[2] } },
    { x: c.threshold, y: c.f1, name: "F1", mode: "lines", line: { width: 3, color: "#1d7a3a" } },
    { x: c.threshold, y: c.accuracy, name: "accuracy", mode: "lines", line: { dash: "dot", color: "#999" } },
  ], { uirevision: uirev(), margin: { l: 45, r: 10, t: 10, b: 40 }, xaxis: { title: { text: "threshold t (predict 1 when ŷ > t)" }, range: [0, 1] },
       yaxis: { range: [0, 1.02] }, shapes, legend: { orientation: "h", y: 1.12 }, hovermode: "x unified" }, PLOT_CFG);
}
function renderThresholdNumbers(t) {
  const k = t.current;
  $("confusion").innerHTML = `<tr><th></th><th>predicted 0</th><th>predicted 1</th></tr>` +
    `<tr><th>true 0</th><td>TN ${k.tn}</td><td>FP ${k.fp}</td></tr><tr><th>true 1</th><td>FN ${k.fn}</td><td>TP ${k.tp}</td></tr>`;
  const ch = t.chosen;
  $("thr-metrics").innerHTML =
    `At t = ${fmt(k.threshold, 3)}: accuracy <b id="m-accuracy">${fmt(k.accuracy, 3)}</b>, precision <b>${fmt(k.precision, 3)}</b>, ` +
    `recall <b id="m-recall">${fmt(k.recall, 3)}</b>, F1 <b>${fmt(k.f1, 3)}</b>; cost per example ${fmt(k.cost, 4)}` +
    (t.roc_auc !== undefined ? `; ROC AUC ${fmt(t.roc_auc, 3)} (does not depend on t)` : "") + ".<br>" +
    (ch ? `Cost-optimal threshold on these ŷ: <b id="m-chosen">${fmt(ch.threshold, 3)}</b> (cost per example ${fmt(ch.cost_per_example, 4)}, ` +
          `${ch.false_positives} FP, ${ch.false_negatives} FN). For calibrated ŷ the Bayes threshold is c_FP/(c_FP + c_FN) = ${fmt(ch.bayes_threshold, 3)}.` : "");
}

// ---------------------------------------------------------------- landscapes
function clearPath() { S.gd = { path: [S.theta.slice()], history: [], wnorm: [], status: "", message: "" }; }
function includePoints() {
  const pts = [S.theta0, S.theta];
  const path = S.gd ? S.gd.path : [];
  const stride = Math.max(1, Math.floor(path.length / 200));
  for (let i = 0; i < path.length; i += stride) pts.push(path[i]);
  if (path.length) pts.push(path[path.length - 1]);
  return pts.filter((t) => t.every(isNum) && t.every((v) => Math.abs(v) < 1e6));
}
let landSeq = 0;
async function refreshLandscapeNow() {
  const seq = ++landSeq;
  try {
    const land = await api("/api/landscape", { ...problem(), theta: S.theta, losses: [S.loss], n: 41, include: includePoints() });
    if (seq !== landSeq) return;
    S.land = land;
    renderLandscape();
  } catch (e) { showError(e.message); }
}
let cmpSeq = 0;
// The convexity panel's landscapes (log-loss and MSE, MSE's minima searched by L-BFGS) are the
// heaviest request: while the panel is out of view it is not made (it would slow the server's
// answers to a slider drag by up to ~300 ms on 2 cores); it is made when the panel scrolls into view.
function refreshCompareWhenVisible() {
  if (!viewWatch || VISIBLE.has("cmp-log") || !$("cmp-log").data) { DIRTY.delete("cmp-log"); return refreshCompareNow(); }
  DIRTY.set("cmp-log", refreshCompareNow);
  return undefined;
}
async function refreshCompareNow() {
  const seq = ++cmpSeq;
  const inc = includePoints();
  if (S.cmpRuns) for (const r of Object.values(S.cmpRuns)) inc.push(...r.path.filter((_, i) => i % 10 === 0), r.theta);
  const frame = {};
  if (S.land) { // a wider window than the main map, so MSE's plateaus show, stretched to hold both runs
    const wide = (r) => { const c = (r[0] + r[1]) / 2, h = 1.5 * (r[1] - r[0]); return [c - h, c + h]; };
    const xr = wide(S.land.x_range), yr = wide(S.land.y_range);
    const [a, b] = axesIdx();
    for (const t of inc) {
      if (!t.every(isNum) || !t.every((v) => Math.abs(v) < 1e6)) continue;
      xr[0] = Math.min(xr[0], t[a]); xr[1] = Math.max(xr[1], t[a]);
      yr[0] = Math.min(yr[0], t[b]); yr[1] = Math.max(yr[1], t[b]);
    }
    frame.x_range = { lo: xr[0], hi: xr[1] }; frame.y_range = { lo: yr[0], hi: yr[1] };
  }
  try {
    const cmp = await api("/api/landscape", { ...problem(), theta: S.theta, losses: ["log", "mse"], n: 41, ...frame,
      include: inc.filter((t) => t.every(isNum) && t.every((v) => Math.abs(v) < 1e6)), find_minima: true });
    if (seq !== cmpSeq) return;
    S.cmp = cmp;
    renderCompare();
  } catch (e) { showError(e.message); }
}
// the landscapes follow λ, a, the data and a θ outside the frame once they settle (250 ms); the
// page counts as busy from the first change, so "idle" means every plot shows the latest settings.
// A change while landscapes are computed makes their answers stale (not drawn: a newer refresh
// follows), and the convexity panel's heavier request waits until no newer change is pending, so a
// drag that pauses now and then does not pay 0.3–0.7 s of landscape redraws at each pause.
let landTimer = null;
function refreshLandscapesSoon() {
  if (landTimer) clearTimeout(landTimer); else setBusy(+1);
  landSeq++; cmpSeq++;
  landTimer = setTimeout(async () => {
    landTimer = null;
    try { await refreshLandscapeNow(); if (!landTimer) await refreshCompareWhenVisible(); } finally { setBusy(-1); }
  }, 250);
}

function axesIdx() { return [0, 1]; }
function pathXY(path) {
  const [a, b] = axesIdx();
  return { x: path.map((t) => t[a]), y: path.map((t) => t[b]) };
}
function landLayout(land, title) {
  return { uirevision: uirev(), margin: { l: 50, r: 10, t: title ? 28 : 10, b: 40 }, title: title ? { text: title, font: { size: 13 } } : undefined,
           xaxis: { title: { text: land.axes[0] }, range: land.x_range }, yaxis: { title: { text: land.axes[1] }, range: land.y_range },
           showlegend: true, legend: { orientation: "h", y: -0.32, yanchor: "top" }, hovermode: "closest" };
}
function contourTrace(land, loss, showscale) {
  const s = land.surfaces[loss];
  return { type: "contour", x: land.x, y: land.y, z: s.z, colorscale: "Viridis", ncontours: 30, showscale,
           contours: { coloring: "heatmap" }, line: { width: 0.5, color: "rgba(255,255,255,.5)" },
           colorbar: { thickness: 10 }, name: `J (${loss})`, hovertemplate: `${land.axes[0]} %{x:.3g}, ${land.axes[1]} %{y:.3g}<br>J %{z:.4g}<extra></extra>` };
}
function renderLandscape() {
  const land = S.land;
  if (!land) return;
  const gd = S.gd;
  const pxy = shownPath();
  const [a, b] = axesIdx();
  const traces = [  // trace 1, the path, is moved by updateContourMarkers and gdRun
    contourTrace(land, S.loss, true),
    { x: pxy.x, y: pxy.y, mode: "lines+markers", name: "GD path", line: { color: "#fff", width: 2 }, marker: { size: 4, color: "#111" } },
    // θ itself is drawn by the overlay; this trace only gives it its legend entry
    { x: [null], y: [null], mode: "markers", name: "θ now", hoverinfo: "skip", marker: THETA_MARK },
  ];
  if (land.optimum && S.loss === "log") {
    traces.push({ x: [land.optimum.theta[a]], y: [land.optimum.theta[b]], mode: "markers", name: "minimum",
                  marker: { symbol: "star", size: 14, color: "#ffd60a", line: { color: "#111", width: 1 } } });
  }
  const layout = landLayout(land, "");
  layout.shapes = contourShapes();
  drawMoving("contour-plot", traces, layout, ZOOM_CFG, [1], movePath);
  wireContourOverlay();
  markContour();
  drawWhenVisible("surface-plot", drawSurface);  // WebGL, the costliest redraw (80–150 ms here)
  renderLearningCurve();
  $("landscape-note").textContent = land.fixed
    ? `Two features: the contour and the surface are the slice of J at ${land.fixed.name} = ${fmt(land.fixed.value, 4)}; the path's height in 3D is its true J (b moves too). Click the contour to start from a point.`
    : "Click the contour to move θ there (a new start for gradient descent). The arrow is the next step −α∇J.";
}
function drawSurface() {
  const land = S.land, gd = S.gd;
  if (!land) return undefined;
  const s = land.surfaces[S.loss];
  const hist = gd.history.length ? gd.history : [];
  const pxy3 = pathXY(gd.path);
  return drawMoving("surface-plot", [
    { type: "surface", x: land.x, y: land.y, z: s.z, colorscale: "Viridis", showscale: false, opacity: 0.92, name: "J",
      contours: { z: { show: true, usecolormap: true, project: { z: true } } } },
    { type: "scatter3d", x: pxy3.x.slice(0, hist.length), y: pxy3.y.slice(0, hist.length), z: hist, mode: "lines+markers",
      name: "GD path", line: { color: "#ff3b30", width: 5 }, marker: { size: 2, color: "#ff3b30" } },
  ], { margin: { l: 0, r: 0, t: 0, b: 0 }, showlegend: false, uirevision: uirev(),
       scene: { uirevision: uirev(), xaxis: { title: { text: land.axes[0] }, range: land.x_range }, yaxis: { title: { text: land.axes[1] }, range: land.y_range }, zaxis: { title: { text: "J" }},
                aspectmode: "manual", aspectratio: { x: 1, y: 1, z: 0.75 },
                camera: { eye: { x: 1.55, y: -1.55, z: 1.05 } } } }, CFG_3D, [1], restyleTraces);
}
// The next step −α∇J as an arrow from θ. Its label is in the note under the plot (on the plot it
// covered θ); an arrow that would leave the frame is shortened to end inside it, and says so.
function gradientArrow() {
  const st = S.state, land = S.land;
  const none = { x: [], y: [], note: "" };
  if (!st || !land || !st.next_theta.every(isNum)) return none;
  const [a, b] = axesIdx();
  const x0 = S.theta[a], y0 = S.theta[b];
  let dx = st.next_theta[a] - x0, dy = st.next_theta[b] - y0;
  const [xl, xh] = land.x_range, [yl, yh] = land.y_range;
  const sx = xh - xl, sy = yh - yl;
  if (x0 < xl || x0 > xh || y0 < yl || y0 > yh) return { ...none, note: "θ is outside this frame." };
  const len = Math.hypot(dx / sx, dy / sy);
  if (len < 0.004) return { ...none, note: "At (or next to) the minimum: the step −α∇J is too small to draw." };
  let note = "Red arrow: the next gradient-descent step −α∇J from θ.";
  if (len < 0.06) { const k = 0.06 / len; dx *= k; dy *= k; note = "Red arrow: the direction of −α∇J (the step itself is too short to see; drawn longer)."; }
  // the largest t ≤ 1 keeping θ + t·(dx, dy) inside the frame (2 % margin)
  let t = 1;
  const mx = 0.02 * sx, my = 0.02 * sy;
  if (dx > 0) t = Math.min(t, (xh - mx - x0) / dx); else if (dx < 0) t = Math.min(t, (xl + mx - x0) / dx);
  if (dy > 0) t = Math.min(t, (yh - my - y0) / dy); else if (dy < 0) t = Math.min(t, (yl + my - y0) / dy);
  t = Math.max(t, 0);
  if (t < 1) note = "Red arrow: −α∇J, cut at the frame's edge (the full step of α lands outside this view).";
  if (t * Math.hypot(dx / sx, dy / sy) < 0.004) return { ...none, note: "θ is at the frame's edge; the step −α∇J points out of view." };
  return { note, x: [x0, x0 + t * dx], y: [y0, y0 + t * dy] };
}
function updateContourMarkers() {  // θ, the arrow and the path move; the contour stays as drawn
  const el = $("contour-plot");
  if (!S.land || !el.data) return undefined;
  const moved = movePath(el, [shownPath()]);
  markContour();
  return moved;
}
// A path of only its start is not drawn (θ's marker covers that point; [null] keeps its legend
// entry): the path trace then stays untouched while a slider moves θ, keeping Plotly and its
// contour redraw out of a drag.
function shownPath() { return S.gd.path.length > 1 ? pathXY(S.gd.path) : { x: [null], y: [null] }; }
function movePath(el, moves) {  // restyled only when it differs from the path drawn
  const p = moves[0], cur = el.data[1], n = p.x.length;
  const same = cur.x.length === n && (n === 0 || (cur.x[0] === p.x[0] && cur.y[0] === p.y[0] &&
                                                  cur.x[n - 1] === p.x[n - 1] && cur.y[n - 1] === p.y[n - 1]));
  return same ? undefined : Plotly.restyle(el, { x: [p.x], y: [p.y] }, [1]);
}

// ---------------------------------------------------------------- the contour's overlay
// θ and the step arrow −α∇J are drawn in an SVG layer over the contour's plot area, placed with
// the plot's own axis scales (so zoom and resizing move them too), because any Plotly call on
// the contour plot recomputes and redraws the contour (~40–140 ms here). Moving them costs well
// under a millisecond. The overlay lets clicks through to the plot and is hidden from screen
// readers (the readout and the note under the plot say where θ is and what the arrow is).
const THETA_MARK = { size: 11, color: "#ff3b30", line: { color: "#fff", width: 2 } };
const SVGNS = "http://www.w3.org/2000/svg";
S.contourMarks = { theta: null, arrow: null };  // in data coordinates, for drawing and for tests
function markContour(theta) {  // θ (or a given point, during the GD animation) and the arrow from θ
  const [a, b] = axesIdx();
  const arrow = theta ? null : gradientArrow();
  if (arrow) $("arrow-note").textContent = arrow.note;
  S.contourMarks = { theta: theta || [S.theta[a], S.theta[b]],
                     arrow: arrow && arrow.x.length ? { x0: arrow.x[0], y0: arrow.y[0], x1: arrow.x[1], y1: arrow.y[1] } : null };
  drawContourOverlay();
}
function contourOverlay(el) {
  let svg = el.querySelector("svg.lab-overlay");
  const host = el.querySelector(".svg-container");
  if (svg || !host) return svg;
  svg = document.createElementNS(SVGNS, "svg");
  svg.setAttribute("class", "lab-overlay");
  svg.setAttribute("aria-hidden", "true");
  svg.style.cssText = "position:absolute;pointer-events:none;overflow:hidden";
  svg.innerHTML = `<defs><marker id="lab-arrowhead" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="5" markerHeight="5" orient="auto">` +
    `<path d="M0,0L10,5L0,10z" fill="#ff3b30"/></marker></defs>` +
    `<line class="arrow" stroke="#ff3b30" stroke-width="2.5" marker-end="url(#lab-arrowhead)"/>` +
    `<circle class="theta" r="${THETA_MARK.size / 2}" fill="${THETA_MARK.color}" stroke="#fff" stroke-width="2"/>`;
  // above the plot's traces and shapes, under the legend, colour bar and hover labels
  const first = host.querySelector("svg.main-svg");
  host.insertBefore(svg, first ? first.nextSibling : null);
  return svg;
}
function drawContourOverlay() {
  const el = $("contour-plot"), fl = el._fullLayout, m = S.contourMarks;
  if (!fl || !fl.xaxis || !fl.xaxis._length || !m.theta) return;
  const svg = contourOverlay(el);
  if (!svg) return;
  const xa = fl.xaxis, ya = fl.yaxis;
  Object.assign(svg.style, { left: `${xa._offset}px`, top: `${ya._offset}px`, width: `${xa._length}px`, height: `${ya._length}px` });
  const X = (v) => xa.l2p(v), Y = (v) => ya.l2p(v);
  const dot = svg.querySelector("circle.theta"), line = svg.querySelector("line.arrow");
  const [tx, ty] = [X(m.theta[0]), Y(m.theta[1])];
  const inside = (x, y) => Number.isFinite(x) && Number.isFinite(y) && x > -20 && y > -20 && x < xa._length + 20 && y < ya._length + 20;
  dot.setAttribute("display", inside(tx, ty) ? "inline" : "none");
  dot.setAttribute("cx", tx); dot.setAttribute("cy", ty);
  const ar = m.arrow;
  line.setAttribute("display", ar ? "inline" : "none");
  if (ar) { line.setAttribute("x1", X(ar.x0)); line.setAttribute("y1", Y(ar.y0)); line.setAttribute("x2", X(ar.x1)); line.setAttribute("y2", Y(ar.y1)); }
}
function wireContourOverlay() {  // zoom, autoscale, resizing and every redraw move the marks with the axes
  const el = $("contour-plot");
  if (el.__labOverlayWired || !el.on) return;
  el.__labOverlayWired = true;
  el.on("plotly_afterplot", drawContourOverlay);
  el.on("plotly_relayout", drawContourOverlay);
}
function renderLearningCurve(upto) {
  const gd = S.gd;
  const n = upto === undefined ? gd.history.length : upto;
  const it = [...Array(n).keys()];
  const traces = [{ x: it, y: gd.history.slice(0, n), mode: "lines", name: "J", line: { color: COLORS.log, width: 2 } }];
  if (gd.wnorm.length) traces.push({ x: it, y: gd.wnorm.slice(0, n), mode: "lines", name: "‖w‖", yaxis: "y2", line: { color: "#888", dash: "dot" } });
  Plotly.react("curve-plot", traces, {
    uirevision: uirev(), margin: { l: 50, r: 45, t: 10, b: 40 }, xaxis: { title: { text: "iteration" }}, yaxis: { title: { text: "J" }},
    yaxis2: { title: { text: "‖w‖" }, overlaying: "y", side: "right", showgrid: false }, legend: { orientation: "h", y: 1.1 },
  }, PLOT_CFG);
}

function renderCompare() {
  const cmp = S.cmp;
  if (!cmp) return;
  const [a, b] = axesIdx();
  const runs = S.cmpRuns || {};
  for (const loss of ["log", "mse"]) {
    const traces = [contourTrace(cmp, loss, false)];
    const s = cmp.surfaces[loss];
    if (loss === "mse" && s.plateau && s.plateau.x.length) {
      traces.push({ x: s.plateau.x, y: s.plateau.y, mode: "markers", name: "plateau (|∇J| ≈ 0, J high)",
                    marker: { symbol: "x-thin-open", size: 5, color: "rgba(255,255,255,.55)", line: { width: 1 } }, hoverinfo: "skip" });
    }
    if (loss === "mse" && s.minima) {
      // markers only (text labels of nearby minima printed over each other): the legend names them
      s.minima.forEach((m, i) => traces.push({ x: [m.x], y: [m.y], mode: "markers", name: i === 0 ? "lowest minimum found" : "other local minimum",
        legendgroup: i === 0 ? "min" : "local", showlegend: i < 2, hovertemplate: `${i === 0 ? "lowest minimum found" : "local minimum"}: J = ${fmt(m.J, 5)}<extra></extra>`,
        marker: { symbol: i === 0 ? "star" : "diamond", size: 13, color: i === 0 ? "#ffd60a" : "#ff3b30", line: { color: "#111", width: 1 } } }));
    }
    if (loss === "log" && cmp.optimum) {
      traces.push({ x: [cmp.optimum.theta[a]], y: [cmp.optimum.theta[b]], mode: "markers", name: "minimum",
                    marker: { symbol: "star", size: 14, color: "#ffd60a", line: { color: "#111", width: 1 } } });
    }
    if (runs[loss]) {
      const p = pathXY(runs[loss].path);
      traces.push({ x: p.x, y: p.y, mode: "lines+markers", name: "GD path", line: { color: "#fff", width: 2 }, marker: { size: 3, color: "#111" } });
    }
    traces.push({ x: [S.theta[a]], y: [S.theta[b]], mode: "markers", name: "start", marker: { size: 10, color: "#ff3b30", line: { color: "#fff", width: 2 } } });
    Plotly.react(`cmp-${loss}`, traces, landLayout(cmp, loss === "log" ? "log-loss J (convex)" : "MSE on the sigmoid J (not convex)"), ZOOM_CFG);
  }
  const ct = [];
  for (const [loss, color] of [["log", COLORS.log], ["mse", COLORS.mse]]) {
    if (runs[loss]) ct.push({ x: [...runs[loss].history.keys()], y: runs[loss].history, mode: "lines", name: loss === "log" ? "log-loss" : "MSE", line: { color, width: 2 } });
  }
  Plotly.react("cmp-curve", ct, { uirevision: uirev(), margin: { l: 50, r: 10, t: 28, b: 40 }, title: { text: "J while descending", font: { size: 13 } },
    xaxis: { title: { text: "iteration" }}, yaxis: { title: { text: "J" }, type: "log" }, legend: { orientation: "h", y: -0.25 } }, PLOT_CFG);
  const mse = cmp.surfaces.mse;
  const nmin = mse.minima ? mse.minima.length : 0;
  $("cmp-note").textContent = `In this window the MSE surface has ${fmt(100 * (mse.plateau ? mse.plateau.fraction : 0), 3)} % of its grid on plateaus ` +
    `(flat, yet far above the minimum) and ${nmin === 1 ? "1 minimum" : `${nmin} minima`} found by L-BFGS started from the grid's dips` +
    (nmin > 1 ? " — more than one: MSE on a sigmoid is not convex." : ".") +
    " The log-loss surface is a single convex bowl." + (cmp.fixed ? ` (Slice at b = ${fmt(cmp.fixed.value, 4)}.)` : "");
}

async function runCompare() {
  const body = { ...problem(), theta0: S.theta, learning_rate: S.learning_rate, iterations: Math.min(S.iterations, 2000) };
  try {
    const [rl, rm] = await Promise.all([api("/api/gd", { ...body, loss: "log" }), api("/api/gd", { ...body, loss: "mse" })]);
    S.cmpRuns = { log: rl, mse: rm };
    $("cmp-status").textContent = `log-loss: ${rl.status}, J ${fmt(rl.history[0], 4)} → ${fmt(rl.J, 4)} in ${rl.n_iter} steps; ` +
      `MSE: ${rm.status}, J ${fmt(rm.history[0], 4)} → ${fmt(rm.J, 4)} in ${rm.n_iter} steps.`;
    await refreshCompareNow();
  } catch (e) { showError(e.message); }
}

// ---------------------------------------------------------------- gradient descent
function gdBody(iterations) {
  return { ...problem(), theta0: S.theta, learning_rate: S.learning_rate, iterations };
}
function appendRun(r) {
  const gd = S.gd;
  if (!gd.history.length) { gd.history.push(r.history[0]); gd.wnorm.push(r.w_norm[0]); }
  gd.path.push(...r.path.slice(1)); gd.history.push(...r.history.slice(1)); gd.wnorm.push(...r.w_norm.slice(1));
  gd.status = r.status; gd.message = r.message;
}
function showGdStatus(r) {
  const el = $("gd-status");
  el.className = `status ${r.status}`;
  el.dataset.status = r.status;
  el.textContent = `${r.status} after ${S.gd.history.length - 1} step(s); J = ${fmt(r.J, 6)}; ‖w‖ = ${fmt(r.w_norm[r.w_norm.length - 1], 4, 1)}`;
  el.title = STATUS_WORDS[r.status] || "";
  $("gd-message").textContent = r.message || "";
}
function inFrame(path) {
  const land = S.land;
  if (!land) return false;
  const [a, b] = axesIdx();
  return path.every((t) => t[a] >= land.x_range[0] && t[a] <= land.x_range[1] && t[b] >= land.y_range[0] && t[b] <= land.y_range[1]);
}
async function gdStep() {
  try {
    const r = await api("/api/gd", gdBody(1));
    appendRun(r);
    S.theta = r.theta.slice();
    syncSliders();
    showGdStatus(r);
    await refreshStateNow();
    if (!inFrame(S.gd.path)) await refreshLandscapeNow(); else { updateContourMarkers(); renderSurfacePath(); renderLearningCurve(); }
    return r;
  } catch (e) { showError(e.message); return null; }
}
function renderSurfacePath(upto) {
  const el = $("surface-plot");
  if (!el.data) return;
  const n = upto === undefined ? S.gd.history.length : upto;
  const p = pathXY(S.gd.path.slice(0, n));
  Plotly.restyle(el, { x: [p.x], y: [p.y], z: [S.gd.history.slice(0, n)] }, [1]);
}
async function gdRun(animate = true) {
  if (S.animating) return null;
  let r;
  try { r = await api("/api/gd", gdBody(S.iterations)); } catch (e) { showError(e.message); return null; }
  const start = S.gd.history.length ? S.gd.history.length : 1;
  appendRun(r);
  const finite = r.path.filter((t) => t.every(isNum) && t.every((v) => Math.abs(v) < 1e6));
  if (!inFrame(finite)) await refreshLandscapeNow();
  S.animating = true; setBusy(+1);
  try {
    const total = S.gd.history.length;
    if (animate && total - start > 1) {
      // time-based: the path grows over S.animMs whatever the machine's speed (slow ones draw fewer frames)
      const el = $("contour-plot"), t0 = performance.now();
      let frame = 0;
      for (;;) {
        const frac = Math.min(1, (performance.now() - t0) / S.animMs);
        const n = Math.max(start + 1, start + Math.round((total - start) * frac));
        const p = pathXY(S.gd.path.slice(0, n));
        const last = S.gd.path[n - 1];
        Plotly.restyle(el, { x: [p.x], y: [p.y] }, [1]);
        markContour([last[0], last[1]]);
        Plotly.restyle("curve-plot", { x: [[...Array(n).keys()]], y: [S.gd.history.slice(0, n)] }, [0]);
        if (++frame % 8 === 0) renderSurfacePath(n);
        if (frac >= 1) break;
        await new Promise((res) => setTimeout(res, 30));
      }
    }
  } finally { S.animating = false; setBusy(-1); }
  S.theta = r.theta.every(isNum) ? r.theta.slice() : S.theta;
  syncSliders();
  showGdStatus(r);
  await refreshStateNow();
  renderLandscape();
  return r;
}
async function gdReset() {
  S.theta = S.theta0.slice(); clearPath(); syncSliders();
  $("gd-status").textContent = ""; $("gd-status").dataset.status = ""; $("gd-message").textContent = "";
  await refreshStateNow(); renderLandscape();
}
async function gdFit() {
  try {
    const r = await api("/api/fit", { ...problem(), theta0: S.theta });
    if (!r.theta.every(isNum)) { showError("the solver did not return a finite θ"); return r; }
    S.theta = r.theta.slice(); S.theta0 = S.theta.slice(); clearPath(); syncSliders();
    $("gd-status").className = `status ${r.status}`; $("gd-status").dataset.status = r.status;
    $("gd-status").textContent = `${r.solver}: ${r.status} in ${r.n_iter} iterations, J = ${fmt(r.J, 6)}`;
    $("gd-status").title = STATUS_WORDS[r.status] || "";
    $("gd-message").textContent = r.message || "";
    await refreshStateNow(); await refreshLandscapeNow();
    return r;
  } catch (e) { showError(e.message); return null; }
}

// ---------------------------------------------------------------- failure-mode presets
const EFFECTS = {
  J_finite: (ctx) => ({ bad: !isNum(ctx.state.shown_J),
    text: `J shown = ${fmt(ctx.state.shown_J, 6)} (${S.loss_form === "naive" ? "naive formula on ŷ" : "from the logit z"})` }),
  not_separated: (ctx) => ({ bad: ctx.run.status === "separated",
    text: `GD ${ctx.run.status}; ‖w‖ = ${fmt(ctx.run.w_norm[ctx.run.w_norm.length - 1], 4)} after ${ctx.run.n_iter} steps, J = ${fmt(ctx.run.J, 4)}` }),
  converged: (ctx) => ({ bad: ctx.run.status !== "converged",
    text: `GD ${ctx.run.status} after ${ctx.run.n_iter} steps, J = ${fmt(ctx.run.J, 5)}, ‖∇J‖ = ${fmt(Math.hypot(...ctx.run.gradient), 3)}` }),
  not_diverged: (ctx) => ({ bad: ctx.run.status === "diverged",
    text: `GD ${ctx.run.status} after ${ctx.run.n_iter} steps, J = ${fmt(ctx.run.J, 5)}` }),
  J_dropped: (ctx) => {
    const h = ctx.run.history; const drop = (h[0] - h[h.length - 1]) / h[0];
    return { bad: !(drop >= 0.1), text: `${S.loss === "mse" ? "MSE" : "log-loss"} J ${fmt(h[0], 4)} → ${fmt(h[h.length - 1], 4)} (${fmt(100 * drop, 3)} % lower) in ${ctx.run.n_iter} steps` };
  },
  fits_data: (ctx) => {
    const k = ctx.state.threshold.current;
    return { bad: ctx.run.status === "diverged" || !(k.accuracy >= 0.75),
             text: `GD ${ctx.run.status} after ${ctx.run.n_iter} steps (${S.loss === "mse" ? "MSE" : "log-loss"}); accuracy at 0.5: ${fmt(k.accuracy, 3)}` };
  },
  recall_positive: (ctx) => {
    const k = ctx.state.threshold.current;
    return { bad: k.recall === 0, text: `threshold ${fmt(k.threshold, 3)}: accuracy ${fmt(k.accuracy, 3)}, recall ${fmt(k.recall, 3)}, precision ${fmt(k.precision, 3)}` };
  },
};
const APPLY_KEYS = ["lam", "l1_ratio", "learning_rate", "iterations", "loss", "loss_form", "standardize", "class_weight", "cost_fp", "cost_fn"];

async function applyPreset(id, which, extra) {
  const pr = S.meta.presets[id];
  // a remedy is the trigger's settings with its changes on top, so it works from any state
  const s = which === "trigger" ? pr.trigger : { ...pr.trigger, ...(extra || pr[which]) };
  const card = $(`preset-${id}`);
  card.dataset.phase = "running";
  if (s.dataset && (!S.dataset || S.dataset.name !== s.dataset || S.extraX.length)) await loadDataset(s.dataset);
  for (const k of APPLY_KEYS) if (s[k] !== undefined) S[k] = s[k];
  if (s.standardize !== undefined && SLIDERS.theta0) buildSliders();
  if (s.theta) { S.theta = s.theta.slice(); S.theta0 = s.theta.slice(); }
  if (typeof s.threshold === "number") S.threshold = s.threshold;
  clearPath(); syncSliders();
  $("gd-status").textContent = ""; $("gd-message").textContent = "";
  const ctx = {};
  await refreshLandscapeNow().then(refreshCompareNow);
  if (s.action === "gd") ctx.run = await gdRun(true);
  else if (s.action === "fit") await gdFit();
  ctx.state = await refreshStateNow();
  if (s.threshold === "chosen" && ctx.state && ctx.state.threshold.chosen) {
    S.threshold = ctx.state.threshold.chosen.threshold; syncSliders();
    ctx.state = await refreshStateNow();
  }
  const fx = EFFECTS[pr.effect];
  let verdict;
  try { verdict = fx(ctx); } catch (e) { verdict = { bad: true, text: `could not evaluate: ${e.message}` }; }
  card.dataset.verdict = verdict.bad ? "bad" : "good";
  card.dataset.phase = which;
  card.querySelector(".effect").textContent = verdict.text;
  shareSoon();
  return verdict;
}
function buildPresets() {
  const box = $("presets");
  box.innerHTML = "";
  for (const [id, pr] of Object.entries(S.meta.presets)) {
    const card = document.createElement("div");
    card.className = "card"; card.id = `preset-${id}`;
    const dec = window.course && window.course.decisions()[id];
    card.innerHTML = `<h3>${escapeHtml(pr.title)}</h3><p>${escapeHtml(pr.sentence)}</p>` +
      `<div class="buttons"><button type="button" class="trigger">${escapeHtml(pr.trigger.label)}</button></div>` +
      `<div class="effect" aria-live="polite"></div>` + (dec ? decisionHtml(id, dec) : "");
    card.querySelector(".trigger").onclick = () => applyPreset(id, "trigger");
    if (dec) card.querySelector(".decide-run").onclick = () => decide(id);
    box.appendChild(card);
  }
}

// A decision: the learner picks a remedy; it is rerun on the trigger's settings, the plot that
// shows it is scrolled into view, and the card says why the choice is right or wrong.
function decisionHtml(id, dec) {
  return `<fieldset class="decide options"><legend>${escapeHtml(dec.question)}</legend>` +
    dec.options.map((o, i) => `<label><input type="radio" name="decide-${id}" value="${i}"> ${escapeHtml(o.label)}</label>`).join("") +
    `<button type="button" class="decide-run">Rerun with this remedy</button>` +
    `<div class="why-text" aria-live="polite"></div></fieldset>`;
}
async function decide(id) {
  const card = $(`preset-${id}`);
  const dec = window.course.decisions()[id];
  const picked = card.querySelector(`input[name="decide-${id}"]:checked`);
  const out = card.querySelector(".why-text");
  if (!picked) { out.textContent = "Choose a remedy first."; return null; }
  const opt = dec.options[Number(picked.value)];
  card.dataset.judgement = "";
  const verdict = await applyPreset(id, "decision", opt.apply);
  card.dataset.choice = picked.value;
  card.dataset.judgement = opt.correct ? "right" : "wrong";
  out.textContent = (opt.correct ? "✓ Right: " : "✗ Not this one: ") + opt.why;
  const plot = $(dec.plot);
  if (plot) plot.scrollIntoView({ block: "center" });
  return verdict;
}

// ---------------------------------------------------------------- clicks on plots
function plotClickToData(el, ev) {
  const fl = el._fullLayout;
  if (!fl || !fl.xaxis || !fl.yaxis) return null;
  const rect = el.getBoundingClientRect();
  const sz = fl._size || { l: fl.margin.l, t: fl.margin.t };  // the margins after auto-expansion
  const px = ev.clientX - rect.left - sz.l;
  const py = ev.clientY - rect.top - sz.t;
  if (px < 0 || py < 0 || px > fl.xaxis._length || py > fl.yaxis._length) return null;
  return [fl.xaxis.p2l(px), fl.yaxis.p2l(py)];
}
function onModelClick(ev) {
  const pt = plotClickToData($("model-plot"), ev);
  if (pt) addPointAt(pt);
}
function addPointAt(pt) {
  if (S.animating) return;
  const cls = S.addClass;
  if (nFeat() === 1) S.extraX.push([Number(pt[0].toPrecision(4))]);
  else S.extraX.push([Number(pt[0].toPrecision(4)), Number(pt[1].toPrecision(4))]);
  S.extraY.push(cls);
  clearPath(); refreshState(); refreshLandscapesSoon();
}
function onContourClick(ev) {
  const pt = plotClickToData($("contour-plot"), ev);
  if (pt) moveThetaTo(pt);
}
function moveThetaTo(pt) {
  if (S.animating || !S.land) return;
  const [a, b] = axesIdx();
  S.theta[a] = pt[0]; S.theta[b] = pt[1]; S.theta0 = S.theta.slice(); clearPath(); syncSliders();
  refreshStateNow().then(() => renderLandscape());
}

// ---------------------------------------------------------------- path and CV
function pathLines(r) {
  const line = (x, color, dash) => ({ type: "line", x0: x, x1: x, yref: "paper", y0: 0, y1: 1, line: { color, dash, width: 2 } });
  const shapes = [line(r.lam_best, COLORS.log, "dash"), line(r.lam_1se, COLORS.mse, "dot")];
  if (S.lam > 0) shapes.push(line(S.lam, "#111", "solid"));
  return shapes;
}
function pathLegendNote(r) {
  return `Dashed purple: best λ = ${fmt(r.lam_best, 4)}; dotted orange: 1-SE λ = ${fmt(r.lam_1se, 4)} ` +
    `(the one-standard-error rule: the largest λ whose CV loss is within one standard error of the best, a simpler model that is as good); solid black: the λ slider` +
    (S.lam > 0 ? ` = ${fmt(S.lam, 4)}.` : " (λ = 0 is off the log axis).") +
    ` λ_max = ${fmt(r.lam_max, 4)} (the smallest λ at which L1 sets every weight to 0; the path starts there); ${r.folds} stratified folds, seed ${r.seed}.` +
    (r.notes.length ? " " + r.notes.join(" ") : "");
}
function renderPath() {
  const r = S.pathRes;
  if (!r) return;
  const xa = { type: "log", title: { text: "λ (log scale)" } };
  const margin = { l: 50, r: 10, t: 28, b: 40 };
  const coefTraces = r.features.map((name, j) => ({ x: r.lams, y: r.coefs[j], name, mode: "lines+markers",
    marker: { size: 4, color: SERIES[j % SERIES.length] }, line: { color: SERIES[j % SERIES.length] } }));
  Plotly.react("path-coef", coefTraces, {
    uirevision: uirev(), margin, title: { text: "weights against λ", font: { size: 13 } }, xaxis: xa,
    yaxis: { title: { text: "weight" }, zeroline: true }, shapes: pathLines(r), legend: { x: 1, xanchor: "right", y: 1, bgcolor: "rgba(255,255,255,0.7)" }, hovermode: "closest",
  }, ZOOM_CFG);
  Plotly.react("path-cv", [{
    x: r.lams, y: r.cv_mean, name: "mean CV log-loss", mode: "lines+markers", marker: { size: 5, color: COLORS.log }, line: { color: COLORS.log },
    error_y: { type: "data", array: r.cv_se, visible: true, thickness: 1, color: "#888" },
  }], {
    uirevision: uirev(), margin, title: { text: `held-out log-loss (${r.folds}-fold CV, mean ± SE)`, font: { size: 13 } }, xaxis: xa,
    yaxis: { title: { text: "log-loss" } }, shapes: pathLines(r), showlegend: false, hovermode: "closest",
  }, ZOOM_CFG);
  $("path-note").textContent = pathLegendNote(r);
}
function updatePathLambda() {
  if (!S.pathRes) return;
  for (const id of ["path-coef", "path-cv"]) Plotly.relayout(id, { shapes: pathLines(S.pathRes) });
  $("path-note").textContent = pathLegendNote(S.pathRes);
}
function clearPathPanel() {
  S.pathRes = null; $("path-use").disabled = true;
  for (const id of ["path-coef", "path-cv"]) Plotly.purge(id);
  $("path-note").textContent = ""; $("path-status").textContent = "";
}
async function runPath() {
  const n = Number($("path-n").value), folds = Number($("path-folds").value);
  $("path-status").textContent = "computing…";
  try {
    const r = await api("/api/path", { ...problem(), n_lams: n, folds, seed: 0, features: S.dataset.features || [] });
    S.pathRes = r; $("path-use").disabled = false;
    renderPath();
    $("path-status").textContent = `${r.lams.length} λ values, best λ = ${fmt(r.lam_best, 4)}, 1-SE λ = ${fmt(r.lam_1se, 4)}`;
  } catch (e) { $("path-status").textContent = ""; showError(e.message); }
}
function useChosenLambda() {
  const r = S.pathRes;
  if (!r) return;
  S.lam = $("path-rule").value === "1se" ? r.lam_1se : r.lam_best;
  clearPath(); syncSliders(); refreshState(); refreshLandscapesSoon(); updatePathLambda();
}
window.lab.runPath = runPath;

// ---------------------------------------------------------------- wiring
async function refreshAll() {
  await Promise.all([refreshStateNow(), refreshLandscapeNow().then(refreshCompareWhenVisible)]);
}
function wire() {
  $("dataset").onchange = async () => {
    if ($("dataset").value === "upload") { if (S.uploaded) useDataset(S.uploaded); } else await loadDataset($("dataset").value);
    await refreshAll();
  };
  $("csv-file").onchange = onUploadFile;
  $("up-use").onclick = onUploadUse;
  const global = (id, key, conv, rebuild) => {
    $(id).onchange = () => {
      S[key] = conv($(id));
      if (rebuild) { S.theta = S.theta.map(() => 0); S.theta0 = S.theta.slice(); buildSliders(); }
      clearPath(); refreshState(); refreshLandscapesSoon();
    };
  };
  global("loss", "loss", (e) => e.value);
  global("loss_form", "loss_form", (e) => e.value);
  global("standardize", "standardize", (e) => e.checked, true);
  global("class_weight", "class_weight", (e) => e.value);
  document.querySelectorAll("input[name=addclass]").forEach((r) => { r.onchange = () => { S.addClass = Number(r.value); shareSoon(); }; });
  for (const id of ["path-n", "path-folds", "path-rule"]) $(id).addEventListener("change", shareSoon);
  $("undo-point").onclick = () => { if (S.extraX.length) { S.extraX.pop(); S.extraY.pop(); refreshState(); refreshLandscapesSoon(); } };
  $("copy-link").onclick = copyLink;
  wireKeyboardPlots();
  $("gd-step").onclick = gdStep;
  $("gd-run").onclick = () => gdRun(true);
  $("gd-reset").onclick = gdReset;
  $("gd-fit").onclick = gdFit;
  $("cmp-run").onclick = runCompare;
  $("threshold").oninput = () => { S.threshold = Number($("threshold").value); $("threshold-num").value = $("threshold").value; refreshState(); };
  // a rejected value snaps back to the one in use, and the reason is shown beside the box
  const guarded = (id, key, ok, reason, after) => {
    $(id).onchange = () => {
      const text = $(id).value.trim(), v = Number(text);
      if (text === "" || !Number.isFinite(v) || !ok(v)) {
        $("thr-why").textContent = `${text || "(empty)"} rejected: ${reason}; kept ${S[key]}.`;
        $(id).value = String(S[key]);
        return;
      }
      $("thr-why").textContent = "";
      S[key] = v; if (after) after(v); refreshState();
    };
  };
  guarded("threshold-num", "threshold", (v) => v >= 0 && v <= 1, "the threshold lies in [0, 1]", (v) => { $("threshold").value = String(v); });
  guarded("cost_fp", "cost_fp", (v) => v >= 0 && v <= 1e6, "a cost is a number from 0 to 1e6");
  guarded("cost_fn", "cost_fn", (v) => v >= 0 && v <= 1e6, "a cost is a number from 0 to 1e6");
  $("use-chosen").onclick = () => { const c = S.state && S.state.threshold.chosen; if (c) { S.threshold = c.threshold; syncSliders(); refreshState(); } };
  $("path-run").onclick = runPath;
  $("path-use").onclick = useChosenLambda;
  $("model-plot").addEventListener("click", onModelClick);
  $("contour-plot").addEventListener("click", onContourClick);
}

async function main() {
  if (viewWatch) for (const el of document.querySelectorAll(".plot")) viewWatch.observe(el);
  try {
    S.meta = await api("/api/meta");
    GLOSS = S.meta.glossary || {};
    buildGlossary();
    $("version").textContent = S.meta.version;
    $("dataset").innerHTML = S.meta.datasets.map((d) => `<option value="${d.name}">${escapeHtml(d.title)}</option>`).join("");
    if (window.course) await window.course.init();
    buildPresets();
    wire();
    const shared = sharedFromUrl();
    if (shared) await restoreShared(shared); else await loadDataset("hours");
    await refreshAll();
    shareNow();
    document.body.dataset.ready = "1";
  } catch (e) { showError(`The lab could not start: ${e.message}`); }
}
window.lab.applyPreset = applyPreset;
window.lab.gdRun = gdRun;
main();
