#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "sim/core/date.hpp"
#include "sim/core/error.hpp"
#include "sim/scenario/document.hpp"

namespace sortie::scenario {

/// The range a number must lie in; every part is optional.
struct Bounds {
    std::optional<double> min, max;
    bool min_exclusive = false, max_exclusive = false;

    /// [v, +inf)
    static Bounds at_least(double v);
    /// (v, +inf)
    static Bounds greater_than(double v);
    /// [lo, hi]
    static Bounds between(double lo, double hi);
    /// [0, 1]
    static Bounds probability();

    /// Why `value` is outside, formatted with `got` ("must be at least 0 (got -5)"); "" if inside.
    std::string problem(double value, std::string_view got) const;
};

/// Reads one YAML mapping strictly. Every getter marks its key as known; problems are added to
/// the DiagnosticList (never thrown) and the getter returns std::nullopt, so that all errors of
/// a file are reported at once. An absent key is not a problem for a getter (it returns nullopt);
/// use require() for keys that must be there. finish() reports the keys nobody asked for.
///
/// Only plain (unquoted) scalars are numbers or booleans: `"3"` is text, and number() refuses it.
/// The reader refers to the Document and the DiagnosticList, which must outlive it. It is not
/// assignable (yaml-cpp's Node assignment writes through handles).
class MapReader {
  public:
    /// Reads `node`, found at `key_path` ("" for the top level, "interventions[2]" for a list
    /// element). If `node` is not a mapping, adds "expected a mapping, got ..." and reads as an
    /// empty mapping.
    MapReader(const Document& document, const YAML::Node& node, std::string key_path,
              core::DiagnosticList& diagnostics);
    MapReader(const MapReader&) = default;
    MapReader(MapReader&&) = default;
    MapReader& operator=(const MapReader&) = delete;
    MapReader& operator=(MapReader&&) = delete;
    ~MapReader() = default;

    /// Whether the key is present (even with a null value). Marks it as known.
    bool has(std::string_view key) const;

    /// A finite number (integer or decimal, `1e6` allowed) within `bounds`.
    std::optional<double> number(std::string_view key, Bounds bounds = {});
    /// A whole number within int64 and `bounds`. `1e6` and `3.0` are accepted (they are whole);
    /// `2.5`, `true`, `"3"` and `0x10` are not.
    std::optional<std::int64_t> integer(std::string_view key, Bounds bounds = {});
    /// `true` or `false`, nothing else (YAML 1.1's yes/no/on/off are refused).
    std::optional<bool> boolean(std::string_view key);
    /// The text of any scalar (quoted or not); refuses mappings, sequences and null.
    std::optional<std::string> string(std::string_view key);
    /// Text that is one of `choices`; otherwise "unknown value 'x' for 'key'; did you mean 'y'?
    /// expected one of: a, b, c" (choices in the order given).
    std::optional<std::string> one_of(std::string_view key,
                                      std::span<const std::string_view> choices);
    /// An ISO date YYYY-MM-DD: "invalid date '2020-02-30': February 2020 has 29 days".
    std::optional<core::Date> date(std::string_view key);
    /// A sequence of scalars; a single scalar is also accepted as a one-element list.
    std::optional<std::vector<std::string>> string_list(std::string_view key);
    /// A string_list in which no text appears twice (region keys: `[idf, idf]` is a slip, and
    /// would count a region twice); a repeat is reported at the key, "'idf' is listed twice".
    std::optional<std::vector<std::string>> distinct_string_list(std::string_view key);
    /// A sequence of numbers, each within `bounds`; reports every bad element.
    std::optional<std::vector<double>> number_list(std::string_view key, Bounds bounds = {});
    /// A sequence of [from, to] pairs of whole numbers within `bounds`, from <= to (age ranges,
    /// `[[75, 120], [65, 74]]`); reports every bad element at the element.
    std::optional<std::vector<std::array<std::int64_t, 2>>> integer_ranges(std::string_view key,
                                                                           Bounds bounds = {});
    /// A nested reader with key path "parent.key"; nullopt (and a diagnostic) if the value is
    /// not a mapping, nullopt alone if the key is absent.
    std::optional<MapReader> map(std::string_view key);
    /// A sequence of mappings, one reader each with key path "key[i]"; nullopt (and diagnostics)
    /// if the value is not a sequence or an element is not a mapping.
    std::optional<std::vector<MapReader>> map_list(std::string_view key);

    /// Marks a key as required: if absent, adds "missing required key 'x'" at the map's
    /// location. Returns whether it is present. Use like:
    /// `if (r.require("size")) size = r.integer("size", Bounds::at_least(1));`
    bool require(std::string_view key);
    /// Adds a problem at the value of `key`, for checks made after a getter (a file it names
    /// that does not exist).
    void report_key(std::string_view key, std::string message);
    /// Declares keys that are valid but read elsewhere (so that finish() does not report them).
    void allow(std::initializer_list<std::string_view> keys);
    /// Reports every key nobody asked for: "unknown key 'sise'; did you mean 'size'? valid keys:
    /// regions, scale, size". Call once, after all getters.
    void finish();

    /// Where the map itself is.
    core::SourceLocation location() const;
    /// Where the value for `key` is, or the map's location if the key is absent. A null value
    /// from the file is located at its key (yaml-cpp marks an empty value where the next token
    /// starts, often on the next line).
    core::SourceLocation location(std::string_view key) const;
    /// "population.size" for key "size" of reader "population"; "size" at the top level.
    std::string key_path(std::string_view key) const;
    /// The value for `key`, or nullptr if absent; valid while this reader lives. Marks the key
    /// as known.
    const YAML::Node* node(std::string_view key) const;

  private:
    struct Entry {
        std::string key;
        YAML::Node key_node;
        YAML::Node value;
    };

    const Entry* find(std::string_view key) const;
    void report(const YAML::Node& at, std::string path, std::string message);
    void report_unknown(const Entry& entry);

    // Member templates, defined and instantiated in map_reader.cpp only.
    template <typename Parsed>
    auto accept(std::string_view key, Parsed parsed);
    template <typename T, typename Parse>
    std::optional<std::vector<T>> accept_all(const YAML::Node& sequence, std::string_view key,
                                             Parse parse);
    std::string indexed_path(std::string_view key, std::size_t index) const;

    const Document* document_;
    YAML::Node node_;
    std::string key_path_;
    core::DiagnosticList* diagnostics_;
    std::vector<Entry> entries_;
    mutable std::set<std::string, std::less<>> known_;
};

}  // namespace sortie::scenario
