"""The five actors, cast by role."""

from .base import Actor
from .counterpart import Counterpart
from .executive import Executive
from .opposition import Opposition
from .patron import Patron
from .public import Public

ACTOR_CLASSES: dict[str, type[Actor]] = {
    "executive": Executive,
    "counterpart": Counterpart,
    "patron": Patron,
    "opposition": Opposition,
    "public": Public,
}

__all__ = ["ACTOR_CLASSES", "Actor", "Counterpart", "Executive", "Opposition", "Patron", "Public"]
