#include "sim/core/rng.hpp"

#include "sim/core/rng_streams.hpp"

namespace sortie::core {

RngKey RngKey::for_replicate(std::uint64_t seed, std::uint32_t replicate) {
    const auto block =
        detail::philox_block(from_seed(seed), streams::kReplicateKeys, 0, replicate, 0);
    return {block[0], block[1]};
}

}  // namespace sortie::core
