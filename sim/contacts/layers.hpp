#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace sortie::contacts {

/// Where a contact happens. Later modules weight, close or trace contacts by layer.
/// kHospital: patients in a hospital bed with the staff on duty there, drawn by the engine
/// (only when the scenario's `hospitals:` has `contacts:`), not by the ContactModel.
enum class Layer : std::uint8_t { kHousehold, kSchool, kWork, kCommunity, kHospital };
inline constexpr std::size_t kLayers = 5;
inline constexpr std::array<std::string_view, kLayers> kLayerNames = {"household", "school", "work",
                                                                      "community", "hospital"};
/// The layers the ContactModel draws for everyone (the first ones of Layer).
inline constexpr std::size_t kContactModelLayers = 4;
inline constexpr std::array<std::string_view, kContactModelLayers> kContactModelLayerNames = {
    "household", "school", "work", "community"};

/// Five-year age bands 0-4, 5-9, ..., 80-84, 85+ (the bands of the contact matrices).
inline constexpr std::size_t kAgeBands = 18;
inline constexpr std::size_t age_band(std::uint8_t age) {
    return age / 5u < kAgeBands ? age / 5u : kAgeBands - 1;
}

}  // namespace sortie::contacts
