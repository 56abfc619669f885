#pragma once

#include <cstddef>
#include <string>

namespace sortie::core {

/// CPUs this process may use: its affinity mask, further limited by a cgroup v2 CPU quota
/// (TBB reads the mask but not the quota, so containers would be oversubscribed).
int available_cpus();

/// Peak resident memory of this process so far, in bytes (VmHWM), or 0 if unknown.
std::size_t peak_resident_bytes();

/// Memory the kernel could give without swapping (MemAvailable), in bytes, or 0 if unknown.
std::size_t available_memory_bytes();

/// The machine's memory (MemTotal), in bytes, or 0 if unknown.
std::size_t total_memory_bytes();

/// The CPU model ("AMD EPYC ..."), or "unknown".
std::string cpu_model();

}  // namespace sortie::core
