// `sortie collect SLICE... -o OUT.h5`: joins the slice files of a run (job-array slices, a
// rerun of missing tasks) into the result file one process would have written.
#include <fmt/format.h>

#include "sim/ensemble/output_claim.hpp"
#include "sim/ensemble/slices.hpp"
#include "sim/output/writer.hpp"
#include "tools/sortie/commands.hpp"
#include "tools/sortie/exit_codes.hpp"

namespace sortie::cli {
namespace {

struct CollectOptions {
    std::vector<std::string> slices;
    std::string output;
    std::string command_line;
    bool force = false;
};

int collect(const CollectOptions& options) {
    const ensemble::OutputClaim claim(
        options.output,
        std::vector<std::filesystem::path>(options.slices.begin(), options.slices.end()),
        options.force);
    if (!claim.unlocked().empty()) fmt::print(stderr, "sortie: {}\n", claim.unlocked());
    results::RunResult run = ensemble::join_slices(options.slices);
    run.command_line = options.command_line;
    output::write_run(options.output, run);
    std::size_t tasks = 0;
    for (const auto& s : run.scenarios) tasks += s.replicates.size();
    fmt::print(stderr, "wrote {} ({} scenarios, {} tasks from {} slices)\n", options.output,
               run.scenarios.size(), tasks, options.slices.size());
    return kExitSuccess;
}

}  // namespace

std::function<int()> add_collect_command(CLI::App& app, std::string command_line) {
    auto options = std::make_shared<CollectOptions>();
    options->command_line = std::move(command_line);
    auto* command = app.add_subcommand(
        "collect",
        "Join the slice files of a run (sortie run --task-index/--task-count, --only-missing) "
        "into one result file; lists the missing tasks if there are any");
    command->add_option("slices", options->slices, "Slice files (HDF5)")->required();
    command->add_option("-o,--output", options->output, "Result file (HDF5)")->required();
    command->add_flag("--force", options->force,
                      "Let -o replace a regular file that sortie did not write");
    return [options] { return collect(*options); };
}

}  // namespace sortie::cli
