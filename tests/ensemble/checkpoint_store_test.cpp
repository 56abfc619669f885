// The checkpoint folder of a run: a manifest that identifies the run, finished replicates kept
// whole, damaged files refused.
#include "sim/ensemble/checkpoint.hpp"

#include <doctest/doctest.h>

#include <fstream>

#include "sim/core/error.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sortie;

namespace {

std::vector<scenario::Scenario> two_replicates(const char* seed) {
    return scenario::load_all(
        std::filesystem::path(SORTIE_SOURCE_DIR) / "scenarios" / "france-2020" / "lockdown.yaml",
        {"population.size=1000", "replicates=2", std::string("seed=") + seed},
        scenario::Purpose::kRun);
}

results::ReplicateResult some_result() {
    results::ReplicateResult r;
    r.counts = {1, 2, 3};
    r.incidence = {4};
    r.r0_realised = 1.5;
    return r;
}

}  // namespace

TEST_CASE("a finished replicate is kept whole and found again on resume") {
    const test::TempDir dir;
    const auto scenarios = two_replicates("1");
    {
        const ensemble::CheckpointStore store(
            dir / "r.h5", ensemble::checkpoint_manifest(scenarios, false), false);
        store.save_finished(0, 1, some_result());
        CHECK_FALSE(store.finished(0, 0).has_value());
    }
    const ensemble::CheckpointStore resumed(dir / "r.h5",
                                            ensemble::checkpoint_manifest(scenarios, false), true);
    const auto back = resumed.finished(0, 1);
    REQUIRE(back.has_value());
    CHECK(back->counts == some_result().counts);
    CHECK(back->r0_realised == 1.5);
    // No temporary file is left beside the checkpoint's files.
    for (const auto& entry : std::filesystem::directory_iterator(resumed.folder()))
        CHECK(entry.path().extension() != ".partial");
}

TEST_CASE("a leftover checkpoint is refused without --resume, and another run's always") {
    const test::TempDir dir;
    {
        const ensemble::CheckpointStore store(
            dir / "r.h5", ensemble::checkpoint_manifest(two_replicates("1"), false), false);
    }
    CHECK_THROWS_AS(
        ensemble::CheckpointStore(dir / "r.h5",
                                  ensemble::checkpoint_manifest(two_replicates("1"), false), false),
        core::InputError);
    CHECK_THROWS_AS(
        ensemble::CheckpointStore(dir / "r.h5",
                                  ensemble::checkpoint_manifest(two_replicates("2"), false), true),
        core::InputError);
}

TEST_CASE("a damaged finished replicate is refused, naming its file") {
    const test::TempDir dir;
    const ensemble::CheckpointStore store(
        dir / "r.h5", ensemble::checkpoint_manifest(two_replicates("1"), false), false);
    store.save_finished(0, 0, some_result());
    const auto file = store.folder() / "scenario-0-replicate-0.done";
    std::filesystem::resize_file(file, std::filesystem::file_size(file) - 3);
    CHECK_THROWS_WITH_AS(store.finished(0, 0), doctest::Contains("scenario-0-replicate-0.done"),
                         core::InputError);
}
