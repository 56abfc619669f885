#include "sim/scenario/map_reader.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <numeric>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace sortie::scenario {
namespace {

// ---------------------------------------------------------------------------------------------
// Describing what was found, for "expected X, got Y".

constexpr std::size_t kShownTextBytes = 40;

// Long values are cut (at a UTF-8 character boundary) so that a message stays one line.
std::string shown_text(std::string_view text) {
    if (text.size() <= kShownTextBytes) return fmt::format("'{}'", text);
    std::size_t cut = kShownTextBytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
    return fmt::format("'{}...'", text.substr(0, cut));
}

std::string describe(const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull()) return "nothing";
    if (node.IsMap()) return "a mapping";
    if (node.IsSequence()) return "a sequence";
    if (node.Tag() == "!") return "quoted text " + shown_text(node.Scalar());
    if (node.Tag() != "?") {
        return fmt::format("{} tagged '{}'", shown_text(node.Scalar()), node.Tag());
    }
    return shown_text(node.Scalar());
}

// yaml-cpp tags a plain scalar "?" and a quoted one "!": only plain scalars are numbers or
// booleans, so that `"3"` stays text as the author wrote it.
bool is_plain_scalar(const YAML::Node& node) {
    return node.IsDefined() && node.IsScalar() && node.Tag() == "?";
}

std::string expected(std::string_view what, const YAML::Node& got) {
    return fmt::format("expected {}, got {}", what, describe(got));
}

// ---------------------------------------------------------------------------------------------
// Numbers. std::from_chars is locale-independent and reports exactly how much text it used.

template <typename T>
struct Parsed {
    std::optional<T> value;
    std::string problem;
};

// YAML's spellings of infinity and not-a-number (from_chars does not know the leading dot).
bool is_yaml_non_finite(std::string_view text) {
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) text.remove_prefix(1);
    std::string folded(text);
    std::transform(folded.begin(), folded.end(), folded.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return folded == ".inf" || folded == ".nan";
}

// from_chars takes a leading '-' but not a leading '+'.
std::string_view without_plus(std::string_view text) {
    if (text.size() > 1 && text.front() == '+' && text[1] != '-') text.remove_prefix(1);
    return text;
}

template <typename T>
std::from_chars_result parse_whole_text(std::string_view text, T& value) {
    const std::string_view digits = without_plus(text);
    std::from_chars_result result =
        std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (result.ec == std::errc{} && result.ptr != digits.data() + digits.size()) {
        result.ec = std::errc::invalid_argument;
    }
    return result;
}

Parsed<double> parse_number_text(const std::string& text) {
    if (is_yaml_non_finite(text)) {
        return {{}, fmt::format("expected a finite number, got '{}'", text)};
    }
    double value = 0;
    const std::errc error = parse_whole_text(text, value).ec;
    if (error == std::errc::result_out_of_range) {
        return {{}, fmt::format("number '{}' is out of range", text)};
    }
    if (error != std::errc{}) {
        return {{}, fmt::format("expected a number, got {}", shown_text(text))};
    }
    if (!std::isfinite(value)) return {{}, fmt::format("expected a finite number, got '{}'", text)};
    return {value, {}};
}

Parsed<double> parse_number(const YAML::Node& node) {
    if (!is_plain_scalar(node)) return {{}, expected("a number", node)};
    return parse_number_text(node.Scalar());
}

std::string integer_out_of_range(const std::string& text) {
    return fmt::format("number '{}' is out of range for a whole number", text);
}

// Whole numbers written as decimals or in scientific notation (1e6, 3.0) are accepted, when
// they fit into int64: -2^63 <= value < 2^63, both bounds exact in a double.
Parsed<std::int64_t> whole_from_double(const std::string& text) {
    const Parsed<double> number = parse_number_text(text);
    const bool whole = number.value && std::trunc(*number.value) == *number.value;
    if (!whole) return {{}, fmt::format("expected a whole number, got {}", shown_text(text))};
    if (*number.value < -0x1p63 || *number.value >= 0x1p63) return {{}, integer_out_of_range(text)};
    return {static_cast<std::int64_t>(*number.value), {}};
}

