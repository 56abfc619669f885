#!/usr/bin/python3
"""Draws a sortie result file as one PNG that compares its scenarios against calendar dates.

usage: tools/plot.py RESULTS.h5 [-o PLOT.png] [--reference CSV] [--reference-population N]
                     [--icu-beds-per-100k X]

Panels, one colour per scenario, each with the median over replicates as a line and the 50%
and 90% ranges (25-75% and 5-95% quantiles, numpy's default interpolation) as bands; a scenario
with one replicate gets the line alone. All are summed over regions and age bands:

- ward occupancy: people in hospital outside ICU (state H) at the end of each day; when the
  file has follow-up care (state F), a dotted line adds it, as France's hospital count did;
- Needing ICU: people in state C (critical: in ICU, or refused one when the run has a
  `hospitals:` section), with a dashed line for ICU capacity;
- hospital admissions per day (event hospital_admissions);
- deaths per day (event deaths: in hospital and outside);
- infections per day (event infections).

Interventions: a strip under the panels has one row per intervention name, and in it one thin
bar per scenario, in the scenario's colour, over the days when that intervention was in force
in at least half of the scenario's replicates (a triggered intervention, such as a stop-and-go
re-lockdown, may switch on and off at different days in different replicates). Shading the
data panels themselves would stack one translucent layer per scenario and intervention and hide
the curves as soon as two scenarios are compared; separate rows keep every period readable.

Hospitals: a scenario run with `hospitals:` has its own beds per day (the `hospital` dataset,
summed over regions), drawn as a dashed step line in its colour in the ward and ICU panels,
with the patients actually in beds (occupancy, median over replicates) as a dotted line next
to the demand: the gap between them is the patients refused a bed. Where the staff present
run fewer beds than exist (`hospitals.staff`), the effective capacity (median over replicates)
is a dash-dotted step line. With `hospitals.supplies`, each resource that ran short in some
replicate is marked in the ICU panel by a vertical dotted line at the median of its first
shortage day (over the replicates with a shortage), labelled with its name and in how many
replicates it ran short. For the others it is
drawn at X beds per 100,000 people, scaled to the run: X * agents / 100,000,
with agents the scenario's `agents` attribute, so that a run at population.scale=0.01 is
compared with 1% of the beds. The default X = 8.1 is France before the 2020 surge: 5,433 adult
and paediatric intensive-care ("réanimation") beds on 31 December 2019, France including its
overseas departments (DREES, SAE 2019; DREES, "Les établissements de santé", 2021 edition),
for 67.064 million people on 1 January 2020 (INSEE, Papon and Beaumel, "Bilan démographique
2019", Insee Première 1789, 2020). The surge plan took France to about 10,000 ICU beds in
April 2020 (about 15 per 100,000: --icu-beds-per-100k 15).

--reference CSV overlays observed series as black dots. The CSV needs a `date` column
(YYYY-MM-DD); its other columns are matched to panels by name: `icu`, `ward`, `hospitalised`
(ward + ICU + follow-up care, as France counted it: the ward panel gets hospitalised - icu,
to set against its dotted line), `hospital_admissions`, `deaths`,
`hospital_deaths`, `infections`. A name ending in `_cumulative` is a running total: the panel
gets its daily differences (spread evenly over days without a report). Other columns are
ignored with a note on stderr. Empty cells mean not reported. Observed counts are rescaled by
agents / --reference-population (default 67,064,000, France on 1 January 2020, INSEE as above),
so a series for all of France compares with a run of any size; for a reference that already
has the run's size, give the run's agents. scenarios/data/france-2020/ holds France's national
hospital series of the first wave (its README gives the source and licence), and regions/ its
series by metropolitan region: a table with a `region_code` column is summed over its regions
day by day (a day empty in one region is left out), its `hospitalised`, `icu`, `admissions`
and `deaths` (hospital deaths) drawn; give --reference-population 64844037, metropolitan
France's people (scenarios/data/france/regions.csv), with it. `tools/validate-france-2020`
draws the regions one by one.

A fit's result (`sortie fit`, docs/fitting.md) is drawn differently: one panel per target
with the observed series (dots), the fitted one at the best values (line) and, with a posterior
sample, its 5-95% band by day, in the target's own units (people, or agents when the data
count agents); then one panel per parameter with the posterior's weighted histogram over the
parameter's range (without a posterior, the loss of every evaluation against the parameter's
value), the best value as a vertical line. The options above do not apply to it.

Runs with Debian's python3-h5py and python3-matplotlib through /usr/bin/python3. Writes
RESULTS.png next to RESULTS.h5 unless -o says otherwise.

Before reading RESULTS.h5 it checks the file's seal (sortie_seal.py, next to this script; see
docs/output.md). A file it cannot use (missing, not a regular file, an unfinished .partial
file, truncated, damaged, without a seal, or without what a plot needs), an unreadable
reference CSV or an unwritable PNG gives one line on stderr, `plot.py: FILE: what is wrong`,
and exit code 2; a bad command line exits 2 too, with argparse's usage message.
"""
import argparse
import csv
import datetime as dt
import os
import sys
from dataclasses import dataclass

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

