#pragma once

#include <stdexcept>

namespace sortie::cli {

/// Thrown at a day boundary after SIGINT or SIGTERM: the run stops before writing anything, so
/// no file is left at the requested name and an existing one is untouched. `main` maps it to
/// exit code 130.
class Interrupted : public std::runtime_error {
  public:
    Interrupted() : std::runtime_error("interrupted") {}
};

/// Installs the SIGINT and SIGTERM handlers (they only set a flag).
void catch_interrupts();
/// Throws Interrupted if a signal arrived.
void stop_if_interrupted();

}  // namespace sortie::cli
