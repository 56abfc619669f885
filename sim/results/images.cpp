#include "sim/results/images.hpp"

#include <type_traits>

#include "sim/core/byte_stream.hpp"
#include "sim/core/digest.hpp"
#include "sim/results/fields.hpp"

namespace sortie::results {
namespace {

void write_texts(core::ByteWriter& out, const std::vector<std::string>& texts) {
    out.value(std::uint64_t{texts.size()});
    for (const auto& text : texts) out.text(text);
}

std::vector<std::string> read_texts(core::ByteReader& in) {
    const auto count = in.value<std::uint64_t>();
    std::vector<std::string> texts;
    for (std::uint64_t i = 0; i < count; ++i) texts.push_back(in.text());
    return texts;
}

void check_end(const core::ByteReader& in) {
    if (!in.at_end()) throw core::CorruptImage("longer than expected");
}

}  // namespace

void write_records(core::ByteWriter& out, const ReplicateResult& replicate) {
    for_each_field(replicate, [&](const Field&, const auto& values) {
        if constexpr (std::is_same_v<std::decay_t<decltype(values)>, double>)
            out.value(values);
        else
            out.array(values);
    });
}

void read_records(core::ByteReader& in, ReplicateResult& replicate, const ScenarioResult* shape) {
    for_each_field(replicate, [&](const Field& field, auto& values) {
        if constexpr (std::is_same_v<std::decay_t<decltype(values)>, double>) {
            values = in.value<double>();
        } else {
            in.array(values);
            if (shape && values.size() != values_per_replicate(*shape, field))
                throw core::CorruptImage("checkpoint of another population");
        }
    });
}

std::vector<char> replicate_image(const ReplicateResult& result) {
    core::ByteWriter out;
    write_records(out, result);
    for_each_log_column(result.transmissions,
                        [&](const LogColumn&, const auto& column) { out.array(column); });
    // Its own digest: a task's image travels in slices, checkpoints and MPI messages.
    return core::with_digest(out.bytes());
}

ReplicateResult replicate_from_image(const std::vector<char>& image) {
    core::ByteReader in(core::checked_payload(image));
    ReplicateResult result;
    read_records(in, result);
    for_each_log_column(result.transmissions,
                        [&](const LogColumn&, auto& column) { in.array(column); });
    check_end(in);
    return result;
}

std::vector<char> description_image(const results::ScenarioResult& scenario) {
    core::ByteWriter out;
    out.text(scenario.name);
    out.value(scenario.seed);
    out.value(scenario.agents);
    out.text(scenario.start_date);
    out.value(scenario.days);
    write_texts(out, scenario.regions);
    write_texts(out, scenario.age_bands);
    out.text(scenario.scenario_yaml);
    write_texts(out, scenario.interventions);
    out.value(scenario.transmission_log);
    out.value(scenario.hospitals);
    out.value(std::uint64_t{scenario.supplies.size()});
    for (const auto& supply : scenario.supplies) {
        out.text(supply.name);
        out.text(supply.unit);
        out.value(supply.equipment);
    }
    write_texts(out, scenario.parameters);
    out.text(scenario.parameters_source);
    out.value(std::uint64_t{scenario.replicates.size()});
    return out.bytes();
}

results::ScenarioResult description_from_image(const std::vector<char>& image) {
    core::ByteReader in(image);
    results::ScenarioResult scenario;
    scenario.name = in.text();
    scenario.seed = in.value<std::uint64_t>();
    scenario.agents = in.value<std::uint64_t>();
    scenario.start_date = in.text();
    scenario.days = in.value<std::uint32_t>();
    scenario.regions = read_texts(in);
    scenario.age_bands = read_texts(in);
    scenario.scenario_yaml = in.text();
    scenario.interventions = read_texts(in);
    scenario.transmission_log = in.value<bool>();
    scenario.hospitals = in.value<bool>();
    const auto supplies = in.value<std::uint64_t>();
    for (std::uint64_t i = 0; i < supplies; ++i) {
        results::SupplyLabel supply;
        supply.name = in.text();
        supply.unit = in.text();
        supply.equipment = in.value<bool>();
        scenario.supplies.push_back(std::move(supply));
    }
    scenario.parameters = read_texts(in);
    scenario.parameters_source = in.text();
    const auto replicates = in.value<std::uint64_t>();
    if (replicates > (std::uint64_t{1} << 32)) throw core::CorruptImage("too many replicates");
    scenario.replicates.resize(replicates);
    check_end(in);
    return scenario;
}

}  // namespace sortie::results
