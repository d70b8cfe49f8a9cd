"""The ``perfmodel`` command line.

Each command lives in its own module of this package and provides
``register(subparsers)``, which adds its parser and sets ``func`` to a handler taking the
parsed arguments and returning an exit code. Errors a user can cause
(:class:`perfmodel.core.errors.PerfmodelError`) become one line on stderr and exit code 2.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from perfmodel.core.errors import CheckFailed, PerfmodelError

# Command modules, in the order shown by --help.
COMMANDS = [
    "synth",
    "indicators",
    "score",
    "explain",
    "ratings",
    "lint",
    "policy",
    "report",
    "audit",
    "weights",
    "sensitivity",
    "validity",
    "watch",
    "goals",
]


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, no usage dump
        raise PerfmodelError(f"{self.prog}: {message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level argument parser with every command registered.

    Returns
    -------
    argparse.ArgumentParser
        Its ``parse_args`` gives ``command``, the command's options and ``func``, the handler.

    Examples
    --------
    >>> args = build_parser().parse_args(["score", "--data", "data/sample", "--policy", "efficiency"])
    >>> args.command, args.data, args.policy, args.period, args.engine
    ('score', 'data/sample', 'efficiency', None, 'duckdb')
    >>> args.func.__module__
    'perfmodel.cli.score'
    """
    parser = _Parser(prog="perfmodel", description="Measure, score and audit after-sales supervisors.")
    from perfmodel import __version__
    parser.add_argument("--version", action="version", version=f"perfmodel {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 check failed, 2 bad input).

    Returns
    -------
    int
        0 ok, 1 a check failed, 2 bad input (one line on stderr, no traceback), 130 interrupted.

    Examples
    --------
    A tiny synthetic dataset, then a command on it:

    >>> import contextlib, io, sys, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     code = main(["synth", "--out", folder, "--supervisors", "3", "--start", "2025Q1",
    ...                  "--end", "2025Q2", "--tickets", "60"])
    >>> code
    0
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["score", "--data", folder, "--policy", "no_such_policy"])
    perfmodel: error: policy 'no_such_policy': no such file or preset; give a YAML file or one of the presets efficiency, quality
    2
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["score", "--data", folder])
    perfmodel: error: perfmodel score: the following arguments are required: --policy (see perfmodel score --help)
    2
    """
    args = None
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        return int(args.func(args) or 0)
    except PerfmodelError as exc:
        print(f"perfmodel: error: {_worded(exc, args)}", file=sys.stderr)
        return 2
    except CheckFailed as exc:
        print(f"perfmodel: check failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("perfmodel: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _worded(exc: Exception, args) -> str:
    """The error line in the command's ``--lang`` when the error can word itself (``text(lang=...)``)."""
    lang = getattr(args, "lang", "en")
    if lang != "en" and callable(getattr(exc, "text", None)):
        return exc.text(lang=lang)
    return str(exc)
