#pragma once

// `sortie summary`: headline numbers of a result file, per scenario, over replicates. The
// metrics and quantiles are plain functions of an engine::RunResult, testable without a file.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/engine/result.hpp"

namespace CLI {
class App;
}

namespace sortie::cli {

/// The `q`-quantile (0 <= q <= 1) of `values`, by linear interpolation between order
/// statistics: with the values sorted as x[0..n-1], h = (n-1)q, the result lies at h between
/// x[floor(h)] and x[floor(h)+1]. This is numpy's default (method="linear", Hyndman & Fan
/// type 7) and R's default (type 7), computed the way numpy computes it, so Python users get
/// the same digits. NaN for no values. Precondition: no NaN among `values`.
double quantile(std::span<const double> values, double q);

/// The median and the 5% and 95% quantiles of some values (see quantile).
struct Spread {
    double median = 0;
    double p05 = 0;
    double p95 = 0;
};
Spread spread(std::span<const double> values);

/// The headline numbers of one replicate.
struct ReplicateMetrics {
    double attack_rate = 0;                ///< infections over the run / agents (NaN if no agents)
    std::int64_t peak_hospital = 0;        ///< max over days of people in H + C (ward and ICU)
    std::uint32_t peak_hospital_day = 0;   ///< first day index with that peak
    std::int64_t peak_icu = 0;             ///< max over days of people in C
    std::uint32_t peak_icu_day = 0;        ///< first day index with that peak
    std::int64_t hospital_admissions = 0;  ///< sum of the event hospital_admissions
    std::int64_t deaths = 0;               ///< sum of the event deaths
    double r0_realised = 0;
};

/// Computes a replicate's metrics. Precondition: its arrays are sized for `scenario`.
ReplicateMetrics replicate_metrics(const engine::ScenarioResult& scenario,
                                   const engine::ReplicateResult& replicate);

/// The headline numbers of a scenario over its replicates.
struct ScenarioSummary {
    std::string name;
    std::size_t replicates = 0;
    std::uint64_t agents = 0;
    Spread attack_rate;
    Spread peak_hospital;
    std::string peak_hospital_date;  ///< start date + median of the peak days, rounded down
    Spread peak_icu;
    std::string peak_icu_date;  ///< start date + median of the peak days, rounded down
    Spread hospital_admissions;
    Spread deaths;
    Spread r0_realised;
};

/// Summarises every scenario of a run. Throws core::InputError if a start date is not
/// YYYY-MM-DD. Precondition: arrays sized as in engine::ScenarioResult (read_run checks it).
std::vector<ScenarioSummary> summarise(const engine::RunResult& run);

/// `{"scenarios": [{"name", "replicates", "agents", "metrics": {...}}]}` (docs/output.md).
nlohmann::ordered_json to_json(const std::vector<ScenarioSummary>& summaries);

/// A readable table per scenario: one row per metric with its median and [p05, p95].
std::string to_text(const std::vector<ScenarioSummary>& summaries);

/// Long ("tidy") CSV: the header `scenario,replicates,agents,metric,median,p05,p95,peak_date`,
/// then one row per scenario and metric, in the order of to_json. `peak_date` is filled on the
/// peak_icu and peak_hospital rows only; a NaN is an empty field. Numbers are written in the
/// shortest form that reads back to the same double; lines end with "\n" (docs/output.md).
std::string to_csv(const std::vector<ScenarioSummary>& summaries);

/// `text` as one CSV field (RFC 4180): in double quotes, with its quotes doubled, when it holds
/// a comma, a double quote, a carriage return or a line feed; unchanged otherwise.
std::string csv_field(std::string_view text);

/// Registers `sortie summary OUT.h5 [--json | --csv]`; the callback returned runs it and gives
/// the exit code: kExitBadInput, with "sortie summary: <problem>" on stderr, when both --json and
/// --csv are given, or when the file is missing, not HDF5, incomplete or malformed.
std::function<int()> add_summary_command(CLI::App& app);

}  // namespace sortie::cli
