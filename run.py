#!/usr/bin/env python3
"""Run diplosim from a clone: the same program as the `diplosim` command."""

import sys

from diplosim.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
