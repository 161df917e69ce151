/* logitlab course: the concept drill, the pipeline reorder exercise, interview prep, flash cards
   and concept to code, beside the free-play lab. Every check and number comes from
   /api/course/* (logitlab's core); progress and card schedules stay in localStorage.
   Loaded before lab.js; uses its globals (S, api, $, …) only when called. */
"use strict";

const COURSE_KEYS = { progress: "logitlab.course.progress", cards: "logitlab.course.cards" };
const DAY = 86400000;
const BOX_DAYS = [0, 0, 1, 3, 7, 21];  // Leitner box → days until the next review
const TABS = [["drill", "Concept drill"], ["failures", "Failure modes"], ["reorder", "Reorder the pipeline"],
              ["interview", "Interview prep"], ["cards", "Flash cards"], ["code", "Concept to code"]];
const C = { data: null, tab: "drill", task: null, concept: "sigmoid", order: null, reviewAll: false, showing: null };

function load(key, fallback) {
  try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
}
function save(key, value) { try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ } }
const esc = (s) => escapeHtml(s);

// ---------------------------------------------------------------- tabs
function buildTabs() {
  const bar = $("course-tabs");
  bar.innerHTML = TABS.map(([id, label]) =>
    `<button type="button" role="tab" id="tab-${id}" aria-controls="course-body" aria-selected="false">${label}</button>`).join("");
  for (const [id] of TABS) $(`tab-${id}`).onclick = () => showTab(id);
  bar.addEventListener("keydown", (ev) => {  // arrow keys move between tabs, as in a tablist
    const i = TABS.findIndex(([id]) => id === C.tab);
    const d = ev.key === "ArrowRight" ? 1 : ev.key === "ArrowLeft" ? -1 : 0;
    if (!d) return;
    const next = TABS[(i + d + TABS.length) % TABS.length][0];
    showTab(next); $(`tab-${next}`).focus();
  });
}
function showTab(id) {
  C.tab = id;
  for (const [t] of TABS) $(`tab-${t}`).setAttribute("aria-selected", String(t === id));
  $("course-body").dataset.tab = id;
  ({ drill: renderDrill, failures: renderFailures, reorder: renderReorder, interview: renderInterview,
     cards: renderCards, code: renderCode })[id]();
  shareSoon();
}

