// Ensembles: the replicates the ensemble runs are the model's replicates, whatever the threads;
// it reports its progress to an observer; a stop request ends it at a day boundary; slices of
// its tasks join into the whole run.
#include "sim/ensemble/run.hpp"

#include <doctest/doctest.h>
#include <tbb/global_control.h>

#include <atomic>
#include <set>

#include "sim/ensemble/checkpoint.hpp"
#include "sim/ensemble/job.hpp"
#include "sim/ensemble/slices.hpp"
#include "sim/model/model.hpp"
#include "sim/output/reader.hpp"
#include "sim/results/checksum.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sortie;

namespace {

const std::filesystem::path kScenarios = std::filesystem::path(SORTIE_SOURCE_DIR) / "scenarios";

// Two scenarios (lockdown and an exit) of 3 replicates at 10,000 agents.
const std::vector<scenario::Scenario>& scenarios() {
    static const auto loaded = [] {
        std::vector<scenario::Scenario> all;
        const std::vector<std::string> small = {"population.size=10000", "end=2020-06-15",
                                                "seeding=[{date: 2020-02-01, infections: 20}]",
                                                "replicates=3"};
        for (const char* file : {"lockdown.yaml", "exit-progressive.yaml"})
            for (auto& s : scenario::load_all(kScenarios / "france-2020" / file, small,
                                              scenario::Purpose::kRun))
                all.push_back(std::move(s));
        return all;
    }();
    return loaded;
}

// Counts what the ensemble reports.
class Recorder : public ensemble::RunObserver {
  public:
    void expect(std::uint64_t replicate_days) override { expected = replicate_days; }
    void day_done(const std::string&, std::uint32_t, std::uint32_t, std::uint32_t) override {
        ++days;
    }
    void replicate_done(const std::string&, std::uint32_t, std::uint32_t, double, double,
                        std::uint64_t evaluations, double) override {
        ++replicates;
        contact_evaluations += evaluations;
    }
    void note(const std::string&) override { ++notes; }

    std::uint64_t expected = 0;
    std::atomic<std::uint64_t> days{0}, replicates{0}, contact_evaluations{0}, notes{0};
};

results::RunResult run_on(std::size_t threads) {
    tbb::global_control control(tbb::global_control::max_allowed_parallelism, threads);
    ensemble::RunObserver silent;
    return ensemble::run_scenarios(scenarios(), silent);
}

}  // namespace

TEST_CASE("an ensemble's replicates are its models' replicates, with 1 thread or 2") {
    const auto two = run_on(2);
    CHECK(results::result_checksum(run_on(1)) == results::result_checksum(two));
    REQUIRE(two.scenarios.size() == 2);
    const auto built = model::build_model(scenarios()[1]);
    const auto alone = built->simulation(2).run();
    CHECK(two.scenarios[1].replicates[2].counts == alone.counts);
    CHECK(two.scenarios[1].replicates[2].incidence == alone.incidence);
    CHECK(two.scenarios[1].replicates[2].active == alone.active);
}

TEST_CASE("the observer hears every day and replicate of the run") {
    Recorder recorder;
    ensemble::run_scenarios(scenarios(), recorder);
    const std::uint64_t days = 3 * (scenarios()[0].days() + scenarios()[1].days());
    CHECK(recorder.expected == days);
    CHECK(recorder.days == days);
    CHECK(recorder.replicates == 6);
    CHECK(recorder.contact_evaluations > 0);
    CHECK(recorder.notes == 4);  // each model built, each scenario's replicates done
}

TEST_CASE("a stop request ends the run at a day boundary, with nothing returned") {
    std::stop_source stop;
    class StopAfter : public ensemble::RunObserver {
      public:
        explicit StopAfter(std::stop_source& s) : stop_(s) {}
        void day_done(const std::string&, std::uint32_t, std::uint32_t day,
                      std::uint32_t) override {
            if (day == 10) stop_.request_stop();
        }

      private:
        std::stop_source& stop_;
    } observer(stop);
    ensemble::RunSettings settings;
    settings.stop = stop.get_token();
    CHECK_THROWS_WITH_AS(ensemble::run_scenarios(scenarios(), observer, settings),
                         "nothing was written", ensemble::Interrupted);
}

TEST_CASE("slices of the tasks, dealt round robin, join into the whole run") {
    const auto whole = run_on(2);
    const std::string manifest = ensemble::checkpoint_manifest(scenarios(), false);
    std::vector<output::Slice> slices;
    std::set<std::pair<std::uint32_t, std::uint32_t>> dealt;
    for (std::uint32_t index = 0; index < 3; ++index) {
        ensemble::TaskList tasks(ensemble::slice_tasks(scenarios(), index, 3));
        for (const auto& t : ensemble::slice_tasks(scenarios(), index, 3))
            CHECK(dealt.insert({t.scenario, t.replicate}).second);  // each task once
        ensemble::RunObserver silent;
        ensemble::RunSettings settings;
        settings.source = &tasks;
        const auto outcome = ensemble::run_tasks(scenarios(), silent, settings);
        CHECK(outcome.failures.empty());
        slices.push_back(ensemble::make_slice(scenarios(), outcome, manifest));
    }
    CHECK(dealt.size() == 6);
    CHECK(results::result_checksum(ensemble::join_slices(slices)) ==
          results::result_checksum(whole));
    slices.pop_back();
    CHECK_THROWS_AS(ensemble::join_slices(slices), ensemble::IncompleteRun);
}

TEST_CASE("a job writes the whole run to its file and leaves no checkpoint behind") {
    const test::TempDir dir;
    ensemble::Job job;
    job.output = (dir / "run.h5").string();
    job.command_line = "a test";
    job.checkpoint_every = 20;
    ensemble::RunObserver silent;
    ensemble::run_job(scenarios(), job, silent);
    const auto written = output::read_run(job.output);
    CHECK(written.command_line == "a test");
    CHECK(results::result_checksum(written) == results::result_checksum(run_on(2)));
    CHECK_FALSE(std::filesystem::exists(ensemble::checkpoint_folder(job.output)));
}

TEST_CASE("a job asked for a slice writes a slice file that collect joins") {
    const test::TempDir dir;
    std::vector<std::string> files;
    for (std::uint32_t index = 0; index < 2; ++index) {
        ensemble::Job job;
        job.output = (dir / ("slice-" + std::to_string(index) + ".h5")).string();
        job.task_index = index;
        job.task_count = 2;
        ensemble::RunObserver silent;
        ensemble::run_job(scenarios(), job, silent);
        files.push_back(job.output);
    }
    CHECK(results::result_checksum(ensemble::join_slices(files)) ==
          results::result_checksum(run_on(2)));
}
