// `sortie validate SCENARIO.yaml... [--print] [--set key.path=value ...]`: reads scenarios the
// way `sortie run` reads them, once per point of each sweep, with the checks across files of
// one run (no two scenarios with the same name), and says whether they are valid; with
// --print, shows what each point resolves to (after extends, --set and the sweep). A fit file
// (one with `scenario:`, `set:`, `targets:`, `parameters:` or `method:`, or extending one) is
// read the way `sortie fit` reads it before building anything: its scenario at every
// parameter's bounds and its observed series. A fit file is validated alone, as `sortie fit`
// takes one.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "sim/core/error.hpp"
#include "sim/fit/fit_file.hpp"
#include "sim/model/inputs.hpp"
#include "sim/scenario/document.hpp"
#include "sim/scenario/scenario.hpp"
#include "tools/sortie/commands.hpp"
#include "tools/sortie/exit_codes.hpp"

namespace sortie::cli {
namespace {

struct ValidateOptions {
    std::vector<std::string> files;
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

int validate_fit_file(const ValidateOptions& options) {
    const std::string& file = options.files.front();
    const auto fit = fit::load_fit_file(file, options.overrides);
    fmt::print("OK: {} (fit file: {} parameters, {} targets)\n", file, fit.parameters.size(),
               fit.targets.size());
    return kExitSuccess;
}

// Each file read as `sortie run` (or `sortie population`, for a file without `start`) reads
// it; the problems of every file reported together.
std::vector<std::vector<scenario::Scenario>> load_each(const ValidateOptions& options) {
    std::vector<std::vector<scenario::Scenario>> loaded;
    std::vector<core::Diagnostic> problems;
    for (const std::string& file : options.files) {
        try {
            loaded.push_back(scenario::load_all(file, options.overrides,
                                                scenario::purpose_of(file, options.overrides)));
        } catch (const core::InputError& error) {
            problems.insert(problems.end(), error.diagnostics().begin(), error.diagnostics().end());
        }
    }
    if (!problems.empty()) throw core::InputError(std::move(problems));
    return loaded;
}

// The tables of a data folder are read only to build a population; that they are all there is
// checked here too, each folder reported once however many scenarios share it.
void check_data_folders(const std::vector<scenario::Scenario>& scenarios) {
    std::vector<core::Diagnostic> problems;
    std::set<std::string> reported;
    for (const auto& s : scenarios) {
        try {
            model::check_data_folder(s.population);
        } catch (const core::InputError& error) {
            for (const auto& d : error.diagnostics())
                if (reported.insert(d.to_string()).second) problems.push_back(d);
        }
    }
    if (!problems.empty()) throw core::InputError(std::move(problems));
}

int run_validate(const ValidateOptions& options) {
    for (const std::string& file : options.files) {
        if (!is_fit_file(file)) continue;
        if (options.files.size() == 1) return validate_fit_file(options);
        throw core::InputError(core::SourceLocation(file), "",
                               "a fit file is validated alone (sortie validate FIT.yaml), as "
                               "sortie fit takes one; give scenario files together");
    }
    const auto loaded = load_each(options);
    // What `sortie run` refuses across the files of one run.
    std::vector<scenario::Scenario> all;
    for (const auto& scenarios : loaded) all.insert(all.end(), scenarios.begin(), scenarios.end());
    scenario::check_names_unique(all);
    check_data_folders(all);
    if (options.print) print_resolved(all);
    // With --print, standard output is a stream of YAML documents and nothing else.
    for (std::size_t f = 0; f < options.files.size(); ++f) {
        fmt::print(options.print ? stderr : stdout, "OK: {} ({} scenario(s))\n", options.files[f],
                   loaded[f].size());
    }
    return kExitSuccess;
}

}  // namespace

std::function<int()> add_validate_command(CLI::App& app) {
    auto options = std::make_shared<ValidateOptions>();
    auto* command = app.add_subcommand(
        "validate",
        "Check scenarios as `sortie run` would, every point of their sweeps and names unique "
        "across the files, without running them; or one fit file");
    command
        ->add_option("scenarios", options->files,
                     "Scenario files (YAML), as given to sortie run; or one fit file")
        ->required();
    command
        ->add_option("--set", options->overrides,
                     "Override a scenario value: key.path=value (repeatable, applies to every "
                     "file)")
        ->take_all();
    command->add_flag("--print", options->print,
                      "Print each scenario's resolved YAML (the OK line then goes to stderr)");
    return [options] { return run_validate(*options); };
}

}  // namespace sortie::cli
