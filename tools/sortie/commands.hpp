#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sortie::cli {

/// Options every command that reads a scenario shares.
struct ScenarioOptions {
    std::string file;
    std::vector<std::string> overrides;  ///< --set key.path=value
    int threads = 0;                     ///< 0: the CPUs this process may use
    bool json = false;
};

/// Adds the scenario argument and the shared options to a subcommand.
void add_scenario_options(CLI::App& command, ScenarioOptions& options);

/// Registers `sortie population`; the callback returned runs it and gives the exit code.
std::function<int()> add_population_command(CLI::App& app);

/// Registers `sortie validate`: checks a scenario (every sweep point) without running it.
std::function<int()> add_validate_command(CLI::App& app);

/// Registers `sortie run`; `command_line` is recorded in the result file.
std::function<int()> add_run_command(CLI::App& app, std::string command_line);

/// Registers `sortie bench`: the benchmark problem at a standard size, timed and verified.
std::function<int()> add_bench_command(CLI::App& app);
/// Registers `sortie fit`: fits a scenario to observed series; `command_line` is recorded.
std::function<int()> add_fit_command(CLI::App& app, std::string command_line);
/// Registers `sortie collect`: joins slice files into one result file.
std::function<int()> add_collect_command(CLI::App& app, std::string command_line);

}  // namespace sortie::cli
