// `sortie summary OUT.h5 [--json | --csv]`: reads a result file and prints, per scenario, the
// median and 5-95% range over replicates of the attack rate, hospital and ICU peaks (with their
// dates), hospital admissions, deaths and realised R0 (definitions in docs/output.md); for a
// fit's result (sortie fit), its estimates and targets.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "sim/output/error.hpp"
#include "sim/output/fit_file.hpp"
#include "sim/output/reader.hpp"
#include "tools/sortie/exit_codes.hpp"
#include "tools/sortie/fit_summary.hpp"
#include "tools/sortie/summary_print.hpp"

namespace sortie::cli {
namespace {

struct SummaryOptions {
    std::string file;
    bool json = false;
    bool csv = false;
};

// A fit's result (sortie fit): its estimates and targets; no CSV form.
int summarise_fit(const SummaryOptions& options) {
    if (options.csv) {
        fmt::print(stderr,
                   "sortie summary: {} is a fit's result: --csv is for runs; use "
                   "--json, or --write-posterior of sortie fit for the sample\n",
                   options.file);
        return kExitBadInput;
    }
    const auto fit = output::read_fit(options.file);
    if (options.json)
        fmt::print("{}\n", fit_to_json(fit).dump(2));
    else
        fmt::print("{}", fit_to_text(fit));
    return kExitSuccess;
}

int run_summary(const SummaryOptions& options) {
    // Checked here rather than with CLI11's excludes() so that the exit code is that of bad
    // input (2), as for the other mistakes a user can make with this command.
    if (options.json && options.csv) {
        fmt::print(stderr,
                   "sortie summary: --json and --csv cannot be used together; choose one\n");
        return kExitBadInput;
    }
    results::RunResult run;
    try {
        if (output::is_fit_file(options.file)) return summarise_fit(options);
        run = output::read_run(options.file);
    } catch (const output::OutputError& e) {
        fmt::print(stderr, "sortie summary: {}\n", e.what());
        return kExitBadInput;
    }
    const auto summaries = results::summarise(run);
    if (options.json) {
        fmt::print("{}\n", to_json(summaries).dump(2));
    } else if (options.csv) {
        fmt::print("{}", to_csv(summaries));
    } else {
        fmt::print("{}", to_text(summaries));
    }
    return kExitSuccess;
}

}  // namespace

std::function<int()> add_summary_command(CLI::App& app) {
    auto options = std::make_shared<SummaryOptions>();
    auto* command = app.add_subcommand(
        "summary",
        "Summarise a result file: attack rate, hospital and ICU peaks, deaths; or a fit's "
        "estimates with their 90% intervals and each target's fit");
    command->add_option("file", options->file, "Result file (HDF5) written by sortie")->required();
    command->add_flag("--json", options->json, "Print the summary as JSON");
    command->add_flag("--csv", options->csv,
                      "Print the summary as CSV, one row per scenario and metric "
                      "(scenario,replicates,agents,metric,median,p05,p95,peak_date)");
    return [options] { return run_summary(*options); };
}

}  // namespace sortie::cli