// ---------------------------------------------------------------- concept drill
function progress() { return load(COURSE_KEYS.progress, { solved: {} }); }
function renderDrill() {
  const solved = progress().solved;
  const tasks = C.data.drill;
  if (!C.task) C.task = (tasks.find((t) => !solved[t.id]) || tasks[0]).id;
  const n = tasks.filter((t) => solved[t.id]).length;
  const list = tasks.map((t) => `<li><button type="button" data-task="${t.id}" class="${solved[t.id] ? "done" : ""}"` +
    ` aria-current="${t.id === C.task}">${esc(t.title)}</button></li>`).join("");
  const t = tasks.find((x) => x.id === C.task);
  let body = `<h3>${esc(C.data.lessons[t.lesson])}</h3><p id="drill-prompt">${esc(t.prompt)}</p>`;
  if (t.kind === "target") {
    body += `<div class="buttons"><button type="button" id="drill-setup">Set up the lab for this task</button>` +
      `<button type="button" id="drill-check">Check my lab</button></div>` +
      `<details><summary>Hint</summary><p>${esc(t.hint)}</p></details>`;
  } else {
    body += `<fieldset class="options" id="drill-options"><legend>Predict first, then reveal:</legend>` +
      t.options.map((o, i) => `<label><input type="radio" name="drill-opt" value="${esc(o)}" id="drill-opt-${i}"> ${esc(o)}</label>`).join("") +
      `</fieldset><button type="button" id="drill-check">Check my prediction and reveal</button>`;
  }
  body += `<div id="drill-feedback" class="feedback" aria-live="polite"></div>`;
  $("course-body").innerHTML = `<div class="course-grid"><div><p id="drill-progress"><b>${n} / ${tasks.length}</b> tasks solved` +
    ` <button type="button" id="drill-reset" class="small">reset progress</button></p><ol class="tasklist">${list}</ol></div>` +
    `<div id="drill-task" data-task="${t.id}">${body}</div></div>`;
  for (const b of document.querySelectorAll("[data-task] ")) if (b.tagName === "BUTTON") b.onclick = () => { C.task = b.dataset.task; renderDrill(); shareSoon(); };
  $("drill-reset").onclick = () => { save(COURSE_KEYS.progress, { solved: {} }); renderDrill(); };
  if ($("drill-setup")) $("drill-setup").onclick = () => setupTask(t);
  $("drill-check").onclick = () => checkTask(t);
}
async function setupTask(t) {
  const s = t.setup;
  if (S.dataset.name !== s.dataset || S.extraX.length) await loadDataset(s.dataset);
  for (const k of ["lam", "l1_ratio", "loss", "standardize", "loss_form", "class_weight"]) S[k] = s[k];
  S.theta = s.theta.slice(); S.theta0 = s.theta.slice();
  clearPath(); buildSliders(); syncSliders();
  await refreshAll();
  $("drill").scrollIntoView({ block: "start" });
}
async function checkTask(t) {
  const fb = $("drill-feedback");
  let body;
  if (t.kind === "target") {
    if (S.dataset.name !== t.setup.dataset || S.extraX.length || S.standardize !== t.setup.standardize || S.loss !== "log") {
      fb.dataset.correct = "false";
      fb.textContent = "This task is checked on its own data and settings: press “Set up the lab for this task” first.";
      return null;
    }
    body = t.id === "l1_zero" ? { lam: S.lam } : { theta: S.theta.slice() };
    if (t.id === "l1_zero" && S.l1_ratio !== 1) { fb.dataset.correct = "false"; fb.textContent = "Keep the L1 share a = 1 for this task."; return null; }
  } else {
    const picked = document.querySelector("input[name=drill-opt]:checked");
    if (!picked) { fb.dataset.correct = ""; fb.textContent = "Choose your prediction first."; return null; }
    body = { answer: picked.value };
  }
  try {
    const r = await api(`/api/course/drill/${t.id}`, body);
    fb.dataset.correct = String(r.correct);
    fb.textContent = (t.kind === "target" ? (r.correct ? "✓ " : "✗ ") : "") + r.feedback;
    if (r.correct) {  // progress only for a right answer
      const p = progress(); p.solved[t.id] = true; save(COURSE_KEYS.progress, p);
      const n = C.data.drill.filter((x) => p.solved[x.id]).length;
      $("drill-progress").querySelector("b").textContent = `${n} / ${C.data.drill.length}`;
      document.querySelector(`button[data-task="${t.id}"]`).classList.add("done");
    }
    return r;
  } catch (e) { fb.dataset.correct = "false"; fb.textContent = e.message; return null; }
}

// ---------------------------------------------------------------- failure modes (cards live in the lab)
function renderFailures() {
  $("course-body").innerHTML = `<p>Six failure modes, each with a decision: trigger it, choose the remedy you think fixes it, and the ` +
    `model is rerun with your choice. The cards are in the <a href="#failures" id="go-failures">Failure-mode lab</a> below.</p>`;
  $("go-failures").onclick = (ev) => { ev.preventDefault(); $("failures").scrollIntoView({ block: "start" }); $("failures").querySelector("button").focus(); };
}

