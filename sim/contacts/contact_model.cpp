#include "sim/contacts/contact_model.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/core/system.hpp"

namespace sortie::contacts {
namespace {

// Regions closer than this are treated as this far apart in the gravity model, so that
// neighbouring capitals do not dominate (estimate).
constexpr double kMinimumDistanceKm = 50.0;
constexpr double kEarthRadiusKm = 6371.0;

double distance_km(const population::RegionInfo& a, const population::RegionInfo& b) {
    const double to_radians = std::numbers::pi / 180.0;
    const double dlat = (b.latitude - a.latitude) * to_radians;
    const double dlon = (b.longitude - a.longitude) * to_radians;
    const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                     std::cos(a.latitude * to_radians) * std::cos(b.latitude * to_radians) *
                         std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2.0 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(h)));
}

struct GroupStats {
    double members = 0, pairs = 0, in_shared_venues = 0;
};

GroupStats group_stats(const population::GroupLayer& layer) {
    GroupStats stats;
    for (std::uint32_t g = 0; g < layer.groups(); ++g) {
        const double n = layer.group_size(g);
        stats.members += n;
        stats.pairs += n * (n - 1.0);
        if (layer.venue_size(layer.group_venue[g]) >= 2) stats.in_shared_venues += n;
    }
    return stats;
}

struct GroupRates {
    double pair_probability = 0, venue_mean = 0;
};

// Chooses the pair probability so that the group gives `share` of the target, capped at 1,
// and the venue-wide mean so that the total reaches the target (docs/model.md).
GroupRates calibrate(const population::GroupLayer& layer, double per_day, double share) {
    const GroupStats stats = group_stats(layer);
    if (stats.members == 0) return {};
    const double mean_pairs = stats.pairs / stats.members;
    GroupRates rates;
    rates.pair_probability = mean_pairs > 0 ? std::min(1.0, share * per_day / mean_pairs) : 0.0;
    const double from_groups = rates.pair_probability * mean_pairs;
    const double shared_fraction = stats.in_shared_venues / stats.members;
    rates.venue_mean =
        shared_fraction > 0 ? std::max(0.0, per_day - from_groups) / shared_fraction : 0.0;
    return rates;
}

void check_spec(const ContactSpec& spec) {
    core::DiagnosticList problems;
    auto non_negative = [&](double value, const char* key) {
        if (!(value >= 0.0) || !std::isfinite(value)) {
            problems.add({}, key, fmt::format("must be a number >= 0 (got {})", value));
        }
    };
    auto share = [&](double value, const char* key) {
        if (!(value >= 0.0 && value <= 1.0))
            problems.add({}, key, fmt::format("must be between 0 and 1 (got {})", value));
    };
    non_negative(spec.school_per_day, "contacts.school.per_day");
    share(spec.school_class_share, "contacts.school.class_share");
    non_negative(spec.work_per_day, "contacts.work.per_day");
    share(spec.work_team_share, "contacts.work.team_share");
    non_negative(spec.community_per_day, "contacts.community.per_day");
    share(spec.outside_region_share, "contacts.community.outside_region_share");
    problems.throw_if_any();
}

}  // namespace

BandMatrix community_contact_rates(const ContactMatrix& matrix, const ByBand& band_people,
                                   double per_day) {
    BandMatrix rates{};
    double contacts = 0.0, people = 0.0;
    for (std::size_t i = 0; i < kAgeBands; ++i) {
        for (std::size_t j = 0; j < kAgeBands; ++j) {
            rates[i][j] = matrix.per_capita[i][j] / matrix.reference_population[j] * band_people[j];
            contacts += band_people[i] * rates[i][j];
        }
        people += band_people[i];
    }
    const double scale = contacts > 0.0 ? per_day * people / contacts : 0.0;
    for (auto& row : rates) {
        for (double& c : row) c *= scale;
    }
    return rates;
}

std::uint64_t ContactModel::threshold_of(double probability) {
    if (probability >= 1.0) return kAlways;
    return static_cast<std::uint64_t>(std::ldexp(std::max(0.0, probability), 64));
}

