"""diplosim's tests.

They test the pure-Python model: a DIPLOSIM_COMPILED set in the shell is dropped here, before
anything imports diplosim (tests/test_compiled.py runs the compiled copy in child processes of its
own and compares it with the pure one).
"""

import os

os.environ.pop("DIPLOSIM_COMPILED", None)
