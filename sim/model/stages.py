"""The agreement's stages as module constants, for the model's hot paths.

Comparing a stage with one of these (``stage is IN_FORCE``) reads a constant;
``Stage.IN_FORCE`` looks the member up on the enum each time, which the
compiled model (`diplosim.model`, ``COMPILED_MODULES``) cannot make fast.
Same objects as `domain.lifecycle.Stage`'s members.
"""

from __future__ import annotations

from typing import Final

from ..domain.lifecycle import Stage

NO_TALKS: Final = Stage.NO_TALKS
NEGOTIATING: Final = Stage.NEGOTIATING
INITIALLED: Final = Stage.INITIALLED
CABINET_APPROVED: Final = Stage.CABINET_APPROVED
IN_FORCE: Final = Stage.IN_FORCE
NOTICE_GIVEN: Final = Stage.NOTICE_GIVEN
TERMINATED: Final = Stage.TERMINATED
SUSPENDED: Final = Stage.SUSPENDED
NORMALISED: Final = Stage.NORMALISED