ContactModel::ContactModel(const population::Population& population, const ContactSpec& spec)
    : population_(&population) {
    check_spec(spec);
    calibrate_groups(spec);
    build_community(spec);
}

void ContactModel::calibrate_groups(const ContactSpec& spec) {
    const auto school =
        calibrate(population_->schools, spec.school_per_day, spec.school_class_share);
    const auto work = calibrate(population_->workplaces, spec.work_per_day, spec.work_team_share);
    rates_.class_pair_probability = school.pair_probability;
    rates_.school_venue_mean = school.venue_mean;
    rates_.team_pair_probability = work.pair_probability;
    rates_.work_venue_mean = work.venue_mean;
    class_threshold_ = threshold_of(school.pair_probability);
    team_threshold_ = threshold_of(work.pair_probability);
    school_venue_contacts_ = core::PoissonSampler(school.venue_mean);
    work_venue_contacts_ = core::PoissonSampler(work.venue_mean);
}

void ContactModel::build_community(const ContactSpec& spec) {
    const auto& population = *population_;
    const std::size_t regions = population.regions.size();
    // The index: agents sorted by (region, age band), by counting sort in agent order.
    bucket_offsets_.assign(regions * kAgeBands + 1, 0);
    ByBand band_people{};
    for (AgentId a = 0; a < population.size(); ++a) {
        const std::size_t band = age_band(population.age[a]);
        ++bucket_offsets_[population.region[a] * kAgeBands + band + 1];
        band_people[band] += 1.0;
    }
    for (std::size_t b = 0; b + 1 < bucket_offsets_.size(); ++b)
        bucket_offsets_[b + 1] += bucket_offsets_[b];
    core::assign_on_huge_pages(by_region_band_, population.size());  // read at random
    std::vector<std::uint32_t> next(bucket_offsets_.begin(), bucket_offsets_.end() - 1);
    for (AgentId a = 0; a < population.size(); ++a) {
        by_region_band_[next[population.region[a] * kAgeBands + age_band(population.age[a])]++] = a;
    }

    community_rates_ = community_contact_rates(spec.community, band_people, spec.community_per_day);
    const BandMatrix& rates = community_rates_;
    for (std::size_t i = 0; i < kAgeBands; ++i) {
        std::vector<double> row(rates[i].begin(), rates[i].end());
        for (double c : row) rates_.community_mean[i] += c;
        if (rates_.community_mean[i] == 0.0) std::fill(row.begin(), row.end(), 1.0);
        band_tables_.emplace_back(row);
        community_contacts_[i] = core::PoissonSampler(rates_.community_mean[i]);
    }

    // Regions: stay with 1 - outside share; otherwise a gravity law, people / distance^2.
    for (std::size_t r = 0; r < regions; ++r) {
        std::vector<double> weights(regions, 0.0);
        double gravity_total = 0.0;
        for (std::size_t s = 0; s < regions; ++s) {
            if (s == r) continue;
            const double d = std::max(kMinimumDistanceKm,
                                      distance_km(population.regions[r], population.regions[s]));
            weights[s] =
                double(population.region_offsets[s + 1] - population.region_offsets[s]) / (d * d);
            gravity_total += weights[s];
        }
        for (std::size_t s = 0; s < regions; ++s) {
            weights[s] = s == r ? 1.0 - (gravity_total > 0 ? spec.outside_region_share : 0.0)
                                : spec.outside_region_share * weights[s] / gravity_total;
        }
        region_tables_.emplace_back(weights);
    }
}

std::size_t ContactModel::bytes() const {
    std::size_t tables = 0;
    for (const auto& t : band_tables_)
        tables += t.size() * (sizeof(double) * 2 + sizeof(std::uint32_t));
    for (const auto& t : region_tables_)
        tables += t.size() * (sizeof(double) * 2 + sizeof(std::uint32_t));
    return by_region_band_.capacity() * sizeof(AgentId) +
           bucket_offsets_.capacity() * sizeof(std::uint32_t) + tables;
}

}  // namespace sortie::contacts
