"""The lab's JSON API: every number the page shows is computed here, by logitlab's core.

The routes live by area: :mod:`.routes_model` (one θ: state, gradient descent, fit),
:mod:`.routes_landscape` (many θ: landscapes, path and CV), :mod:`.routes_upload` (CSV files)
and :mod:`.routes_course` (the course: drill checks, decisions, cards, concept to code).
"""

from __future__ import annotations

from fastapi import APIRouter

from . import routes_course, routes_landscape, routes_model, routes_upload
from .common import LIMITS, LabInputError

__all__ = ["router", "LIMITS", "LabInputError", "HEAVY_ROUTES"]

router = APIRouter()
for _module in (routes_model, routes_landscape, routes_upload, routes_course):
    router.include_router(_module.router)

#: Routes whose work grows with the grid, the path or the iterations: the server bounds how
#: many of them run at once (see ``server.HeavyLimit``).
HEAVY_ROUTES = frozenset({"/api/landscape", "/api/path", "/api/fit", "/api/gd"})
