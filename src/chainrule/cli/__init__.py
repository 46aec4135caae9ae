"""The `chainrule` command line: a thin layer that parses, calls the library and presents.

Each subcommand's module is imported only when it runs, so ``chainrule --help`` stays fast.
User errors (bad values, missing files, unknown names) print one line ``error: ...`` on stderr
and exit with status 2; no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .common import UserError

EXIT_USAGE = 2
COMMANDS = ["train", "evaluate", "predict", "gradcheck"]  # modules of this package
__all__ = ["EXIT_USAGE", "UserError", "main"]


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line ``error: ...`` (see ``--help`` for usage)."""

    def error(self, message):
        print(f"error: {self.prog.split()[-1]}: {message} (see {self.prog} --help)",
              file=sys.stderr)
        sys.exit(EXIT_USAGE)


def build_parser():
    from .. import __version__

    parser = Parser(
        prog="chainrule",
        description="Image classification from first principles: train linear classifiers, kNN "
                    "and neural networks on real images, check gradients, explore the course.",
    )
    parser.add_argument("--version", action="version", version=f"chainrule {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f".{name}", __name__).add_parser(subparsers)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.handler(args) or 0
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (ValueError, TypeError, KeyError, OSError, ImportError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
