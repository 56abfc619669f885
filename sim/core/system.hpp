#pragma once

#include <cstddef>
#include <string>
#include <vector>

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

/// Asks the kernel to back this memory with 2 MiB pages (transparent huge pages, Linux): the
/// simulation's random accesses into per-agent columns of hundreds of megabytes would otherwise
/// miss the TLB at almost every access. Only pages touched after the advice are concerned,
/// and only the whole 2 MiB pages inside the range. A hint: where the kernel cannot or will
/// not, nothing changes but the speed.
void advise_huge_pages(void* data, std::size_t bytes);

/// Makes `column` n copies of `value`, on memory advised for huge pages before it is first
/// written (for the large per-agent columns read at random).
template <typename T>
void assign_on_huge_pages(std::vector<T>& column, std::size_t n, const T& value = T{}) {
    column.clear();
    column.reserve(n);
    advise_huge_pages(column.data(), n * sizeof(T));
    column.assign(n, value);
}

/// The CPU model ("AMD EPYC ..."), or "unknown".
std::string cpu_model();

}  // namespace sortie::core
