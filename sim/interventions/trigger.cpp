#include "sim/interventions/trigger.hpp"

namespace sortie::interventions {

bool Trigger::observe(double value_per_100k) {
    history_.push_back(value_per_100k);
    // What is known at the end of day d: values up to d - delay, averaged over the window.
    const std::size_t today = history_.size() - 1;
    if (on_) ++days_on_;
    if (today < spec_.reporting_delay_days) return on_;
    const std::size_t last = today - spec_.reporting_delay_days;
    const std::size_t window = spec_.window_days == 0 ? 1 : spec_.window_days;
    const std::size_t first = last + 1 >= window ? last + 1 - window : 0;
    double sum = 0.0;
    for (std::size_t d = first; d <= last; ++d) sum += history_[d];
    const double smoothed = sum / double(last - first + 1);
    if (!on_ && smoothed > spec_.on_above) {
        on_ = true;
        days_on_ = 0;
    } else if (on_ && smoothed < spec_.off_below && days_on_ >= spec_.minimum_days) {
        on_ = false;
    }
    return on_;
}

void Trigger::save(core::ByteWriter& out) const {
    out.array(history_);
    out.value(on_);
    out.value(days_on_);
}

void Trigger::restore(core::ByteReader& in) {
    in.array(history_);
    on_ = in.value<bool>();
    days_on_ = in.value<std::uint32_t>();
}

}  // namespace sortie::interventions
