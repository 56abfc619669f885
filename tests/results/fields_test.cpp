// The one description of a replicate's records: dimensions, sizes, and byte images that carry
// every record (checkpoints, slices and MPI messages depend on it).
#include "sim/results/fields.hpp"

#include <doctest/doctest.h>

#include <limits>

#include "sim/core/byte_stream.hpp"
#include "sim/results/images.hpp"

using namespace sortie::results;

namespace {

ScenarioResult scenario_with(bool hospitals, std::size_t supplies, std::size_t interventions) {
    ScenarioResult s;
    s.name = "s";
    s.days = 5;
    s.regions = {"idf", "cvl"};
    s.age_bands = {"0-49", "50+"};
    s.hospitals = hospitals;
    for (std::size_t i = 0; i < supplies; ++i) s.supplies.push_back({"m", "masks", false});
    s.interventions.resize(interventions, "lockdown");
    return s;
}

// Every record and every column of the log holds something distinct.
ReplicateResult full_replicate() {
    ReplicateResult r;
    r.counts = {1, 2, 3};
    r.incidence = {4, 5};
    r.r0_realised = 2.75;
    r.active = {0, 1, 1};
    r.measures = {6};
    r.hospital = {7, 8};
    r.supplies = {9.5, std::numeric_limits<double>::infinity()};
    r.parameters = {2.8, 0.2};
    r.transmissions.day = {0, 1};
    r.transmissions.infector = {-1, 12};
    r.transmissions.infectee = {12, 13};
    r.transmissions.layer = {3, 0};
    r.transmissions.place = {-1, 40};
    return r;
}

}  // namespace

TEST_CASE("each record names its dimensions as the result file does") {
    CHECK(dimensions_text(kCountsField) == "replicate,time,region,age_band,state");
    CHECK(dimensions_text(kIncidenceField) == "replicate,time,region,age_band,event");
    CHECK(dimensions_text(kR0Field) == "replicate");
    CHECK(dimensions_text(kActiveField) == "replicate,time,intervention");
    CHECK(dimensions_text(kMeasuresField) == "replicate,time,region,measure");
    CHECK(dimensions_text(kHospitalField) == "replicate,time,region,hospital_measure");
    CHECK(dimensions_text(kSuppliesField) == "replicate,time,region,resource,supply_measure");
}

TEST_CASE("a record holds one value per cell of its dimensions, and none without its axis") {
    const ScenarioResult plain = scenario_with(false, 0, 0);
    CHECK(values_per_replicate(plain, kCountsField) == 5 * 2 * 2 * kStates);
    CHECK(values_per_replicate(plain, kIncidenceField) == 5 * 2 * 2 * kEvents);
    CHECK(values_per_replicate(plain, kR0Field) == 1);
    CHECK(values_per_replicate(plain, kMeasuresField) == plain.days * plain.measures_per_day());
    CHECK_FALSE(has_field(plain, kHospitalField));
    CHECK_FALSE(has_field(plain, kSuppliesField));
    CHECK_FALSE(has_field(plain, kActiveField));
    const ScenarioResult full = scenario_with(true, 3, 2);
    CHECK(values_per_replicate(full, kHospitalField) == full.days * full.hospital_per_day());
    CHECK(values_per_replicate(full, kSuppliesField) == full.days * full.supplies_per_day());
    CHECK(values_per_replicate(full, kActiveField) == 5 * 2);
    CHECK(axis_labels(full, Axis::kResource) == std::vector<std::string>{"m", "m", "m"});
    CHECK(axis_labels(full, Axis::kState).front() == "S");
}

TEST_CASE("the fields are visited in the result file's order, each once") {
    std::vector<std::string> names;
    const ReplicateResult r;
    for_each_field(r, [&](const Field& f, const auto&) { names.emplace_back(f.name); });
    CHECK(names == std::vector<std::string>{"counts", "incidence", "r0_realised",
                                            "interventions_active", "measures", "hospital",
                                            "supplies", "parameters"});
}

TEST_CASE("a replicate's image carries every record and the transmission log") {
    const ReplicateResult r = full_replicate();
    const ReplicateResult back = replicate_from_image(replicate_image(r));
    CHECK(back.counts == r.counts);
    CHECK(back.incidence == r.incidence);
    CHECK(back.r0_realised == r.r0_realised);
    CHECK(back.active == r.active);
    CHECK(back.measures == r.measures);
    CHECK(back.hospital == r.hospital);
    CHECK(back.supplies == r.supplies);
    CHECK(back.parameters == r.parameters);
    CHECK(back.transmissions.day == r.transmissions.day);
    CHECK(back.transmissions.infector == r.transmissions.infector);
    CHECK(back.transmissions.infectee == r.transmissions.infectee);
    CHECK(back.transmissions.layer == r.transmissions.layer);
    CHECK(back.transmissions.place == r.transmissions.place);
}

TEST_CASE("a truncated or lengthened image is refused") {
    auto image = replicate_image(full_replicate());
    auto shorter = image;
    shorter.pop_back();
    CHECK_THROWS_AS(replicate_from_image(shorter), sortie::core::CorruptImage);
    image.push_back('x');
    CHECK_THROWS_AS(replicate_from_image(image), sortie::core::CorruptImage);
}

TEST_CASE("a scenario's description image keeps its labels and its number of replicates") {
    ScenarioResult s = scenario_with(true, 1, 2);
    s.seed = 7;
    s.agents = 1234;
    s.start_date = "2020-03-01";
    s.scenario_yaml = "name: s\n";
    s.transmission_log = true;
    s.parameters = {"disease.R0", "seeding.0.per_million"};
    s.parameters_source = "fit.h5";
    s.replicates.resize(4);
    const ScenarioResult back = description_from_image(description_image(s));
    CHECK(back.name == s.name);
    CHECK(back.seed == 7);
    CHECK(back.agents == 1234);
    CHECK(back.start_date == s.start_date);
    CHECK(back.days == s.days);
    CHECK(back.regions == s.regions);
    CHECK(back.age_bands == s.age_bands);
    CHECK(back.scenario_yaml == s.scenario_yaml);
    CHECK(back.interventions == s.interventions);
    CHECK(back.transmission_log);
    CHECK(back.hospitals);
    REQUIRE(back.supplies.size() == 1);
    CHECK(back.supplies[0].unit == "masks");
    CHECK(back.parameters == s.parameters);
    CHECK(back.parameters_source == "fit.h5");
    CHECK(back.replicates.size() == 4);
}
