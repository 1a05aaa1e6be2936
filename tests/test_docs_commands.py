"""The commands in the teaching guide, the gallery and the README exist and parse as written."""

import re
import shlex
from pathlib import Path

import pytest

from diplosim.cli.main import build_parser
from diplosim.domain.mechanisms import ALL_MECHANISMS
from diplosim.present.run_figures import FIGURE_NAMES
from diplosim.scenario.params import load_parameters

REPO = Path(__file__).resolve().parent.parent
DOCS = ["docs/teaching.md", "docs/gallery.md", "README.md"]
NOT_YET: set[str] = set()  # commands a guide may mention before they exist (marked **Optional)


def _commands(text: str) -> list[str]:
    """Every `python run.py ...` command, in fenced blocks or inline code, split at &&."""
    found = re.findall(r"^python run\.py [^\n]*", text, re.M) + re.findall(r"`(python run\.py [^`]*)`", text)
    return [part.strip() for cmd in found for part in cmd.split("&&")]


@pytest.mark.parametrize("doc", DOCS)
def test_every_documented_command_parses(doc):
    commands = _commands((REPO / doc).read_text(encoding="utf-8"))
    assert commands, f"no commands found in {doc}"
    parser = build_parser()
    params = set(load_parameters().values)
    for cmd in commands:
        words = shlex.split(cmd.split("#")[0])[2:]
        if words[0] in NOT_YET or {"SCENARIO", "RESULTS_DIR", "STORE"} & set(words):
            continue  # optional future commands, and the README's usage synopsis
        args = parser.parse_args(words)
        for item in getattr(args, "set", None) or []:
            path = item.split("=", 1)[0]
            if path.startswith("params."):
                assert path.split(".", 1)[1] in params, cmd
            if path.startswith("mechanisms."):
                assert path.split(".", 1)[1] in ALL_MECHANISMS, cmd


def test_the_teaching_guide_marks_future_commands_as_optional():
    text = (REPO / "docs/teaching.md").read_text(encoding="utf-8")
    for cmd in _commands(text):
        if shlex.split(cmd)[2] in NOT_YET:
            before = text[:text.index(cmd)].rsplit("\n\n", 1)[-1]
            assert before.startswith("**Optional"), cmd


def _written_by(cmd: str) -> tuple[Path, set[str]] | None:
    """(folder, image names) a gallery command draws into, or None for a command that draws nothing."""
    words = shlex.split(cmd)
    if words[2] == "plot":
        folder = words[words.index("-o") + 1]
        names = {"marginals", "pairs"} if words[3].startswith("scenarios/params") else set(FIGURE_NAMES)
        return REPO / folder, {f"{n}.png" for n in names}
    if words[2] == "sweep" and "--plot" in words:
        return REPO / words[words.index("--out") + 1], None  # sweep-OUTCOME.png, one per outcome
    return None


def test_gallery_images_are_the_files_its_commands_write():
    text = (REPO / "docs/gallery.md").read_text(encoding="utf-8")
    made = [w for w in (_written_by(c) for c in _commands(text)) if w is not None]
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert images
    for image in images:
        path = REPO / "docs" / image
        assert path.is_file(), f"{image}: not in the repository (run the gallery's commands)"
        folders = [names for folder, names in made if folder == path.parent]
        assert folders, f"{image}: no command in the gallery draws into {path.parent.relative_to(REPO)}"
        names = folders[0]
        assert (names is None and path.name.startswith("sweep-")) or (names and path.name in names), image


def test_every_page_control_the_seminar_names_is_on_the_page():
    # The guide names the page's controls and panels in bold quotes (**"Run"**); each must be a label,
    # button, heading or option of the real page, word for word.
    text = (REPO / "docs/teaching.md").read_text(encoding="utf-8")
    named = re.findall(r'\*\*"(.*?)"\*\*', text)
    assert len(named) >= 10, named
    static = REPO / "sim" / "present" / "classroom_static"
    page = (static / "index.html").read_text(encoding="utf-8") + (static / "app.js").read_text(encoding="utf-8")
    page = page.replace("&quot;", '"')
    missing = [name for name in named if name not in page]
    assert not missing, missing
