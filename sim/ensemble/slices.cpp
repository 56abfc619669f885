#include "sim/ensemble/slices.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

#include "sim/core/byte_stream.hpp"
#include "sim/core/error.hpp"
#include "sim/output/error.hpp"
#include "sim/results/images.hpp"

namespace sortie::ensemble {
namespace {

using TaskKey = std::pair<std::uint32_t, std::uint32_t>;

[[noreturn]] void bad_slice(const std::string& file, const std::string& problem) {
    throw core::InputError(core::SourceLocation(file), "", problem);
}

output::Slice read(const std::string& file) {
    try {
        return output::read_slice(file);
    } catch (const output::OutputError& e) {
        bad_slice(file, e.problem());
    }
}

void check_same_run(const std::string& file, const output::Slice& slice,
                    const std::string& manifest) {
    if (slice.manifest != manifest) {
        bad_slice(file,
                  "a slice of another run (other scenarios, overrides, seed, replicates, "
                  "--transmissions or sortie build)");
    }
}

// What the slices hold, checked: one description per scenario, one result per task (a task
// in two slices must have the same bytes: both are the same deterministic replicate).
struct Joined {
    std::map<std::uint32_t, std::vector<char>> descriptions;
    std::map<TaskKey, std::vector<char>> results;
};

void add(Joined& joined, const std::string& file, output::Slice& slice) {
    const auto scenarios = slice.scenario_names.size();
    for (auto& s : slice.scenarios) {
        if (s.scenario >= scenarios) bad_slice(file, "a scenario index out of range");
        joined.descriptions.try_emplace(s.scenario, std::move(s.description));
    }
    for (auto& task : slice.tasks) {
        if (task.scenario >= scenarios ||
            task.replicate >= std::uint32_t(slice.scenario_replicates[task.scenario]) ||
            !joined.descriptions.contains(task.scenario))
            bad_slice(file, "a task out of range");
        const auto [at, inserted] =
            joined.results.try_emplace({task.scenario, task.replicate}, std::move(task.result));
        if (!inserted && at->second != task.result) {
            bad_slice(file, fmt::format("scenario '{}', replicate {} differs from another "
                                        "slice's (slices of different builds or machines?)",
                                        slice.scenario_names[task.scenario], task.replicate));
        }
    }
}

results::RunResult assemble(const output::Slice& first, Joined& joined, const std::string& file) {
    results::RunResult run;
    try {
        for (std::uint32_t s = 0; s < first.scenario_names.size(); ++s) {
            auto scenario = results::description_from_image(joined.descriptions.at(s));
            for (std::uint32_t r = 0; r < scenario.replicates.size(); ++r)
                scenario.replicates[r] = results::replicate_from_image(joined.results.at({s, r}));
            run.scenarios.push_back(std::move(scenario));
        }
    } catch (const core::CorruptImage& e) {
        bad_slice(file, std::string("damaged slice: ") + e.what());
    }
    return run;
}

results::RunResult complete_run(const output::Slice& first, Joined& joined,
                                const std::string& file) {
    std::set<TaskKey> missing;
    for (std::uint32_t s = 0; s < first.scenario_names.size(); ++s)
        for (std::uint32_t r = 0; r < std::uint32_t(first.scenario_replicates[s]); ++r)
            if (!joined.results.contains({s, r})) missing.insert({s, r});
    if (!missing.empty()) {
        std::size_t total = 0;
        for (const auto n : first.scenario_replicates) total += std::size_t(n);
        throw IncompleteRun(fmt::format(
            "{} of {} tasks are missing from these slices:\n{}"
            "run them with `sortie run` on the same scenarios and options, adding "
            "--only-missing followed by these slice files (and -o for a new slice), then "
            "collect again with that slice too (docs/cluster.md)",
            missing.size(), total,
            task_list_text(first.scenario_names, first.scenario_replicates, missing)));
    }
    return assemble(first, joined, file);
}

}  // namespace

output::Slice slice_header(const std::vector<scenario::Scenario>& scenarios,
                           const std::string& manifest) {
    output::Slice slice;
    slice.manifest = manifest;
    for (const auto& s : scenarios) {
        slice.scenario_names.push_back(s.name);
        slice.scenario_replicates.push_back(static_cast<std::int32_t>(s.replicates));
    }
    return slice;
}

output::Slice make_slice(const std::vector<scenario::Scenario>& scenarios,
                         const TasksOutcome& outcome, const std::string& manifest) {
    output::Slice slice = slice_header(scenarios, manifest);
    for (std::uint32_t s = 0; s < scenarios.size(); ++s) {
        const auto& finished = outcome.finished[s];
        if (std::find(finished.begin(), finished.end(), 1) == finished.end()) continue;
        const auto& scenario = outcome.run.scenarios[s];
        slice.scenarios.push_back({s, results::description_image(scenario)});
        for (std::uint32_t r = 0; r < finished.size(); ++r) {
            if (finished[r])
                slice.tasks.push_back({s, r, results::replicate_image(scenario.replicates[r])});
        }
    }
    return slice;
}

std::set<TaskKey> held_tasks(const std::vector<std::string>& files, const std::string& manifest) {
    std::set<TaskKey> held;
    for (const auto& file : files) {
        const auto slice = read(file);
        check_same_run(file, slice, manifest);
        for (const auto& task : slice.tasks) held.insert({task.scenario, task.replicate});
    }
    return held;
}

std::string task_list_text(const std::vector<std::string>& scenario_names,
                           const std::vector<std::int32_t>& scenario_replicates,
                           const std::set<TaskKey>& tasks) {
    std::string text;
    for (std::uint32_t s = 0; s < scenario_names.size(); ++s) {
        std::vector<std::uint32_t> replicates;
        for (const auto& [scenario, r] : tasks)
            if (scenario == s) replicates.push_back(r);
        if (replicates.empty()) continue;
        text += fmt::format("  scenario '{}': ", scenario_names[s]);
        if (replicates.size() == std::size_t(scenario_replicates[s]))
            text += fmt::format("all {} replicates\n", replicates.size());
        else
            text += fmt::format("replicate{} {}\n", replicates.size() > 1 ? "s" : "",
                                fmt::join(replicates, ", "));
    }
    return text;
}

results::RunResult join_slices(const std::vector<std::string>& files) {
    const output::Slice first = read(files.front());
    Joined joined;
    for (const auto& file : files) {
        auto slice = file == files.front() ? first : read(file);
        check_same_run(file, slice, first.manifest);
        add(joined, file, slice);
    }
    return complete_run(first, joined, files.front());
}

results::RunResult join_slices(std::vector<output::Slice> slices) {
    Joined joined;
    for (auto& slice : slices) add(joined, "(in memory)", slice);
    return complete_run(slices.front(), joined, "(in memory)");
}

}  // namespace sortie::ensemble
