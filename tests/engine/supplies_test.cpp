// Hospital supplies (docs/model.md, Supplies): the stocks follow the recorded occupancy
// exactly, run out when nothing is stocked or delivered, never run out when the deliveries
// cover the use, and change nothing else of the run.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "tests/support/prepared.hpp"

using namespace sortie;
using results::HospitalMeasure;
using results::SupplyMeasure;
using sortie::testing::Prepared;

namespace {

const Prepared& epidemic() {
    return sortie::testing::hospital_epidemic();
}

constexpr std::int32_t kWardBeds = 3, kIcuBeds = 2;

engine::HospitalSpec beds(const Prepared& run) {
    engine::HospitalSpec spec;
    spec.enabled = true;
    const std::size_t cells = std::size_t{run.spec.days} * run.population.regions.size();
    spec.ward_beds.assign(cells, kWardBeds);
    spec.icu_beds.assign(cells, kIcuBeds);
    spec.transfers_per_day = 2;
    spec.death_without_icu = 0.9;
    spec.death_without_ward = 0.3;
    return spec;
}

engine::SupplySpec consumable(const Prepared& run, double per_ward, double per_icu, double stock,
                              double delivery) {
    const std::size_t regions = run.population.regions.size();
    return {false, per_ward, per_icu, std::vector<double>(regions, stock),
            std::vector<double>(regions, delivery)};
}

engine::SupplySpec equipment(const Prepared& run, double per_icu, double available) {
    const std::size_t regions = run.population.regions.size();
    return {true, 0, per_icu, std::vector<double>(regions, available),
            std::vector<double>(regions, 0.0)};
}

results::ReplicateResult run_with(const Prepared& run, const engine::HospitalSpec& hospitals) {
    engine::EngineSpec spec = run.spec;
    spec.hospitals = hospitals;
    engine::Simulation simulation(run.population, *run.contacts, *run.disease, spec,
                                  core::RngKey::for_replicate(run.scenario.seed, 0));
    return simulation.run();
}

// hospital[day][region][measure] and supplies[day][region][resource][measure]
struct Records {
    const results::ReplicateResult& result;
    std::size_t regions, resources;
    std::int64_t hospital(std::size_t day, std::size_t r, HospitalMeasure m) const {
        return result.hospital[(day * regions + r) * results::kHospitalMeasures + std::size_t(m)];
    }
    double supply(std::size_t day, std::size_t r, std::size_t s, SupplyMeasure m) const {
        return result.supplies[((day * regions + r) * resources + s) * results::kSupplyMeasures +
                               std::size_t(m)];
    }
};

// Counts of days (over all regions) with each condition, to check the run exercised it.
struct Seen {
    int shortage = 0, stock_left_after_use = 0, use = 0;
};

// Replays one consumable from the recorded occupancy with the documented formulas and
// compares every record exactly.
Seen replay_consumable(const Records& records, const engine::SupplySpec& supply, std::size_t s,
                       std::size_t days) {
    Seen seen;
    for (std::size_t r = 0; r < records.regions; ++r) {
        double stock = supply.stock[r];
        std::vector<double> used;
        for (std::size_t day = 0; day < days; ++day) {
            CAPTURE(day);
            CAPTURE(r);
            const auto ward = records.hospital(day, r, HospitalMeasure::kWardOccupancy);
            const auto icu = records.hospital(day, r, HospitalMeasure::kIcuOccupancy);
            const double need =
                supply.per_ward_patient * double(ward) + supply.per_icu_patient * double(icu);
            const double available = stock + supply.delivery_per_day[r];
            const double shortfall = std::max(0.0, need - available);
            stock = std::max(0.0, available - need);
            used.push_back(need);
            const std::size_t first = day >= 6 ? day - 6 : 0;
            double sum = 0;
            for (std::size_t d = first; d <= day; ++d) sum += used[d];
            const double mean = sum / double(day + 1 - first);
            const double days_left =
                mean > 0 ? stock / mean : std::numeric_limits<double>::infinity();
            REQUIRE(records.supply(day, r, s, SupplyMeasure::kStock) == stock);
            REQUIRE(records.supply(day, r, s, SupplyMeasure::kDelivered) ==
                    supply.delivery_per_day[r]);
            REQUIRE(records.supply(day, r, s, SupplyMeasure::kUsed) == need);
            REQUIRE(records.supply(day, r, s, SupplyMeasure::kShortfall) == shortfall);
            REQUIRE(records.supply(day, r, s, SupplyMeasure::kShortage) ==
                    (shortfall > 0 ? 1.0 : 0.0));
            REQUIRE(records.supply(day, r, s, SupplyMeasure::kDaysLeft) == days_left);
            seen.shortage += shortfall > 0 ? 1 : 0;
            seen.stock_left_after_use += need > 0 && stock > 0 ? 1 : 0;
            seen.use += need > 0 ? 1 : 0;
        }
    }
    return seen;
}

}  // namespace

