#include "tools/sortie/interrupt.hpp"

#include <atomic>
#include <chrono>
#include <csignal>

namespace sortie::cli {
namespace {

// Set by the handler, read by the watcher thread: a lock-free atomic is safe for both.
std::atomic<int> interrupted{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void on_signal(int) {
    interrupted.store(1, std::memory_order_relaxed);
}

}  // namespace

InterruptBridge::InterruptBridge() {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    // Polled: a run notices a stop at its next day boundary anyway, tens of milliseconds or
    // more, so 20 ms adds nothing a user would see.
    watcher_ = std::jthread([this](std::stop_token done) {
        while (!done.stop_requested()) {
            if (interrupted.load(std::memory_order_relaxed) != 0) {
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

}  // namespace sortie::cli
