/* logitlab lab: every lab and course setting in the URL, so a link reopens the same state.
   Numbers are written with JavaScript's shortest round-trip form, so the restored θ, λ, α are the
   same doubles and the core computes the same J to every digit. Loaded before lab.js. */
"use strict";

const num = (v) => String(v);
const nums = (v) => v.map(num).join(",");
const parseNums = (t) => t.split(",").map(Number);
// URL key → [S field, to text, from text]
const SHARED = {
  t: ["theta", nums, parseNums],
  lam: ["lam", num, Number],
  a: ["l1_ratio", num, Number],
  lr: ["learning_rate", num, Number],
  it: ["iterations", num, Number],
  loss: ["loss", String, String],
  lf: ["loss_form", String, String],
  std: ["standardize", (v) => (v ? "1" : "0"), (t) => t === "1"],
  cw: ["class_weight", String, String],
  thr: ["threshold", num, Number],
  cfp: ["cost_fp", num, Number],
  cfn: ["cost_fn", num, Number],
};

// the path panel's settings: URL key → input id
const SHARED_INPUTS = { pn: "path-n", pf: "path-folds", pr: "path-rule" };

function stateQuery() {
  const q = new URLSearchParams();
  if (!S.dataset) return q;
  q.set("d", S.dataset.name);
  for (const [k, [field, fmtv]] of Object.entries(SHARED)) q.set(k, fmtv(S[field]));
  if (S.extraX.length) q.set("pts", S.extraX.map((x, i) => [...x, S.extraY[i]].map(num).join(":")).join(";"));
  for (const [k, id] of Object.entries(SHARED_INPUTS)) q.set(k, document.getElementById(id).value);
  q.set("cls", String(S.addClass));
  if (window.course) for (const [k, v] of Object.entries(window.course.shareState())) if (v !== null && v !== "") q.set(k, v);
  return q;
}
let shareTimer = null;
function shareSoon() {
  clearTimeout(shareTimer);
  shareTimer = setTimeout(shareNow, 150);
}
function shareNow() {
  if (!S.dataset || document.body.dataset.restoring === "1") return;
  const url = `${location.origin}${location.pathname}?${stateQuery().toString()}`;
  history.replaceState(null, "", url);
  const box = document.getElementById("share-url");
  if (box) box.value = url;
  const msg = document.getElementById("share-msg");
  if (msg && S.dataset.name === "upload") msg.textContent = "The link keeps the settings, not your CSV's data (it never leaves this machine).";
  else if (msg && msg.dataset.kind !== "copied") msg.textContent = "";
}
async function copyLink() {
  shareNow();
  const box = document.getElementById("share-url"), msg = document.getElementById("share-msg");
  try { await navigator.clipboard.writeText(box.value); msg.textContent = "Link copied."; }
  catch (e) { box.select(); msg.textContent = "Press Ctrl+C to copy the selected link."; }
  msg.dataset.kind = "copied";
  setTimeout(() => { msg.dataset.kind = ""; }, 4000);
}

/** The settings a URL asks for, checked one by one; a bad value is skipped and reported. */
function sharedFromUrl() {
  const q = new URLSearchParams(location.search);
  const out = { settings: {}, problems: [] };
  if (!q.has("d")) return null;
  out.dataset = q.get("d");
  for (const [k, [field, , parse]] of Object.entries(SHARED)) {
    if (!q.has(k)) continue;
    const v = parse(q.get(k));
    const bad = (typeof v === "number" && !Number.isFinite(v)) || (Array.isArray(v) && !v.every(Number.isFinite));
    if (bad) out.problems.push(k); else out.settings[field] = v;
  }
  if (q.has("pts")) {
    const rows = q.get("pts").split(";").map((r) => r.split(":").map(Number));
    if (rows.every((r) => r.every(Number.isFinite))) out.points = rows;
    else out.problems.push("pts");
  }
  out.inputs = Object.fromEntries(Object.keys(SHARED_INPUTS).filter((k) => q.has(k)).map((k) => [k, q.get(k)]));
  if (q.get("cls") === "0" || q.get("cls") === "1") out.addClass = Number(q.get("cls"));
  out.course = Object.fromEntries([...q.entries()].filter(([k]) => k.startsWith("c_")));
  return out;
}

/** Apply a shared state after the page has its menus: data set, settings, added points, course. */
async function restoreShared(shared) {
  document.body.dataset.restoring = "1";
  try {
    const name = shared.dataset === "upload" ? "hours" : shared.dataset;
    const msg = document.getElementById("share-msg");
    if (shared.dataset === "upload") msg.textContent = "This link was made on an uploaded CSV, which links cannot carry; the hours data is shown with the link's settings.";
    await loadDataset(name);
    const st = shared.settings;
    for (const [field, v] of Object.entries(st)) {
      if (field === "theta" && v.length !== S.theta.length) { shared.problems.push("t"); continue; }
      S[field] = v;
    }
    S.theta0 = S.theta.slice();
    if (shared.points) {
      const p = nFeat();
      for (const r of shared.points) if (r.length === p + 1) { S.extraX.push(r.slice(0, p)); S.extraY.push(r[p]); }
    }
    clearPath(); buildSliders(); syncSliders();
    for (const [k, v] of Object.entries(shared.inputs)) {
      const el = document.getElementById(SHARED_INPUTS[k]);
      if (el.tagName === "SELECT" ? [...el.options].some((o) => o.value === v) : Number.isInteger(Number(v))) el.value = v;
      else shared.problems.push(k);
    }
    if (shared.addClass !== undefined) {
      S.addClass = shared.addClass;
      document.querySelector(`input[name=addclass][value="${shared.addClass}"]`).checked = true;
    }
    if (window.course) window.course.restore(shared.course);
    if (shared.problems.length) msg.textContent = `The link's ${shared.problems.join(", ")} could not be read; the defaults are used instead.`;
    if (msg.textContent) msg.dataset.kind = "copied";  // keep the note visible
  } finally { document.body.dataset.restoring = "0"; }
}