Parsed<std::int64_t> parse_integer(const YAML::Node& node) {
    if (!is_plain_scalar(node)) return {{}, expected("a whole number", node)};
    std::int64_t value = 0;
    const std::errc error = parse_whole_text(node.Scalar(), value).ec;
    if (error == std::errc{}) return {value, {}};
    if (error == std::errc::result_out_of_range) return {{}, integer_out_of_range(node.Scalar())};
    return whole_from_double(node.Scalar());
}

template <typename T>
Parsed<T> within(Parsed<T> parsed, const Bounds& bounds) {
    if (!parsed.value) return parsed;
    std::string problem =
        bounds.problem(static_cast<double>(*parsed.value), fmt::format("{}", *parsed.value));
    if (problem.empty()) return parsed;
    return {std::nullopt, std::move(problem)};
}

Parsed<std::string> parse_text(const YAML::Node& node) {
    if (node.IsDefined() && node.IsScalar()) return {node.Scalar(), {}};
    return {std::nullopt, expected("text", node)};
}

// ---------------------------------------------------------------------------------------------
// "Did you mean": Levenshtein distance, ignoring case, with two rows of the usual table.

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> previous(b.size() + 1);
    std::vector<std::size_t> current(b.size() + 1);
    std::iota(previous.begin(), previous.end(), std::size_t{0});
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t substitution = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            current[j] =
                std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + substitution});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

// The nearest candidate (the first of equals), if near enough to be a likely typo.
template <typename Range>
std::optional<std::string> closest(std::string_view word, const Range& candidates) {
    const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
    std::optional<std::string> best;
    std::size_t best_distance = limit + 1;
    for (const auto& candidate : candidates) {
        const std::size_t distance = edit_distance(word, candidate);
        if (distance >= best_distance) continue;
        best = std::string(candidate);
        best_distance = distance;
    }
    return best;
}

std::string did_you_mean(const std::optional<std::string>& suggestion) {
    return suggestion ? fmt::format("did you mean '{}'? ", *suggestion) : "";
}

}  // namespace

// -------------------------------------------------------------------------------------------------
// Bounds

Bounds Bounds::at_least(double v) {
    return Bounds{v, std::nullopt, false, false};
}

Bounds Bounds::greater_than(double v) {
    return Bounds{v, std::nullopt, true, false};
}

Bounds Bounds::between(double lo, double hi) {
    return Bounds{lo, hi, false, false};
}

Bounds Bounds::probability() {
    return between(0, 1);
}

std::string Bounds::problem(double value, std::string_view got) const {
    const bool below = min && (min_exclusive ? value <= *min : value < *min);
    const bool above = max && (max_exclusive ? value >= *max : value > *max);
    if (!below && !above) return {};
    if (min && max && !min_exclusive && !max_exclusive) {
        return fmt::format("must be between {} and {} (got {})", *min, *max, got);
    }
    if (below) {
        return fmt::format("must be {} {} (got {})", min_exclusive ? "greater than" : "at least",
                           *min, got);
    }
    return fmt::format("must be {} {} (got {})", max_exclusive ? "less than" : "at most", *max,
                       got);
}

// -------------------------------------------------------------------------------------------------
// MapReader

MapReader::MapReader(const Document& document, const YAML::Node& node, std::string key_path,
                     core::DiagnosticList& diagnostics)
    : document_(&document),
      node_(node),
      key_path_(std::move(key_path)),
      diagnostics_(&diagnostics) {
    if (!node_.IsDefined() || !node_.IsMap()) {
        report(node_, key_path_, expected("a mapping", node_));
        return;
    }
    for (const auto& entry : node_) {
        // Document refused other keys already; a hand-built node may still hold some.
        if (entry.first.IsScalar()) {
            entries_.push_back(Entry{entry.first.Scalar(), entry.first, entry.second});
        }
    }
}

// The value of a parse, or nullopt after reporting its problem at `key`.
template <typename Parsed>
auto MapReader::accept(std::string_view key, Parsed parsed) {
    if (!parsed.value) report_key(key, std::move(parsed.problem));
    return std::move(parsed.value);
}

