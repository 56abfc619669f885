#pragma once

#include "sim/core/rng.hpp"

/// The registry of random streams. One decision, one stream, never reused for another purpose:
/// renumbering a stream changes results, so new streams are appended with new numbers.
namespace sortie::core::streams {

inline constexpr StreamId kReplicateKeys{0};
inline constexpr StreamId kTests{1};  ///< reserved for the test suite's own draws

// Population building (day = region index unless stated).
inline constexpr StreamId kHouseholdSizes{10};
inline constexpr StreamId kHouseholdTypes{11};
inline constexpr StreamId kHouseholdAges{12};
inline constexpr StreamId kHouseholdOrder{13};
inline constexpr StreamId kSchoolAttendance{14};  ///< day 0, agent id
inline constexpr StreamId kEmployment{15};        ///< day 0, agent id
inline constexpr StreamId kTeachers{16};
inline constexpr StreamId kWorkplaceShuffle{17};  ///< day 0, agent id
inline constexpr StreamId kWorkplaceSizes{18};

// Daily contacts (day = simulation day, agent = the agent whose contacts are drawn).
inline constexpr StreamId kClassContacts{30};  ///< agent = lower id of the pair, k = higher
inline constexpr StreamId kSchoolContacts{31};
inline constexpr StreamId kTeamContacts{32};  ///< agent = lower id of the pair, k = higher
inline constexpr StreamId kWorkplaceContacts{33};
inline constexpr StreamId kCommunityContacts{34};

// Disease and transmission.
inline constexpr StreamId kSeeding{50};         ///< day = simulation day, agent = seed index
inline constexpr StreamId kInfection{51};       ///< day, agent = the infector
inline constexpr StreamId kNaturalHistory{52};  ///< day 0, agent = the infected (infected once)
/// day 0, agent = the infected: the stages after an acute hospital stay (step-down after ICU,
/// follow-up care), apart so that they leave the rest of the course's draws as they were
inline constexpr StreamId kAfterAcuteCare{55};
/// No longer drawn: the calibration takes exact expectations (engine/calibration.cpp); kept so
/// that its number is never given to another decision.
inline constexpr StreamId kCalibration{53};
/// day 0, agent = pilot index: the key of a calibration pilot run (engine/calibration.cpp)
inline constexpr StreamId kCalibrationPilots{54};

// Interventions (day 0: the same decision every day while the measure lasts).
inline constexpr StreamId kSchoolPresence{60};  ///< agent: stays home when attendance < 1
inline constexpr StreamId kTelework{61};        ///< agent: works from home under telework

// Vaccination (numbers from 70, apart from the testing and tracing streams).
inline constexpr StreamId kVaccineUptake{70};  ///< day 0, agent: accepts when offered
inline constexpr StreamId kVaccineOrder{71};   ///< day 0, agent: place within a priority group
inline constexpr StreamId kVaccineDoses{72};   ///< day, agent = campaign << 16 | region
inline constexpr StreamId kVaccineSevere{73};  ///< day 0, agent: severe course averted
// Test-trace-isolate (80-89; day = simulation day unless stated).
inline constexpr StreamId kTestSeeking{80};           ///< agent: a symptomatic case asks for a test
inline constexpr StreamId kTestResult{81};            ///< agent: the test's result
inline constexpr StreamId kIsolationCompliance{82};   ///< agent: complies with isolation
inline constexpr StreamId kQuarantineCompliance{83};  ///< agent: complies with quarantine
inline constexpr StreamId kTracing{84};               ///< day = contact day, agent = the index case
inline constexpr StreamId kAppUptake{85};             ///< day 0, agent: has the tracing app
inline constexpr StreamId kMassTesting{86};           ///< agent = campaign << 24 | draw index
// Hospitals (90-99).
inline constexpr StreamId kCareDenied{90};  ///< day 0, agent, k = 0 ward, 1 ICU: dies untreated
/// day, agent = the patient: staff met on the hospital layer and the infection draws
inline constexpr StreamId kHospitalContacts{91};
// Fitting (100-109).
inline constexpr StreamId kFitStarts{100};  ///< day = start index, agent = parameter index
/// ABC-SMC (sim/fit/abc.cpp): day = generation, agent = proposal index.
inline constexpr StreamId kAbcProposals{101};  ///< the proposal's values
inline constexpr StreamId kAbcSeeds{102};      ///< the seed of the proposal's replicates
/// `sortie run --posterior` (sim/ensemble/posterior.cpp): key = the scenario's seed, day 0,
/// agent = replicate: the parameter set the replicate runs.
inline constexpr StreamId kPosteriorDraws{103};

}  // namespace sortie::core::streams
