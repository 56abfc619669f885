// A replicate saved at a day boundary and taken up by a new Simulation ends exactly as the
// uninterrupted run: the image holds everything that carries from one day to the next.
#include <doctest/doctest.h>

#include "tests/support/prepared.hpp"

using namespace sortie;

namespace {

struct Stop {};

// The trajectories, the realised R0 and the work done must all match.
void check_same(const engine::ReplicateResult& a, const engine::ReplicateResult& b) {
    CHECK(a.counts == b.counts);
    CHECK(a.incidence == b.incidence);
    CHECK(a.active == b.active);
    CHECK(a.measures == b.measures);
    CHECK(a.r0_realised == b.r0_realised);
}

// Lockdown, school closure and a relockdown on an ICU trigger with hysteresis: the trigger's
// history and its days on must survive the checkpoint too.
const sortie::testing::Prepared& prepared() {
    static const sortie::testing::Prepared run(
        sortie::testing::kScenarios / "france-2020" / "exit-stop-and-go.yaml",
        {"population.size=20000", "end=2020-07-31",
         "seeding=[{date: 2020-02-01, infections: 20}]"});
    return run;
}

// Two vaccination campaigns one after the other: queues, people waiting, protection.
const sortie::testing::Prepared& vaccination() {
    static const sortie::testing::Prepared run(
        sortie::testing::kScenarios / "france-2021" / "vaccination.yaml",
        {"population.size=20000", "seeding=[{date: 2020-12-01, infections: 20}]"});
    return run;
}

std::vector<char> image_at(std::uint32_t stop_day, const sortie::testing::Prepared& run) {
    auto simulation = run.simulation(1);
    core::ByteWriter out;
    try {
        simulation.run([&](std::uint32_t day) {
            if (day + 1 < stop_day) return;
            simulation.save(out);
            throw Stop{};
        });
    } catch (const Stop&) {
    }
    return out.bytes();
}

}  // namespace

void check_resumes(const sortie::testing::Prepared& run, std::size_t vaccinated_measure) {
    const auto uninterrupted = run.simulation(1).run();
    std::int32_t triggered = 0, vaccinated = 0;
    for (auto a : uninterrupted.active) triggered += a;
    for (std::size_t i = vaccinated_measure; i < uninterrupted.measures.size();
         i += engine::kMeasures)
        vaccinated += uninterrupted.measures[i];
    REQUIRE(triggered > 0);  // the scenario exercises its interventions
    if (&run == &vaccination()) REQUIRE(vaccinated > 0);
    for (std::uint32_t stop_day : {1u, 40u, 100u, run.spec.days - 1}) {
        CAPTURE(stop_day);
        const auto image = image_at(stop_day, run);
        auto resumed = run.simulation(1);
        core::ByteReader in(image);
        resumed.restore(in);
        CHECK(resumed.next_day() == stop_day);
        check_same(resumed.run(), uninterrupted);
    }
}

TEST_CASE("a replicate resumed from its image at any day ends as the uninterrupted run") {
    const auto vaccinated = static_cast<std::size_t>(engine::Measure::kVaccinated);
    SUBCASE("triggers") {
        check_resumes(prepared(), vaccinated);
    }
    SUBCASE("vaccination") {
        check_resumes(vaccination(), vaccinated);
    }
}

TEST_CASE("an image that does not fit is refused, not half read") {
    const auto& run = prepared();
    auto image = image_at(30, run);
    SUBCASE("truncated") {
        image.resize(image.size() / 2);
        auto simulation = run.simulation(1);
        core::ByteReader in(image);
        CHECK_THROWS_AS(simulation.restore(in), core::CorruptImage);
    }
    SUBCASE("longer") {
        image.push_back('x');
        auto simulation = run.simulation(1);
        core::ByteReader in(image);
        CHECK_THROWS_AS(simulation.restore(in), core::CorruptImage);
    }
    SUBCASE("another population") {
        const sortie::testing::Prepared other(
            sortie::testing::kScenarios / "france-2020" / "exit-stop-and-go.yaml",
            {"population.size=20001", "end=2020-07-31"});
        auto simulation = other.simulation(1);
        core::ByteReader in(image);
        CHECK_THROWS_AS(simulation.restore(in), core::CorruptImage);
    }
}
