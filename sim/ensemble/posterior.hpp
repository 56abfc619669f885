#pragma once

// Replicates that run with parameter sets drawn from a fit's posterior (`sortie run
// --posterior FIT.h5|POSTERIOR.csv`): the set each replicate draws is a function of the
// scenario's seed and the replicate's index only, so replicate r of every scenario of a run
// draws the same set when their seeds agree (their comparison stays paired), and the scenario
// each set gives is the file's with the set's values as further --set values.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace sortie::ensemble {

/// A weighted sample of parameter sets: a fit's posterior.
struct ParameterSets {
    std::string source;             ///< the file read
    std::vector<std::string> keys;  ///< scenario key paths, as --set names them
    std::vector<double> weights;    ///< one per set, positive, summing to 1
    std::vector<double> values;     ///< values[set * keys.size() + key]

    std::size_t size() const { return weights.size(); }
};

/// Reads the posterior sample of a fit's result (FIT.h5) or the table `sortie fit
/// --write-posterior` writes (a `weight` column, then one column per key path). Throws
/// core::InputError for a file that is neither, has no sample, or holds a value that is not a
/// finite number or a weight that is not positive. A fit's values of its observation models
/// (`targets.NAME.dispersion`) are left out: they are not the scenario's.
ParameterSets read_parameter_sets(const std::string& path);

/// The set that replicate `replicate` of a scenario seeded `seed` runs: drawn with the sets'
/// weights from the counter-based stream kPosteriorDraws.
std::uint32_t draw_set(const ParameterSets& sets, std::uint64_t seed, std::uint32_t replicate);

/// The values of set `set`, one per key.
std::vector<double> set_values(const ParameterSets& sets, std::uint32_t set);

/// The values of set `set` as --set values ("key=value", each value's shortest exact text).
std::vector<std::string> set_overrides(const ParameterSets& sets, std::uint32_t set);

/// What the replicates of one scenario run.
struct ReplicateVariants {
    std::vector<std::string> keys;  ///< the parameters drawn
    std::string source;             ///< the file of the sets
    std::vector<std::uint32_t> variant_of_replicate;
    std::vector<std::uint32_t> set_of_variant;  ///< per variant: its index in the sets
    std::vector<std::vector<double>> values;    ///< per variant: its set's values
    std::vector<scenario::Scenario> scenarios;  ///< per variant: the scenario with them
};

/// The variants of each scenario of a run (`scenarios`, as scenario::load_files read them from
/// `files` with `overrides`): each file read again with every drawn set's values after the
/// overrides. Throws core::InputError, naming the set, when a set's values do not make a valid
/// scenario or change what the replicates of a scenario share (its population, contacts, seed,
/// dates or replicates).
std::vector<ReplicateVariants> draw_variants(const std::vector<scenario::Scenario>& scenarios,
                                             const std::vector<std::string>& files,
                                             const std::vector<std::string>& overrides,
                                             const ParameterSets& sets);

}  // namespace sortie::ensemble
