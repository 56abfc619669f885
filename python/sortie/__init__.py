"""sortie from Python: run scenarios and get their trajectories as xarray Datasets.

    import sortie
    ds = sortie.run("scenarios/france-2020/lockdown.yaml",
                    set={"population.scale": 0.001}, replicates=4, threads=2)
    ds.counts.sel(state="C").sum(["region", "age_band"])   # people in ICU, [replicate, time]

Each Dataset holds what `sortie run` writes in the scenario's group of the result file, as
`xarray.open_dataset(path, engine="h5netcdf", group=NAME)` reads it back: the same variables,
dimensions, labels, dtypes and attributes (docs/output.md), except the transmission log, which
is never kept. See docs/python.md.
"""

import json
import numbers
import os

import numpy as np
import xarray as xr

from . import _sortie

__all__ = ["run", "validate", "ScenarioError"]


class ScenarioError(ValueError):
    """A scenario that cannot be used: every problem of the file, each in `messages` as
    "file:line:column: key.path: message" (the text `sortie validate` prints); str() joins
    them with line breaks."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))

    def __reduce__(self):
        return (type(self), (self.messages,))


def _yaml_value(value):
    """A value of `set` as YAML text."""
    if isinstance(value, str):
        return value  # already YAML text: 2020-05-11, 0.5, [idf, ara], ...
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if value is None or isinstance(value, (bool, np.bool_)):
        return json.dumps(None if value is None else bool(value))  # null, true, false
    if isinstance(value, numbers.Number):
        return str(value)
    if hasattr(value, "isoformat"):  # datetime.date
        return value.isoformat()
    # Lists and mappings: JSON is YAML flow syntax.
    return json.dumps(value, default=_json_default)


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"cannot write {value!r} ({type(value).__name__}) as a scenario value")


def _overrides(set):
    """`set` as "key.path=value" strings, as given to `sortie run --set`."""
    if set is None:
        return []
    if isinstance(set, str):
        return [set]
    if isinstance(set, dict):
        return [f"{key}={_yaml_value(value)}" for key, value in set.items()]
    overrides = list(set)
    for assignment in overrides:
        if not isinstance(assignment, str):
            raise TypeError(f"set: expected a dict or 'key=value' strings, got {assignment!r}")
    return overrides


def _paths(scenarios):
    if isinstance(scenarios, (str, os.PathLike)):
        return [os.fspath(scenarios)], True
    return [os.fspath(path) for path in scenarios], False


def _dataset(values):
    """An xarray Dataset from one scenario's values (python/sortie_module.cpp)."""
    replicates = int(values["attrs"]["replicates"])
    start = np.datetime64(values["start_date"], "D")
    days = start + np.arange(values["days"])
    coords = {
        "replicate": ("replicate", np.arange(replicates, dtype=np.int32)),
        "time": ("time", days.astype("datetime64[ns]")),
        "date": ("time", np.datetime_as_string(days, unit="D").astype(object)),
    }
    for axis, labels in values["labels"].items():
        coords[axis] = (axis, np.array(labels, dtype=object))
    data_vars = {
        name: xr.Variable(dims, array, attrs)
        for name, dims, array, attrs in values["fields"]
    }
    # The unit and kind of each resource: plain variables, as xarray reads them from the file.
    if "resource" in values["labels"]:
        for name in ("resource_unit", "resource_kind"):
            labels, description = values[name]
            data_vars[name] = xr.Variable(
                "resource", np.array(labels, dtype=object),
                {"description": description, "dimensions": "resource"})
    ds = xr.Dataset(data_vars, coords, attrs=dict(values["attrs"]))
    # How the result file stores time, for Dataset.to_netcdf.
    ds["time"].encoding.update(
        {"units": f"days since {values['start_date']}", "calendar": "proleptic_gregorian",
         "dtype": np.dtype("int32")})
    return ds


def run(scenarios, set=None, replicates=None, seed=None, threads=None):
    """Runs scenario files and returns their trajectories as xarray Datasets.

    scenarios: a scenario file (str or path), or a list of them.
    set: overrides, as `sortie run --set`: a dict {"key.path": value} (values are written as
        YAML: str() for numbers, true/false/null, JSON flow syntax for lists and mappings;
        strings are taken as YAML text) or a list of "key.path=value" strings.
    replicates, seed: override the scenarios' (applied after `set`, as `sortie run
        --replicates --seed`).
    threads: worker threads (default: the CPUs available); results do not depend on it.

    Returns, for a single file holding one scenario, its xarray.Dataset; otherwise (a list of
    files, or a file with a `sweep:`) a dict {scenario name: Dataset} in run order. Each Dataset
    is the scenario's group of the result file `sortie run` writes for the same scenarios and
    seed (docs/output.md): variables counts, incidence, r0_realised, measures, and
    interventions_active, hospital and supplies (with resource_unit and resource_kind) when
    the scenario has them; the group's attributes (seed, agents, start_date, scenario_yaml,
    replicates) in ds.attrs and each variable's description and dimensions in its attrs. The
    transmission log (`sortie run --transmissions`) is not available here.

    Raises ScenarioError for bad scenarios (before anything runs), MemoryError when the run
    would not fit in the memory available, RuntimeError for other failures, and
    KeyboardInterrupt on Ctrl-C, at the next simulated day boundary (nothing is returned).
    """
    files, single = _paths(scenarios)
    if not files:
        raise ValueError("run: no scenario file given")
    overrides = _overrides(set)
    if replicates is not None:
        overrides.append(f"replicates={int(replicates)}")
    if seed is not None:
        overrides.append(f"seed={int(seed)}")
    if threads is None:
        threads = 0
    elif int(threads) < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    try:
        results = _sortie.run(files, overrides, int(threads))
    except _sortie.InputError as error:
        raise ScenarioError(error.args[1]) from None
    datasets = {}
    for values in results:
        if values["name"] in datasets:
            raise ValueError(f"two scenarios are named '{values['name']}'")
        datasets[values["name"]] = _dataset(values)
    if single and len(datasets) == 1:
        return next(iter(datasets.values()))
    return datasets


def validate(scenario, set=None):
    """Checks a scenario file as `sortie validate` does, every point of its sweep: read for a
    run when it has a start date (after extends and `set`), else as a population scenario.

    Returns the names of its scenarios (one per sweep point); raises ScenarioError with every
    problem found.
    """
    try:
        return _sortie.validate(os.fspath(scenario), _overrides(set))
    except _sortie.InputError as error:
        raise ScenarioError(error.args[1]) from None
