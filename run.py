#!/usr/bin/env python3
"""Run diplosim from a clone: the same program as the `diplosim` command."""

import signal
import sys


def _stopped_while_starting(signum: int, frame: object) -> None:
    # a signal before the command line is ready: nothing has been written yet
    name = "terminated" if signum == signal.SIGTERM else "interrupted"
    print(f"diplosim: {name} while starting; nothing was written", file=sys.stderr)
    sys.exit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stopped_while_starting)
    signal.signal(signal.SIGINT, _stopped_while_starting)
    from diplosim.cli.main import main

    sys.exit(main())
