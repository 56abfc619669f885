#include "tools/sortie/interrupt.hpp"

#include <csignal>

namespace sortie::cli {
namespace {

volatile std::sig_atomic_t interrupted = 0;

extern "C" void on_signal(int) {
    interrupted = 1;
}

}  // namespace

void catch_interrupts() {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
}

bool interrupt_requested() {
    return interrupted != 0;
}

void stop_if_interrupted() {
    if (interrupted) throw Interrupted();
}

}  // namespace sortie::cli
