"""The course's words: drill tasks, failure-mode decisions, the pipeline to reorder, interview
questions and flash cards, written from the five lessons (``shared/seeds``) in the project's terms.

Only text and settings live here. Every number a task checks or a card shows is computed by the
core when asked (:mod:`.routes_course`); a task names the check that decides it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LESSONS", "DRILL", "DECISIONS", "PIPELINE", "INTERVIEW", "CARDS", "CONCEPTS", "GLOSSARY"]

#: The five lessons, in order, as the course names them.
LESSONS = {
    "cost": "The cost function: why log-loss, not MSE",
    "unified": "One formula for both classes, computed from logits",
    "mle": "Log-loss is the negative log-likelihood; regularization",
    "gradient": "The gradient (ŷ − y)·x and gradient descent",
    "decisions": "From probabilities to decisions: thresholds and costs",
}

_HOURS = {"dataset": "hours", "lam": 0.0, "l1_ratio": 0.0, "loss": "log", "standardize": False,
          "loss_form": "logits", "class_weight": "none"}

#: Concept drill. kind "target": set the lab so the core's check passes (setup is loaded first);
#: kind "predict": choose an option before anything moves, then the core's numbers are revealed.
DRILL: list[dict[str, Any]] = [
    {"id": "j_below", "title": "Get J below 0.45", "lesson": "cost", "kind": "target",
     "setup": {**_HOURS, "theta": [0.0, 0.0]},
     "prompt": "On the hours data (λ = 0), move w and b until J < 0.45. At w = b = 0 every ŷ is 0.5 "
               "and J = log 2 ≈ 0.693.",
     "hint": "More hours should mean a higher ŷ: w > 0, and b < 0 puts the 50 % point at x = −b/w "
             "near 2.7 hours.", "target": 0.45},
    {"id": "confident_right", "title": "ŷ 0.9 → 0.99: J?", "lesson": "unified", "kind": "predict",
     "prompt": "A student who passed (y = 1) had ŷ = 0.9. The model changes so that ŷ = 0.99 for "
               "that student, nothing else moves. Does J rise or fall?",
     "options": ["rises", "falls", "stays the same"]},
    {"id": "confident_wrong", "title": "Confident and wrong: how costly?", "lesson": "cost", "kind": "predict",
     "prompt": "y = 1 (the tumour is malignant) and the model says ŷ = 0.01. About how large is this "
               "example's loss?", "options": ["0.01", "0.69", "4.6", "infinite"]},
    {"id": "mse_convex", "title": "Is MSE on the sigmoid convex?", "lesson": "cost", "kind": "predict",
     "prompt": "Is J with MSE on the sigmoid, ½(σ(wx + b) − y)², a convex function of (w, b) on the "
               "hours data?", "options": ["yes, one bowl", "no"]},
    {"id": "first_step", "title": "The first GD step on w", "lesson": "gradient", "kind": "predict",
     "prompt": "On the hours data at w = b = 0, one gradient-descent step θ ← θ − α∇J: does it "
               "increase or decrease w?", "options": ["increase w", "decrease w", "leave w"]},
    {"id": "learning_rate", "title": "The fastest safe α", "lesson": "gradient", "kind": "predict",
     "prompt": "On the hours data from w = b = 0 (features not standardized), which learning rate "
               "α reaches the minimum (KKT residual ≤ 1e-6) in the fewest steps without diverging?",
     "options": ["0.05", "0.5", "1", "2.5"]},
    {"id": "l1_zero", "title": "L1: zero exactly one weight", "lesson": "mle", "kind": "target",
     "setup": {"dataset": "overlapping", "lam": 0.0, "l1_ratio": 1.0, "loss": "log",
               "standardize": False, "loss_form": "logits", "class_weight": "none",
               "theta": [0.0, 0.0, 0.0]},
     "prompt": "On the overlapping clouds with pure L1 (a = 1), find a λ at which the fitted model "
               "(its minimum, not the sliders' θ) has exactly one weight equal to 0.",
     "hint": "L1 adds (λ/m)·|w| to J: a weight stays exactly 0 once λ/m exceeds |∂(data loss)/∂w| "
             "there. Start near λ = 20 and move by factors of 1.5."},
    {"id": "threshold_recall", "title": "Raise the threshold: recall?", "lesson": "decisions", "kind": "predict",
     "prompt": "Fit the hours data, then raise the threshold from 0.5 to 0.8 (predict 'pass' only "
               "when ŷ > 0.8). What happens to recall?", "options": ["rises", "falls", "stays the same"]},
]

#: Failure-mode lab decisions: per preset (see ``scenarios.PRESETS``) the remedies to choose
#: from. ``apply`` goes on top of the trigger's settings and is rerun like a preset's remedy.
DECISIONS: dict[str, dict[str, Any]] = {
    "log0": {"question": "J shows nan. What do you change?", "plot": "table-panel", "options": [
        {"label": "Compute the loss from the logit z (softplus)", "correct": True,
         "why": "−log σ(z) = softplus(−z) never takes log(0): it is exact for every z, which is why "
                "frameworks offer BCEWithLogitsLoss and logitlab computes every loss from z.",
         "apply": {"loss_form": "logits", "action": "state"}},
        {"label": "Add L2 regularization, λ = 1", "correct": False,
         "why": "The penalty is added to the data loss: nan + (λ/2m)‖w‖² is still nan. The problem is "
                "how the loss is computed, not the size of w.",
         "apply": {"lam": 1.0, "action": "state"}},
        {"label": "Lower the learning rate to 0.05", "correct": False,
         "why": "α only matters when gradient descent moves θ; J at this θ is nan whatever α is.",
         "apply": {"learning_rate": 0.05, "action": "state"}},
    ]},
    "separation": {"question": "GD never stops and ‖w‖ keeps growing. What do you change?",
                   "plot": "gd-panel", "options": [
        {"label": "Add λ = 1 (L2) and rerun", "correct": True,
         "why": "With λ > 0 the penalty (λ/2m)‖w‖² grows faster than the data loss can fall, so J has "
                "a finite minimum and GD converges to it.", "apply": {"lam": 1.0, "action": "gd"}},
        {"label": "Run 5000 iterations instead of 1000", "correct": False,
         "why": "On separable data J → 0 only as ‖w‖ → ∞: more steps only make w larger.",
         "apply": {"iterations": 5000, "action": "gd"}},
        {"label": "Lower α to 0.1", "correct": False,
         "why": "A smaller step walks the same endless slope more slowly; there is still no minimum.",
         "apply": {"learning_rate": 0.1, "action": "gd"}},
    ]},
    "scaling": {"question": "300 steps end far from the minimum. What do you change?",
                "plot": "gd-panel", "options": [
        {"label": "Standardize the features, α = 2", "correct": True,
         "why": "With both features on the same scale the valley becomes a round bowl, so one α suits "
                "every direction and GD converges in about a hundred steps.",
         "apply": {"standardize": True, "learning_rate": 2.0, "action": "gd"}},
        {"label": "Raise α to 0.03", "correct": False,
         "why": "Along x₂ (100× wider) the curvature is about 10⁴× larger: a step big enough for w₁ "
                "overshoots across the valley in w₂ and J blows up.",
         "apply": {"learning_rate": 0.03, "action": "gd"}},
        {"label": "Add λ = 1", "correct": False,
         "why": "λ/m = 0.0125 adds almost no curvature along w₁: the valley stays long and narrow.",
         "apply": {"lam": 1.0, "action": "gd"}},
    ]},
    "learning_rate": {"question": "J rises step after step. What do you change?", "plot": "gd-panel",
                      "options": [
        {"label": "Lower α to 0.5", "correct": True,
         "why": "Below 2 / (largest curvature of J) each step lands lower than it started; α = 0.5 is.",
         "apply": {"learning_rate": 0.5, "iterations": 500, "action": "gd"}},
        {"label": "Standardize the feature (same α = 2.5)", "correct": True,
         "why": "Standardizing shrinks the largest curvature (x spans 0.5–5.5 hours; standardized it "
                "spans about ±1.7), so 2.5 is now below the limit: also a fix.",
         "apply": {"standardize": True, "action": "gd"}},
        {"label": "Run 2000 iterations", "correct": False,
         "why": "Each step overshoots by more than it gains: more steps diverge further.",
         "apply": {"iterations": 2000, "action": "gd"}},
        {"label": "Add λ = 1", "correct": False,
         "why": "λ/m = 0.05 adds curvature: the limit 2 / curvature gets smaller, not larger.",
         "apply": {"lam": 1.0, "action": "gd"}},
    ]},
    "mse_plateau": {"question": "500 steps of GD on MSE barely move. What do you change?",
                    "plot": "convexity", "options": [
        {"label": "Use the log-loss, same start", "correct": True,
         "why": "The log-loss gradient is (ŷ − y)·x: ≈ ±x where the model is confidently wrong, so the "
                "first steps are large; and J is convex, so GD reaches the one minimum.",
         "apply": {"loss": "log", "learning_rate": 0.5, "action": "gd"}},
        {"label": "Add λ = 1 (L2)", "correct": False,
         "why": "The penalty pulls w to 0 where ŷ ≈ σ(b) is the same for everyone: J falls, but the "
                "model separates nothing (accuracy 0.5).", "apply": {"lam": 1.0, "action": "gd"}},
        {"label": "Lower α to 0.1", "correct": False,
         "why": "The MSE gradient (ŷ − y)·ŷ(1 − ŷ)·x is ≈ 0 on the plateau: smaller steps of nearly "
                "nothing are still nearly nothing.", "apply": {"learning_rate": 0.1, "action": "gd"}},
    ]},
    "imbalance": {"question": "Accuracy 95 %, recall 0. What do you change?", "plot": "threshold-panel",
                  "options": [
        {"label": "Balanced class weights, refit", "correct": True,
         "why": "Each class then carries half the total weight sᵢ, so missing a positive costs as much "
                "in J as 19 negatives: the fit moves ŷ of the positives up.",
         "apply": {"class_weight": "balanced", "action": "fit"}},
        {"label": "Keep the fit, threshold from error costs (FN = 19 × FP)", "correct": True,
         "why": "The probabilities are fine; the decision is not. The cost-optimal threshold is far "
                "below 0.5 when a missed positive costs 19 false alarms.",
         "apply": {"cost_fp": 1.0, "cost_fn": 19.0, "threshold": "chosen", "action": "fit"}},
        {"label": "Add λ = 10 and refit", "correct": False,
         "why": "Shrinking w pulls every ŷ toward the base rate 5 %: still none above 0.5.",
         "apply": {"lam": 10.0, "action": "fit"}},
    ]},
}

#: The production pipeline to put in order (stored in the correct order; the page shuffles it).
#: ``misplaced`` explains what goes wrong when the step is out of place.
PIPELINE: list[dict[str, str]] = [
    {"id": "contract", "label": "Check the data contract: columns, types, ranges, labels 0/1",
     "misplaced": "Checked after anything else, a renamed column or a label coded 'Y'/'N' has already "
                  "flowed into the split, the scaling and the fit: fail before you compute."},
    {"id": "split", "label": "Split into train and test (stratified, seeded)",
     "misplaced": "The split must come before anything is learned from the data: scaling statistics, "
                  "weights or thresholds computed on all rows leak the test rows into training."},
    {"id": "scale", "label": "Fit the scaling (mean, sd) on the training rows only",
     "misplaced": "Scaling fitted on all rows leaks the test set's mean and spread (leakage); fitted "
                  "after the model it is not what the model was trained on (train–serving skew)."},
    {"id": "fit", "label": "Fit the model: minimize J(w, b) on the scaled training rows",
     "misplaced": "The fit needs the scaled training rows, and the threshold and the evaluation need "
                  "its probabilities."},
    {"id": "threshold", "label": "Choose the threshold from the costs of errors (on validation rows)",
     "misplaced": "A threshold needs the fitted probabilities, and choosing it on the test rows makes "
                  "the test score optimistic: choose it before the one look at the test set."},
    {"id": "evaluate", "label": "Evaluate once on the test rows (metrics at that threshold)",
     "misplaced": "The test set is looked at once, at the end: evaluate the whole decision (model and "
                  "threshold), then ship; tuning after it turns the test set into training data."},
    {"id": "monitor", "label": "Deploy with the same scaling; monitor drift and calibration",
     "misplaced": "Monitoring watches the deployed model: it comes last, with the training scaling "
                  "shipped alongside so serving computes exactly what training did."},
]

#: Interview prep in three tiers; ``link`` opens the panel (#id) or the concept-to-code entry.
INTERVIEW: list[dict[str, Any]] = [
    {"tier": "beginner", "q": "Why not use MSE as the cost function for logistic regression?",
     "a": "With ŷ = σ(w·x + b), ½(ŷ − y)² is not convex in (w, b): it has plateaus where every "
          "prediction is confidently wrong and the gradient (ŷ − y)·ŷ(1 − ŷ)·x vanishes, and it can "
          "have more than one minimum. The log-loss is convex, so gradient descent finds the one "
          "minimum.", "link": {"panel": "convexity", "label": "the log-loss vs MSE panel"}},
    {"tier": "beginner", "q": "What does the log-loss penalize most?",
     "a": "Confident mistakes: for y = 1 the loss is −log ŷ, 0.01 at ŷ = 0.99 and 4.6 at ŷ = 0.01, "
          "and it grows without bound as ŷ → 0.", "link": {"panel": "curves-panel",
                                                           "label": "the two halves of the log-loss"}},
    {"tier": "beginner", "q": "Write the unified loss and check it for y = 1 and y = 0.",
     "a": "ℓ = −y·log ŷ − (1 − y)·log(1 − ŷ). For y = 1 the second term is 0 and ℓ = −log ŷ; for "
          "y = 0 the first is 0 and ℓ = −log(1 − ŷ). J is the mean of ℓ over the m examples.",
     "link": {"code": "log_loss", "label": "log_loss_pointwise"}},
    {"tier": "intermediate", "q": "Where does the log-loss come from?",
     "a": "Maximum likelihood: P(y | x) = ŷ^y (1 − ŷ)^(1−y); the log-likelihood of the data is "
          "Σ[y log ŷ + (1 − y) log(1 − ŷ)], and J is its negative divided by m. Minimizing J picks "
          "the θ under which the observed labels are most probable.",
     "link": {"code": "J", "label": "Objective.value"}},
    {"tier": "intermediate", "q": "What is the gradient of J, and why is it so simple?",
     "a": "∂J/∂w = (1/m)·Σ(ŷᵢ − yᵢ)·xᵢ, ∂J/∂b = (1/m)·Σ(ŷᵢ − yᵢ): the sigmoid's derivative "
          "ŷ(1 − ŷ) cancels the log's 1/ŷ. Same form as linear regression with ŷ = σ(z).",
     "link": {"code": "gradient", "label": "Objective.smooth_value_grad"}},
    {"tier": "intermediate", "q": "L1 or L2: what does each do to the weights, and how is λ scaled?",
     "a": "L2 adds (λ/2m)‖w‖² and shrinks every weight smoothly; L1 adds (λ/m)‖w‖₁ and sets weights "
          "exactly to 0 (sparsity). The intercept is never penalized; scikit-learn's C is 1/λ.",
     "link": {"code": "penalty", "label": "ElasticNet.value"}},
    {"tier": "expert", "q": "Why compute the loss from logits (BCEWithLogitsLoss) in production?",
     "a": "σ(z) rounds to exactly 1.0 for z > 37 in float64, so log(1 − ŷ) = log 0 = −∞ and J is "
          "nan; softplus(∓z) computes the same loss exactly for every z, and its gradient σ(z) − y "
          "stays exact too.", "link": {"panel": "failures", "label": "the log(0) failure mode"}},
    {"tier": "expert", "q": "The data are perfectly separable. What happens to the fit, and what "
                            "do you do?",
     "a": "With λ = 0 there is no minimum: J falls toward 0 only as ‖w‖ → ∞, the probabilities become "
          "0/1 and the solver never converges. Add a penalty (λ > 0) or use Firth's correction, and "
          "report it: separation often means a leaked feature.",
     "link": {"panel": "failures", "label": "the separation failure mode"}},
    {"tier": "expert", "q": "How do you choose the decision threshold, and what do you monitor?",
     "a": "From the costs of errors: for calibrated ŷ, predict 1 when ŷ > c_FP / (c_FP + c_FN). "
          "Choose it on validation data, evaluate once on test, then monitor calibration and drift "
          "on live traffic with the training scaling shipped alongside.",
     "link": {"code": "threshold", "label": "metrics.choose_threshold"}},
]

#: Flash cards. ``compute`` names the core computation whose number is the answer's value
#: (filled in by the route); the answer text says what it is.
CARDS: list[dict[str, Any]] = [
    {"id": "unified", "front": "The per-example log-loss in one formula",
     "back": "ℓ(ŷ, y) = −y·log ŷ − (1 − y)·log(1 − ŷ)"},
    {"id": "J", "front": "The cost J(w, b) with regularization",
     "back": "J = (1/m)·Σ sᵢ·ℓ(yᵢ, zᵢ) + (λ/m)·(a‖w‖₁ + (1 − a)/2·‖w‖²), zᵢ = w·xᵢ + b"},
    {"id": "gradient", "front": "∂J/∂w and ∂J/∂b (no penalty)",
     "back": "∂J/∂w = (1/m)·Σ(ŷᵢ − yᵢ)·xᵢ,  ∂J/∂b = (1/m)·Σ(ŷᵢ − yᵢ)"},
    {"id": "update", "front": "One gradient-descent update",
     "back": "w ← w − α·∂J/∂w,  b ← b − α·∂J/∂b (both from the same θ)"},
    {"id": "mse_why", "front": "Why not MSE on the sigmoid?",
     "back": "It is not convex in (w, b): plateaus where the gradient vanishes, possibly several minima."},
    {"id": "logits", "front": "Why compute the loss from the logit z?",
     "back": "σ(z) rounds to 0 or 1 for |z| > 37: log(0). softplus(∓z) is exact for every z."},
    {"id": "sklearn_C", "front": "scikit-learn's C in logitlab's terms", "back": "C = 1/λ"},
    {"id": "l1_vs_l2", "front": "What L1 does that L2 does not",
     "back": "Sets weights exactly to 0 (sparse models); L2 only shrinks them."},
    {"id": "bayes_threshold", "front": "The cost-optimal threshold for calibrated ŷ",
     "back": "t = c_FP / (c_FP + c_FN)"},
    {"id": "loss_wrong", "front": "−log(0.01): y = 1, ŷ = 0.01", "compute": "loss_y1_0.01",
     "back": "≈ {value}: confident and wrong costs a lot"},
    {"id": "loss_right", "front": "−log(0.99): y = 1, ŷ = 0.99", "compute": "loss_y1_0.99",
     "back": "≈ {value}"},
    {"id": "loss_08", "front": "Loss for y = 1, ŷ = 0.8 (lesson 2's check)", "compute": "loss_y1_0.8",
     "back": "−log 0.8 ≈ {value}"},
    {"id": "loss_03", "front": "Loss for y = 0, ŷ = 0.3 (lesson 2's check)", "compute": "loss_y0_0.3",
     "back": "−log 0.7 ≈ {value}"},
    {"id": "J_zero", "front": "J at w = 0, b = 0 (any data, λ = 0)", "compute": "J_zero_hours",
     "back": "log 2 ≈ {value}: every ŷ is 0.5"},
    {"id": "sigmoid_slope", "front": "σ(0) and σ'(0)", "compute": "sigmoid_slope",
     "back": "σ(0) = 0.5, σ'(0) = σ(0)(1 − σ(0)) = {value}"},
    {"id": "three_examples", "front": "J for y = (1, 0, 1), ŷ = (0.9, 0.2, 0.6)",
     "compute": "J_three", "back": "(0.105 + 0.223 + 0.511) / 3 ≈ {value}"},
]

#: Concept → the logitlab function that implements it (dotted path, resolved when asked).
CONCEPTS: dict[str, dict[str, str]] = {
    "sigmoid": {"title": "The sigmoid ŷ = σ(z)", "function": "logitlab.loss.sigmoid"},
    "log_loss": {"title": "The log-loss from logits", "function": "logitlab.loss.log_loss_pointwise"},
    "J": {"title": "The cost J(θ) = data loss + penalty", "function": "logitlab.objective.Objective.value"},
    "gradient": {"title": "The gradient ∇J", "function": "logitlab.objective.Objective.smooth_value_grad"},
    "gd_update": {"title": "The gradient-descent update", "function": "logitlab.solvers.gd.gradient_descent"},
    "penalty": {"title": "The L1/L2 term", "function": "logitlab.penalty.ElasticNet.value"},
    "threshold": {"title": "Threshold metrics", "function": "logitlab.metrics.choose_threshold"},
}

#: Terms the page explains where they appear (title tooltips and the glossary).
GLOSSARY: dict[str, str] = {
    "max_iter": "The most steps a solver may take; 'max_iter' as a status means it stopped there "
                "before converging.",
    "1-SE": "The one-standard-error rule: the largest λ whose CV loss is within one standard error "
            "of the best; a simpler model that is statistically as good.",
    "λ_max": "The smallest λ at which L1 sets every weight to 0; the regularization path starts there.",
    "sᵢ": "The weight of example i (a frequency weight: sᵢ = 2 counts the example twice); 'balanced' "
          "class weights make both classes carry the same total.",
    "KKT residual": "How far θ is from satisfying the optimality conditions; 0 at the minimum.",
    "a (L1 share)": "l1_ratio: 0 is pure L2, 1 pure L1, between is the elastic net.",
    "α": "The learning rate: the step size of gradient descent, θ ← θ − α∇J.",
}
