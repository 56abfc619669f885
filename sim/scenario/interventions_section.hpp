#pragma once

// Reading `interventions:` and `triggers:` (internal to the scenario module).
#include "sim/scenario/map_reader.hpp"
#include "sim/scenario/scenario.hpp"

namespace sortie::scenario::detail {

void read_interventions(MapReader& root, Scenario& scenario, core::DiagnosticList& problems);
void read_triggers(MapReader& root, Scenario& scenario, core::DiagnosticList& problems);
/// Cross-checks: trigger names exist and are unique, intervention names are unique.
void check_references(const Scenario& scenario, core::DiagnosticList& problems);

}  // namespace sortie::scenario::detail
