#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/scenario/document.hpp"

namespace sortie::scenario {

/// A sweep holds at most this many points.
inline constexpr std::size_t kMaxSweepPoints = 10000;

/// The overrides of all points of a sweep hold at most this many bytes of text (64 MiB), so that
/// a few aliased values cannot make a sweep exhaust memory.
inline constexpr std::size_t kMaxSweepBytes = std::size_t{64} << 20;

/// One scenario of a sweep: what to apply to the document to make it, and a name for it.
struct SweepPoint {
    /// "schools=0.5,telework=0.3": each parameter's last key segment (its full key path when
    /// two parameters share a last segment) and the value's text, in the order written.
    std::string name_suffix;
    /// "key.path=value", one per parameter, for Document::apply_override (or scenario::load's
    /// overrides). Values keep their YAML form: a quoted "3" stays text.
    std::vector<std::string> overrides;
    /// Where each override's value is written in the scenario files (same order as overrides).
    std::vector<core::SourceLocation> value_locations;
};

/// The points of the document's top-level `sweep:` section; empty if there is none.
///
/// `sweep: {mode: grid|zip, parameters: {key.path: [v1, v2, ...], ...}}`. Key paths are those of
/// --set (`seeding.0.infections`) and must name a key the document has. `grid` gives every
/// combination, the first parameter varying slowest and the last fastest; `zip` gives the first
/// values together, then the second values, and so on.
///
/// Throws core::InputError with every problem found, at its place in the file: `sweep` is not a
/// mapping, `mode` or `parameters` is missing, an unknown key or mode (with "did you mean"),
/// `parameters` is not a mapping or is empty, a value list is not a list or is empty, a key path
/// is malformed, names the sweep itself, or is not in the document ("key path not found in the
/// scenario"), `zip` lists of different lengths (at the list that differs from the first), more
/// than kMaxSweepPoints points, or more than kMaxSweepBytes of overrides.
std::vector<SweepPoint> sweep_points(const Document& document);

/// "name[schools=0.5,telework=0.3]" for a point with a suffix; `scenario_name` alone otherwise.
std::string sweep_point_name(std::string_view scenario_name, const SweepPoint& point);

/// `error` with the diagnostics that are located at one of the point's overrides
/// ("--set key.path=value", as scenario::load reports them) moved to where the point's value is
/// written in the file. Other diagnostics are kept as they are.
core::InputError located_at_sweep_values(const core::InputError& error, const SweepPoint& point);

}  // namespace sortie::scenario
