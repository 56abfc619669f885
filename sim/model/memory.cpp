#include "sim/model/memory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <type_traits>

#include "sim/contacts/layers.hpp"
#include "sim/disease/natural_history.hpp"
#include "sim/engine/calibration.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/model/inputs.hpp"
#include "sim/results/fields.hpp"
#include "sim/results/result.hpp"

namespace sortie::model {
namespace {

// Buffers, TBB's threads and the libraries, whatever the population.
constexpr std::size_t kFixedBytes = std::size_t{32} << 20;

// The records of one replicate (fields.hpp), from the scenario's axes.
std::size_t trajectory_bytes(const scenario::Scenario& s, std::size_t regions) {
    const results::ScenarioResult shape =
        results::record_axes(s.days(), regions, contacts::kAgeBands, s.interventions.size(),
                             s.hospitals.present, s.hospitals.supplies.size());
    std::size_t bytes = 0;
    results::ReplicateResult replicate;
    results::for_each_field(replicate, [&](const results::Field& field, const auto& values) {
        using Values = std::decay_t<decltype(values)>;
        if constexpr (!std::is_same_v<Values, double>) {
            if (results::has_field(shape, field))
                bytes += results::values_per_replicate(shape, field) *
                         sizeof(typename Values::value_type);
        }
    });
    return bytes;
}

std::size_t region_count(const ModelInputs& inputs) {
    return inputs.population.regions.empty() ? inputs.tables.regions.size()
                                             : inputs.population.regions.size();
}

ScenarioMemory scenario_memory(const scenario::Scenario& s, std::size_t threads, bool transmissions,
                               std::size_t available) {
    const ModelInputs inputs = prepare(s);
    ScenarioMemory m;
    m.name = s.name;
    m.agents = inputs.population.size;
    m.days = s.days();
    m.replicates = s.replicates;
    m.population = static_cast<std::size_t>(kPopulationBytesPerAgent * double(m.agents));
    m.per_replicate = replicate_bytes(m.agents, replicate_features(s, transmissions));
    m.in_flight = replicates_in_flight(s.replicates, threads, m.per_replicate, available);
    if (!s.disease.r0_by_next_generation && m.agents >= engine::kMinimumPilotAgents) {
        // The calibration's pilot runs, before the replicates (docs/model.md).
        const std::size_t pilot = engine::pilot_run_bytes(m.agents);
        m.calibration = replicates_in_flight(std::min(engine::kMaxPilots, s.replicates), threads,
                                             pilot, available) *
                        pilot;
    }
    m.trajectories = std::size_t{s.replicates} * trajectory_bytes(s, region_count(inputs));
    if (transmissions) m.trajectories += std::size_t{s.replicates} * m.agents * 5 * 4;
    return m;
}

}  // namespace

engine::ReplicateFeatures replicate_features(const scenario::Scenario& scenario,
                                             bool transmissions) {
    engine::ReplicateFeatures features;
    for (const auto& i : scenario.interventions) {
        if (i.type == "vaccination") ++features.vaccination_campaigns;
        features.test_trace_isolate = features.test_trace_isolate || i.type == "testing" ||
                                      i.type == "tracing" || i.type == "mass_testing";
    }
    features.hospitals = scenario.hospitals.present;
    features.transmissions = transmissions;
    return features;
}

std::size_t replicate_bytes(std::uint64_t agents, const engine::ReplicateFeatures& features) {
    return engine::Simulation::bytes_per_agent(features) * agents + (std::size_t{1} << 20);
}

std::size_t replicates_in_flight(std::size_t waiting, std::size_t threads,
                                 std::size_t replicate_bytes, std::size_t available) {
    std::size_t in_flight = std::max<std::size_t>(1, std::min(waiting, threads));
    if (available > 0)
        in_flight = std::clamp<std::size_t>(available / 2 / replicate_bytes, 1, in_flight);
    return in_flight;
}

MemoryEstimate estimate_memory(const std::vector<scenario::Scenario>& scenarios,
                               std::size_t threads, bool transmissions, std::size_t available) {
    MemoryEstimate estimate;
    std::size_t largest = 0, trajectories = 0;
    for (const auto& s : scenarios) {
        estimate.scenarios.push_back(scenario_memory(s, threads, transmissions, available));
        const auto& m = estimate.scenarios.back();
        largest = std::max(largest,
                           m.population + std::max(m.in_flight * m.per_replicate, m.calibration));
        trajectories += m.trajectories;
    }
    // The populations are freed scenario by scenario; the file is made once all have run, in
    // two copies of about a quarter of the trajectories each (see MemoryEstimate::peak).
    estimate.peak = trajectories + std::max(largest, trajectories / 2) + kFixedBytes;
    return estimate;
}

std::string bytes_text(double bytes) {
    if (bytes >= double(1ull << 30)) return fmt::format("{:.1f} GiB", bytes / double(1ull << 30));
    if (bytes >= double(1ull << 20)) return fmt::format("{:.0f} MiB", bytes / double(1ull << 20));
    return fmt::format("{:.0f} KiB", bytes / 1024.0);
}

}  // namespace sortie::model
