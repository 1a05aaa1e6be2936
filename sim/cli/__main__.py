"""`python -m diplosim.cli`: the same program as `diplosim` and `python run.py`."""

import sys

from .main import main

sys.exit(main())
