#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/byte_stream.hpp"

namespace sortie::interventions {

/// What a trigger watches.
enum class Indicator : std::uint8_t {
    kIcuOccupancy,        ///< patients in ICU, per 100,000 people
    kHospitalOccupancy,   ///< patients in hospital (ward + ICU), per 100,000
    kHospitalAdmissions,  ///< admissions a day, per 100,000
    kIncidence,           ///< new infections a day, per 100,000
    kTestPositivity,      ///< percent of the day's tests that were positive (0 without tests)
};

/// A switch on an observed indicator (per region or national): on when the indicator, as
/// reported `reporting_delay_days` late and averaged over `window_days`, is above `on_above`;
/// off when below `off_below` after at least `minimum_days` on. Evaluated at the end of day d,
/// effective from day d + 1.
struct TriggerSpec {
    std::string name;
    Indicator indicator = Indicator::kIcuOccupancy;
    int region = -1;  ///< region index, or -1 for the whole population
    std::uint32_t reporting_delay_days = 0;
    std::uint32_t window_days = 1;
    double on_above = 0.0;
    double off_below = 0.0;
    std::uint32_t minimum_days = 0;
};

/// The state of one trigger through a run. `observe` takes the indicator's value for each day
/// in order (per 100,000, or percent for test positivity) and says whether the trigger is on
/// the next day.
class Trigger {
  public:
    explicit Trigger(TriggerSpec spec) : spec_(std::move(spec)) {}

    /// Records day d's value; returns whether the trigger is on from day d + 1.
    bool observe(double value_per_100k);
    bool on() const { return on_; }
    const TriggerSpec& spec() const { return spec_; }
    /// The state through a run, for checkpoints.
    void save(core::ByteWriter& out) const;
    void restore(core::ByteReader& in);

  private:
    TriggerSpec spec_;
    std::vector<double> history_;
    bool on_ = false;
    std::uint32_t days_on_ = 0;
};

}  // namespace sortie::interventions
