"""``python -m logitlab.lab [port]``: start the lab without the CLI."""

from __future__ import annotations

import sys

from .server import serve

if __name__ == "__main__":
    serve(port=int(sys.argv[1]) if len(sys.argv) > 1 else 8765)
