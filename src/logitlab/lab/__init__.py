"""The lab: a local web page where a learner moves θ, λ and α and watches the sigmoid, the cost
surface and gradient descent respond. Every number comes from logitlab's core via a JSON API.

Start it with ``logitlab lab`` or :func:`serve`; needs the ``lab`` extra (FastAPI, uvicorn).
"""

from __future__ import annotations

from .server import create_app, serve

__all__ = ["create_app", "serve"]
