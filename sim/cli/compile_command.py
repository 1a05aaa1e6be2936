"""`compile`: build the compiled copy of the model's hot modules (mypyc), and say how to use it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..model import COMPILED_ENV, default_compiled_dir
from ..run.compiled import CompileError, build
from .common import EXIT_ERROR, EXIT_OK


def cmd_compile(args: argparse.Namespace) -> int:
    out = Path(args.out).expanduser() if args.out else default_compiled_dir()
    print(f"compile: building the model's hot modules with mypyc into {out} (a minute or two) ...",
          file=sys.stderr, flush=True)
    try:
        manifest = build(out)
    except CompileError as exc:
        print(f"compile: {exc}", file=sys.stderr)
        return EXIT_ERROR
    how = f"{COMPILED_ENV}=1" if not args.out else f"{COMPILED_ENV}={out}"
    print(f"compiled {len(manifest['modules'])} modules in {manifest['seconds']} s into {out}")
    print(f"use them with: {how} python run.py ...  (the same results as pure Python; any change to the "
          "sources needs a new compile, and the import says so)")
    return EXIT_OK


def add_compile_command(sub: Any) -> None:
    """Register `compile` on the subcommand parsers."""
    p = sub.add_parser("compile", help="compile the model's hot modules with mypyc (faster replications, "
                                       "same results); used where DIPLOSIM_COMPILED is set")
    p.add_argument("--out", metavar="DIR", help=f"where to put them (default {default_compiled_dir()})")
    p.set_defaults(func=cmd_compile)
