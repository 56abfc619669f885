// `sortie summary OUT.h5 [--json]`: reads a result file and prints, per scenario, the median
// and 5-95% range over replicates of the attack rate, hospital and ICU peaks (with their dates),
// hospital admissions, deaths and realised R0 (definitions in docs/output.md).
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "sim/output/error.hpp"
#include "sim/output/reader.hpp"
#include "tools/sortie/exit_codes.hpp"
#include "tools/sortie/summary.hpp"

namespace sortie::cli {
namespace {

struct SummaryOptions {
    std::string file;
    bool json = false;
};

int run_summary(const SummaryOptions& options) {
    engine::RunResult run;
    try {
        run = output::read_run(options.file);
    } catch (const output::OutputError& e) {
        fmt::print(stderr, "sortie summary: {}\n", e.what());
        return kExitBadInput;
    }
    const auto summaries = summarise(run);
    if (options.json) {
        fmt::print("{}\n", to_json(summaries).dump(2));
    } else {
        fmt::print("{}", to_text(summaries));
    }
    return kExitSuccess;
}

}  // namespace

std::function<int()> add_summary_command(CLI::App& app) {
    auto options = std::make_shared<SummaryOptions>();
    auto* command = app.add_subcommand(
        "summary", "Summarise a result file: attack rate, hospital and ICU peaks, deaths");
    command->add_option("file", options->file, "Result file (HDF5) written by sortie")->required();
    command->add_flag("--json", options->json, "Print the summary as JSON");
    return [options] { return run_summary(*options); };
}

}  // namespace sortie::cli