# sortie_seal.py lives next to this script (through a symbolic link too).
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from sortie_seal import READ_ERRORS, BadFile, names_in_run_order, report, verify, why  # noqa: E402

# DREES (SAE 2019): 5,433 ICU beds in France on 31 Dec 2019; INSEE: 67.064 M people on
# 1 Jan 2020; 5,433 / 670.64 = 8.1 per 100,000. Sources in full in the docstring above.
DEFAULT_ICU_BEDS_PER_100K = 8.1
FRANCE_POPULATION_2020 = 67_064_000

# (key, title, kind, name in the file): occupancy panels read a state of `counts` (with
# hospitals, the ICU panel adds the patients waiting for ICU: read_scenario), flow panels an
# event of `incidence`.
PANELS = [
    ("ward", "Needing a ward bed", "state", "H"),
    ("icu", "Needing ICU", "state", "C"),
    ("admissions", "Hospital admissions per day", "event", "hospital_admissions"),
    ("deaths", "Deaths per day", "event", "deaths"),
    ("infections", "Infections per day", "event", "infections"),
]

# Reference CSV columns (without a `_cumulative` suffix) and the panel they belong to.
REFERENCE_PANELS = {
    "ward": "ward",
    "icu": "icu",
    "hospital_admissions": "admissions",
    "admissions": "admissions",
    "deaths": "deaths",
    "hospital_deaths": "deaths",
    "infections": "infections",
}
# Columns of Santé publique France's regional file with no panel of their own, left out
# without a note (discharges; hospital deaths come as daily `deaths` too).
REFERENCE_IGNORED = {"discharged_cumulative", "discharges", "icu_admissions"}
# Columns counting ward + ICU together, as France reported "hospitalisés".
REFERENCE_HOSPITAL_TOTALS = {"hospitalised", "hospitalized", "hospital"}
QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95]


@dataclass
class Scenario:
    name: str
    agents: int
    dates: list               # datetime.date of each day
    series: dict              # panel key -> int array [replicate, day]
    interventions: list       # intervention names
    periods: list             # per intervention: [(first_day, end_day)) in force
    icu_capacity: object = None  # ICU beds per day, summed over regions (files with `hospital`)
    hospital: object = None   # hospital measure name -> array [replicate, day], summed over regions
    shortages: list = None    # (resource, median first shortage day, replicates short, replicates)


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def runs(flags):
    """The half-open index ranges [start, end) over which `flags` (1-D, bool) is True."""
    padded = np.concatenate(([0], np.asarray(flags, dtype=np.int8), [0]))
    edges = np.flatnonzero(np.diff(padded))
    return [(int(start), int(end)) for start, end in zip(edges[::2], edges[1::2])]


def periods_in_force(active):
    """For active[replicate, day, intervention] (nonzero = in force), the periods of each
    intervention, as lists of half-open day ranges [first, end), during which it is in force
    in at least half of the replicates."""
    active = np.asarray(active)
    replicates, _, interventions = active.shape
    if replicates == 0:
        return [[] for _ in range(interventions)]
    in_force = 2 * np.count_nonzero(active, axis=0) >= replicates  # [day, intervention]
    return [runs(in_force[:, i]) for i in range(interventions)]


def groups_in_run_order(f):
    """Scenario groups in the order of the run."""
    return [(name, f[name]) for name in names_in_run_order(f) if isinstance(f[name], h5py.Group)]


