// Employment by age, health-care occupations, and workplaces: general workplaces with sizes
// from the establishment-size table, hospitals and care homes for health-care staff, each cut
// into teams (the colleagues met every day).
#include <algorithm>
#include <cmath>

#include "sim/core/alias_table.hpp"
#include "sim/core/rng_streams.hpp"
#include "sim/core/samplers.hpp"
#include "sim/population/detail/steps.hpp"

namespace sortie::population::detail {
namespace {

// Workers are shuffled within blocks of this many before being cut into workplaces: spouses
// and neighbours rarely share a workplace, while ids stay local for the cache.
constexpr std::size_t kShuffleBlock = 1 << 16;

// Establishment sizes for health care (estimates): DREES counts about 3,000 hospitals for about
// 1.4M staff (mean about 470) and about 7,500 care homes for about 0.5M staff (about 65).
struct SizeRange {
    double from, to;
};
constexpr SizeRange kHospitalSizes{50, 3000};
constexpr SizeRange kCareHomeSizes{20, 150};

enum Sector : std::uint32_t { kGeneral = 0, kHospitalSector = 1, kCareHomeSector = 2 };

Occupation draw_occupation(const HealthcareShares& shares, double u) {
    const double cumulative[] = {
        shares.hospital_nurse_or_carer, shares.hospital_nurse_or_carer + shares.hospital_doctor,
        shares.hospital_nurse_or_carer + shares.hospital_doctor + shares.hospital_other,
        shares.hospital_nurse_or_carer + shares.hospital_doctor + shares.hospital_other +
            shares.care_home};
    if (u < cumulative[0]) return Occupation::kHospitalNurseOrCarer;
    if (u < cumulative[1]) return Occupation::kHospitalDoctor;
    if (u < cumulative[2]) return Occupation::kHospitalOther;
    if (u < cumulative[3]) return Occupation::kCareHomeStaff;
    return Occupation::kOther;
}

Sector sector_of(Occupation occupation) {
    switch (occupation) {
        case Occupation::kHospitalNurseOrCarer:
        case Occupation::kHospitalDoctor:
        case Occupation::kHospitalOther:
            return kHospitalSector;
        case Occupation::kCareHomeStaff:
            return kCareHomeSector;
        default:
            return kGeneral;
    }
}

double log_uniform(core::Draws& draws, SizeRange range) {
    return std::exp(std::log(range.from) +
                    draws.uniform() * (std::log(range.to) - std::log(range.from)));
}

// Mean of a log-uniform law on [a, b]: (b - a) / ln(b / a).
double log_uniform_mean(SizeRange range) {
    return range.to > range.from ? (range.to - range.from) / std::log(range.to / range.from)
                                 : range.from;
}

class SizeDrawer {
  public:
    explicit SizeDrawer(const std::vector<WorkplaceSizeClass>& classes) {
        std::vector<double> weights;
        for (const auto& c : classes) {
            ranges_.push_back({double(c.size_from), double(c.size_to)});
            // A workplace of class c holds share_c of the workers: draw classes in proportion
            // to share / mean size.
            weights.push_back(c.share_of_workers / log_uniform_mean(ranges_.back()));
        }
        table_ = core::AliasTable(weights);
    }
    double draw(core::Draws& draws) const {
        return log_uniform(draws, ranges_[table_.sample(draws)]);
    }

  private:
    std::vector<SizeRange> ranges_;
    core::AliasTable table_;
};

void shuffle_in_blocks(std::vector<AgentId>& workers, core::RngKey key) {
    std::vector<std::pair<std::uint64_t, AgentId>> keyed;
    for (std::size_t first = 0; first < workers.size(); first += kShuffleBlock) {
        const std::size_t last = std::min(workers.size(), first + kShuffleBlock);
        keyed.clear();
        for (std::size_t i = first; i < last; ++i) {
            keyed.emplace_back(
                core::draw_u64(key, core::streams::kWorkplaceShuffle, 0, workers[i], 0),
                workers[i]);
        }
        std::sort(keyed.begin(), keyed.end());
        for (std::size_t i = first; i < last; ++i) workers[i] = keyed[i - first].second;
    }
}

template <typename DrawSize>
void cut_workplaces(const std::vector<AgentId>& workers, VenueKind kind, std::uint32_t sector,
                    const RegionSlice& slice, double team_size, core::RngKey key,
                    DrawSize draw_size, GroupLayerBuilder& builder) {
    std::size_t next = 0;
    for (std::uint32_t w = 0; next < workers.size(); ++w) {
        core::Draws draws(key, core::streams::kWorkplaceSizes, slice.region * 4u + sector, w);
        const auto wanted =
            std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(draw_size(draws))));
        const std::size_t size = std::min(wanted, workers.size() - next);
        const std::size_t teams = std::max<std::size_t>(
            1, static_cast<std::size_t>(std::llround(double(size) / team_size)));
        builder.begin_venue(kind, slice.region);
        for (std::size_t t = 0; t < teams; ++t) {
            const std::size_t first = t * size / teams, last = (t + 1) * size / teams;
            builder.add_group(workers.data() + next + first, last - first);
        }
        next += size;
    }
}

}  // namespace

void assign_employment(const RegionSlice& slice, const PopulationTables& tables, core::RngKey key,
                       Population& population) {
    const AgentId end = slice.first_agent + static_cast<AgentId>(slice.people);
    for (AgentId a = slice.first_agent; a < end; ++a) {
        core::Draws draws(key, core::streams::kEmployment, 0, a);
        const auto age = population.age[a];
        if (!core::bernoulli(draws, tables.employment_by_age[age])) {
            population.occupation[a] = Occupation::kNotEmployed;
            continue;
        }
        const double u = draws.uniform();
        population.occupation[a] =
            age < 18 ? Occupation::kOther : draw_occupation(tables.healthcare, u);
    }
}

GroupLayer build_workplaces(const RegionSlice& slice, const PopulationTables& tables,
                            const PopulationSpec& spec, core::RngKey key,
                            const Population& population) {
    std::vector<AgentId> workers[3];
    const AgentId end = slice.first_agent + static_cast<AgentId>(slice.people);
    for (AgentId a = slice.first_agent; a < end; ++a) {
        const Occupation occupation = population.occupation[a];
        if (occupation == Occupation::kNotEmployed || occupation == Occupation::kTeacher) continue;
        workers[sector_of(occupation)].push_back(a);
    }
    GroupLayerBuilder builder;
    const SizeDrawer general(tables.workplace_sizes);
    const VenueKind kinds[3] = {VenueKind::kWorkplace, VenueKind::kHospital, VenueKind::kCareHome};
    for (std::uint32_t sector = 0; sector < 3; ++sector) {
        shuffle_in_blocks(workers[sector], key);
        auto draw_size = [&](core::Draws& draws) {
            if (sector == kGeneral) return general.draw(draws);
            return log_uniform(draws, sector == kHospitalSector ? kHospitalSizes : kCareHomeSizes);
        };
        cut_workplaces(workers[sector], kinds[sector], sector, slice, spec.team_size, key,
                       draw_size, builder);
    }
    return builder.finish();
}

}  // namespace sortie::population::detail