// ---------------------------------------------------------------- reorder
function renderReorder() {
  if (!C.order) C.order = C.data.pipeline.map((s) => s.id);
  const label = Object.fromEntries(C.data.pipeline.map((s) => [s.id, s.label]));
  $("course-body").innerHTML = `<p>Put the steps of a production logistic-regression pipeline in order. Drag them, or focus a step ` +
    `and press Space to pick it up, the arrow keys to move it and Space to drop it.</p>` +
    `<ol id="reorder-list">${C.order.map((id) => `<li draggable="true" tabindex="0" data-id="${id}" aria-grabbed="false">` +
      `<span class="label">${esc(label[id])}</span>` +
      `<button type="button" class="up" aria-label="Move “${esc(label[id])}” up">↑</button>` +
      `<button type="button" class="down" aria-label="Move “${esc(label[id])}” down">↓</button></li>`).join("")}</ol>` +
    `<div class="buttons"><button type="button" id="reorder-check">Check the order</button></div>` +
    `<div id="reorder-feedback" class="feedback" aria-live="polite"></div>`;
  const list = $("reorder-list");
  let dragged = null;
  for (const li of list.children) {
    li.querySelector(".up").onclick = () => moveStep(li.dataset.id, -1);
    li.querySelector(".down").onclick = () => moveStep(li.dataset.id, +1);
    li.addEventListener("dragstart", (ev) => { dragged = li.dataset.id; ev.dataTransfer.setData("text/plain", dragged); ev.dataTransfer.effectAllowed = "move"; });
    li.addEventListener("dragover", (ev) => ev.preventDefault());
    li.addEventListener("drop", (ev) => {
      ev.preventDefault();
      const id = dragged || ev.dataTransfer.getData("text/plain");
      if (!id || id === li.dataset.id) return;
      const from = C.order.indexOf(id), to = C.order.indexOf(li.dataset.id);
      C.order.splice(from, 1);
      C.order.splice(to, 0, id);  // dropped on a step: take its place (it moves toward where it came from)
      dragged = null; renderReorder(); shareSoon();
    });
    li.addEventListener("keydown", (ev) => {
      if (ev.target !== li) return;
      const grabbed = li.getAttribute("aria-grabbed") === "true";
      if (ev.key === " " || ev.key === "Enter") {
        ev.preventDefault();
        li.setAttribute("aria-grabbed", String(!grabbed));
        announce(grabbed ? `dropped at position ${C.order.indexOf(li.dataset.id) + 1}` : "picked up; move with the arrow keys");
      } else if (grabbed && (ev.key === "ArrowUp" || ev.key === "ArrowDown")) {
        ev.preventDefault();
        moveStep(li.dataset.id, ev.key === "ArrowUp" ? -1 : +1, true);
      }
    });
  }
  $("reorder-check").onclick = checkOrder;
}
function moveStep(id, d, keepGrab = false) {
  const i = C.order.indexOf(id), j = i + d;
  if (j < 0 || j >= C.order.length) return;
  [C.order[i], C.order[j]] = [C.order[j], C.order[i]];
  renderReorder();
  const li = document.querySelector(`#reorder-list li[data-id="${id}"]`);
  if (keepGrab) li.setAttribute("aria-grabbed", "true");
  li.focus();
  announce(`moved to position ${j + 1}`);
  shareSoon();
}
async function checkOrder() {
  const fb = $("reorder-feedback");
  try {
    const r = await api("/api/course/reorder", { order: C.order });
    for (const p of r.placed) {
      const li = document.querySelector(`#reorder-list li[data-id="${p.id}"]`);
      li.dataset.ok = String(p.ok);
      li.querySelector(".why")?.remove();
      if (!p.ok) li.insertAdjacentHTML("beforeend", `<span class="why">Belongs at position ${p.belongs}: ${esc(p.why)}</span>`);
    }
    fb.dataset.correct = String(r.correct);
    fb.textContent = r.correct ? "✓ All steps in order." : `${r.n_correct} of ${r.placed.length} steps in place; each misplaced one says why.`;
    return r;
  } catch (e) { fb.textContent = e.message; return null; }
}

