"""The posterior tables the docs print are the ones the code makes from the shipped posterior now.

A ship that remakes `scenarios/params/default.yaml` and `posterior.csv` must paste the new tables into
docs/model.md ("Parameter values") and docs/calibration.md ("The shipped posterior"); a ship that forgets
fails here, with the command that makes the table. No other source for the numbers: the test compares
each table with what the code prints from the shipped files.
"""

from __future__ import annotations

from diplosim.explore.posterior import marginal_table
from diplosim.present.paramdoc import parameter_table
from diplosim.scenario.params import load_parameters
from tests.conftest import PARAMS, REPO


def _flat(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def test_the_model_descriptions_parameter_values_are_the_shipped_files():
    doc = _flat((REPO / "docs" / "model.md").read_text(encoding="utf-8"))
    table = _flat(parameter_table(load_parameters(PARAMS)))
    assert table in doc, ("docs/model.md's 'Parameter values' tables are not the shipped file's: paste in the output "
                          "of `python -m diplosim.present.paramdoc scenarios/params/default.yaml`")


def test_the_calibration_notes_posterior_table_is_the_shipped_posterior():
    params = load_parameters(PARAMS)
    assert params.posterior is not None, "the shipped parameter file names no posterior"
    doc = _flat((REPO / "docs" / "calibration.md").read_text(encoding="utf-8"))
    table = _flat(marginal_table(params.posterior, markdown=True))
    assert len(table.splitlines()) == 2 + len(params.posterior.names)
    assert table in doc, ("docs/calibration.md's table of the shipped posterior is not the shipped posterior's: "
                          "paste in the table `python run.py posterior --markdown` prints")
