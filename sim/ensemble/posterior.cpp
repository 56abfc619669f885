#include "sim/ensemble/posterior.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <string_view>
#include <tuple>

#include "sim/core/csv.hpp"
#include "sim/core/error.hpp"
#include "sim/core/rng.hpp"
#include "sim/core/rng_streams.hpp"
#include "sim/model/model.hpp"
#include "sim/output/error.hpp"
#include "sim/output/fit_file.hpp"
#include "sim/output/seal.hpp"
#include "sim/scenario/sweep.hpp"

namespace sortie::ensemble {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& message) {
    throw core::InputError(core::SourceLocation(path), "--posterior", message);
}

// FIT.h5 (sealed, or damaged or unsealed but HDF5 behind where the seal would be: the fit
// reader then says what is wrong), else a CSV table.
bool looks_like_hdf5(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path, "cannot be read");
    std::vector<char> head(output::kSealBytes + 8);
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    const std::string_view signature = "\x89HDF\r\n\x1a\n";
    const auto at = [&](std::size_t offset) {
        return static_cast<std::size_t>(in.gcount()) >= offset + 8 &&
               std::string_view(head.data() + offset, 8) == signature;
    };
    return output::has_seal(path) || at(0) || at(output::kSealBytes);
}

ParameterSets from_fit_file(const std::string& path) {
    results::FitResult fit;
    try {
        if (!output::is_fit_file(path))
            fail(path, "is a run's result, not a fit's (sortie fit writes the posterior)");
        fit = output::read_fit(path);
    } catch (const output::OutputError& e) {
        fail(path, e.what());
    }
    if (fit.particles() == 0)
        fail(path, "this fit has no posterior sample (its fit file had no method.posterior)");
    ParameterSets sets;
    for (const auto& p : fit.parameters) sets.keys.push_back(p.key);
    sets.weights = fit.posterior_weight;
    sets.values = fit.posterior;
    return sets;
}

ParameterSets from_table(const std::string& path) {
    const auto table = core::CsvTable::read(path);
    const auto& header = table.header();
    if (header.size() < 2 || header.front() != "weight")
        fail(path,
             "expected a posterior table: a 'weight' column, then one column per key path "
             "(sortie fit --write-posterior)");
    ParameterSets sets;
    sets.keys.assign(header.begin() + 1, header.end());
    for (std::size_t row = 0; row < table.rows(); ++row) {
        const double weight = table.number(row, 0);
        if (!(weight > 0)) table.fail(row, 0, "a weight must be positive");
        sets.weights.push_back(weight);
        for (std::size_t c = 1; c < table.columns(); ++c)
            sets.values.push_back(table.number(row, c));
    }
    return sets;
}

// A fit's observation-model values (targets.NAME.dispersion) are not the scenario's: left out.
void keep_scenario_values(ParameterSets& sets) {
    std::vector<std::string> keys;
    std::vector<double> values;
    const std::size_t width = sets.keys.size();
    std::vector<bool> kept(width);
    for (std::size_t k = 0; k < width; ++k) {
        kept[k] = !sets.keys[k].starts_with("targets.");
        if (kept[k]) keys.push_back(sets.keys[k]);
    }
    for (std::size_t i = 0; i < sets.values.size(); ++i)
        if (kept[i % width]) values.push_back(sets.values[i]);
    sets.keys = std::move(keys);
    sets.values = std::move(values);
}

}  // namespace

ParameterSets read_parameter_sets(const std::string& path) {
    ParameterSets sets = looks_like_hdf5(path) ? from_fit_file(path) : from_table(path);
    sets.source = path;
    keep_scenario_values(sets);
    if (sets.keys.empty()) fail(path, "the sample has no value of the scenario to draw");
    double total = 0;
    for (const double w : sets.weights) total += w;
    for (double& w : sets.weights) w /= total;
    return sets;
}

std::uint32_t draw_set(const ParameterSets& sets, std::uint64_t seed, std::uint32_t replicate) {
    const double u = core::to_unit_interval(core::draw_u64(
        core::RngKey::from_seed(seed), core::streams::kPosteriorDraws, 0, replicate, 0));
    double cumulative = 0;
    for (std::size_t i = 0; i + 1 < sets.size(); ++i) {
        cumulative += sets.weights[i];
        if (u < cumulative) return static_cast<std::uint32_t>(i);
    }
    return static_cast<std::uint32_t>(sets.size() - 1);
}

std::vector<double> set_values(const ParameterSets& sets, std::uint32_t set) {
    const auto width = static_cast<std::ptrdiff_t>(sets.keys.size());
    const auto from = sets.values.begin() + static_cast<std::ptrdiff_t>(set) * width;
    return {from, from + width};
}

