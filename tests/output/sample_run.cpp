#include "tests/output/sample_run.hpp"

#include <limits>
#include <string>

namespace sortie::test {
namespace {

using results::ReplicateResult;
using results::ScenarioResult;

std::vector<std::string> age_band_labels() {
    std::vector<std::string> labels;
    for (int from = 0; from < 85; from += 5)
        labels.push_back(std::to_string(from) + "-" + std::to_string(from + 4));
    labels.push_back("85+");
    return labels;
}

std::vector<std::int32_t> series(std::size_t size, std::int32_t seed) {
    std::vector<std::int32_t> values(size);
    for (std::size_t i = 0; i < size; ++i)
        values[i] = static_cast<std::int32_t>((i * 7919 + static_cast<std::size_t>(seed)) % 1009);
    return values;
}

// Supply records: amounts with fractions, 0/1 shortage flags, +inf days left now and then.
std::vector<double> supply_series(std::size_t size, std::int32_t seed) {
    std::vector<double> values(size);
    for (std::size_t i = 0; i < size; ++i) {
        const auto v = (i * 7919 + static_cast<std::size_t>(seed)) % 1009;
        switch (static_cast<results::SupplyMeasure>(i % results::kSupplyMeasures)) {
            case results::SupplyMeasure::kShortage:
                values[i] = v % 3 == 0 ? 1.0 : 0.0;
                break;
            case results::SupplyMeasure::kDaysLeft:
                values[i] = v % 5 == 0 ? std::numeric_limits<double>::infinity() : double(v) / 7;
                break;
            default:
                values[i] = double(v) / 4;
        }
    }
    return values;
}

ScenarioResult scenario(std::string name, std::int32_t number) {
    ScenarioResult s;
    s.name = std::move(name);
    // Above 2^63, to catch a signed type anywhere on the way.
    s.seed = std::numeric_limits<std::uint64_t>::max() - 58 - static_cast<std::uint64_t>(number);
    s.agents = 1000000 + static_cast<std::uint64_t>(number);
    s.start_date = number == 0 ? "2020-02-27" : "2020-12-30";  // the second crosses a year
    s.days = 5;
    s.transmission_log = number == 0;
    s.hospitals = number == 1;  // hospital records in one scenario only
    if (number == 1)
        s.supplies = {{"ffp2_masks", "masks", false}, {"ventilators", "ventilators", true}};
    s.regions = {"idf", "ara"};
    s.age_bands = age_band_labels();
    s.scenario_yaml = "name: " + s.name + "\n# région Île-de-France\n";
    if (number == 0) s.scenario_yaml += std::string(70000, 'x') + "\n";
    for (std::int32_t r = 0; r < 3; ++r) {
        ReplicateResult replicate;
        replicate.counts = series(s.days * s.counts_per_day(), 100 * number + r);
        replicate.incidence = series(s.days * s.incidence_per_day(), 100 * number + r + 50);
        replicate.measures = series(s.days * s.measures_per_day(), 100 * number + r + 70);
        replicate.hospital = series(s.days * s.hospital_per_day(), 100 * number + r + 90);
        replicate.supplies = supply_series(s.days * s.supplies_per_day(), 100 * number + r);
        replicate.r0_realised = 2.5 + 0.1 * r + 1e-13 * number;
        if (number == 0 && r != 1) {  // replicate 1 infected nobody: an empty part of the log
            auto& log = replicate.transmissions;
            for (std::int32_t i = 0; i < 2 + r; ++i) {
                log.day.push_back(i);
                log.infector.push_back(i == 0 ? -1 : 1000 * r + i - 1);
                log.infectee.push_back(1000 * r + i);
                log.layer.push_back(i % 4);
                log.place.push_back(i == 0 ? -1 : 77 + i);
            }
        }
        s.replicates.push_back(std::move(replicate));
    }
    return s;
}

}  // namespace

results::RunResult sample_run() {
    results::RunResult run;
    run.command_line = "sortie run scenarios/exit.yaml --replicates 3 --set note=\"été\"";
    // Not in alphabetical order: the file must keep the order of the run.
    run.scenarios.push_back(scenario("lockdown_exit", 0));
    run.scenarios.push_back(scenario("baseline", 1));
    return run;
}

}  // namespace sortie::test
