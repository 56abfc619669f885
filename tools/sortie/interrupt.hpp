#pragma once

#include <stdexcept>
#include <string>

namespace sortie::cli {

/// Thrown at a day boundary after SIGINT or SIGTERM: the run stops before writing anything, so
/// no file is left at the requested name and an existing one is untouched. `main` maps it to
/// exit code 130.
class Interrupted : public std::runtime_error {
  public:
    explicit Interrupted(const std::string& what = "nothing was written")
        : std::runtime_error(what) {}
};

/// Installs the SIGINT and SIGTERM handlers (they only set a flag).
void catch_interrupts();
/// Whether SIGINT or SIGTERM arrived (safe from any thread).
bool interrupt_requested();
/// Throws Interrupted if a signal arrived.
void stop_if_interrupted();

}  // namespace sortie::cli
