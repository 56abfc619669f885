// A replicate saved at a day boundary and taken up by a new Simulation ends exactly as the
// uninterrupted run: the image holds everything that carries from one day to the next.
#include <doctest/doctest.h>

#include <optional>

#include "tests/support/prepared.hpp"
#include "tests/support/records.hpp"

using namespace sortie;

namespace {

struct Stop {};

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

// Testing, isolation, tracing with its queues and quarantines, on top of a progressive exit.
const sortie::testing::Prepared& tti() {
    static const sortie::testing::Prepared run(
        sortie::testing::kScenarios / "france-2020" / "exit-tti.yaml",
        {"population.size=20000", "end=2020-07-31", "seeding=[{date: 2020-02-01, infections: 20}]",
         "interventions.testing.start=2020-03-01", "interventions.testing.per_100k=500",
         "interventions.tracing.start=2020-03-01",
         "interventions.tracing.index_cases_per_100k=200"});
    return run;
}

// The France 2020 hospitals with few beds (20,000 agents) and one region with room: wards and
// ICUs full, patients transferred and refused, beds carried over the checkpoint.
const sortie::testing::Prepared& hospitals() {
    static const sortie::testing::Prepared run(
        sortie::testing::kScenarios / "france-2020" / "lockdown.yaml",
        {"population.size=20000", "end=2020-07-31", "seeding=[{date: 2020-02-01, infections: 20}]",
         "hospitals.changes=[{date: 2020-02-01, region: ara, icu_beds: 20000}]",
         // 20,000 real transfers a day are 6 at this scale: enough to have some.
         "hospitals.transfers.per_day=20000"});
    return run;
}

// The same hospitals with one consumable that runs out and refills: the stocks must carry.
const sortie::testing::Prepared& supplies() {
    static const sortie::testing::Prepared run(
        sortie::testing::kScenarios / "france-2020" / "lockdown.yaml",
        {"population.size=20000", "end=2020-07-31", "seeding=[{date: 2020-02-01, infections: 20}]",
         "hospitals.supplies=[{name: masks, unit: piece, per_ward_patient_day: 4, "
         "per_icu_patient_day: 15, stock_per_100k: 3000, delivery_per_100k_per_day: 150}]"});
    return run;
}

std::int64_t hospital_total(const results::ReplicateResult& result, results::HospitalMeasure m) {
    std::int64_t sum = 0;
    for (std::size_t i = std::size_t(m); i < result.hospital.size();
         i += results::kHospitalMeasures)
        sum += result.hospital[i];
    return sum;
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

// The scenario must exercise what the image has to carry: interventions in force, and
// `measure` non-zero some day (if given).
void check_resumes(const sortie::testing::Prepared& run,
                   std::optional<results::Measure> measure = std::nullopt) {
    const auto uninterrupted = run.simulation(1).run();
    std::int64_t triggered = 0, measured = 0;
    for (auto a : uninterrupted.active) triggered += a;
    for (std::size_t i = measure ? std::size_t(*measure) : 0; i < uninterrupted.measures.size();
         i += results::kMeasures)
        measured += uninterrupted.measures[i];
    REQUIRE(triggered > 0);
    if (measure) REQUIRE(measured > 0);
    for (std::uint32_t stop_day : {1u, 40u, 100u, run.spec.days - 1}) {
        CAPTURE(stop_day);
        const auto image = image_at(stop_day, run);
        auto resumed = run.simulation(1);
        core::ByteReader in(image);
        resumed.restore(in);
        CHECK(resumed.next_day() == stop_day);
        sortie::test::check_same_records(resumed.run(), uninterrupted);
    }
}

TEST_CASE("a replicate resumed from its image at any day ends as the uninterrupted run") {
    SUBCASE("triggers") {
        check_resumes(prepared());
    }
    SUBCASE("vaccination") {
        check_resumes(vaccination(), results::Measure::kVaccinated);
    }
    SUBCASE("hospitals") {
        const auto uninterrupted = hospitals().simulation(1).run();
        REQUIRE(hospital_total(uninterrupted, results::HospitalMeasure::kTransfersIn) > 0);
        REQUIRE(hospital_total(uninterrupted, results::HospitalMeasure::kIcuRefused) > 0);
        check_resumes(hospitals());
    }
    SUBCASE("supplies") {
        const auto uninterrupted = supplies().simulation(1).run();
        double short_days = 0, days_with_stock = 0;
        for (std::size_t i = 0; i < uninterrupted.supplies.size(); i += results::kSupplyMeasures) {
            short_days +=
                uninterrupted.supplies[i + std::size_t(results::SupplyMeasure::kShortage)];
            days_with_stock +=
                uninterrupted.supplies[i + std::size_t(results::SupplyMeasure::kStock)] > 0 ? 1 : 0;
        }
        REQUIRE(short_days > 0);
        REQUIRE(days_with_stock > 0);
        check_resumes(supplies());
    }
    SUBCASE("test, trace, isolate") {
        check_resumes(tti(), results::Measure::kQuarantined);
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
