#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace sortie::contacts {

/// Where a contact happens. Later modules weight, close or trace contacts by layer.
enum class Layer : std::uint8_t { kHousehold, kSchool, kWork, kCommunity };
inline constexpr std::size_t kLayers = 4;
inline constexpr std::array<std::string_view, kLayers> kLayerNames = {"household", "school", "work",
                                                                      "community"};

/// Five-year age bands 0-4, 5-9, ..., 80-84, 85+ (the bands of the contact matrices).
inline constexpr std::size_t kAgeBands = 18;
inline constexpr std::size_t age_band(std::uint8_t age) {
    return age / 5u < kAgeBands ? age / 5u : kAgeBands - 1;
}

}  // namespace sortie::contacts
