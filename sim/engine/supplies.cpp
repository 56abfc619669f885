// Hospital supplies (docs/model.md, Supplies): what the patients in beds use each day against
// the stocks and deliveries of their region. No randomness: the accounting follows the
// recorded occupancy, so it changes no draw and a test can replay it exactly.
#include <algorithm>
#include <array>
#include <limits>

#include "sim/engine/simulation.hpp"

namespace sortie::engine {
namespace {

// The need of `ward` and `icu` patients, in this order (a test replays it bit for bit).
double need_of(const SupplySpec& supply, std::int64_t ward, std::int64_t icu) {
    return supply.per_ward_patient * double(ward) + supply.per_icu_patient * double(icu);
}

using SupplyRow = std::array<double, kSupplyMeasures>;

// stock_d = max(0, stock_{d-1} + delivery - use_d); the use beyond it is the shortfall.
void consume(double& stock, double delivery, double need, SupplyRow& row) {
    const double available = stock + delivery;
    stock = std::max(0.0, available - need);
    row[std::size_t(SupplyMeasure::kStock)] = stock;
    row[std::size_t(SupplyMeasure::kDelivered)] = delivery;
    row[std::size_t(SupplyMeasure::kUsed)] = need;
    row[std::size_t(SupplyMeasure::kShortfall)] = std::max(0.0, need - available);
}

void hold_equipment(double available, double need, SupplyRow& row) {
    row[std::size_t(SupplyMeasure::kStock)] = available;
    row[std::size_t(SupplyMeasure::kUsed)] = need;
    row[std::size_t(SupplyMeasure::kShortfall)] = std::max(0.0, need - available);
    row[std::size_t(SupplyMeasure::kDaysLeft)] = std::numeric_limits<double>::infinity();
}

}  // namespace

void Simulation::set_up_supplies() {
    const auto& supplies = spec_.hospitals.supplies;
    if (!hospitals_on() || supplies.empty()) return;
    const std::size_t regions = population_.regions.size();
    supply_stock_.assign(regions * supplies.size(), 0.0);
    for (std::size_t r = 0; r < regions; ++r) {
        for (std::size_t s = 0; s < supplies.size(); ++s)
            supply_stock_[r * supplies.size() + s] = supplies[s].stock[r];
    }
}

// Today's records of every region and resource, from the occupancy at the end of the day.
void Simulation::account_supplies(std::uint32_t day, ReplicateResult& result) {
    const auto& supplies = spec_.hospitals.supplies;
    for (std::size_t r = 0; r < population_.regions.size(); ++r) {
        const std::int64_t ward = hospital(r, HospitalMeasure::kWardOccupancy);
        const std::int64_t icu = hospital(r, HospitalMeasure::kIcuOccupancy);
        for (std::size_t s = 0; s < supplies.size(); ++s) {
            const double need = need_of(supplies[s], ward, icu);
            SupplyRow row{};
            if (supplies[s].equipment)
                hold_equipment(supplies[s].stock[r], need, row);
            else
                consume(supply_stock_[r * supplies.size() + s], supplies[s].delivery_per_day[r],
                        need, row);
            row[std::size_t(SupplyMeasure::kShortage)] =
                row[std::size_t(SupplyMeasure::kShortfall)] > 0 ? 1.0 : 0.0;
            result.supplies.insert(result.supplies.end(), row.begin(), row.end());
            if (!supplies[s].equipment) set_days_left(day, r, s, result);
        }
    }
}

// Stock over the mean use of the last kDaysLeftWindow days (today included; fewer at the
// start), read back from the records in day order; +inf when nothing was used.
void Simulation::set_days_left(std::uint32_t day, std::size_t region, std::size_t supply,
                               ReplicateResult& result) const {
    const std::size_t per_day = population_.regions.size() * spec_.hospitals.supplies.size();
    const auto at = [&](std::uint32_t d, SupplyMeasure m) -> double& {
        return result.supplies[((std::size_t{d} * per_day) +
                                region * spec_.hospitals.supplies.size() + supply) *
                                   kSupplyMeasures +
                               std::size_t(m)];
    };
    const std::uint32_t first = day + 1 > kDaysLeftWindow ? day + 1 - kDaysLeftWindow : 0;
    double used = 0;
    for (std::uint32_t d = first; d <= day; ++d) used += at(d, SupplyMeasure::kUsed);
    const double mean = used / double(day + 1 - first);
    at(day, SupplyMeasure::kDaysLeft) =
        mean > 0 ? at(day, SupplyMeasure::kStock) / mean : std::numeric_limits<double>::infinity();
}

}  // namespace sortie::engine