// Every element of `sequence` parsed with `parse`, or nullopt after reporting each bad element
// at the element itself.
template <typename T, typename Parse>
std::optional<std::vector<T>> MapReader::accept_all(const YAML::Node& sequence,
                                                    std::string_view key, Parse parse) {
    std::vector<T> values;
    bool all_good = true;
    for (const YAML::Node& element : sequence) {
        auto parsed = parse(element);
        if (!parsed.value) report(element, indexed_path(key, values.size()), parsed.problem);
        all_good = all_good && parsed.value.has_value();
        values.push_back(parsed.value.value_or(T{}));
    }
    if (!all_good) return std::nullopt;
    return values;
}

bool MapReader::has(std::string_view key) const {
    return node(key) != nullptr;
}

std::optional<double> MapReader::number(std::string_view key, Bounds bounds) {
    const YAML::Node* value = node(key);
    if (value == nullptr) return std::nullopt;
    return accept(key, within(parse_number(*value), bounds));
}

std::optional<std::int64_t> MapReader::integer(std::string_view key, Bounds bounds) {
    const YAML::Node* value = node(key);
    if (value == nullptr) return std::nullopt;
    return accept(key, within(parse_integer(*value), bounds));
}

std::optional<bool> MapReader::boolean(std::string_view key) {
    const YAML::Node* value = node(key);
    if (value == nullptr) return std::nullopt;
    if (is_plain_scalar(*value) && value->Scalar() == "true") return true;
    if (is_plain_scalar(*value) && value->Scalar() == "false") return false;
    report_key(key, expected("true or false", *value));
    return std::nullopt;
}

std::optional<std::string> MapReader::string(std::string_view key) {
    const YAML::Node* value = node(key);
    if (value == nullptr) return std::nullopt;
    return accept(key, parse_text(*value));
}

std::optional<std::string> MapReader::one_of(std::string_view key,
                                             std::span<const std::string_view> choices) {
    std::optional<std::string> text = string(key);
    if (!text || std::find(choices.begin(), choices.end(), *text) != choices.end()) return text;
    report_key(
        key, fmt::format("unknown value {} for '{}'; {}expected one of: {}", shown_text(*text), key,
                         did_you_mean(closest(*text, choices)), fmt::join(choices, ", ")));
    return std::nullopt;
}

std::optional<core::Date> MapReader::date(std::string_view key) {
    const std::optional<std::string> text = string(key);
    if (!text) return std::nullopt;
    const std::string problem = core::Date::parse_problem(*text);
    if (problem.empty()) return core::Date::parse(*text);
    report_key(key, fmt::format("invalid date {}: {}", shown_text(*text), problem));
    return std::nullopt;
}

std::optional<std::vector<std::string>> MapReader::string_list(std::string_view key) {
    const YAML::Node* value = node(key);
    if (value == nullptr) return std::nullopt;
    if (value->IsScalar()) return std::vector<std::string>{value->Scalar()};
    if (!value->IsSequence()) {
        report_key(key, expected("a list of text", *value));
        return std::nullopt;
    }
    return accept_all<std::string>(*value, key,
                                   [](const YAML::Node& element) { return parse_text(element); });
}

std::optional<std::vector<std::string>> MapReader::distinct_string_list(std::string_view key) {
    auto list = string_list(key);
    if (!list) return list;
    std::set<std::string_view> seen;
    for (const std::string& text : *list) {
        if (!seen.insert(text).second) {
            report_key(key, fmt::format("'{}' is listed twice", text));
            return std::nullopt;
        }
    }
    return list;
}

std::optional<std::vector<double>> MapReader::number_list(std::string_view key, Bounds bounds) {
    const YAML::Node* value = node(key);
    if (value == nullptr) return std::nullopt;
    if (!value->IsSequence()) {
        report_key(key, expected("a list of numbers", *value));
        return std::nullopt;
    }
    return accept_all<double>(*value, key, [&bounds](const YAML::Node& element) {
        return within(parse_number(element), bounds);
    });
}