std::vector<std::string> set_overrides(const ParameterSets& sets, std::uint32_t set) {
    const auto values = set_values(sets, set);
    std::vector<std::string> overrides;
    for (std::size_t k = 0; k < sets.keys.size(); ++k)
        overrides.push_back(fmt::format("{}={}", sets.keys[k], values[k]));
    return overrides;
}

namespace {

// What every replicate of a scenario shares, and a set's values may not change.
std::string shared_part(const scenario::Scenario& s) {
    return fmt::format("{}; name {}; {} to {}; replicates {}", model::structure_key(s), s.name,
                       s.start.to_string(), s.end.to_string(), s.replicates);
}

// Whether key path `a` is `b`, or contains it, or lies inside it.
bool overlaps(const std::string& a, const std::string& b) {
    const auto& [shorter, longer] = a.size() <= b.size() ? std::tie(a, b) : std::tie(b, a);
    return longer.starts_with(shorter) &&
           (longer.size() == shorter.size() || longer[shorter.size()] == '.');
}

// A sweep's values are applied after the overrides: a drawn value the sweep also sets would be
// replaced by the sweep's while the record kept the drawn one. Refused instead.
void check_not_swept(const std::string& file, const std::vector<std::string>& overrides,
                     const ParameterSets& sets) {
    auto document = scenario::Document::load_file(file);
    for (const auto& assignment : overrides) document.apply_override(assignment);
    const auto points = scenario::sweep_points(document);
    if (points.empty()) return;
    for (const auto& assignment : points.front().overrides) {
        const std::string swept = assignment.substr(0, assignment.find('='));
        for (const auto& key : sets.keys)
            if (overlaps(key, swept))
                fail(sets.source,
                     fmt::format("{} is drawn from the posterior, and {} sweeps {}: a value "
                                 "cannot be both drawn and swept",
                                 key, file, swept));
    }
}

// The points of `file` with set `set`'s values after the overrides.
std::vector<scenario::Scenario> load_with_set(const std::string& file,
                                              const std::vector<std::string>& overrides,
                                              const ParameterSets& sets, std::uint32_t set) {
    auto all = overrides;
    const auto values = set_overrides(sets, set);
    all.insert(all.end(), values.begin(), values.end());
    try {
        return scenario::load_all(file, all, scenario::Purpose::kRun);
    } catch (const core::InputError& e) {
        fail(sets.source, fmt::format("parameter set {} ({}) does not make a valid scenario: {}",
                                      set, fmt::join(values, " "), e.what()));
    }
}

}  // namespace

std::vector<ReplicateVariants> draw_variants(const std::vector<scenario::Scenario>& scenarios,
                                             const std::vector<std::string>& files,
                                             const std::vector<std::string>& overrides,
                                             const ParameterSets& sets) {
    std::vector<ReplicateVariants> variants(scenarios.size());
    for (const auto& file : files) check_not_swept(file, overrides, sets);
    std::size_t first = 0;  // the file's first scenario in the run
    for (const auto& file : files) {
        const std::size_t points =
            scenario::load_all(file, overrides, scenario::Purpose::kRun).size();
        std::map<std::uint32_t, std::vector<scenario::Scenario>> loaded;  // by set
        for (std::size_t p = 0; p < points; ++p) {
            const auto& base = scenarios.at(first + p);
            auto& v = variants[first + p];
            v.keys = sets.keys;
            v.source = sets.source;
            std::map<std::uint32_t, std::uint32_t> variant_of_set;
            for (std::uint32_t r = 0; r < base.replicates; ++r) {
                const std::uint32_t set = draw_set(sets, base.seed, r);
                auto [at, added] = variant_of_set.emplace(set, v.scenarios.size());
                v.variant_of_replicate.push_back(at->second);
                if (!added) continue;
                if (!loaded.contains(set))
                    loaded.emplace(set, load_with_set(file, overrides, sets, set));
                const auto& drawn = loaded.at(set).at(p);
                if (shared_part(drawn) != shared_part(base))
                    fail(sets.source,
                         fmt::format("parameter set {} changes what the replicates of '{}' share "
                                     "(its population, contacts, seed, dates or replicates): "
                                     "only values that act on one population can vary",
                                     set, base.name));
                v.scenarios.push_back(drawn);
                v.set_of_variant.push_back(set);
                v.values.push_back(set_values(sets, set));
            }
        }
        first += points;
    }
    return variants;
}

}  // namespace sortie::ensemble
