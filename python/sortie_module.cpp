// The extension `_sortie` of the Python package `sortie` (python/sortie/__init__.py builds the
// public API on it; docs/python.md). It reads scenarios, runs them with the simulator's library
// and hands back plain values: numpy arrays, dimension names, labels and attributes, from which
// the package builds xarray Datasets shaped like the groups of a result file.
//
// Every record of a replicate goes through results::for_each_field, so a record added to
// sim/results/fields.hpp reaches Python with no change here.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <tbb/global_control.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <future>
#include <new>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/core/system.hpp"
#include "sim/ensemble/run.hpp"
#include "sim/model/memory.hpp"
#include "sim/results/fields.hpp"
#include "sim/results/result.hpp"
#include "sim/scenario/scenario.hpp"

namespace py = pybind11;

namespace sortie::python {
namespace {

using results::Axis;
using results::Field;
using results::ScenarioResult;

/// How often the calling thread looks for a pending signal (Ctrl-C) while a run goes on.
constexpr std::chrono::milliseconds kSignalPoll{50};

/// `_sortie.InputError(text, messages)`: bad input; the package raises ScenarioError from it.
PyObject* input_error_type = nullptr;

[[noreturn]] void raise_input_error(const core::InputError& error) {
    py::list messages;
    for (const auto& diagnostic : error.diagnostics()) messages.append(diagnostic.to_string());
    const py::tuple args = py::make_tuple(py::str(error.what()), messages);
    PyErr_SetObject(input_error_type, args.ptr());
    throw py::error_already_set();
}

/// Calls `body`, translating the library's exceptions: core::InputError to _sortie.InputError,
/// model::NotEnoughMemory and std::bad_alloc to MemoryError, anything else to RuntimeError.
/// Python errors (py::error_already_set, KeyboardInterrupt among them) pass through.
template <typename Body>
auto translating(Body&& body) -> decltype(body()) {
    try {
        return body();
    } catch (const py::error_already_set&) {
        throw;
    } catch (const py::builtin_exception&) {
        throw;
    } catch (const core::InputError& error) {
        raise_input_error(error);
    } catch (const model::NotEnoughMemory& error) {
        PyErr_SetString(PyExc_MemoryError, error.what());
    } catch (const std::bad_alloc&) {
        PyErr_SetString(PyExc_MemoryError, "out of memory");
    } catch (const std::exception& error) {
        PyErr_SetString(PyExc_RuntimeError, error.what());
    }
    throw py::error_already_set();
}

// ---- Scenarios ----

/// The names of the scenarios of `file` (every point of its sweep), read as `sortie validate`
/// reads them.
std::vector<std::string> validate(const std::string& file,
                                  const std::vector<std::string>& overrides) {
    return translating([&] {
        std::vector<std::string> names;
        {
            py::gil_scoped_release release;
            for (const auto& s :
                 scenario::load_all(file, overrides, scenario::purpose_of(file, overrides)))
                names.push_back(s.name);
        }
        return names;
    });
}

/// Stops before anything large is allocated when the run cannot fit, as `sortie run` does.
void check_memory(const std::vector<scenario::Scenario>& scenarios, std::size_t threads) {
    const std::size_t available = core::available_memory_bytes();
    const auto estimate = model::estimate_memory(scenarios, threads, false, available);
    if (available == 0 || estimate.peak <= available) return;
    throw model::NotEnoughMemory(
        "this run needs about " + model::bytes_text(double(estimate.peak)) + " but " +
        model::bytes_text(double(available)) +
        " are available: lower population.scale or size, replicates or threads (replicates run "
        "at once), or run fewer scenarios at a time");
}

// ---- Running ----

/// Runs the scenarios on a thread of their own, with the GIL released. The calling thread
/// looks for signals every kSignalPoll: when a handler raises (Ctrl-C: KeyboardInterrupt), the
/// run is asked to stop at its next day boundary, and the Python error is raised once it has.
results::RunResult run_interruptibly(const std::vector<scenario::Scenario>& scenarios) {
    std::promise<results::RunResult> promise;
    std::future<results::RunResult> future = promise.get_future();
    bool interrupted = false;
    {
        py::gil_scoped_release release;
        // Declared last: its destructor (stop, then join) runs first on any way out.
        std::jthread worker([&scenarios, &promise](std::stop_token stop) {
            try {
                ensemble::RunObserver quiet;
                ensemble::RunSettings settings;
                settings.stop = std::move(stop);
                promise.set_value(ensemble::run_scenarios(scenarios, quiet, settings));
            } catch (...) {
                promise.set_exception(std::current_exception());
            }
        });
        while (future.wait_for(kSignalPoll) != std::future_status::ready) {
            py::gil_scoped_acquire acquire;
            if (PyErr_CheckSignals() != 0) {
                interrupted = true;
                break;
            }
        }
        if (interrupted) {
            worker.request_stop();
            worker.join();
        }
    }
    // The error the signal handler set (the run's own ending, ensemble::Interrupted, is dropped).
    if (interrupted) throw py::error_already_set();
    return future.get();
}

// ---- Results as numpy arrays ----

py::object numpy_scalar(const char* type, auto value) {
    return py::module_::import("numpy").attr(type)(value);
}

/// The group attributes of the result file, with its types (uint64 seed and agents, int32
/// replicates).
py::dict group_attributes(const ScenarioResult& scenario) {
    py::dict attrs;
    attrs["seed"] = numpy_scalar("uint64", scenario.seed);
    attrs["agents"] = numpy_scalar("uint64", scenario.agents);
    attrs["start_date"] = scenario.start_date;
    attrs["scenario_yaml"] = scenario.scenario_yaml;
    attrs["replicates"] =
        numpy_scalar("int32", static_cast<std::int32_t>(scenario.replicates.size()));
    return attrs;
}

template <typename Values>
struct ElementOf {
    using type = typename Values::value_type;  // std::vector<T>
};
template <>
struct ElementOf<double> {
    using type = double;  // one value per replicate
};

/// A record of every replicate as one array [replicate, dimensions...].
template <typename Values>
py::array field_array(const ScenarioResult& scenario, const Field& field) {
    using Element = typename ElementOf<Values>::type;
    std::vector<py::ssize_t> shape = {static_cast<py::ssize_t>(scenario.replicates.size())};
    for (const Axis axis : field.dimensions())
        shape.push_back(static_cast<py::ssize_t>(results::extent(scenario, axis)));
    py::array_t<Element> array(shape);
    Element* out = array.mutable_data();
    const std::size_t per_replicate = results::values_per_replicate(scenario, field);
    for (std::size_t r = 0; r < scenario.replicates.size(); ++r) {
        results::with_field(scenario.replicates[r], field, [&](const auto& values) {
            using Member = std::decay_t<decltype(values)>;
            if constexpr (std::is_same_v<Member, Values> && std::is_same_v<Member, double>) {
                out[r] = values;
            } else if constexpr (std::is_same_v<Member, Values>) {
                if (values.size() != per_replicate)
                    throw std::runtime_error("scenario '" + scenario.name + "', replicate " +
                                             std::to_string(r) + ": " + std::string(field.name) +
                                             " holds " + std::to_string(values.size()) +
                                             " values, expected " + std::to_string(per_replicate));
                std::memcpy(out + r * per_replicate, values.data(),
                            per_replicate * sizeof(Element));
            }
        });
    }
    return array;
}

/// One scenario's results as plain values:
///   name, start_date, days, attrs (the group's attributes),
///   fields: [(name, dims, array, {"description", "dimensions"})] in the file's order, each
///           record the scenario has (every axis non-empty),
///   labels: {axis: [label, ...]} for the label axes of those records (not replicate, time),
///   resource_unit, resource_kind: (one per resource, description); empty without supplies.
py::dict scenario_values(const ScenarioResult& scenario) {
    py::dict values;
    values["name"] = scenario.name;
    values["start_date"] = scenario.start_date;
    values["days"] = scenario.days;
    values["attrs"] = group_attributes(scenario);
    py::list fields;
    py::dict labels;
    if (!scenario.replicates.empty()) {
        results::for_each_field(
            scenario.replicates.front(), [&](const Field& field, const auto& member) {
                if (!results::has_field(scenario, field)) return;
                py::list dims;
                dims.append(std::string(results::kReplicateAxis));
                for (const Axis axis : field.dimensions()) {
                    const std::string name(results::axis_name(axis));
                    dims.append(name);
                    if (axis != Axis::kTime && !labels.contains(name))
                        labels[py::str(name)] = results::axis_labels(scenario, axis);
                }
                py::dict attrs;
                attrs["description"] = std::string(field.description);
                attrs["dimensions"] = results::dimensions_text(field);
                fields.append(py::make_tuple(
                    std::string(field.name), py::tuple(dims),
                    field_array<std::decay_t<decltype(member)>>(scenario, field), attrs));
            });
    }
    values["fields"] = fields;
    values["labels"] = labels;
    std::vector<std::string> units, kinds;
    for (const auto& supply : scenario.supplies) {
        units.push_back(supply.unit);
        kinds.emplace_back(results::resource_kind(supply));
    }
    values["resource_unit"] = py::make_tuple(units, results::kResourceUnitDescription);
    values["resource_kind"] = py::make_tuple(kinds, results::kResourceKindDescription);
    return values;
}

/// Runs every scenario of `files` (each point of their sweeps) with `overrides` applied, on
/// `threads` threads (0: the CPUs available), and returns each scenario's values (above).
py::list run(const std::vector<std::string>& files, const std::vector<std::string>& overrides,
             int threads) {
    if (threads < 0) throw py::value_error("threads must be at least 1");
    return translating([&] {
        const std::size_t parallelism =
            static_cast<std::size_t>(threads > 0 ? threads : core::available_cpus());
        // Held for the whole run (the worker's TBB algorithms read it).
        const tbb::global_control control(tbb::global_control::max_allowed_parallelism,
                                          parallelism);
        std::vector<scenario::Scenario> scenarios;
        {
            py::gil_scoped_release release;
            scenarios = scenario::load_files(files, overrides, scenario::Purpose::kRun);
            check_memory(scenarios, parallelism);
        }
        const results::RunResult result = run_interruptibly(scenarios);
        py::list out;
        for (const auto& scenario : result.scenarios) out.append(scenario_values(scenario));
        return out;
    });
}

}  // namespace
}  // namespace sortie::python

PYBIND11_MODULE(_sortie, module) {
    using namespace sortie::python;
    module.doc() = "The simulator's library for the sortie package (use sortie, not _sortie).";
    static py::exception<sortie::core::InputError> input_error(module, "InputError",
                                                               PyExc_ValueError);
    input_error_type = input_error.ptr();
    module.def("run", &run, py::arg("files"), py::arg("overrides"), py::arg("threads") = 0,
               "Runs the scenarios of the files; a list of dicts, one per scenario.");
    module.def("validate", &validate, py::arg("file"), py::arg("overrides"),
               "The names of the scenarios of the file, read as `sortie validate` reads them.");
    module.def("available_cpus", &sortie::core::available_cpus,
               "The CPUs this process may use (the default number of threads).");
}