std::optional<std::vector<std::array<std::int64_t, 2>>> MapReader::integer_ranges(
    std::string_view key, Bounds bounds) {
    using Range = std::array<std::int64_t, 2>;
    const YAML::Node* value = node(key);
    if (value == nullptr) return std::nullopt;
    if (!value->IsSequence()) {
        report_key(key, expected("a list of [from, to] ranges", *value));
        return std::nullopt;
    }
    std::vector<Range> ranges;
    bool all_good = true;
    for (const YAML::Node& element : *value) {
        const std::string path = indexed_path(key, ranges.size());
        Range range{0, 0};
        bool good = element.IsSequence() && element.size() == 2;
        if (!good) report(element, path, expected("[from, to]", element));
        for (std::size_t i = 0; good && i < 2; ++i) {
            const auto parsed = within(parse_integer(element[i]), bounds);
            if (!parsed.value) report(element[i], fmt::format("{}[{}]", path, i), parsed.problem);
            good = good && parsed.value.has_value();
            range[i] = parsed.value.value_or(0);
        }
        if (good && range[0] > range[1]) {
            report(element, path, fmt::format("from {} is above to {}", range[0], range[1]));
            good = false;
        }
        all_good = all_good && good;
        ranges.push_back(range);
    }
    if (!all_good) return std::nullopt;
    return ranges;
}

std::optional<MapReader> MapReader::map(std::string_view key) {
    const YAML::Node* value = node(key);
    if (value == nullptr) return std::nullopt;
    if (!value->IsMap()) {
        report_key(key, expected("a mapping", *value));
        return std::nullopt;
    }
    return MapReader(*document_, *value, key_path(key), *diagnostics_);
}

std::optional<std::vector<MapReader>> MapReader::map_list(std::string_view key) {
    const YAML::Node* value = node(key);
    if (value == nullptr) return std::nullopt;
    if (!value->IsSequence()) {
        report_key(key, expected("a list of mappings", *value));
        return std::nullopt;
    }
    std::vector<MapReader> readers;
    bool all_maps = true;
    for (const YAML::Node& element : *value) {
        // The reader of an element that is not a mapping reports it.
        readers.emplace_back(*document_, element, indexed_path(key, readers.size()), *diagnostics_);
        all_maps = all_maps && element.IsMap();
    }
    if (!all_maps) return std::nullopt;
    return readers;
}

bool MapReader::require(std::string_view key) {
    if (has(key)) return true;
    report(node_, key_path(key), fmt::format("missing required key '{}'", key));
    return false;
}

void MapReader::allow(std::initializer_list<std::string_view> keys) {
    for (const std::string_view key : keys) known_.emplace(key);
}

void MapReader::finish() {
    for (const Entry& entry : entries_) {
        if (!known_.contains(entry.key)) report_unknown(entry);
    }
}

core::SourceLocation MapReader::location() const {
    return document_->location_of(node_);
}

core::SourceLocation MapReader::location(std::string_view key) const {
    const Entry* entry = find(key);
    if (entry == nullptr) return location();
    const core::SourceLocation value_at = document_->location_of(entry->value);
    // yaml-cpp marks an empty value (`size:`) where the next token starts, often on the next
    // line: point at its key instead, unless the null came from the command line.
    if (!entry->value.IsNull() || value_at.file != document_->file()) return value_at;
    return document_->location_of(entry->key_node);
}

std::string MapReader::key_path(std::string_view key) const {
    if (key_path_.empty()) return std::string(key);
    return fmt::format("{}.{}", key_path_, key);
}

const YAML::Node* MapReader::node(std::string_view key) const {
    known_.emplace(key);
    const Entry* entry = find(key);
    return entry != nullptr ? &entry->value : nullptr;
}

const MapReader::Entry* MapReader::find(std::string_view key) const {
    const auto entry = std::find_if(entries_.begin(), entries_.end(),
                                    [key](const Entry& e) { return e.key == key; });
    return entry != entries_.end() ? &*entry : nullptr;
}

void MapReader::report(const YAML::Node& at, std::string path, std::string message) {
    diagnostics_->add(document_->location_of(at), std::move(path), std::move(message));
}

void MapReader::report_key(std::string_view key, std::string message) {
    diagnostics_->add(location(key), key_path(key), std::move(message));
}

std::string MapReader::indexed_path(std::string_view key, std::size_t index) const {
    return fmt::format("{}[{}]", key_path(key), index);
}

void MapReader::report_unknown(const Entry& entry) {
    const std::string valid = known_.empty()
                                  ? "no keys are expected here"
                                  : fmt::format("valid keys: {}", fmt::join(known_, ", "));
    report(entry.key_node, key_path(entry.key),
           fmt::format("unknown key '{}'; {}{}", entry.key,
                       did_you_mean(closest(entry.key, known_)), valid));
}

}  // namespace sortie::scenario
