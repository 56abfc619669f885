// `sortie fit FIT.yaml -o FIT.h5`: reads and checks the fit file (and the scenario it fits),
// then fits: a point estimate, and a posterior sample when the file asks for one
// (docs/fitting.md). Optionally writes the fitted scenario and the posterior sample as CSV.
#include <fmt/format.h>
#include <tbb/global_control.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "sim/core/atomic_file.hpp"
#include "sim/core/error.hpp"
#include "sim/core/system.hpp"
#include "sim/ensemble/output_claim.hpp"
#include "sim/fit/fit.hpp"
#include "sim/output/fit_file.hpp"
#include "tools/sortie/commands.hpp"
#include "tools/sortie/exit_codes.hpp"

namespace sortie::cli {
namespace {

namespace fs = std::filesystem;

struct FitOptions {
    std::string file;
    std::vector<std::string> overrides;
    int threads = 0;
    std::string output;
    std::string write_scenario;
    std::string write_posterior;
    bool quiet = false;
    bool force = false;
    std::string command_line;
};

// Where --write-scenario and --write-posterior go must be a file in an existing folder, and
// none of the inputs: checked before the fit, which may take hours, rather than after it.
// (-o is claimed like run's output: ensemble::OutputClaim.)
void check_output(const std::string& path, std::string_view option, const fit::FitFile& fit,
                  const std::string& fit_file) {
    if (path.empty()) return;
    const fs::path target(path);
    const auto folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::error_code error;
    if (!fs::is_directory(folder, error))
        throw core::InputError(core::SourceLocation(std::string(option)), "",
                               fmt::format("folder '{}' does not exist", folder.string()));
    for (const auto& input : {fs::path(fit_file), fit.scenario}) {
        if (fs::exists(target, error) && fs::equivalent(target, input, error))
            throw core::InputError(core::SourceLocation(std::string(option)), "",
                                   fmt::format("'{}' is an input of the fit; choose another "
                                               "file to write",
                                               path));
    }
    if (fs::exists(target, error) && !fs::is_regular_file(target, error))
        throw core::InputError(core::SourceLocation(std::string(option)), "",
                               fmt::format("'{}' exists and is not a regular file", path));
}

// The fit file, its scenario (and what it extends and names) and the observed series.
std::vector<fs::path> fit_inputs(const fit::FitFile& fit, const std::string& fit_file) {
    std::vector<fs::path> inputs{fit_file};
    for (const auto& column : fit.columns) inputs.push_back(column.file);
    const auto scenario = scenario::load(fit.scenario, fit.sets, scenario::Purpose::kRun);
    return ensemble::inputs_of({scenario}, std::move(inputs));
}

void write_text(const std::string& path, const std::string& text) {
    core::write_atomically(path, std::span<const char>(text.data(), text.size()));
}

int run_fit(const FitOptions& options) {
    tbb::global_control threads(
        tbb::global_control::max_allowed_parallelism,
        std::size_t(options.threads > 0 ? options.threads : core::available_cpus()));
    const auto fit = fit::load_fit_file(options.file, options.overrides);
    check_output(options.write_scenario, "--write-scenario", fit, options.file);
    check_output(options.write_posterior, "--write-posterior", fit, options.file);
    const ensemble::OutputClaim claim(options.output, fit_inputs(fit, options.file), options.force);
    if (!claim.unlocked().empty()) fmt::print(stderr, "sortie: {}\n", claim.unlocked());
    if (!options.write_posterior.empty() && !fit.posterior)
        throw core::InputError(core::SourceLocation(options.file), "method.posterior",
                               "--write-posterior needs a posterior sample: add "
                               "method.posterior to the fit file");
    const fit::FitLog log = [&](std::string_view line) {
        if (!options.quiet) fmt::print(stderr, "{}\n", line);
    };
    const auto result = fit::run_fit(fit, options.file, options.command_line, log);
    // The fitted scenario's text is made before anything is written, so that a key it cannot
    // express leaves no file behind.
    const auto scenario_text = options.write_scenario.empty()
                                   ? std::string()
                                   : fit::fitted_scenario_text(result, fit, options.write_scenario);
    output::write_fit(options.output, result);
    if (!options.write_scenario.empty()) write_text(options.write_scenario, scenario_text);
    if (!options.write_posterior.empty())
        write_text(options.write_posterior, fit::posterior_csv(result));
    log(fmt::format("wrote {}", options.output));
    return kExitSuccess;
}

}  // namespace

std::function<int()> add_fit_command(CLI::App& app, std::string command_line) {
    auto options = std::make_shared<FitOptions>();
    options->command_line = std::move(command_line);
    auto* command = app.add_subcommand(
        "fit", "Fit a scenario's parameters to observed series (docs/fitting.md)");
    command->add_option("fit", options->file, "Fit file (YAML)")->required();
    command
        ->add_option("--set", options->overrides,
                     "Override a value of the scenario fitted: key.path=value (repeatable)")
        ->take_all();
    command
        ->add_option("--threads", options->threads, "Worker threads (default: the CPUs available)")
        ->check(CLI::Range(1, 1024));
    command->add_option("-o,--output", options->output, "Fit result file (HDF5)")->required();
    command->add_flag("--force", options->force,
                      "Let -o replace a regular file that sortie did not write");
    command->add_option("--write-scenario", options->write_scenario,
                        "Also write the scenario at the best values (YAML)");
    command->add_option("--write-posterior", options->write_posterior,
                        "Also write the posterior sample (CSV: weight, then one column per "
                        "parameter)");
    command->add_flag("--quiet", options->quiet, "No progress lines");
    return [options] { return run_fit(*options); };
}

}  // namespace sortie::cli