def read_scenario(name, group):
    states = [text(s) for s in group["state"][()]]
    events = [text(e) for e in group["event"][()]]
    by_state = group["counts"][()].sum(axis=(2, 3))       # [replicate, day, state]
    by_event = group["incidence"][()].sum(axis=(2, 3))    # [replicate, day, event]
    series = {}
    for key, _, kind, label in PANELS:
        source, labels = (by_state, states) if kind == "state" else (by_event, events)
        series[key] = source[:, :, labels.index(label)]
    start = dt.date.fromisoformat(text(group.attrs["start_date"]))
    dates = [start + dt.timedelta(days=d) for d in range(by_state.shape[1])]
    interventions, periods = [], []
    if "interventions_active" in group:
        interventions = [text(n) for n in group["intervention"][()]]
        periods = periods_in_force(group["interventions_active"][()])
    if "F" in states:
        # Survivors in follow-up care: out of the acute beds, but in France's hospital counts.
        series["follow_up"] = by_state[:, :, states.index("F")]
    hospital = hospital_of(group)
    if hospital is not None and "icu_waiting" in hospital:
        # Patients refused ICU wait in state H (a ward bed or home): they are ICU demand too.
        series["icu"] = series["icu"] + hospital["icu_waiting"]
    return Scenario(name, int(group.attrs["agents"]), dates, series, interventions, periods,
                    icu_capacity_of(group), hospital, first_shortages(group))


def hospital_of(group):
    """The hospital records summed over regions, {measure: array [replicate, day]}, or None."""
    if "hospital" not in group:
        return None
    names = [text(n) for n in group["hospital_measure"][()]]
    totals = group["hospital"][()].sum(axis=2)  # [replicate, day, measure]
    return {name: totals[:, :, i] for i, name in enumerate(names)}


def first_shortages(group):
    """For each resource short in some region on some day of at least one replicate:
    (name, median over those replicates of the first such day rounded down, their number,
    all replicates). Empty without supplies."""
    if "supplies" not in group:
        return []
    names = [text(n) for n in group["resource"][()]]
    measures = [text(m) for m in group["supply_measure"][()]]
    short = group["supplies"][..., measures.index("shortage")] > 0  # [rep, day, region, res]
    short = short.any(axis=2)  # [replicate, day, resource]
    result = []
    for i, name in enumerate(names):
        firsts = [int(np.argmax(days)) for days in short[:, :, i] if days.any()]
        if firsts:
            result.append((name, int(np.floor(np.median(firsts))), len(firsts), short.shape[0]))
    return result


def icu_capacity_of(group):
    """The run's own ICU beds per day (the same in every replicate), or None without hospitals."""
    if "hospital" not in group:
        return None
    names = [text(n) for n in group["hospital_measure"][()]]
    return group["hospital"][0, :, :, names.index("icu_capacity")].sum(axis=1)


# What reading a file that is sealed but not what plot.py expects may raise: h5py's errors
# (OSError, KeyError, ValueError, RuntimeError), a missing label (ValueError), a dataset of
# another shape or type (IndexError, TypeError, numpy's AxisError).
def scenarios_of(f, path):
    """The scenarios of an open result file; BadFile if it is not one plot.py can draw."""
    try:
        if int(f.attrs.get("complete", 0)) != 1:
            raise BadFile(path, "incomplete result file (no complete = 1)")
        scenarios = [read_scenario(name, group) for name, group in groups_in_run_order(f)]
    except READ_ERRORS as e:
        raise BadFile(path, f"not a result file plot.py can read ({why(e)})") from None
    if not scenarios:
        raise BadFile(path, "no scenario in the file")
    for s in scenarios:
        replicates, days = s.series["icu"].shape
        if replicates == 0 or days == 0:
            raise BadFile(path, f"scenario '{s.name}' has {replicates} replicates of {days} "
                                "days: nothing to draw")
    return scenarios


def open_sealed(path):
    """The sealed file at `path`, open with h5py after its seal is checked; BadFile if not."""
    verify(path)
    try:
        return h5py.File(path, "r")
    except READ_ERRORS as e:
        raise BadFile(path, f"sealed, but HDF5 cannot open it ({why(e)})") from None


def read_results(path):
    """The scenarios of the result file at `path`, its seal checked; BadFile if unusable."""
    with open_sealed(path) as f:
        return scenarios_of(f, path)