// ---------------------------------------------------------------- interview prep
function renderInterview() {
  const tiers = ["beginner", "intermediate", "expert"];
  $("course-body").innerHTML = tiers.map((tier) => `<h3>${tier[0].toUpperCase() + tier.slice(1)}</h3>` +
    C.data.interview.map((q, i) => [q, i]).filter(([q]) => q.tier === tier).map(([q, i]) =>
      `<div class="qa" id="qa-${i}"><div class="tier">${tier}</div><p><b>${esc(q.q)}</b></p>` +
      `<label class="small" for="qa-${i}-mine">Your answer first (it stays on this page):</label><textarea id="qa-${i}-mine"></textarea>` +
      `<button type="button" class="reveal" aria-expanded="false" aria-controls="qa-${i}-answer">I have thought about it: reveal the senior angle</button>` +
      `<div id="qa-${i}-answer" hidden><p>${esc(q.a)}</p><button type="button" class="live">See it live: ${esc(q.link.label)}</button></div></div>`).join("")).join("");
  C.data.interview.forEach((q, i) => {
    const box = $(`qa-${i}`);
    box.querySelector(".reveal").onclick = (ev) => { $(`qa-${i}-answer`).hidden = false; ev.target.setAttribute("aria-expanded", "true"); };
    box.querySelector(".live").onclick = () => {
      if (q.link.code) { C.concept = q.link.code; showTab("code"); $("course").scrollIntoView({ block: "start" }); }
      else { const el = $(q.link.panel); el.scrollIntoView({ block: "start" }); el.querySelector("button, input, select, [tabindex]")?.focus({ preventScroll: true }); }
    };
  });
}

// ---------------------------------------------------------------- flash cards (Leitner boxes)
function schedule() { return load(COURSE_KEYS.cards, {}); }
function dueCards() {
  const sch = schedule(), now = Date.now();
  const cards = C.data.cards.map((c) => ({ ...c, box: (sch[c.id] || {}).box || 1, due: (sch[c.id] || {}).due || 0 }));
  return (C.reviewAll ? cards : cards.filter((c) => c.due <= now)).sort((a, b) => a.due - b.due);
}
function renderCards() {
  const due = dueCards();
  const total = C.data.cards.length;
  let html = `<p id="cards-status">${due.length} of ${total} cards due` + (C.reviewAll ? " (reviewing all)" : "") + `.</p>`;
  if (!due.length) {
    const next = Math.min(...Object.values(schedule()).map((s) => s.due));
    html += `<p>Nothing due now` + (Number.isFinite(next) ? `; the next card is due ${new Date(next).toLocaleString()}` : "") +
      `.</p><button type="button" id="cards-all">Review all cards anyway</button>`;
    $("course-body").innerHTML = html;
    $("cards-all").onclick = () => { C.reviewAll = true; renderCards(); };
    return;
  }
  const c = due[0];
  C.showing = c.id;
  html += `<div class="flash" id="flash" data-card="${c.id}" data-box="${c.box}"><p><b>${esc(c.front)}</b></p>` +
    `<p id="flash-back" hidden>${esc(c.back)}</p></div>` +
    `<div class="buttons"><button type="button" id="flash-show">Show the answer</button>` +
    `<button type="button" id="flash-knew" hidden>I knew it</button><button type="button" id="flash-missed" hidden>I missed it</button></div>` +
    `<p class="small" id="flash-next" aria-live="polite"></p>`;
  $("course-body").innerHTML = html;
  $("flash-show").onclick = () => {
    $("flash-back").hidden = false; $("flash-show").hidden = true;
    $("flash-knew").hidden = false; $("flash-missed").hidden = false; $("flash-knew").focus();
  };
  $("flash-knew").onclick = () => review(c, true);
  $("flash-missed").onclick = () => review(c, false);
}
function review(card, knew) {
  const sch = schedule();
  const box = knew ? Math.min(5, card.box + 1) : 1;
  const due = Date.now() + BOX_DAYS[box] * DAY;
  sch[card.id] = { box, due };
  save(COURSE_KEYS.cards, sch);
  renderCards();
  $("cards-status").insertAdjacentHTML("afterend", `<p class="small" id="flash-last">“${esc(card.front)}”: box ${box}, next review ` +
    (BOX_DAYS[box] ? `in ${BOX_DAYS[box]} day(s)` : "later in this session") + `.</p>`);
}

