"""monitor.html: one self-contained page (inline CSS and SVG, no script, no network address)."""

from __future__ import annotations

import html
import math
from typing import Any

from .. import __version__
from .expected import ASSUMPTIONS

__all__ = ["render_monitor", "table", "bars_svg"]

_CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#234;color:#fff;padding:12px 24px}main{max-width:1100px;margin:auto;padding:8px 24px}
section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 16px;margin:14px 0}
table{border-collapse:collapse;margin:6px 0}td,th{border-bottom:1px solid #e4e4e4;padding:3px 9px;text-align:right}
td:first-child,th:first-child{text-align:left}.bad{color:#b00020;font-weight:600}.ok{color:#1b7a1b;font-weight:600}
.note{color:#555;font-size:13px}svg text{font-size:11px;fill:#333}"""


def _num(v: Any, digits: int = 4) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    if isinstance(v, (int, float)):
        return f"{v:.{digits}g}" if isinstance(v, float) else str(v)
    return str(v)


def table(head: list[str], rows: list[list[Any]], classes: list[str] | None = None) -> str:
    """An HTML table of escaped cells (numbers to 4 significant digits)."""
    h = "".join(f"<th>{html.escape(c)}</th>" for c in head)
    body = ""
    for i, r in enumerate(rows):
        cls = f" class='{classes[i]}'" if classes and classes[i] else ""
        body += f"<tr{cls}>" + "".join(f"<td>{html.escape(_num(c))}</td>" for c in r) + "</tr>"
    return f"<table><tr>{h}</tr>{body}</table>"


def bars_svg(labels: list[str], series: dict[str, list[float]], width: int = 640, height: int = 220) -> str:
    """Grouped vertical bars (one colour per series) as inline SVG."""
    colours = ["#4c78a8", "#f58518", "#54a24b"]
    top = max([max(v) for v in series.values() if v] + [1e-12])
    n, k = len(labels), len(series)
    slot = (width - 50) / max(n, 1)
    bar = slot * 0.8 / max(k, 1)
    parts = [f"<svg width='{width}' height='{height + 40}' role='img'>"]
    for j, (name, vals) in enumerate(series.items()):
        for i, v in enumerate(vals):
            h = (height - 20) * v / top
            x = 40 + i * slot + j * bar
            tip = f"{html.escape(name)} {html.escape(labels[i])}: {v:.4g}"
            parts.append(f"<rect x='{x:.1f}' y='{height - h:.1f}' width='{bar:.1f}' height='{h:.1f}' "
                         f"fill='{colours[j % 3]}'><title>{tip}</title></rect>")
        parts.append(f"<rect x='{40 + j * 120}' y='{height + 22}' width='10' height='10' fill='{colours[j % 3]}'/>"
                     f"<text x='{54 + j * 120}' y='{height + 31}'>{html.escape(name)}</text>")
    for i, lab in enumerate(labels):
        parts.append(f"<text x='{40 + i * slot + slot * 0.4:.1f}' y='{height + 13}' text-anchor='middle'>"
                     f"{html.escape(lab[:12])}</text>")
    parts.append(f"<text x='2' y='12'>{top:.3g}</text><line x1='38' y1='{height}' x2='{width}' y2='{height}' "
                 "stroke='#999'/></svg>")
    return "".join(parts)


def _reliability_svg(rel: dict[str, list[float]], size: int = 300) -> str:
    pts = " ".join(f"{30 + p * size:.1f},{10 + (1 - o) * size:.1f}"
                   for p, o in zip(rel["mean_predicted"], rel["observed"], strict=True))
    dots = "".join(f"<circle cx='{30 + p * size:.1f}' cy='{10 + (1 - o) * size:.1f}' r='4' fill='#4c78a8'>"
                   f"<title>predicted {p:.3f}, observed {o:.3f}, n = {int(c)}</title></circle>"
                   for p, o, c in zip(rel["mean_predicted"], rel["observed"], rel["count"], strict=True))
    return (f"<svg width='{size + 50}' height='{size + 40}' role='img'>"
            f"<rect x='30' y='10' width='{size}' height='{size}' fill='none' stroke='#ccc'/>"
            f"<line x1='30' y1='{10 + size}' x2='{30 + size}' y2='10' stroke='#aaa' stroke-dasharray='4'/>"
            f"<polyline points='{pts}' fill='none' stroke='#4c78a8'/>{dots}"
            f"<text x='{30 + size / 2}' y='{size + 32}' text-anchor='middle'>mean predicted probability</text>"
            f"<text x='2' y='14'>1</text><text x='2' y='{10 + size}'>0</text></svg>")


def _violations(doc: dict[str, Any]) -> str:
    v = doc["violations"]
    if not v:
        return "<p class='ok'>No contract violation.</p>"
    return "<ul>" + "".join(f"<li class='bad'>{html.escape(x['message'])}</li>" for x in v) + "</ul>"


def _features(doc: dict[str, Any]) -> str:
    rows = [[f["rank"], f["name"], f["kind"], f["score_shift"], f["psi"], f["test"], f["statistic"], f["pvalue"],
             f["drift"]] for f in doc["features"]]
    cls = ["bad" if f["drift"] != "stable" else "" for f in doc["features"]]
    top = doc["features"][:15]
    chart = bars_svg([f["name"] for f in top], {"|w·Δmean| (logit)": [abs(f["score_shift"]) for f in top],
                                                "PSI": [f["psi"] for f in top]})
    return (table(["rank", "feature", "kind", "w·Δ (score shift)", "PSI", "test", "statistic", "p-value", "drift"],
                  rows, cls) + chart)


def _metrics(doc: dict[str, Any]) -> str:
    ref, exp = doc.get("reference_metrics") or {}, doc["expected"]["metrics"]
    cur = doc.get("metrics") or {}
    rows = []
    for key in ("roc_auc", "accuracy", "precision", "recall", "log_loss", "positive_rate"):
        e = exp.get(key)
        rows.append([key, ref.get(key), cur.get(key), None if e is None else e["estimate"],
                     None if e is None else f"[{e['lower']:.4g}, {e['upper']:.4g}]"])
    return table(["metric", "training", "now (labels)", "expected (no labels)",
                  f"{doc['expected']['level']:.0%} interval"], rows)


def _calibration(doc: dict[str, Any]) -> str:
    if "calibration" not in doc:
        return ("<p class='note'>No labels given (--target): calibration needs outcomes. The expected metrics "
                "above assume the model is calibrated on this data.</p>")
    c = doc["calibration"]
    hl = c["hosmer_lemeshow"]
    return (f"<p>Expected calibration error {c['ece']:.4f}; Hosmer–Lemeshow χ² = {hl['statistic']:.4g} on "
            f"{hl['dof']} degrees of freedom, p = {hl['pvalue']:.4g}.</p>{_reliability_svg(c['reliability'])}")


def render_monitor(doc: dict[str, Any]) -> str:
    """The monitor page for a monitor.json document."""
    gate = doc.get("gate")
    verdict = "" if gate is None else (
        "<p class='ok'>Gate passed: " + html.escape(", ".join(f"{r['metric']}{r['op']}{r['limit']:g}"
                                                             for r in gate["rules"])) + "</p>"
        if gate["passed"] else "<ul>" + "".join(f"<li class='bad'>{html.escape(x)}</li>" for x in gate["breached"])
        + "</ul>")
    sc = doc["score"]
    score_chart = bars_svg([f"bin {i + 1}" for i in range(len(sc["shares"]))],
                           {"training": sc["training_shares"], "now": sc["shares"]})
    summary = table(["", "value"], [
        ["data", doc["data"]], ["rows", doc["n_rows"]], ["scored rows", doc["n_scored"]],
        ["compared with", doc["reference"]], ["labels", doc.get("target") or "none"],
        ["score PSI", sc["psi"]], ["mean probability (training → now)",
                                   f"{sc['training_mean_probability']:.4g} → {sc['mean_probability']:.4g}"],
        ["predicted positive share (training → now)",
         f"{sc['training_predicted_positive_share']:.4g} → {sc['predicted_positive_share']:.4g}"]])
    assumptions = "".join(f"<li>{html.escape(a)}</li>" for a in ASSUMPTIONS)
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>logitlab monitor: {html.escape(str(doc['data']))}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>logitlab monitor</h1><p>{html.escape(str(doc['data']))} · logitlab {__version__}</p>"
        "</header><main>"
        f"<section id='summary'><h2>Summary</h2>{verdict}{summary}</section>"
        f"<section id='violations'><h2>Contract violations</h2>{_violations(doc)}</section>"
        f"<section id='features'><h2>Feature drift (ranked by how much each moves the score)</h2>"
        f"<p class='note'>w·Δ is the feature's weight times the change of its mean (numeric) or of its level shares "
        f"(categorical): its contribution to the shift of the mean logit. PSI on the training deciles; KS on the "
        f"training percentiles, χ² on category counts.</p>{_features(doc)}</section>"
        f"<section id='score'><h2>Score distribution</h2><p class='note'>Shares of rows in the training deciles of the "
        f"logit; PSI {sc['psi']:.4g}, KS {sc['statistic']:.4g} (p = {sc['pvalue']:.3g}).</p>{score_chart}</section>"
        f"<section id='metrics'><h2>Performance against training</h2>{_metrics(doc)}"
        f"<p class='note'>Expected metrics are estimated without labels from the model's own probabilities "
        f"(confidence-based performance estimation). They hold under these assumptions:</p>"
        f"<ul>{assumptions}</ul></section>"
        f"<section id='calibration'><h2>Calibration</h2>{_calibration(doc)}</section>"
        "</main></body></html>\n"
    )


def slices_section(result: dict[str, Any]) -> str:
    """The report's "Sliced evaluation" section for an :func:`evaluate_slices` result."""
    from .slices import slice_rows

    head = ["slice", "n", "positives", "log-loss", "AUC", "precision", "recall", "mean p", "observed", "worse than all"]
    rows = slice_rows(result)
    cls = [""] + ["bad" if r["worse"] else "" for r in result["slices"]]
    warn = "".join(f"<li>{html.escape(w)}</li>" for w in result["warnings"])
    return ("<section id='slices'><style>#slices tr.bad td{color:#b00020;font-weight:600}</style>"
            f"<h2>Sliced evaluation by {html.escape(', '.join(result['by']))}</h2>"
            f"<p class='note'>Metrics per slice at threshold {result['threshold']:.4g}. A slice is marked when a "
            f"{result['level']:.0%} interval (Wilson for precision and recall, Hanley–McNeil for AUC, normal for "
            "log-loss) lies entirely on the worse side of the whole data's value, or when its observed positive rate's "
            "interval excludes its mean predicted probability (calibration).</p>"
            f"{table(head, rows, cls)}" + (f"<ul class='note'>{warn}</ul>" if warn else "") + "</section>")
