// The `sortie` command line: parses arguments, dispatches to subcommands, and alone decides
// the exit code (only main decides it).
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <exception>
#include <new>

#include "sim/core/build_info.hpp"
#include "sim/core/error.hpp"
#include "sim/ensemble/checkpoint.hpp"
#include "sim/ensemble/slices.hpp"
#include "sim/model/memory.hpp"
#include "sim/output/error.hpp"
#include "tools/sortie/commands.hpp"
#include "tools/sortie/exit_codes.hpp"
#include "tools/sortie/summary_print.hpp"

namespace {

std::string version_text() {
    return fmt::format("sortie {} (commit {}, {} build)", sortie::core::version(),
                       sortie::core::git_commit(), sortie::core::build_type());
}

int run_cli(int argc, char** argv) {
    CLI::App app{"sortie: agent-based contagion simulator for lockdown-exit studies", "sortie"};
    app.set_version_flag("--version", version_text());
    app.require_subcommand(0, 1);
    const auto population = sortie::cli::add_population_command(app);
    std::string command_line;
    for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);
    const auto run = sortie::cli::add_run_command(app, command_line);
    const auto summary = sortie::cli::add_summary_command(app);
    const auto validate = sortie::cli::add_validate_command(app);
    const auto bench = sortie::cli::add_bench_command(app);
    const auto collect = sortie::cli::add_collect_command(app, command_line);
    const auto fit = sortie::cli::add_fit_command(app, command_line);
    app.footer(
        "Exit codes: 0 success, 1 internal error, 2 bad input, 3 output error,\n"
        "4 not enough memory, 5 tasks failed or missing (the others kept),\n"
        "6 benchmark verification failed, 130 interrupted, "
        "100-114 command-line errors.");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    if (app.got_subcommand("population")) return population();
    if (app.got_subcommand("run")) return run();
    if (app.got_subcommand("summary")) return summary();
    if (app.got_subcommand("validate")) return validate();
    if (app.got_subcommand("bench")) return bench();
    if (app.got_subcommand("collect")) return collect();
    if (app.got_subcommand("fit")) return fit();
    std::fputs(app.help().c_str(), stdout);
    return sortie::cli::kExitSuccess;
}

}  // namespace

int main(int argc, char** argv) {
    // Past a file-size limit (ulimit -f), write() then fails with EFBIG, reported like a full
    // disk (exit 3), instead of the signal killing the process with a half-written file.
    std::signal(SIGXFSZ, SIG_IGN);
    try {
        return run_cli(argc, argv);
    } catch (const sortie::ensemble::Interrupted& e) {
        fmt::print(stderr, "sortie: interrupted; {}\n", e.what());
        return sortie::cli::kExitInterrupted;
    } catch (const sortie::core::InputError& e) {
        fmt::print(stderr, "{}\n", e.what());
        return sortie::cli::kExitBadInput;
    } catch (const sortie::output::OutputError& e) {
        fmt::print(stderr, "sortie: cannot write the result: {}\n", e.what());
        return sortie::cli::kExitOutputError;
    } catch (const sortie::core::FileError& e) {
        fmt::print(stderr, "sortie: {}\n", e.what());
        return sortie::cli::kExitOutputError;
    } catch (const sortie::ensemble::IncompleteRun& e) {
        fmt::print(stderr, "sortie: {}\n", e.what());
        return sortie::cli::kExitIncomplete;
    } catch (const sortie::model::NotEnoughMemory& e) {
        fmt::print(stderr, "sortie: not enough memory: {}\n", e.what());
        return sortie::cli::kExitOutOfMemory;
    } catch (const std::bad_alloc&) {
        fmt::print(stderr, "sortie: out of memory\n");
        return sortie::cli::kExitOutOfMemory;
    } catch (const std::exception& e) {
        fmt::print(stderr, "sortie: internal error: {}\n", e.what());
        return sortie::cli::kExitInternalError;
    }
}
