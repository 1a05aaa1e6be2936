"""The shipped scenario files (data only): installed as `diplosim.scenarios`, found with importlib.resources."""