def daily_from_cumulative(dates, totals):
    """Daily increments of a running total reported on some dates (NaN: not reported): each
    increment is spread evenly over the days since the previous report, and dated at the report.
    Returns (dates, per-day values)."""
    reported = [(d, v) for d, v in zip(dates, totals) if not np.isnan(v)]
    out_dates, out_values = [], []
    for (previous_date, previous), (date, total) in zip(reported, reported[1:]):
        out_dates.append(date)
        out_values.append((total - previous) / (date - previous_date).days)
    return out_dates, np.array(out_values)


def summed_over_regions(path, rows):
    """A long table of several regions (a `region_code` column, as Santé publique France's
    regional file) summed over its regions, one row a day; a day with an empty cell in some
    region, or without a row for every region, is empty."""
    by_date, regions_of = {}, {}
    for r in rows:
        day = by_date.setdefault(r["date"], {"date": r["date"]})
        regions_of.setdefault(r["date"], set()).add(r["region_code"])
        for name, cell in r.items():
            if name in ("date", "region_code", "region"):
                continue
            if cell in (None, "") or day.get(name, 0) is None:
                day[name] = None
                continue
            try:
                day[name] = day.get(name, 0) + float(cell)
            except ValueError:
                raise BadFile(path, f"column '{name}' holds '{cell}', not a number") from None
    regions = set().union(*regions_of.values())
    for date, day in by_date.items():
        if regions_of[date] != regions:
            for name in day:
                if name != "date":
                    day[name] = None
    return [{k: ("" if v is None else v) for k, v in day.items()} for day in by_date.values()]


def read_reference(path):
    """The reference CSV as {panel key: [(label, dates, values)]}, unscaled; BadFile when it
    cannot be read or is not such a table."""
    try:
        return reference_series(path)
    except BadFile:
        raise
    except OSError as e:
        raise BadFile(path, f"cannot read: {e.strerror or e}") from None
    except (ValueError, KeyError, TypeError, IndexError, csv.Error) as e:
        raise BadFile(path, f"not a reference table plot.py can read ({why(e)})") from None


