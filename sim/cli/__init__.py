"""The command line: argument parsing and printing only; the logic is in the other subpackages.

`main.main` is the entry point of `diplosim`, `python run.py` and `python -m diplosim.cli`.
"""
