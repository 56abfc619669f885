#include "sim/interventions/tti.hpp"

#include <algorithm>
#include <cmath>

namespace sortie::interventions {

std::uint32_t daily_capacity(double per_100k, double people, std::uint32_t day) {
    const double rate = per_100k * people / 1e5;
    const double before = std::floor(rate * double(day));
    const double after = std::floor(rate * double(day + 1));
    return static_cast<std::uint32_t>(std::max(0.0, after - before));
}

double sensitivity_at(const std::vector<double>& sensitivity, std::uint32_t days_since_infection) {
    if (sensitivity.empty()) return 0.0;
    return sensitivity[std::min<std::size_t>(days_since_infection, sensitivity.size() - 1)];
}

double app_share(const std::vector<AppUptake>& uptake, int age) {
    for (const auto& range : uptake) {
        if (age >= range.from && age <= range.to) return range.share;
    }
    return 0.0;
}

}  // namespace sortie::interventions