def reference_series(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or "date" not in rows[0]:
        raise BadFile(path, "expected a CSV with a 'date' column and at least one row")
    if "region_code" in rows[0]:
        rows = summed_over_regions(path, rows)
    dates = [dt.date.fromisoformat(r["date"]) for r in rows]

    def column(name):
        return np.array([float(r[name]) if r[name] not in (None, "") else np.nan for r in rows])

    series = {}
    for name in rows[0]:
        if name == "date":
            continue
        base = name.removesuffix("_cumulative")
        if name in REFERENCE_IGNORED or (name == "hospital_deaths_cumulative" and
                                          "deaths" in rows[0]):
            continue
        if base in REFERENCE_HOSPITAL_TOTALS and "icu" in rows[0]:
            panel, values = "ward", column(name) - column("icu")
            label = f"observed {name} - icu"
        elif base in REFERENCE_PANELS:
            panel, values, label = REFERENCE_PANELS[base], column(name), f"observed {name}"
        else:
            print(f"plot.py: {path}: column '{name}' matches no panel; ignored", file=sys.stderr)
            continue
        series_dates = dates
        if name != base:
            series_dates, values = daily_from_cumulative(dates, values)
            label += " (daily)"
        series.setdefault(panel, []).append((label, series_dates, values))
    return series


def draw_scenario(axes, scenario, colour):
    for key, *_ in PANELS:
        axis, values = axes[key], scenario.series[key]
        if values.shape[0] > 1:
            q = np.quantile(values, QUANTILES, axis=0)
            axis.fill_between(scenario.dates, q[0], q[4], color=colour, alpha=0.15, linewidth=0)
            axis.fill_between(scenario.dates, q[1], q[3], color=colour, alpha=0.3, linewidth=0)
            median = q[2]
        else:
            median = values[0]
        axis.plot(scenario.dates, median, color=colour, linewidth=1.4,
                  label=f"{scenario.name} (n={values.shape[0]})")
    if "follow_up" in scenario.series:
        # France's `hospitalised - icu` counted the wards and follow-up care together.
        total = np.median(scenario.series["ward"] + scenario.series["follow_up"], axis=0)
        axes["ward"].plot(scenario.dates, total, color=colour, linewidth=1, linestyle=":",
                          label=f"{scenario.name}: ward + follow-up care")


def draw_icu_capacity(axis, scenarios, beds_per_100k, colours):
    """The run's ICU beds for scenarios with hospitals, else X per 100,000 people."""
    for scenario, colour in zip(scenarios, colours):
        if scenario.icu_capacity is not None:
            axis.step(scenario.dates, scenario.icu_capacity, where="post", color=colour,
                      linestyle="--", linewidth=1, label=f"{scenario.name}: ICU beds of the run")
    for agents in sorted({s.agents for s in scenarios if s.icu_capacity is None}):
        beds = beds_per_100k * agents / 100_000
        shown = f"{beds:,.0f}" if beds >= 100 else f"{beds:.3g}"
        label = f"ICU beds, {beds_per_100k:g} per 100,000: {shown} for {agents:,} agents"
        axis.axhline(beds, color="0.3", linestyle="--", linewidth=1, label=label)


def draw_beds(axis, scenario, colour, unit):
    """Occupancy next to demand; ward beds (ICU beds are drawn by draw_icu_capacity); the
    effective capacity where the staff run fewer beds than exist."""
    h, name = scenario.hospital, scenario.name
    axis.plot(scenario.dates, np.median(h[f"{unit}_occupancy"], axis=0), color=colour,
              linestyle=":", linewidth=1.6, label=f"{name}: in beds (occupancy, median)")
    beds = h[f"{unit}_capacity"][0]
    if unit == "ward":
        axis.step(scenario.dates, beds, where="post", color=colour, linestyle="--",
                  linewidth=1, label=f"{name}: ward beds of the run")
    effective = np.median(h[f"{unit}_effective_capacity"], axis=0)
    if np.any(effective < beds):
        axis.step(scenario.dates, effective, where="post", color=colour, linestyle="-.",
                  linewidth=1, label=f"{name}: beds the staff can run (median)")


def shortage_labels(shortages):
    """{day: label}: the resources first short on the same day share one line and label."""
    labels = {}
    for resource, day, short, replicates in shortages:
        labels.setdefault(day, []).append(f"{resource} ({short}/{replicates})")
    return {day: " " + ", ".join(names) + " short" for day, names in labels.items()}


def draw_shortages(axis, scenario, colour):
    """A labelled vertical line at the median first shortage day of each resource."""
    for day, label in shortage_labels(scenario.shortages or []).items():
        date = scenario.dates[day]
        axis.axvline(date, color=colour, linestyle=(0, (1, 2)), linewidth=1)
        axis.text(date, 0.98, label, transform=axis.get_xaxis_transform(), rotation=90,
                  va="top", ha="right", fontsize=7, color=colour)


def draw_hospitals(axes, scenario, colour):
    if scenario.hospital is None:
        return
    draw_beds(axes["ward"], scenario, colour, "ward")
    draw_beds(axes["icu"], scenario, colour, "icu")
    draw_shortages(axes["icu"], scenario, colour)


def draw_reference(axes, reference, scale):
    markers = iter("o^sDv" * 4)
    for panel, series in reference.items():
        for label, dates, values in series:
            axes[panel].plot(dates, values * scale, linestyle="none", marker=next(markers),
                             markersize=2.5, color="black", label=f"{label} \u00d7 {scale:.3g}")


def draw_interventions(axis, scenarios, colours):
    """One row per intervention name, a thin bar per scenario for its periods in force."""
    axis.set_title("Interventions in force (in at least half of the replicates)", fontsize=10)
    names = []
    for s in scenarios:
        names += [n for n in s.interventions if n not in names]
    if not names:
        axis.text(0.5, 0.5, "no interventions", transform=axis.transAxes, ha="center",
                  va="center", color="0.4")
        axis.set_yticks([])
        return
    lane = 0.8 / len(scenarios)
    for s, colour in zip(scenarios, colours):
        first = mdates.date2num(s.dates[0])
        for name, periods in zip(s.interventions, s.periods):
            row = names.index(name)
            offset = row - 0.4 + lane * scenarios.index(s)
            spans = [(first + start, end - start) for start, end in periods]
            axis.broken_barh(spans, (offset, lane * 0.85), color=colour)
    axis.set_yticks(range(len(names)), names, fontsize=8)
    axis.set_ylim(len(names) - 0.5, -0.5)


def layout(intervention_rows):
    """The figure and its axes by panel key, plus 'legend' and 'interventions'."""
    strip = max(1.0, 0.28 * intervention_rows)
    figure = plt.figure(figsize=(13, 10 + strip), layout="constrained")
    grid = figure.add_gridspec(4, 2, height_ratios=[3, 3, 3, strip])
    first = figure.add_subplot(grid[0, 0])
    axes = {"ward": first}
    for key, cell in zip(["icu", "admissions", "deaths", "infections"],
                         [grid[0, 1], grid[1, 0], grid[1, 1], grid[2, 0]]):
        axes[key] = figure.add_subplot(cell, sharex=first)
    axes["legend"] = figure.add_subplot(grid[2, 1])
    axes["interventions"] = figure.add_subplot(grid[3, :], sharex=first)
    return figure, axes


def finish(figure, axes, title):
    for key, panel_title, *_ in PANELS:
        axes[key].set_title(panel_title, fontsize=10)
        axes[key].grid(alpha=0.3)
        axes[key].set_ylim(bottom=0)
    locator = mdates.AutoDateLocator()
    axes["ward"].xaxis.set_major_locator(locator)
    # No offset text: it would name the last month; the title gives the dates with their year.
    axes["ward"].xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))
    axes["interventions"].grid(axis="x", alpha=0.3)
    handles = {}
    for key, *_ in PANELS:
        for handle, label in zip(*axes[key].get_legend_handles_labels()):
            handles.setdefault(label, handle)
    axes["legend"].axis("off")
    axes["legend"].legend(handles.values(), handles.keys(), loc="center", fontsize=8,
                          title="median; bands: 50% and 90% of replicates", title_fontsize=8)
    figure.suptitle(title, fontsize=11)


