#include "tools/sortie/runner.hpp"

#include <fmt/format.h>
#include <tbb/global_control.h>
#include <tbb/parallel_pipeline.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "sim/core/byte_stream.hpp"
#include "sim/core/system.hpp"
#include "sim/engine/calibration.hpp"
#include "sim/engine/simulation.hpp"
#include "tools/sortie/interrupt.hpp"
#include "tools/sortie/memory_estimate.hpp"
#include "tools/sortie/setup.hpp"

namespace sortie::cli {
namespace {

using population::AgentId;

using Clock = std::chrono::steady_clock;

std::size_t threads() {
    return static_cast<std::size_t>(
        tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string duration_text(double seconds) {
    const auto s = static_cast<long>(seconds + 0.5);
    if (s < 60) return fmt::format("{} s", s);
    if (s < 3600) return fmt::format("{} min {:02} s", s / 60, s % 60);
    return fmt::format("{} h {:02} min", s / 3600, s % 3600 / 60);
}

std::vector<std::string> age_band_labels() {
    std::vector<std::string> labels;
    for (std::size_t b = 0; b < contacts::kAgeBands; ++b) {
        labels.push_back(b + 1 < contacts::kAgeBands ? fmt::format("{}-{}", 5 * b, 5 * b + 4)
                                                     : fmt::format("{}+", 5 * b));
    }
    return labels;
}

/// What every replicate of a scenario shares: built once, read-only while replicates run.
struct Model {
    population::Population population;
    std::optional<contacts::ContactModel> contacts;
    std::optional<disease::DiseaseModel> disease;
    engine::EngineSpec spec;
};

void build_model(const scenario::Scenario& scenario, Model& model, Progress& progress,
                 RunTimings* timings) {
    const auto start = Clock::now();
    const auto inputs = prepare(scenario);
    model.population =
        population::build(inputs.population, inputs.tables, core::RngKey::from_seed(scenario.seed));
    if (timings) timings->population_seconds += seconds_since(start);
    const auto contacts_start = Clock::now();
    model.contacts.emplace(model.population, inputs.contacts);
    const double build_seconds = seconds_since(start);
    const auto calibration_start = Clock::now();
    model.disease.emplace(scenario.disease.parameters);
    auto& spec = model.spec;
    spec.days = scenario.days();
    spec.layer_weight = scenario.disease.layer_weights;
    spec.seeding = seeding_of(scenario, model.population);
    add_interventions(scenario, model.population, spec);
    spec.hospitals = hospital_spec(scenario, inputs.tables, model.population);
    spec.transmission_rate = engine::calibrate_transmission_rate(
                                 *model.contacts, *model.disease, scenario.disease.r0,
                                 spec.layer_weight, core::RngKey::from_seed(scenario.seed))
                                 .transmission_rate;
    if (timings) timings->model_seconds += seconds_since(contacts_start);
    // The split of a run's time (benchmarks/run reads these lines).
    progress.note(
        fmt::format("{}: {} agents, R0 {} -> transmission rate {:.5g} per unit of infectiousness "
                    "(population built in {:.2f} s, calibrated in {:.2f} s)",
                    scenario.name, model.population.size(), scenario.disease.r0,
                    spec.transmission_rate, build_seconds, seconds_since(calibration_start)));
}

engine::ScenarioResult describe(const scenario::Scenario& scenario, const Model& model) {
    engine::ScenarioResult result;
    result.name = scenario.name;
    result.seed = scenario.seed;
    result.agents = model.population.size();
    result.start_date = scenario.start.to_string();
    result.days = model.spec.days;
    for (const auto& region : model.population.regions) result.regions.push_back(region.key);
    result.age_bands = age_band_labels();
    result.scenario_yaml = scenario.resolved_yaml;
    for (const auto& intervention : scenario.interventions)
        result.interventions.push_back(intervention.name);
    result.hospitals = model.spec.hospitals.enabled;
    for (const auto& supply : scenario.hospitals.supplies)
        result.supplies.push_back({supply.name, supply.unit, supply.equipment});
    result.replicates.resize(scenario.replicates);
    return result;
}

// Where an infection happened: the household, school or workplace the two share (venue
// index), or the infectee's region for a community or hospital contact.
std::int32_t place_of(const engine::Transmission& t, const population::Population& p) {
    const AgentId b = t.infectee;
    switch (t.layer) {
        case contacts::Layer::kHousehold:
            return static_cast<std::int32_t>(p.household[b]);
        case contacts::Layer::kSchool:
            return static_cast<std::int32_t>(p.schools.group_venue[p.school_group[b]]);
        case contacts::Layer::kWork:
            return static_cast<std::int32_t>(p.workplaces.group_venue[p.work_group[b]]);
        case contacts::Layer::kCommunity:
        case contacts::Layer::kHospital:  // the staff member's region: the patient's bed's
            break;
    }
    return static_cast<std::int32_t>(p.region[b]);
}

engine::TransmissionLog transmission_log(const std::vector<engine::Transmission>& transmissions,
                                         const population::Population& population) {
    engine::TransmissionLog log;
    for (const auto& t : transmissions) {
        log.day.push_back(static_cast<std::int32_t>(t.day));
        log.infector.push_back(
            t.infector == engine::kNoInfector ? -1 : static_cast<std::int32_t>(t.infector));
        log.infectee.push_back(static_cast<std::int32_t>(t.infectee));
        log.layer.push_back(static_cast<std::int32_t>(t.layer));
        log.place.push_back(t.infector == engine::kNoInfector ? -1 : place_of(t, population));
    }
    return log;
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
    const Model& model;
    engine::ScenarioResult& result;
    std::vector<std::uint8_t>& finished;  ///< per replicate
    Progress& progress;
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
    job.progress.skip(simulation.next_day());
}

void finish(const ReplicateJob& job, std::uint32_t r) {
    job.finished[r] = 1;
    if (job.settings.events.finished)
        job.settings.events.finished({job.index, r}, job.result.replicates[r]);
}

void run_replicate(const ReplicateJob& job, std::uint32_t r) {
    const auto start = Clock::now();
    const Model& model = job.model;
    const auto* store = job.settings.store;
    engine::Simulation simulation(model.population, *model.contacts, *model.disease, model.spec,
                                  core::RngKey::for_replicate(job.scenario.seed, r));
    simulation.record_transmissions(job.settings.transmissions);
    if (store) restore_state(job, r, simulation);
    const std::uint32_t days = model.spec.days, every = job.settings.checkpoint_every;
    try {
        job.result.replicates[r] = simulation.run([&](std::uint32_t day) {
            job.progress.day_done(job.scenario.name, r, day, days);
            const bool stop = interrupt_requested();
            const bool due = every > 0 && (day + 1) % every == 0 && day + 1 < days;
            if (store && (stop || due)) save_state(job, r, simulation);
            if (stop) throw StopReplicate{};  // at a day boundary
        });
    } catch (const StopReplicate&) {
        return;
    }
    if (job.settings.transmissions)
        job.result.replicates[r].transmissions =
            transmission_log(simulation.transmissions(), model.population);
    if (store) store->save_finished(job.index, r, job.result.replicates[r]);
    if (job.settings.timings)
        job.settings.timings->contact_evaluations += simulation.contact_evaluations();
    finish(job, r);
    job.progress.replicate_done(job.scenario.name, r, job.scenario.replicates, seconds_since(start),
                                job.result.replicates[r].r0_realised,
                                simulation.contact_evaluations(),
                                simulation.transmission_seconds());
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
    explicit TaskFeed(TaskSource& source) : source_(source) {}

    /// The next task if it belongs to `scenario`; none at the end or at another scenario.
    std::optional<Task> take(std::uint32_t scenario) {
        const auto task = peek();
        if (!task || task->scenario != scenario) return std::nullopt;
        pending_.reset();
        return task;
    }
    /// The next task, left in place.
    std::optional<Task> peek() {
        if (!pending_ && !interrupt_requested()) pending_ = source_.next();
        return pending_;
    }

  private:
    TaskSource& source_;
    std::optional<Task> pending_;
};

// A replicate already finished in the checkpoint: no need to run it again.
bool restore_finished(const ReplicateJob& job, std::uint32_t r) {
    if (!job.settings.store) return false;
    auto finished = job.settings.store->finished(job.index, r);
    if (!finished) return false;
    job.result.replicates[r] = std::move(*finished);
    job.progress.skip(job.model.spec.days);
    finish(job, r);
    return true;
}

void run_replicates(const ReplicateJob& job, TaskFeed& feed) {
    tbb::parallel_pipeline(
        replicates_in_flight(
            job.scenario.replicates, threads(),
            replicate_bytes(job.model.population.size(), job.settings.transmissions,
                            intervention_bytes_per_agent(job.scenario)),
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

// A scenario whose model cannot be built fails each of its tasks.
void fail_scenario(std::uint32_t scenario, TaskFeed& feed, FailureLog& log,
                   const std::exception_ptr& error) {
    while (const auto task = feed.take(scenario)) log.add(*task, error);
}

}  // namespace

Progress::Progress(bool quiet) : quiet_(quiet), terminal_(isatty(STDERR_FILENO) != 0) {}

void Progress::expect(std::uint64_t replicate_days) {
    expected_ = replicate_days;
}

void Progress::skip(std::uint64_t replicate_days) {
    done_ += replicate_days;
    std::lock_guard lock(mutex_);
    skipped_ += replicate_days;
}

std::string Progress::eta() const {
    const std::uint64_t done = done_.load();
    const double elapsed = seconds_since(start_);
    const std::uint64_t worked = done - std::min(done, skipped_);
    if (worked == 0 || expected_ <= done) return fmt::format("elapsed {}", duration_text(elapsed));
    const double left = elapsed * double(expected_ - done) / double(worked);
    return fmt::format("elapsed {}, ETA {}", duration_text(elapsed), duration_text(left));
}

void Progress::day_done(const std::string& scenario, std::uint32_t replicate, std::uint32_t day,
                        std::uint32_t days) {
    ++done_;
    if (quiet_ || !terminal_) return;
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(200)) return;
    last_draw_ = now;
    fmt::print(stderr, "\r{}: replicate {} day {}/{}, {} replicates done, {}   ", scenario,
               replicate + 1, day + 1, days, replicates_done_.load(), eta());
    std::fflush(stderr);
}

void Progress::replicate_done(const std::string& scenario, std::uint32_t replicate,
                              std::uint32_t replicates, double seconds, double r0,
                              std::uint64_t contact_evaluations, double kernel_seconds) {
    ++replicates_done_;
    if (quiet_) return;
    std::lock_guard lock(mutex_);
    fmt::print(stderr,
               "{}{}: replicate {}/{} done in {:.3f} s (realised R0 {:.2f}; {} contact "
               "evaluations, {:.1f} million per second; {:.3f} s in the transmission kernel); "
               "{}\n",
               terminal_ ? "\r\033[K" : "", scenario, replicate + 1, replicates, seconds, r0,
               contact_evaluations, double(contact_evaluations) / seconds / 1e6, kernel_seconds,
               eta());
}

void Progress::remote_done(const std::string& scenario, std::uint32_t replicate,
                           std::uint32_t replicates, std::uint32_t days, int rank) {
    done_ += days;
    ++replicates_done_;
    if (quiet_) return;
    std::lock_guard lock(mutex_);
    fmt::print(stderr, "{}{}: replicate {}/{} done on rank {}; {}\n", terminal_ ? "\r\033[K" : "",
               scenario, replicate + 1, replicates, rank, eta());
}

void Progress::note(const std::string& text) {
    if (quiet_) return;
    std::lock_guard lock(mutex_);
    fmt::print(stderr, "{}{}\n", terminal_ ? "\r\033[K" : "", text);
}

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

TasksOutcome run_tasks(const std::vector<scenario::Scenario>& scenarios, Progress& progress,
                       const RunSettings& settings) {
    std::optional<TaskList> everything;
    TaskSource* source = settings.source;
    if (!source) source = &everything.emplace(all_tasks(scenarios));
    TasksOutcome outcome;
    outcome.run.scenarios.resize(scenarios.size());
    for (const auto& s : scenarios) outcome.finished.emplace_back(s.replicates, std::uint8_t{0});
    FailureLog log{{}, {}, settings.events};
    TaskFeed feed(*source);
    while (const auto first = feed.peek()) {
        const std::uint32_t s = first->scenario;
        Model model;
        try {
            build_model(scenarios[s], model, progress, settings.timings);
        } catch (...) {
            fail_scenario(s, feed, log, std::current_exception());
            continue;
        }
        auto& result = outcome.run.scenarios[s];
        result = describe(scenarios[s], model);
        result.transmission_log = settings.transmissions;
        if (settings.events.described) settings.events.described(s, result);
        const auto start = Clock::now();
        run_replicates(
            {scenarios[s], s, model, result, outcome.finished[s], progress, settings, log}, feed);
        if (settings.timings) settings.timings->simulation_seconds += seconds_since(start);
        // The split of a run's time (benchmarks/run reads this line).
        const auto& finished = outcome.finished[s];
        progress.note(fmt::format("{}: {} replicates in {:.2f} s", scenarios[s].name,
                                  std::count(finished.begin(), finished.end(), 1),
                                  seconds_since(start)));
    }
    if (interrupt_requested()) {
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

engine::RunResult run_scenarios(const std::vector<scenario::Scenario>& scenarios,
                                Progress& progress, const RunSettings& settings) {
    std::uint64_t work = 0;
    for (const auto& s : scenarios) work += std::uint64_t{s.replicates} * s.days();
    progress.expect(work);
    auto outcome = run_tasks(scenarios, progress, settings);
    if (!outcome.failures.empty()) std::rethrow_exception(outcome.failures.front().error);
    return std::move(outcome.run);
}

}  // namespace sortie::cli
