#pragma once

// Small hand-made results for the summary's tests: one region, two age bands, four days.
#include <cmath>
#include <cstdint>

#include "sim/results/result.hpp"

namespace sortie::test {

using results::Event;
using results::HospitalMeasure;
using results::Measure;
using results::ReplicateResult;
using results::ScenarioResult;
using results::State;
using results::SupplyMeasure;

inline ScenarioResult tiny_scenario() {
    ScenarioResult s;
    s.name = "tiny";
    s.agents = 1000;
    s.start_date = "2020-02-27";
    s.days = 4;
    s.regions = {"idf"};
    s.age_bands = {"0-49", "50+"};
    return s;
}

struct Trajectory {
    const ScenarioResult& scenario;
    ReplicateResult replicate;

    explicit Trajectory(const ScenarioResult& s) : scenario(s) {
        replicate.counts.assign(s.days * s.counts_per_day(), 0);
        replicate.incidence.assign(s.days * s.incidence_per_day(), 0);
        replicate.measures.assign(s.days * s.measures_per_day(), 0);
    }
    void set(std::size_t day, std::size_t band, State state, std::int32_t people) {
        const std::size_t cell = day * scenario.age_bands.size() + band;
        replicate.counts[cell * sortie::results::kStates + static_cast<std::size_t>(state)] =
            people;
    }
    void add(std::size_t day, std::size_t band, Event event, std::int32_t events) {
        const std::size_t cell = day * scenario.age_bands.size() + band;
        replicate.incidence[cell * sortie::results::kEvents + static_cast<std::size_t>(event)] +=
            events;
    }
};

// A replicate whose ward + ICU occupancy peaks on `hospital_day` and ICU on `icu_day`.
inline ReplicateResult peaking(const ScenarioResult& s, std::size_t hospital_day,
                               std::size_t icu_day) {
    Trajectory t(s);
    t.set(hospital_day, 0, State::kHospitalWard, 50);
    t.set(icu_day, 1, State::kIcu, 10);
    return t.replicate;
}

// The tiny scenario with hospital records, one consumable and one equipment.
inline ScenarioResult with_hospitals() {
    ScenarioResult s = tiny_scenario();
    s.hospitals = true;
    s.supplies = {{"ffp2_masks", "masks", false}, {"ventilators", "ventilators", true}};
    return s;
}

struct HospitalDays {
    const ScenarioResult& scenario;
    ReplicateResult replicate;

    explicit HospitalDays(const ScenarioResult& s)
        : scenario(s), replicate(Trajectory(s).replicate) {
        replicate.hospital.assign(s.days * s.hospital_per_day(), 0);
        replicate.supplies.assign(s.days * s.supplies_per_day(), 0.0);
        for (std::size_t i = std::size_t(SupplyMeasure::kDaysLeft); i < replicate.supplies.size();
             i += sortie::results::kSupplyMeasures)
            replicate.supplies[i] = INFINITY;
    }
    void set(std::size_t day, HospitalMeasure m, std::int32_t value) {
        replicate.hospital[day * sortie::results::kHospitalMeasures + std::size_t(m)] = value;
    }
    void demand(std::size_t day, State state, std::int32_t people) {
        replicate.counts[(day * scenario.age_bands.size()) * sortie::results::kStates +
                         std::size_t(state)] = people;
    }
    void supply(std::size_t day, std::size_t resource, SupplyMeasure m, double value) {
        replicate.supplies[(day * scenario.supplies.size() + resource) *
                               sortie::results::kSupplyMeasures +
                           std::size_t(m)] = value;
    }
};

// ICU beds 10 every day; demand 5, 12, 20, 8: peak 20 on day 2, two days over.
inline ReplicateResult saturated(const ScenarioResult& s, std::size_t first_shortage) {
    HospitalDays h(s);
    const std::int32_t demand[] = {5, 12, 20, 8};
    for (std::size_t day = 0; day < s.days; ++day) {
        h.set(day, HospitalMeasure::kIcuCapacity, 10);
        h.set(day, HospitalMeasure::kWardCapacity, 100);
        h.demand(day, State::kIcu, demand[day]);
        h.demand(day, State::kHospitalWard, 30);
        h.supply(day, 0, SupplyMeasure::kUsed, 4);
        h.supply(day, 0, SupplyMeasure::kDaysLeft, 10.0 - double(day));
        if (day >= first_shortage) h.supply(day, 0, SupplyMeasure::kShortage, 1);
    }
    h.set(1, HospitalMeasure::kIcuRefused, 2);
    h.set(2, HospitalMeasure::kIcuRefused, 10);
    h.set(2, HospitalMeasure::kTransfersOut, 3);
    h.set(3, HospitalMeasure::kExcessDeaths, 4);
    return h.replicate;
}

}  // namespace sortie::test
