#include "tools/sortie/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace sortie::cli {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string duration_text(double seconds) {
    const auto s = static_cast<long>(seconds + 0.5);
    if (s < 60) return fmt::format("{} s", s);
    if (s < 3600) return fmt::format("{} min {:02} s", s / 60, s % 60);
    return fmt::format("{} h {:02} min", s / 3600, s % 3600 / 60);
}

}  // namespace

Progress::Progress(bool quiet) : quiet_(quiet), terminal_(isatty(STDERR_FILENO) != 0) {}

void Progress::expect(std::uint64_t replicate_days) {
    expected_ = replicate_days;
}

void Progress::skip(std::uint64_t replicate_days) {
    done_ += replicate_days;
    std::lock_guard lock(mutex_);
    skipped_ += replicate_days;
}

std::string Progress::eta() const {
    const std::uint64_t done = done_.load();
    const double elapsed = seconds_since(start_);
    const std::uint64_t worked = done - std::min(done, skipped_);
    if (worked == 0 || expected_ <= done) return fmt::format("elapsed {}", duration_text(elapsed));
    const double left = elapsed * double(expected_ - done) / double(worked);
    return fmt::format("elapsed {}, ETA {}", duration_text(elapsed), duration_text(left));
}

void Progress::day_done(const std::string& scenario, std::uint32_t replicate, std::uint32_t day,
                        std::uint32_t days) {
    ++done_;
    if (quiet_ || !terminal_) return;
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(200)) return;
    last_draw_ = now;
    fmt::print(stderr, "\r{}: replicate {} day {}/{}, {} replicates done, {}   ", scenario,
               replicate + 1, day + 1, days, replicates_done_.load(), eta());
    std::fflush(stderr);
}

void Progress::replicate_done(const std::string& scenario, std::uint32_t replicate,
                              std::uint32_t replicates, double seconds, double r0,
                              std::uint64_t contact_evaluations, double kernel_seconds) {
    ++replicates_done_;
    if (quiet_) return;
    std::lock_guard lock(mutex_);
    fmt::print(stderr,
               "{}{}: replicate {}/{} done in {:.3f} s (realised R0 {:.2f}; {} contact "
               "evaluations, {:.1f} million per second; {:.3f} s in the transmission kernel); "
               "{}\n",
               terminal_ ? "\r\033[K" : "", scenario, replicate + 1, replicates, seconds, r0,
               contact_evaluations, double(contact_evaluations) / seconds / 1e6, kernel_seconds,
               eta());
}

void Progress::remote_done(const std::string& scenario, std::uint32_t replicate,
                           std::uint32_t replicates, std::uint32_t days, int rank) {
    done_ += days;
    ++replicates_done_;
    if (quiet_) return;
    std::lock_guard lock(mutex_);
    fmt::print(stderr, "{}{}: replicate {}/{} done on rank {}; {}\n", terminal_ ? "\r\033[K" : "",
               scenario, replicate + 1, replicates, rank, eta());
}

void Progress::note(const std::string& text) {
    if (quiet_) return;
    std::lock_guard lock(mutex_);
    fmt::print(stderr, "{}{}\n", terminal_ ? "\r\033[K" : "", text);
}

}  // namespace sortie::cli
