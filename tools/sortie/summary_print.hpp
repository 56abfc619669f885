#pragma once

// `sortie summary`: the summary of a result file (results::summarise) as a table, JSON or CSV.
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/results/summary.hpp"

namespace CLI {
class App;
}

namespace sortie::cli {

/// `{"scenarios": [{"name", "replicates", "agents", "metrics": {...}}]}` (docs/output.md).
nlohmann::ordered_json to_json(const std::vector<results::ScenarioSummary>& summaries);

/// A readable table per scenario: one row per metric with its median and [p05, p95].
std::string to_text(const std::vector<results::ScenarioSummary>& summaries);

/// Long ("tidy") CSV: the header `scenario,replicates,agents,metric,median,p05,p95,peak_date`,
/// then one row per scenario and metric, in the order of to_json. `peak_date` is filled on the
/// peak_icu and peak_hospital rows only; a NaN is an empty field. Numbers are written in the
/// shortest form that reads back to the same double; lines end with "\n" (docs/output.md).
std::string to_csv(const std::vector<results::ScenarioSummary>& summaries);

/// `text` as one CSV field (RFC 4180): in double quotes, with its quotes doubled, when it holds
/// a comma, a double quote, a carriage return or a line feed; unchanged otherwise.
std::string csv_field(std::string_view text);

/// Registers `sortie summary OUT.h5 [--json | --csv]`; the callback returned runs it and gives
/// the exit code: kExitBadInput, with "sortie summary: <problem>" on stderr, when both --json and
/// --csv are given, or when the file is missing, not HDF5, incomplete or malformed.
std::function<int()> add_summary_command(CLI::App& app);

}  // namespace sortie::cli
