#include "sim/ensemble/run.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <tbb/global_control.h>
#include <tbb/parallel_pipeline.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>

#include "sim/core/byte_stream.hpp"
#include "sim/core/system.hpp"
#include "sim/engine/calibration.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/model/memory.hpp"
#include "sim/model/model.hpp"

namespace sortie::ensemble {
namespace {

using Clock = std::chrono::steady_clock;

std::size_t threads() {
    return static_cast<std::size_t>(
        tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Builds a scenario's model and says so (benchmarks/run reads the line).
std::unique_ptr<model::Model> build(const scenario::Scenario& scenario, RunObserver& observer,
                                    RunTimings* timings, std::stop_token stop) {
    model::BuildTimes times;
    auto built = model::build_model(scenario, &times, std::move(stop));
    if (timings) {
        timings->population_seconds += times.population;
        timings->model_seconds += times.contacts + times.calibration;
    }
    const auto& calibration = built->calibration;
    const std::string how = calibration.method == engine::R0Method::kSimulated
                                ? fmt::format("pilot runs measured R0 {:.3f} +- {:.3f} in {} runs",
                                              calibration.r0_measured,
                                              calibration.r0_standard_error, calibration.pilot_runs)
                                : std::string("next-generation matrix");
    observer.note(fmt::format(
        "{}: {} agents, R0 {} -> transmission rate {:.5g} per unit of infectiousness, {} "
        "(population built in {:.2f} s, calibrated in {:.2f} s)",
        scenario.name, built->population.size(), scenario.disease.r0, built->spec.transmission_rate,
        how, times.population + times.contacts, times.calibration));
    return built;
}

/// Thrown from a replicate's day callback to stop it quietly: exceptions escaping a TBB
/// algorithm cancel the others mid-day, so the interruption is reported after the pipeline.
struct StopReplicate {};

/// The failures of a run, recorded from the threads running tasks.
struct FailureLog {
    std::mutex mutex;
    std::vector<TaskFailure> failures;
    const TaskEvents& events;

    void add(const Task& task, std::exception_ptr error) {
        TaskFailure failure{task, failure_message(error), std::move(error)};
        if (events.failed) events.failed(failure);
        std::lock_guard lock(mutex);
        failures.push_back(std::move(failure));
    }
};

struct ReplicateJob {
    const scenario::Scenario& scenario;
    std::uint32_t index;  ///< of the scenario in the run (checkpoint file names)
    const model::Model& model;
    /// With parameter sets drawn per replicate: their variants and a model for each.
    const ReplicateVariants* variants;
    const std::vector<std::unique_ptr<model::Model>>& variant_models;
    results::ScenarioResult& result;
    std::vector<std::uint8_t>& finished;  ///< per replicate
    RunObserver& observer;
    const RunSettings& settings;
    FailureLog& log;
};

void save_state(const ReplicateJob& job, std::uint32_t r, const engine::Simulation& simulation) {
    core::ByteWriter out;
    simulation.save(out);
    job.settings.store->save_state(job.index, r, out.bytes());
}

void restore_state(const ReplicateJob& job, std::uint32_t r, engine::Simulation& simulation) {
    const auto image = job.settings.store->state(job.index, r);
    if (!image) return;
    try {
        core::ByteReader in(*image);
        simulation.restore(in);
    } catch (const core::CorruptImage& e) {
        throw core::InputError(
            core::SourceLocation(job.settings.store->folder().string()), "",
            fmt::format("scenario '{}', replicate {}: {}", job.scenario.name, r, e.what()));
    }
    job.observer.skip(simulation.next_day());
    job.observer.note(
        fmt::format("{}: replicate {} resumed from its checkpoint, {} of {} days done",
                    job.scenario.name, r + 1, simulation.next_day(), job.model.spec.days));
}

void finish(const ReplicateJob& job, std::uint32_t r) {
    job.finished[r] = 1;
    if (job.settings.events.finished)
        job.settings.events.finished({job.index, r}, job.result.replicates[r]);
}

// The model replicate `r` runs: its scenario's, or that of the parameter set it drew.
const model::Model& model_of(const ReplicateJob& job, std::uint32_t r) {
    if (!job.variants) return job.model;
    return *job.variant_models[job.variants->variant_of_replicate[r]];
}

void run_replicate(const ReplicateJob& job, std::uint32_t r) {
    const auto start = Clock::now();
    const model::Model& model = model_of(job, r);
    const auto* store = job.settings.store;
    engine::Simulation simulation = model.simulation(r);
    simulation.record_transmissions(job.settings.transmissions);
    if (store) restore_state(job, r, simulation);
    // A resumed replicate's counter includes the days before the interruption; its speed and
    // the run's timings count the work of this process only, as its kernel seconds do.
    const std::uint64_t evaluated_before = simulation.contact_evaluations();
    const std::uint32_t days = model.spec.days, every = job.settings.checkpoint_every;
    auto& result = job.result.replicates[r];
    try {
        result = simulation.run([&](std::uint32_t day) {
            job.observer.day_done(job.scenario.name, r, day, days);
            const bool stop = job.settings.stop.stop_requested();
            const bool due = every > 0 && (day + 1) % every == 0 && day + 1 < days;
            if (store && (stop || due)) save_state(job, r, simulation);
            if (stop) throw StopReplicate{};  // at a day boundary
        });
    } catch (const StopReplicate&) {
        return;
    }
    if (job.settings.transmissions)
        result.transmissions =
            model::transmission_log(simulation.transmissions(), model.population);
    if (job.variants)
        result.parameters = job.variants->values[job.variants->variant_of_replicate[r]];
    if (store) store->save_finished(job.index, r, result);
    if (job.settings.timings)
        job.settings.timings->contact_evaluations +=
            simulation.contact_evaluations() - evaluated_before;
    finish(job, r);
    job.observer.replicate_done(
        job.scenario.name, r, job.scenario.replicates, seconds_since(start), result.r0_realised,
        simulation.contact_evaluations() - evaluated_before, simulation.transmission_seconds());
}

// A failing replicate is recorded; the pipeline, and the other replicates, go on.
void run_replicate_or_record(const ReplicateJob& job, std::uint32_t r) {
    try {
        run_replicate(job, r);
    } catch (...) {
        job.result.replicates[r] = {};
        job.log.add({job.index, r}, std::current_exception());
    }
}

/// The tasks of one source, taken one at a time as threads become free (so that a source
/// shared by several processes balances their load), with one task of look-ahead that may
/// belong to the next scenario.
class TaskFeed {
  public:
    TaskFeed(TaskSource& source, std::stop_token stop) : source_(source), stop_(std::move(stop)) {}

    /// The next task if it belongs to `scenario`; none at the end or at another scenario.
    std::optional<Task> take(std::uint32_t scenario) {
        const auto task = peek();
        if (!task || task->scenario != scenario) return std::nullopt;
        pending_.reset();
        return task;
    }
    /// The next task, left in place.
    std::optional<Task> peek() {
        if (!pending_ && !stop_.stop_requested()) pending_ = source_.next();
        return pending_;
    }

  private:
    TaskSource& source_;
    std::stop_token stop_;
    std::optional<Task> pending_;
};

// A replicate already finished in the checkpoint: no need to run it again.
bool restore_finished(const ReplicateJob& job, std::uint32_t r) {
    if (!job.settings.store) return false;
    auto finished = job.settings.store->finished(job.index, r);
    if (!finished) return false;
    job.result.replicates[r] = std::move(*finished);
    job.observer.skip(job.model.spec.days);
    finish(job, r);
    return true;
}

void run_replicates(const ReplicateJob& job, TaskFeed& feed) {
    tbb::parallel_pipeline(
        model::replicates_in_flight(
            job.scenario.replicates, threads(),
            model::replicate_bytes(
                job.model.population.size(),
                model::replicate_features(job.scenario, job.settings.transmissions)),
            core::available_memory_bytes()),
        tbb::make_filter<void, std::uint32_t>(tbb::filter_mode::serial_in_order,
                                              [&](tbb::flow_control& control) -> std::uint32_t {
                                                  while (const auto task = feed.take(job.index)) {
                                                      if (!restore_finished(job, task->replicate))
                                                          return task->replicate;
                                                  }
                                                  control.stop();
                                                  return 0;
                                              }) &
            tbb::make_filter<std::uint32_t, void>(tbb::filter_mode::parallel, [&](std::uint32_t r) {
                run_replicate_or_record(job, r);
            }));
}

// A model for each parameter set the scenario's replicates drew, on the scenario's structure.
std::vector<std::unique_ptr<model::Model>> build_variants(const model::Model& base,
                                                          const ReplicateVariants& variants,
                                                          RunObserver& observer,
                                                          RunTimings* timings,
                                                          std::stop_token stop) {
    const auto start = Clock::now();
    std::vector<std::unique_ptr<model::Model>> models;
    for (std::size_t v = 0; v < variants.scenarios.size(); ++v) {
        model::BuildTimes times;
        try {
            models.push_back(model::build_model_on(base, variants.scenarios[v], &times, stop));
        } catch (const engine::CalibrationStopped&) {
            throw;
        } catch (const std::exception& e) {
            throw std::runtime_error(fmt::format("parameter set {} of {} ({}): {}",
                                                 variants.set_of_variant[v], variants.source,
                                                 fmt::join(variants.values[v], ", "), e.what()));
        }
        if (timings) timings->model_seconds += times.calibration;
    }
    observer.note(fmt::format(
        "{}: {} parameter sets drawn from {} for its {} replicates, "
        "built in {:.2f} s",
        variants.scenarios.empty() ? "" : variants.scenarios.front().name, models.size(),
        variants.source, variants.variant_of_replicate.size(), seconds_since(start)));
    return models;
}

// A scenario whose model cannot be built fails each of its tasks.
void fail_scenario(std::uint32_t scenario, TaskFeed& feed, FailureLog& log,
                   const std::exception_ptr& error) {
    while (const auto task = feed.take(scenario)) log.add(*task, error);
}

}  // namespace

std::optional<Task> TaskList::next() {
    if (next_ == tasks_.size()) return std::nullopt;
    return tasks_[next_++];
}

std::vector<Task> all_tasks(const std::vector<scenario::Scenario>& scenarios) {
    std::vector<Task> tasks;
    for (std::size_t s = 0; s < scenarios.size(); ++s)
        for (std::uint32_t r = 0; r < scenarios[s].replicates; ++r)
            tasks.push_back({static_cast<std::uint32_t>(s), r});
    return tasks;
}

std::vector<Task> slice_tasks(const std::vector<scenario::Scenario>& scenarios, std::uint32_t index,
                              std::uint32_t count) {
    std::vector<Task> tasks;
    const auto all = all_tasks(scenarios);
    for (std::size_t t = index; t < all.size(); t += count) tasks.push_back(all[t]);
    return tasks;
}

std::string failure_message(const std::exception_ptr& error) {
    try {
        if (error) std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
    }
    return "unknown error";
}

TasksOutcome run_tasks(const std::vector<scenario::Scenario>& scenarios, RunObserver& observer,
                       const RunSettings& settings) {
    std::optional<TaskList> everything;
    TaskSource* source = settings.source;
    if (!source) source = &everything.emplace(all_tasks(scenarios));
    TasksOutcome outcome;
    outcome.run.scenarios.resize(scenarios.size());
    for (const auto& s : scenarios) outcome.finished.emplace_back(s.replicates, std::uint8_t{0});
    FailureLog log{{}, {}, settings.events};
    TaskFeed feed(*source, settings.stop);
    while (const auto first = feed.peek()) {
        const std::uint32_t s = first->scenario;
        std::unique_ptr<model::Model> built;
        std::vector<std::unique_ptr<model::Model>> variant_models;
        const ReplicateVariants* variants = settings.variants ? &settings.variants->at(s) : nullptr;
        try {
            built = build(scenarios[s], observer, settings.timings, settings.stop);
            if (variants)
                variant_models =
                    build_variants(*built, *variants, observer, settings.timings, settings.stop);
        } catch (const engine::CalibrationStopped&) {
            break;  // asked to stop: reported as Interrupted below
        } catch (...) {
            fail_scenario(s, feed, log, std::current_exception());
            continue;
        }
        auto& result = outcome.run.scenarios[s];
        result = model::describe(scenarios[s], *built);
        result.transmission_log = settings.transmissions;
        if (variants) {
            result.parameters = variants->keys;
            result.parameters_source = variants->source;
        }
        if (settings.events.described) settings.events.described(s, result);
        const auto start = Clock::now();
        run_replicates({scenarios[s], s, *built, variants, variant_models, result,
                        outcome.finished[s], observer, settings, log},
                       feed);
        if (settings.timings) settings.timings->simulation_seconds += seconds_since(start);
        // The split of a run's time (benchmarks/run reads this line).
        const auto& finished = outcome.finished[s];
        observer.note(fmt::format("{}: {} replicates in {:.2f} s", scenarios[s].name,
                                  std::count(finished.begin(), finished.end(), 1),
                                  seconds_since(start)));
    }
    if (settings.stop.stop_requested()) {
        throw Interrupted(settings.store
                              ? fmt::format("the checkpoint is in {}; run the same command "
                                            "with --resume to continue",
                                            settings.store->folder().string())
                              : "nothing was written");
    }
    outcome.failures = std::move(log.failures);
    // The first failure (run_scenarios rethrows it) must not depend on the threads.
    std::sort(outcome.failures.begin(), outcome.failures.end(), [](const auto& a, const auto& b) {
        return std::pair(a.task.scenario, a.task.replicate) <
               std::pair(b.task.scenario, b.task.replicate);
    });
    return outcome;
}

results::RunResult run_scenarios(const std::vector<scenario::Scenario>& scenarios,
                                 RunObserver& observer, const RunSettings& settings) {
    std::uint64_t work = 0;
    for (const auto& s : scenarios) work += std::uint64_t{s.replicates} * s.days();
    observer.expect(work);
    auto outcome = run_tasks(scenarios, observer, settings);
    if (!outcome.failures.empty()) std::rethrow_exception(outcome.failures.front().error);
    return std::move(outcome.run);
}

}  // namespace sortie::ensemble
