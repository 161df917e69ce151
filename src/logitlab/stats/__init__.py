"""Statistics for fitted models: inference (``summary``), Firth's method, separation checks,
and the diagnostics R users expect. Modules here import the core and each other downward only
(base ← separation, firth ← inference ← diagnostics …), never the CLI, the report or the lab."""