// ---------------------------------------------------------------- concept to code
function renderCode() {
  const opts = Object.entries(C.data.concepts).map(([k, t]) => `<option value="${k}"${k === C.concept ? " selected" : ""}>${esc(t)}</option>`).join("");
  $("course-body").innerHTML = `<label>Concept <select id="code-concept">${opts}</select></label>` +
    `<div class="row2 even"><div><p class="small" id="code-where"></p><pre class="code" id="code-source" tabindex="0" aria-label="source code"></pre></div>` +
    `<div><p class="small">A live call on the lab's current state (data, θ, λ, α, threshold costs):</p>` +
    `<p><code id="code-call"></code></p><pre class="code" id="code-result" tabindex="0" aria-label="result of the call"></pre></div></div>`;
  $("code-concept").onchange = () => { C.concept = $("code-concept").value; renderCode(); shareSoon(); };
  api(`/api/course/code/${C.concept}`).then((r) => {
    $("code-where").textContent = `${r.function} — ${r.file}, line ${r.line}`;
    $("code-source").textContent = r.source;
    $("code-source").dataset.function = r.function;
  }).catch((e) => { $("code-where").textContent = e.message; });
  liveCall();
}
let liveSeq = 0;
async function liveCall() {
  if (C.tab !== "code" || !S.dataset) return;
  const seq = ++liveSeq;
  const body = { ...problem(), theta: S.theta.slice(), learning_rate: S.learning_rate, threshold: S.threshold,
                 cost_fp: S.cost_fp, cost_fn: S.cost_fn };
  try {
    const r = await api(`/api/course/code/${C.concept}`, body);
    if (seq !== liveSeq || !$("code-result")) return;
    $("code-call").textContent = r.call;
    $("code-result").textContent = formatResult(r.result);
  } catch (e) { if ($("code-result")) $("code-result").textContent = e.message; }
}
function formatResult(v, indent = "") {
  if (Array.isArray(v)) return "[" + v.map((x) => (typeof x === "number" ? fmt(x, 8) : formatResult(x))).join(", ") + "]";
  if (v && typeof v === "object") return Object.entries(v).map(([k, x]) => `${indent}${k} = ${formatResult(x, indent + "  ")}`).join("\n");
  return typeof v === "number" ? fmt(v, 10) : String(v);
}

// ---------------------------------------------------------------- the course's interface to the lab
window.course = {
  async init() {
    C.data = await api("/api/course");
    buildTabs();
    showTab(C.tab);
  },
  decisions() { return C.data ? C.data.decisions : {}; },
  onState() { if (C.tab === "code") liveCall(); },
  shareState() {
    return { c_tab: C.tab, c_task: C.tab === "drill" ? C.task : "", c_concept: C.tab === "code" ? C.concept : "",
             c_order: C.tab === "reorder" && C.order ? C.order.join(",") : "" };
  },
  restore(q) {
    if (!C.data) return;
    if (q.c_task && C.data.drill.some((t) => t.id === q.c_task)) C.task = q.c_task;
    if (q.c_concept && q.c_concept in C.data.concepts) C.concept = q.c_concept;
    if (q.c_order) {
      const ids = q.c_order.split(",");
      if (ids.length === C.data.pipeline.length && ids.every((id) => C.data.pipeline.some((s) => s.id === id))) C.order = ids;
    }
    showTab(TABS.some(([id]) => id === q.c_tab) ? q.c_tab : C.tab);
  },
};