def title(path, scenarios):
    replicates = "/".join(str(n) for n in sorted({s.series["icu"].shape[0] for s in scenarios}))
    agents = "/".join(f"{n:,}" for n in sorted({s.agents for s in scenarios}))
    first = min(s.dates[0] for s in scenarios)
    last = max(s.dates[-1] for s in scenarios)
    return (f"{os.path.basename(path)}: {len(scenarios)} scenario(s), {replicates} replicate(s),"
            f" {agents} agents, {first} to {last}")


def parse_arguments():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", metavar="RESULTS.h5", help="result file written by sortie run")
    parser.add_argument("-o", "--output", metavar="PNG",
                        help="PNG to write (default: RESULTS.png)")
    parser.add_argument("--reference", metavar="CSV",
                        help="observed series to overlay (see below)")
    parser.add_argument("--reference-population", metavar="N", type=float,
                        default=FRANCE_POPULATION_2020,
                        help="people the reference counts cover; it is rescaled by agents / "
                             "this (default: %(default)d, France on 1 January 2020)")
    parser.add_argument("--icu-beds-per-100k", metavar="X", type=float,
                        default=DEFAULT_ICU_BEDS_PER_100K,
                        help="ICU capacity line, drawn at X * agents / 100,000 "
                             "(default: %(default)s, France before the 2020 surge)")
    args = parser.parse_args()
    if args.reference_population <= 0:
        parser.error("--reference-population must be positive")
    return args


@dataclass
class Fit:
    keys: list
    lower: object
    upper: object
    best: object
    sample: object
    weights: object
    tried: object
    losses: object
    targets: list   # (name, quantity, region, first date, {series name: values})


def fit_of(f, path):
    """The parts of an open fit file that draw_fit draws; BadFile if they are not there."""
    try:
        if int(f.attrs.get("complete", 0)) != 1:
            raise BadFile(path, "incomplete fit file (no complete = 1)")
        keys = [text(k) for k in f["parameters/key"][:]]
        lower, upper, best = (f["parameters"][n][:] for n in ("lower", "upper", "best"))
        sample, weights = f["posterior/values"][:], f["posterior/weight"][:]
        tried, losses = f["evaluations/values"][:], f["evaluations/loss"][:]
        targets = []
        for name in f["targets"]:
            group = f["targets"][name]
            first = dt.date.fromisoformat(text(group.attrs["first_date"]))
            series = {n: group[n][:] for n in ("observed", "fitted", "posterior_low",
                                               "posterior_high") if n in group}
            if "observed" not in series or "fitted" not in series:
                raise KeyError(f"target '{name}' has no observed or fitted series")
            region = text(group.attrs["region"]) or "all regions"
            targets.append((name, text(group.attrs["quantity"]), region, first, series))
    except READ_ERRORS as e:
        raise BadFile(path, f"not a fit file plot.py can read ({why(e)})") from None
    if not keys and not targets:
        raise BadFile(path, "a fit file without parameters or targets: nothing to draw")
    return Fit(keys, lower, upper, best, sample, weights, tried, losses, targets)


