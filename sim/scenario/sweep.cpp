#include "sim/scenario/sweep.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "sim/scenario/map_reader.hpp"

namespace sortie::scenario {
namespace {

using core::DiagnosticList;
using core::SourceLocation;

constexpr std::array<std::string_view, 2> kModes = {"grid", "zip"};

/// One swept key path and its values, each as YAML text (for the override), as text for the
/// name, and where it is written.
struct Parameter {
    std::string path;
    std::string label;  ///< in the name suffix
    std::vector<std::string> overrides;
    std::vector<std::string> names;
    std::vector<SourceLocation> locations;
    SourceLocation list_location;

    std::size_t size() const { return overrides.size(); }
};

std::string describe(const YAML::Node& node) {
    if (node.IsMap()) return "a mapping";
    if (node.IsSequence()) return "a sequence";
    if (node.IsScalar()) return fmt::format("'{}'", node.Scalar());
    return "nothing";
}

// ---------------------------------------------------------------------------------------------
// Values as text.

// yaml-cpp's emitter drops the quotes of a quoted scalar, so that "3" would come back a number;
// this writes quoted scalars quoted and keeps explicit tags.
void emit_value(YAML::Emitter& out, const YAML::Node& node) {
    if (node.IsMap()) {
        out << YAML::BeginMap;
        for (const auto& entry : node) {
            out << YAML::Key;
            emit_value(out, entry.first);
            out << YAML::Value;
            emit_value(out, entry.second);
        }
        out << YAML::EndMap;
    } else if (node.IsSequence()) {
        out << YAML::BeginSeq;
        for (const YAML::Node& element : node) emit_value(out, element);
        out << YAML::EndSeq;
    } else if (node.IsScalar()) {
        if (node.Tag() == "!") {
            out << YAML::DoubleQuoted;
        } else if (node.Tag() != "?") {
            out << YAML::VerbatimTag(node.Tag());
        }
        out << node.Scalar();
    } else {
        out << YAML::Null;
    }
}

// One line of YAML, flow style. The document was checked against the node budget, so the
// value's size is bounded.
std::string yaml_text(const YAML::Node& node) {
    YAML::Emitter out;
    out.SetMapFormat(YAML::Flow);
    out.SetSeqFormat(YAML::Flow);
    emit_value(out, node);
    return out.c_str();
}

std::string name_text(const YAML::Node& node) {
    return node.IsScalar() ? node.Scalar() : yaml_text(node);
}

// ---------------------------------------------------------------------------------------------
// Key paths.

std::vector<std::string> split(const std::string& path) {
    std::vector<std::string> segments;
    for (std::size_t start = 0; start <= path.size();) {
        const std::size_t end = std::min(path.find('.', start), path.size());
        segments.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return segments;
}

std::optional<YAML::Node> child_of(const YAML::Node& node, const std::string& segment) {
    if (node.IsMap()) {
        for (const auto& entry : node) {
            if (entry.first.IsScalar() && entry.first.Scalar() == segment) return entry.second;
        }
        return std::nullopt;
    }
    if (!node.IsSequence()) return std::nullopt;
    std::size_t index = 0;
    const char* end = segment.data() + segment.size();
    const auto [stop, error] = std::from_chars(segment.data(), end, index);
    if (error != std::errc{} || stop != end || index >= node.size()) return std::nullopt;
    return node[index];
}

// Looks up through const nodes only: a non-const lookup would insert the keys it looks for.
bool has_path(const YAML::Node& root, const std::vector<std::string>& segments) {
    YAML::Node current(root);
    for (const std::string& segment : segments) {
        const std::optional<YAML::Node> child = child_of(current, segment);
        if (!child) return false;
        current.reset(*child);  // never `=`: Node assignment writes into the node it replaces
    }
    return true;
}

// What is wrong with a parameter's key path, or "" if nothing.
std::string key_path_problem(const Document& document, const std::string& path) {
    if (path.empty()) return "the key path is empty";
    if (path.find('=') != std::string::npos) return "a key path cannot contain '='";
    const std::vector<std::string> segments = split(path);
    const auto empty = [](const std::string& segment) { return segment.empty(); };
    if (std::any_of(segments.begin(), segments.end(), empty)) {
        return fmt::format("empty segment in key path '{}'", path);
    }
    if (segments.front() == "sweep") return "a sweep cannot change the sweep itself";
    if (!has_path(document.root(), segments)) return "key path not found in the scenario";
    return "";
}

// ---------------------------------------------------------------------------------------------
// Reading the section.

class SweepReader {
  public:
    SweepReader(const Document& document, DiagnosticList& problems)
        : document_(document), problems_(problems) {}

    std::vector<Parameter> parameters(const YAML::Node& map, const std::string& map_path,
                                      const SourceLocation& map_location) {
        std::vector<Parameter> found;
        if (!map.IsMap()) {
            problems_.add(
                map_location, map_path,
                "expected a mapping of key paths to lists of values, got " + describe(map));
            return found;
        }
        if (map.size() == 0) {
            problems_.add(map_location, map_path,
                          "no parameters; give at least one key path with a list of values");
        }
        for (const auto& entry : map) {
            if (auto parameter = read(entry.first, entry.second, map_path)) {
                found.push_back(std::move(*parameter));
            }
        }
        return found;
    }

  private:
    std::optional<Parameter> read(const YAML::Node& key, const YAML::Node& list,
                                  const std::string& map_path) {
        Parameter parameter;
        parameter.path = key.Scalar();
        const std::string key_path = map_path + "." + parameter.path;
        // yaml-cpp marks an empty value where the next token starts: report it at its key.
        parameter.list_location = document_.location_of(list.IsNull() ? key : list);
        const std::size_t before = problems_.size();
        if (std::string problem = key_path_problem(document_, parameter.path); !problem.empty()) {
            problems_.add(document_.location_of(key), key_path, std::move(problem));
        }
        if (!list.IsSequence()) {
            problems_.add(parameter.list_location, key_path,
                          "expected a list of values, got " + describe(list));
        } else if (list.size() == 0) {
            problems_.add(parameter.list_location, key_path, "empty list; give at least one value");
        }
        if (problems_.size() != before) return std::nullopt;
        for (const YAML::Node& value : list) {
            parameter.overrides.push_back(parameter.path + "=" + yaml_text(value));
            parameter.names.push_back(name_text(value));
            parameter.locations.push_back(document_.location_of(value));
        }
        return parameter;
    }

    const Document& document_;
    DiagnosticList& problems_;
};

// The last segment of each key path, or the full path where two share a last segment.
void set_labels(std::vector<Parameter>& parameters) {
    for (Parameter& parameter : parameters) parameter.label = split(parameter.path).back();
    for (Parameter& parameter : parameters) {
        const auto same = [&](const Parameter& other) {
            return split(other.path).back() == parameter.label;
        };
        if (std::count_if(parameters.begin(), parameters.end(), same) > 1) {
            parameter.label = parameter.path;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Sizes.

struct Shape {
    bool grid = true;
    std::size_t points = 0;  ///< kMaxSweepPoints + 1 stands for "more"
};

Shape shape_of(bool grid, const std::vector<Parameter>& parameters, const std::string& map_path,
               DiagnosticList& problems) {
    Shape shape{grid, grid ? 1 : parameters.front().size()};
    for (const Parameter& parameter : parameters) {
        if (grid) {
            shape.points = std::min(shape.points * parameter.size(), kMaxSweepPoints + 1);
        } else if (parameter.size() != shape.points) {
            problems.add(parameter.list_location, map_path + "." + parameter.path,
                         fmt::format("zip needs lists of the same length: '{}' has {} values, "
                                     "this one {}",
                                     parameters.front().path, shape.points, parameter.size()));
        }
    }
    return shape;
}

// How many bytes the points' overrides and names will hold.
double bytes_of(const Shape& shape, const std::vector<Parameter>& parameters) {
    double bytes = 0;
    for (const Parameter& parameter : parameters) {
        const double repeats = shape.grid ? double(shape.points) / double(parameter.size()) : 1.0;
        for (std::size_t v = 0; v < parameter.size(); ++v) {
            const std::size_t once = parameter.overrides[v].size() + parameter.label.size() +
                                     parameter.names[v].size() + 2;
            bytes += repeats * double(once);
        }
    }
    return bytes;
}

void check_size(const Shape& shape, const std::vector<Parameter>& parameters,
                const SourceLocation& where, const std::string& map_path,
                DiagnosticList& problems) {
    if (shape.points > kMaxSweepPoints) {
        problems.add(where, map_path,
                     fmt::format("the sweep has more than {} points", kMaxSweepPoints));
    } else if (bytes_of(shape, parameters) > double(kMaxSweepBytes)) {
        problems.add(where, map_path,
                     fmt::format("the sweep's overrides add up to more than {} MiB; sweep "
                                 "fewer or smaller values",
                                 kMaxSweepBytes >> 20));
    }
}

// ---------------------------------------------------------------------------------------------
// Points.

SweepPoint point_at(const std::vector<Parameter>& parameters,
                    const std::vector<std::size_t>& index) {
    SweepPoint point;
    for (std::size_t p = 0; p < parameters.size(); ++p) {
        const Parameter& parameter = parameters[p];
        const std::size_t v = index[p];
        if (p > 0) point.name_suffix += ',';
        point.name_suffix += parameter.label + "=" + parameter.names[v];
        point.overrides.push_back(parameter.overrides[v]);
        point.value_locations.push_back(parameter.locations[v]);
    }
    return point;
}

// The last parameter varies fastest.
void advance(std::vector<std::size_t>& index, const std::vector<Parameter>& parameters) {
    for (std::size_t p = parameters.size(); p-- > 0;) {
        if (++index[p] < parameters[p].size()) return;
        index[p] = 0;
    }
}

std::vector<SweepPoint> points_of(const Shape& shape, const std::vector<Parameter>& parameters) {
    std::vector<SweepPoint> points;
    points.reserve(shape.points);
    std::vector<std::size_t> index(parameters.size(), 0);
    for (std::size_t i = 0; i < shape.points; ++i) {
        if (!shape.grid) std::fill(index.begin(), index.end(), i);
        points.push_back(point_at(parameters, index));
        if (shape.grid) advance(index, parameters);
    }
    return points;
}

}  // namespace

std::vector<SweepPoint> sweep_points(const Document& document) {
    DiagnosticList problems;
    MapReader root(document, document.root(), "", problems);
    if (!root.has("sweep")) return {};
    std::optional<MapReader> sweep = root.map("sweep");
    problems.throw_if_any();
    std::optional<std::string> mode;
    if (sweep->require("mode")) mode = sweep->one_of("mode", kModes);
    std::vector<Parameter> parameters;
    if (sweep->require("parameters")) {
        parameters = SweepReader(document, problems)
                         .parameters(*sweep->node("parameters"), sweep->key_path("parameters"),
                                     sweep->location("parameters"));
    }
    sweep->finish();
    problems.throw_if_any();
    set_labels(parameters);
    const Shape shape =
        shape_of(*mode == "grid", parameters, sweep->key_path("parameters"), problems);
    check_size(shape, parameters, sweep->location("parameters"), sweep->key_path("parameters"),
               problems);
    problems.throw_if_any();
    return points_of(shape, parameters);
}

std::string sweep_point_name(std::string_view scenario_name, const SweepPoint& point) {
    if (point.name_suffix.empty()) return std::string(scenario_name);
    return fmt::format("{}[{}]", scenario_name, point.name_suffix);
}

core::InputError located_at_sweep_values(const core::InputError& error, const SweepPoint& point) {
    std::vector<core::Diagnostic> diagnostics = error.diagnostics();
    for (core::Diagnostic& diagnostic : diagnostics) {
        for (std::size_t i = 0; i < point.overrides.size(); ++i) {
            if (diagnostic.location.line == 0 &&
                diagnostic.location.file == "--set " + point.overrides[i]) {
                diagnostic.location = point.value_locations[i];
            }
        }
    }
    return core::InputError(std::move(diagnostics));
}

}  // namespace sortie::scenario
