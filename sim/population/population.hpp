#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace sortie::population {

/// An agent is an index into the columns of Population.
using AgentId = std::uint32_t;
inline constexpr std::uint32_t kNoGroup = std::numeric_limits<std::uint32_t>::max();

/// What an employed agent does; hospital staff and care-home staff are needed by the
/// hospital model, teachers staff the school layer.
enum class Occupation : std::uint8_t {
    kNotEmployed = 0,
    kOther,
    kTeacher,
    kHospitalNurseOrCarer,
    kHospitalDoctor,
    kHospitalOther,
    kCareHomeStaff,
};

/// The kind of a venue: a school level, or a workplace sector.
enum class VenueKind : std::uint8_t {
    kCreche,
    kMaternelle,
    kPrimaire,
    kCollege,
    kLycee,
    kUniversite,
    kWorkplace,
    kHospital,
    kCareHome,
};

/// Two-level groups in CSR form: small groups (school classes, work teams) inside venues
/// (schools, workplaces). A venue's groups are consecutive, so its members are one
/// contiguous range of `members` too.
struct GroupLayer {
    std::vector<std::uint32_t> group_offsets{0};  ///< members of g: [offsets[g], offsets[g+1])
    std::vector<AgentId> members;
    std::vector<std::uint32_t> group_venue;             ///< venue of each group
    std::vector<std::uint32_t> venue_group_offsets{0};  ///< groups of v: [.., ..)
    std::vector<VenueKind> venue_kind;
    std::vector<std::uint16_t> venue_region;

    std::size_t groups() const { return group_venue.size(); }
    std::size_t venues() const { return venue_kind.size(); }
    std::uint32_t group_size(std::uint32_t g) const {
        return group_offsets[g + 1] - group_offsets[g];
    }
    std::uint32_t venue_first_member(std::uint32_t v) const {
        return group_offsets[venue_group_offsets[v]];
    }
    std::uint32_t venue_size(std::uint32_t v) const {
        return group_offsets[venue_group_offsets[v + 1]] - venue_first_member(v);
    }
    std::size_t bytes() const;
};

struct RegionInfo {
    std::string key;
    std::string name;
    double latitude = 0, longitude = 0;
};

/// The synthetic people and their places, as structure-of-arrays. Agents are numbered by
/// region, then household: household members are consecutive, and regions are contiguous
/// ranges, which keeps the agents a contact touches close in memory.
struct Population {
    std::vector<std::uint8_t> age;      ///< years, 0..kMaxAge
    std::vector<std::uint16_t> region;  ///< index into regions
    std::vector<Occupation> occupation;
    std::vector<std::uint32_t> household;     ///< household id
    std::vector<std::uint32_t> school_group;  ///< class in `schools`, or kNoGroup
    std::vector<std::uint32_t> work_group;    ///< team in `workplaces`, or kNoGroup

    std::vector<AgentId> household_offsets{0};  ///< members of h: [offsets[h], offsets[h+1])
    std::vector<AgentId> region_offsets{0};     ///< agents of r: [offsets[r], offsets[r+1])
    GroupLayer schools;
    GroupLayer workplaces;
    std::vector<RegionInfo> regions;

    std::size_t size() const { return age.size(); }
    std::size_t households() const { return household_offsets.size() - 1; }
    std::uint32_t household_size(std::uint32_t h) const {
        return household_offsets[h + 1] - household_offsets[h];
    }
    /// Bytes held by all columns and groups (capacity, not just size).
    std::size_t bytes() const;
};

}  // namespace sortie::population