TEST_CASE("supply stocks replay exactly from the recorded occupancy") {
    const auto& run = epidemic();
    auto hospitals = beds(run);
    // At most 3 x 4 + 2 x 15 = 42 a day against 6 delivered: stocks run out and refill.
    hospitals.supplies = {consumable(run, 4, 15, 50, 6), equipment(run, 0.8, 1)};
    const auto result = run_with(run, hospitals);
    const std::size_t regions = run.population.regions.size();
    const Records records{result, regions, 2};
    REQUIRE(result.supplies.size() ==
            std::size_t{run.spec.days} * regions * 2 * results::kSupplyMeasures);
    const Seen seen = replay_consumable(records, hospitals.supplies[0], 0, run.spec.days);
    CHECK(seen.shortage > 0);              // the floor at 0 and the shortfall
    CHECK(seen.stock_left_after_use > 0);  // use met from the stock
    int held_beyond = 0;
    for (std::size_t day = 0; day < run.spec.days; ++day) {
        for (std::size_t r = 0; r < regions; ++r) {
            CAPTURE(day);
            CAPTURE(r);
            const double need =
                0.8 * double(records.hospital(day, r, HospitalMeasure::kIcuOccupancy));
            REQUIRE(records.supply(day, r, 1, SupplyMeasure::kStock) == 1.0);
            REQUIRE(records.supply(day, r, 1, SupplyMeasure::kUsed) == need);
            REQUIRE(records.supply(day, r, 1, SupplyMeasure::kShortfall) ==
                    std::max(0.0, need - 1.0));
            REQUIRE(records.supply(day, r, 1, SupplyMeasure::kShortage) ==
                    (need > 1.0 ? 1.0 : 0.0));
            REQUIRE(std::isinf(records.supply(day, r, 1, SupplyMeasure::kDaysLeft)));
            held_beyond += need > 1.0 ? 1 : 0;
        }
    }
    CHECK(held_beyond > 0);
}

TEST_CASE("without stock or deliveries a supply is short from the first patient-day") {
    const auto& run = epidemic();
    auto hospitals = beds(run);
    hospitals.supplies = {consumable(run, 1, 5, 0, 0)};
    const auto result = run_with(run, hospitals);
    const std::size_t regions = run.population.regions.size();
    const Records records{result, regions, 1};
    const Seen seen = replay_consumable(records, hospitals.supplies[0], 0, run.spec.days);
    REQUIRE(seen.use > 0);
    CHECK(seen.shortage == seen.use);  // every day with a patient, and no other
    CHECK(seen.stock_left_after_use == 0);
}

TEST_CASE("deliveries covering the use never leave a shortage") {
    const auto& run = epidemic();
    auto hospitals = beds(run);
    // The beds hold at most kWardBeds + kIcuBeds patients: 3 x 2 + 2 x 7 = 20 a day at most.
    hospitals.supplies = {consumable(run, 2, 7, 0, 2.0 * kWardBeds + 7.0 * kIcuBeds)};
    const auto result = run_with(run, hospitals);
    const Records records{result, run.population.regions.size(), 1};
    const Seen seen = replay_consumable(records, hospitals.supplies[0], 0, run.spec.days);
    REQUIRE(seen.use > 0);
    CHECK(seen.shortage == 0);
}

TEST_CASE("supplies change nothing else of the run") {
    const auto& run = epidemic();
    auto hospitals = beds(run);
    const auto without = run_with(run, hospitals);
    hospitals.supplies = {consumable(run, 1, 5, 0, 0), equipment(run, 1, 0)};
    const auto with = run_with(run, hospitals);
    CHECK(without.supplies.empty());
    CHECK_FALSE(with.supplies.empty());
    CHECK(with.counts == without.counts);
    CHECK(with.incidence == without.incidence);
    CHECK(with.measures == without.measures);
    CHECK(with.hospital == without.hospital);
}
