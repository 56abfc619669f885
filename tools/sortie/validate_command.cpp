// `sortie validate SCENARIO.yaml [--print] [--set key.path=value ...]`: reads a scenario the way
// `sortie run` reads it, once per point of its sweep, and says whether it is valid; with
// --print, shows what each point resolves to (after extends, --set and the sweep). A fit file
// (one with `scenario:`, `set:`, `targets:`, `parameters:` or `method:`, or extending one) is
// read the way `sortie fit` reads it before building anything: its scenario at every
// parameter's bounds and its observed series.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "sim/core/error.hpp"
#include "sim/fit/fit_file.hpp"
#include "sim/scenario/document.hpp"
#include "sim/scenario/scenario.hpp"
#include "tools/sortie/commands.hpp"
#include "tools/sortie/exit_codes.hpp"

namespace sortie::cli {
namespace {

struct ValidateOptions {
    std::string file;
    std::vector<std::string> overrides;  ///< --set key.path=value
    bool print = false;
};

void print_resolved(const std::vector<scenario::Scenario>& scenarios) {
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
        if (i > 0) fmt::print("---\n");
        fmt::print("# scenario: {}\n{}\n", scenarios[i].name, scenarios[i].resolved_yaml);
    }
}

// Whether the file reads as a fit file: once its `extends:` chain is merged (as both readers
// merge it), it has a key no scenario has. One that does not load is left to the scenario
// reader, which reports where.
bool is_fit_file(const std::string& file) {
    try {
        const auto document = scenario::Document::load_file(file);
        const YAML::Node& root = document.root();
        return root["scenario"] || root["targets"] || root["parameters"] || root["method"] ||
               root["set"];
    } catch (const core::InputError&) {
        return false;
    }
}

int run_validate(const ValidateOptions& options) {
    if (is_fit_file(options.file)) {
        const auto fit = fit::load_fit_file(options.file, options.overrides);
        fmt::print("OK: {} (fit file: {} parameters, {} targets)\n", options.file,
                   fit.parameters.size(), fit.targets.size());
        return kExitSuccess;
    }
    // What `sortie run` reads: every point of the sweep, each checked like a file.
    const std::vector<scenario::Scenario> scenarios = scenario::load_all(
        options.file, options.overrides, scenario::purpose_of(options.file, options.overrides));
    if (options.print) print_resolved(scenarios);
    // With --print, standard output is a stream of YAML documents and nothing else.
    fmt::print(options.print ? stderr : stdout, "OK: {} ({} scenario(s))\n", options.file,
               scenarios.size());
    return kExitSuccess;
}

}  // namespace

std::function<int()> add_validate_command(CLI::App& app) {
    auto options = std::make_shared<ValidateOptions>();
    auto* command = app.add_subcommand(
        "validate", "Check a scenario, every point of its sweep, without running it");
    command->add_option("scenario", options->file, "Scenario file (YAML)")->required();
    command
        ->add_option("--set", options->overrides,
                     "Override a scenario value: key.path=value (repeatable)")
        ->take_all();
    command->add_flag("--print", options->print,
                      "Print each scenario's resolved YAML (the OK line then goes to stderr)");
    return [options] { return run_validate(*options); };
}

}  // namespace sortie::cli
