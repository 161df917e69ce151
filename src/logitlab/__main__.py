"""``python -m logitlab``: the ``logitlab`` command; with no arguments, train on the bundled data."""

from logitlab.cli import main

if __name__ == "__main__":
    main()
