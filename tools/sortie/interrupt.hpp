#pragma once

// The bridge from SIGINT and SIGTERM to the ensemble's cancellation (a std::stop_token): the
// signal handler only sets a flag, since requesting a stop is not async-signal-safe, and a
// thread turns the flag into a stop request.
#include <stop_token>
#include <thread>

namespace sortie::cli {

class InterruptBridge {
  public:
    /// Installs the SIGINT and SIGTERM handlers and starts watching the flag.
    InterruptBridge();
    ~InterruptBridge();
    InterruptBridge(const InterruptBridge&) = delete;
    InterruptBridge& operator=(const InterruptBridge&) = delete;

    /// Requested once SIGINT or SIGTERM arrives.
    std::stop_token token() const { return stop_.get_token(); }

  private:
    std::stop_source stop_;
    std::jthread watcher_;
};

}  // namespace sortie::cli