def draw_fit(path, fit, output):
    """A fit's targets (observed, fitted, posterior band) and posterior marginals."""
    keys, lower, upper, best = fit.keys, fit.lower, fit.upper, fit.best
    sample, weights, tried, losses = fit.sample, fit.weights, fit.tried, fit.losses
    targets = fit.targets
    panels = len(targets) + len(keys)
    columns = min(3, panels)
    rows = (panels + columns - 1) // columns
    figure, grid = plt.subplots(rows, columns, figsize=(5 * columns, 3.6 * rows), squeeze=False)
    cells = list(grid.flat)
    for axes, (name, quantity, region, first, series) in zip(cells, targets):
        days = [first + dt.timedelta(days=i) for i in range(len(series["observed"]))]
        if "posterior_low" in series:
            axes.fill_between(days, series["posterior_low"], series["posterior_high"],
                              color="C0", alpha=0.25, linewidth=0, label="posterior 5-95%")
        axes.plot(days, series["fitted"], color="C0", label="fitted (best values)")
        axes.plot(days, series["observed"], linestyle="none", marker="o", markersize=2.5,
                  color="black", label="observed")
        axes.set_title(f"{name}: {quantity}, {region}", fontsize=9)
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
        axes.legend(fontsize=7)
    for i, axes in enumerate(cells[len(targets):len(targets) + len(keys)]):
        if len(weights):
            axes.hist(sample[:, i], bins=20, range=(lower[i], upper[i]), weights=weights,
                      color="C1", alpha=0.7, label="posterior")
        elif len(losses):
            # No posterior: the loss of every evaluation against this parameter's value, which
            # shows how sharply the data pin it down (a flat floor is a ridge or no information).
            finite = np.isfinite(losses)
            axes.scatter(tried[finite, i], losses[finite], s=6, color="C1", alpha=0.6,
                         label="evaluations")
            axes.set_yscale("log")
            axes.set_ylabel("loss", fontsize=8)
        axes.axvline(best[i], color="black", linestyle="--", label=f"best {best[i]:.4g}")
        axes.set_xlim(lower[i], upper[i])
        axes.set_title(keys[i], fontsize=9)
        axes.legend(fontsize=7)
    for axes in cells[panels:]:
        axes.set_visible(False)
    figure.suptitle(f"{os.path.basename(path)}: fit of {len(keys)} parameter(s) to "
                    f"{len(targets)} target(s)", fontsize=10)
    figure.tight_layout()
    save(figure, output)


def save(figure, output):
    try:
        figure.savefig(output, dpi=110)
    except OSError as e:
        raise BadFile(output, f"cannot write the PNG: {e.strerror or e}") from None
    print(f"wrote {output}")


def read_file(path):
    """A fit (Fit) or the scenarios of a result file (list of Scenario), the seal checked."""
    with open_sealed(path) as f:
        try:
            kind = text(f.attrs.get("kind", ""))
        except READ_ERRORS as e:
            raise BadFile(path, f"not a file plot.py can read ({why(e)})") from None
        return fit_of(f, path) if kind == "fit" else scenarios_of(f, path)


def plot(args):
    output = args.output or os.path.splitext(args.results)[0] + ".png"
    content = read_file(args.results)
    if isinstance(content, Fit):
        draw_fit(args.results, content, output)
        return
    scenarios = content
    colours = [f"C{i % 10}" for i in range(len(scenarios))]
    names = {n for s in scenarios for n in s.interventions}
    figure, axes = layout(len(names))
    for scenario, colour in zip(scenarios, colours):
        draw_scenario(axes, scenario, colour)
        draw_hospitals(axes, scenario, colour)
    draw_icu_capacity(axes["icu"], scenarios, args.icu_beds_per_100k, colours)
    if args.reference:
        if len({s.agents for s in scenarios}) > 1:
            print(f"plot.py: scenarios differ in size; the reference is scaled to "
                  f"{scenarios[0].name}'s {scenarios[0].agents:,} agents", file=sys.stderr)
        draw_reference(axes, read_reference(args.reference),
                       scenarios[0].agents / args.reference_population)
    draw_interventions(axes["interventions"], scenarios, colours)
    finish(figure, axes, title(args.results, scenarios))
    save(figure, output)


def main():
    args = parse_arguments()
    try:
        plot(args)
    except BadFile as e:
        print(report("plot.py", e), file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
