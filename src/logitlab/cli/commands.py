"""The ``logitlab`` Typer application: one command per module, registered here."""

from __future__ import annotations

import sys

import typer

from .compare import compare
from .evaluate import evaluate
from .lab import lab
from .monitor import monitor
from .predict import predict
from .train import train
from .version import version

__all__ = ["app", "main"]

app = typer.Typer(
    name="logitlab",
    help="Binary logistic regression from the command line: train, predict, evaluate, explore.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
for command in (train, predict, evaluate, monitor, compare, lab, version):
    app.command()(command)


def main() -> None:
    """Entry point for ``python -m logitlab``: without a command it trains (on the default data set
    when no file is given), so ``python -m logitlab`` alone gives a model and a report."""
    args = sys.argv[1:]
    commands = {c.name or c.callback.__name__ for c in app.registered_commands}
    if not args or (args[0] not in commands and args[0] not in ("-h", "--help")):
        args = ["train", *args]
    app(args=args, prog_name="logitlab")
