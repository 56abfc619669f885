#include "tools/sortie/interrupt.hpp"

#include <chrono>
#include <csignal>

namespace sortie::cli {
namespace {

volatile std::sig_atomic_t interrupted = 0;

extern "C" void on_signal(int) {
    interrupted = 1;
}

}  // namespace

InterruptBridge::InterruptBridge() {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    // Polled: a run notices a stop at its next day boundary anyway, tens of milliseconds or
    // more, so 20 ms adds nothing a user would see.
    watcher_ = std::jthread([this](std::stop_token done) {
        while (!done.stop_requested()) {
            if (interrupted != 0) {
                stop_.request_stop();
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
}

InterruptBridge::~InterruptBridge() {
    watcher_.request_stop();
}

bool InterruptBridge::requested() const {
    return interrupted != 0 || stop_.stop_requested();
}

}  // namespace sortie::cli
