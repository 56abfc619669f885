#include "sim/scenario/document.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <memory>
#include <optional>
#include <set>
#include <system_error>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>

namespace sortie::scenario {
namespace {

using core::Diagnostic;
using core::InputError;
using core::SourceLocation;

// ---------------------------------------------------------------------------------------------
// Messages shared by the file checks and the override checks.

std::string depth_message(int max_depth) {
    return fmt::format("nesting deeper than {} levels", max_depth);
}

std::string budget_message(std::size_t max_nodes) {
    return fmt::format("document expands to more than {} nodes (alias bomb?)", max_nodes);
}

// yaml-cpp marks are 0-based and (-1, -1) when unknown; messages are 1-based, 0 when unknown.
SourceLocation at(const std::string& file, const YAML::Mark& mark) {
    if (mark.is_null()) return {file, 0, 0};
    return {file, mark.line + 1, mark.column + 1};
}

std::string join_key(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
}

// ---------------------------------------------------------------------------------------------
// Checks on the raw text, done before yaml-cpp sees it: its messages about bad bytes or tabs
// are far from the cause ("illegal map value" for a tab).

SourceLocation position_of(std::string_view text, std::size_t offset, const std::string& file) {
    const std::string_view before = text.substr(0, offset);
    const std::size_t newline = before.rfind('\n');
    const std::size_t column = newline == std::string_view::npos ? offset : offset - newline - 1;
    const auto line = std::count(before.begin(), before.end(), '\n');
    return {file, static_cast<int>(line) + 1, static_cast<int>(column) + 1};
}

// Well-formed UTF-8 after the Unicode Standard, Table 3-7: the range of a lead byte decides the
// sequence length and the allowed range of the second byte (this excludes overlong forms,
// surrogates and code points above U+10FFFF).
struct LeadRule {
    unsigned first, last, second_low, second_high;
    std::size_t length;
};

constexpr std::array<LeadRule, 8> kLeadRules = {{{0xC2, 0xDF, 0x80, 0xBF, 2},
                                                 {0xE0, 0xE0, 0xA0, 0xBF, 3},
                                                 {0xE1, 0xEC, 0x80, 0xBF, 3},
                                                 {0xED, 0xED, 0x80, 0x9F, 3},
                                                 {0xEE, 0xEF, 0x80, 0xBF, 3},
                                                 {0xF0, 0xF0, 0x90, 0xBF, 4},
                                                 {0xF1, 0xF3, 0x80, 0xBF, 4},
                                                 {0xF4, 0xF4, 0x80, 0x8F, 4}}};

unsigned byte_at(std::string_view text, std::size_t offset) {
    return offset < text.size() ? static_cast<unsigned char>(text[offset]) : 0U;
}

bool in_range(unsigned byte, unsigned low, unsigned high) {
    return byte >= low && byte <= high;
}

// Length of the well-formed sequence starting at `offset`, or 0 if it is not one.
std::size_t sequence_length(std::string_view text, std::size_t offset) {
    const unsigned lead = byte_at(text, offset);
    if (lead < 0x80) return 1;
    for (const LeadRule& rule : kLeadRules) {
        if (!in_range(lead, rule.first, rule.last)) continue;
        if (!in_range(byte_at(text, offset + 1), rule.second_low, rule.second_high)) return 0;
        for (std::size_t k = 2; k < rule.length; ++k) {
            if (!in_range(byte_at(text, offset + k), 0x80, 0xBF)) return 0;
        }
        return rule.length;
    }
    return 0;
}

// YAML allows tab, line feed and carriage return, but no other C0 control character nor DEL.
bool is_forbidden_control(unsigned byte) {
    return (byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r') || byte == 0x7F;
}

std::optional<Diagnostic> check_encoding(std::string_view text, const std::string& file) {
    for (std::size_t offset = 0; offset < text.size();) {
        const unsigned byte = byte_at(text, offset);
        if (is_forbidden_control(byte)) {
            return Diagnostic{
                position_of(text, offset, file), "",
                fmt::format("control character 0x{:02X}; scenario files must be text", byte)};
        }
        const std::size_t length = sequence_length(text, offset);
        if (length == 0) {
            return Diagnostic{
                position_of(text, offset, file), "",
                fmt::format("invalid UTF-8 byte 0x{:02X}; scenario files must be UTF-8", byte)};
        }
        offset += length;
    }
    return std::nullopt;
}

// Offset of a tab among the leading blanks of a line. yaml-cpp refuses most of these anyway,
// with "illegal tab when looking for indentation"; blank and comment lines are included because
// yaml-cpp refuses a tab at their start too.
std::optional<std::size_t> tab_in_indentation(std::string_view line) {
    const std::size_t tab = line.find('\t');
    if (tab < std::min(line.find_first_not_of(" \t"), line.size())) return tab;
    return std::nullopt;
}

std::optional<Diagnostic> check_indentation(std::string_view text, const std::string& file) {
    for (std::size_t start = 0; start < text.size();) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        if (const auto tab = tab_in_indentation(text.substr(start, end - start))) {
            return Diagnostic{position_of(text, start + *tab, file), "",
                              "tab character in indentation; YAML indents with spaces"};
        }
        start = end + 1;
    }
    return std::nullopt;
}

std::vector<Diagnostic> check_text(std::string_view text, const std::string& file) {
    std::vector<Diagnostic> found;
    if (auto problem = check_encoding(text, file)) found.push_back(std::move(*problem));
    if (auto problem = check_indentation(text, file)) found.push_back(std::move(*problem));
    return found;
}

// ---------------------------------------------------------------------------------------------
// Parsing.

std::vector<YAML::Node> parse_documents(const std::string& text, const std::string& file,
                                        int max_depth) {
    try {
        return YAML::LoadAll(text);
    } catch (const YAML::DeepRecursion&) {
        // yaml-cpp gives up near 1000 levels; its mark then points nowhere useful.
        throw InputError(SourceLocation{file, 0, 0}, "", depth_message(max_depth));
    } catch (const YAML::Exception& error) {
        throw InputError(at(file, error.mark), "", "YAML syntax error: " + error.msg);
    }
}

// ---------------------------------------------------------------------------------------------
// Checks on the parsed tree. The walk counts every node it reaches, so a node reached through
// several aliases counts each time: that is what bounds the work of any later recursive reader.

class TreeChecker {
  public:
    TreeChecker(std::string file, const Limits& limits) : file_(std::move(file)), limits_(limits) {}

    /// Every problem below `root` (root at depth 1), each reported once.
    std::vector<Diagnostic> check(const YAML::Node& root) {
        visit(root, 1, "");
        return std::move(found_);
    }

  private:
    void visit(const YAML::Node& node, int depth, const std::string& path) {
        if (stopped_ || !count_node()) return;
        if (!node.IsMap() && !node.IsSequence()) return;
        if (depth > limits_.max_depth) {
            stop(at(file_, node.Mark()), path, depth_message(limits_.max_depth));
        } else if (node.IsMap()) {
            visit_map(node, depth, path);
        } else {
            visit_sequence(node, depth, path);
        }
    }

    void visit_map(const YAML::Node& map, int depth, const std::string& path) {
        std::unordered_map<std::string, int> first_lines;
        for (const auto& entry : map) {
            if (stopped_ || !count_node()) return;
            const std::optional<std::string> key = key_text(entry.first, path);
            if (key) check_duplicate(first_lines, *key, entry.first, path);
            visit(entry.second, depth + 1, join_key(path, key.value_or("?")));
        }
    }

    void visit_sequence(const YAML::Node& sequence, int depth, const std::string& path) {
        std::size_t index = 0;
        for (const auto& element : sequence) {
            visit(element, depth + 1, fmt::format("{}[{}]", path, index++));
        }
    }

    // Scenario keys are text; `~:` or `[a, b]:` as a key is a mistake.
    std::optional<std::string> key_text(const YAML::Node& key, const std::string& path) {
        if (key.IsScalar()) return key.Scalar();
        const char* got = key.IsMap() ? "a mapping" : key.IsSequence() ? "a sequence" : "nothing";
        report(at(file_, key.Mark()), path, fmt::format("a key must be text, got {}", got));
        return std::nullopt;
    }

    void check_duplicate(std::unordered_map<std::string, int>& first_lines, const std::string& key,
                         const YAML::Node& key_node, const std::string& path) {
        const SourceLocation where = at(file_, key_node.Mark());
        const auto [first, inserted] = first_lines.emplace(key, where.line);
        if (inserted) return;
        report(where, path,
               fmt::format("duplicate key '{}' (first at line {})", key, first->second));
    }

    bool count_node() {
        if (++visited_ <= limits_.max_nodes) return true;
        stop({file_, 0, 0}, "", budget_message(limits_.max_nodes));
        return false;
    }

    // A map reached through several aliases (under several key paths) would report its duplicates
    // each time.
    void report(SourceLocation where, std::string path, std::string message) {
        Diagnostic diagnostic{std::move(where), std::move(path), std::move(message)};
        const std::string identity = diagnostic.location.to_string() + diagnostic.message;
        if (reported_.insert(identity).second) found_.push_back(std::move(diagnostic));
    }

    void stop(SourceLocation where, std::string path, std::string message) {
        report(std::move(where), std::move(path), std::move(message));
        stopped_ = true;
    }

    std::string file_;
    Limits limits_;
    std::size_t visited_ = 0;
    bool stopped_ = false;
    std::vector<Diagnostic> found_;
    std::set<std::string> reported_;
};

// ---------------------------------------------------------------------------------------------
// Whole-file checks.

void check_size(std::size_t size, const std::string& file, const Limits& limits) {
    if (size <= limits.max_file_bytes) return;
    throw InputError(SourceLocation{file, 0, 0}, "",
                     fmt::format("file is larger than {} bytes", limits.max_file_bytes));
}

void throw_if_any(const std::vector<Diagnostic>& found) {
    if (!found.empty()) throw InputError(found);
}

std::optional<Diagnostic> check_top_level(const std::vector<YAML::Node>& documents,
                                          const std::string& file) {
    if (documents.empty() || documents.front().IsNull()) {
        return Diagnostic{{file, 1, 1}, "", "file is empty; expected a mapping of scenario keys"};
    }
    if (documents.front().IsMap()) return std::nullopt;
    return Diagnostic{at(file, documents.front().Mark()), "",
                      "expected a mapping of scenario keys at the top level"};
}

// yaml-cpp's Load() silently drops every document after the first one.
std::optional<Diagnostic> check_single_document(const std::vector<YAML::Node>& documents,
                                                const std::string& file) {
    if (documents.size() <= 1) return std::nullopt;
    return Diagnostic{at(file, documents[1].Mark()), "",
                      "a second YAML document starts here; a scenario file holds one document"};
}

void check_tree(const std::vector<YAML::Node>& documents, const std::string& file,
                const Limits& limits) {
    std::vector<Diagnostic> found;
    if (!documents.empty()) found = TreeChecker(file, limits).check(documents.front());
    if (auto problem = check_top_level(documents, file)) found.push_back(std::move(*problem));
    if (auto problem = check_single_document(documents, file)) found.push_back(std::move(*problem));
    throw_if_any(found);
}

// ---------------------------------------------------------------------------------------------
// Reading files.

struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
};

InputError cannot_read(const std::string& name, int error) {
    return InputError(SourceLocation{name, 0, 0}, "",
                      "cannot read file: " + std::generic_category().message(error));
}

// Reads at most max_bytes + 1 bytes: enough to tell that a file is too big without reading a
// file of any size into memory.
std::string read_file(const std::string& name, std::size_t max_bytes) {
    const std::unique_ptr<std::FILE, FileCloser> file(std::fopen(name.c_str(), "rb"));
    if (!file) throw cannot_read(name, errno);
    std::string text;
    std::array<char, 1 << 16> buffer{};
    while (text.size() <= max_bytes) {
        const std::size_t got = std::fread(buffer.data(), 1, buffer.size(), file.get());
        text.append(buffer.data(), got);
        if (got == buffer.size()) continue;
        if (std::ferror(file.get()) != 0) throw cannot_read(name, errno);
        break;
    }
    return text;
}

// ---------------------------------------------------------------------------------------------
// Overrides.

[[noreturn]] void throw_override_error(const std::string& path, std::string message) {
    throw InputError(SourceLocation{"--set", 0, 0}, path, std::move(message));
}

struct Assignment {
    std::string path;
    std::vector<std::string> segments;
    std::string value;
};

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> segments;
    for (std::size_t start = 0; start <= path.size();) {
        const std::size_t end = std::min(path.find('.', start), path.size());
        if (end == start) {
            throw_override_error(path, fmt::format("empty segment in key path '{}'", path));
        }
        segments.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return segments;
}

Assignment split_assignment(std::string_view text) {
    const std::size_t equals = text.find('=');
    if (equals == std::string_view::npos) {
        throw_override_error(std::string(text),
                             fmt::format("expected key.path=value, got '{}'", text));
    }
    std::string path(text.substr(0, equals));
    if (path.empty()) throw_override_error(path, "expected key.path=value; the key path is empty");
    std::vector<std::string> segments = split_path(path);
    return {std::move(path), std::move(segments), std::string(text.substr(equals + 1))};
}

// The value's documents, checked like a file since the value joins the same tree. Throws the
// first problem found, at the command line.
std::vector<YAML::Node> parse_value_documents(const Assignment& assignment, const Limits& limits) {
    try {
        throw_if_any(check_text(assignment.value, "--set"));
        std::vector<YAML::Node> documents =
            parse_documents(assignment.value, "--set", limits.max_depth);
        if (!documents.empty()) throw_if_any(TreeChecker("--set", limits).check(documents[0]));
        return documents;
    } catch (const InputError& error) {
        throw_override_error(assignment.path, error.diagnostics().front().message);
    }
}

YAML::Node parse_value(const Assignment& assignment, const Limits& limits) {
    const std::vector<YAML::Node> documents = parse_value_documents(assignment, limits);
    if (documents.size() > 1) {
        throw_override_error(assignment.path, "the value holds more than one YAML document");
    }
    // An empty value is a null; give it a node of its own so that it can be remembered.
    if (documents.empty() || documents[0].IsNull()) return YAML::Node(YAML::NodeType::Null);
    return documents[0];
}

std::string first_segments(const std::vector<std::string>& segments, std::size_t count) {
    std::string path;
    for (std::size_t i = 0; i < count; ++i) path = join_key(path, segments[i]);
    return path;
}

std::optional<std::size_t> parse_index(const std::string& segment) {
    std::size_t index = 0;
    const char* end = segment.data() + segment.size();
    const auto [stop, error] = std::from_chars(segment.data(), end, index);
    if (error != std::errc{} || stop != end) return std::nullopt;
    return index;
}

YAML::Node element_at(const YAML::Node& sequence, std::size_t index) {
    auto element = sequence.begin();
    std::advance(element, static_cast<std::ptrdiff_t>(index));
    return *element;
}

// Map lookup by key text, without yaml-cpp's operator[] (which converts and may insert).
std::optional<YAML::Node> find_value(const YAML::Node& map, const std::string& key) {
    for (const auto& entry : map) {
        if (entry.first.IsScalar() && entry.first.Scalar() == key) return entry.second;
    }
    return std::nullopt;
}

YAML::Node sequence_element(const YAML::Node& sequence, const std::string& segment,
                            const std::string& sequence_path, const std::string& path) {
    const std::optional<std::size_t> index = parse_index(segment);
    if (!index) {
        throw_override_error(path, fmt::format("'{}' is a list; expected an index, got '{}'",
                                               sequence_path, segment));
    }
    if (*index >= sequence.size()) {
        throw_override_error(path, fmt::format("index {} is out of range; '{}' has {} elements",
                                               *index, sequence_path, sequence.size()));
    }
    return element_at(sequence, *index);
}

// The child at `segment`, or nullopt if a map lacks it. Throws for a bad sequence index.
std::optional<YAML::Node> existing_child(const YAML::Node& container, const std::string& segment,
                                         const std::string& container_path,
                                         const std::string& path) {
    if (container.IsSequence()) return sequence_element(container, segment, container_path, path);
    return find_value(container, segment);
}

/// One container an override passes through, and the segment it follows there.
struct Step {
    YAML::Node container;
    std::string segment;
};

// The existing containers along the path, outermost first. The path stops at the last segment,
// or where a map lacks the key or holds null there (the rest is created).
std::vector<Step> existing_steps(const YAML::Node& root, const Assignment& assignment) {
    const std::vector<std::string>& segments = assignment.segments;
    std::vector<Step> steps;
    YAML::Node current(root);
    for (std::size_t i = 0; i < segments.size(); ++i) {
        steps.push_back(Step{current, segments[i]});
        const std::optional<YAML::Node> child =
            existing_child(current, segments[i], first_segments(segments, i), assignment.path);
        if (i + 1 == segments.size() || !child || child->IsNull()) break;
        if (child->IsScalar()) {
            throw_override_error(assignment.path,
                                 fmt::format("'{}' is a single value, not a mapping or a list",
                                             first_segments(segments, i + 1)));
        }
        current.reset(*child);
    }
    return steps;
}

YAML::Node copy_sequence_with(const YAML::Node& sequence, std::size_t index,
                              const YAML::Node& child) {
    YAML::Node copy(YAML::NodeType::Sequence);
    std::size_t i = 0;
    for (const YAML::Node& element : sequence) copy.push_back(i++ == index ? child : element);
    return copy;
}

}  // namespace

// -------------------------------------------------------------------------------------------------

Document::Document(YAML::Node root, std::string file, const Limits& limits)
    : root_(std::move(root)), file_(std::move(file)), limits_(limits) {}

Document Document::load_file(const std::filesystem::path& path, const Limits& limits) {
    const std::string name = path.string();
    return load_string(read_file(name, limits.max_file_bytes), name, limits);
}

Document Document::load_string(std::string text, std::string file_name, const Limits& limits) {
    check_size(text.size(), file_name, limits);
    throw_if_any(check_text(text, file_name));
    const std::vector<YAML::Node> documents = parse_documents(text, file_name, limits.max_depth);
    check_tree(documents, file_name, limits);
    return Document(documents.front(), std::move(file_name), limits);
}

void Document::apply_override(std::string_view assignment) {
    const Assignment parsed = split_assignment(assignment);
    const YAML::Node value = parse_value(parsed, limits_);
    const std::vector<Step> steps = existing_steps(root_, parsed);
    // Nothing below throws (but bad_alloc): a failed override leaves the document as it was.
    const SourceLocation label{"--set " + std::string(assignment), 0, 0};
    remember_tree(value, label);
    YAML::Node subtree = wrap_in_maps(value, parsed.segments, steps.size(), label);
    for (auto step = steps.rbegin(); step != steps.rend(); ++step) {
        subtree.reset(replace_child(step->container, step->segment, subtree, label));
    }
    root_.reset(subtree);
}

// The value under the segments from `first` on, in new maps: {a: {b: value}} for "a.b".
YAML::Node Document::wrap_in_maps(const YAML::Node& value, const std::vector<std::string>& segments,
                                  std::size_t first, const SourceLocation& label) {
    YAML::Node subtree(value);
    for (std::size_t i = segments.size(); i-- > first;) {
        YAML::Node map(YAML::NodeType::Map);
        const YAML::Node key(segments[i]);
        map.force_insert(key, subtree);
        remember(map, label);
        remember(key, label);
        subtree.reset(map);  // never `=`: Node assignment writes into the node it replaces
    }
    return subtree;
}

// Copies the container rather than writing into it: the container may be shared with the
// original of a copied Document, or reached through an alias from elsewhere in the file.
YAML::Node Document::replace_child(const YAML::Node& container, const std::string& segment,
                                   const YAML::Node& child, const SourceLocation& label) {
    const YAML::Node copy = container.IsSequence()
                                ? copy_sequence_with(container, *parse_index(segment), child)
                                : copy_map_with(container, segment, child, label);
    remember(copy, location_of(container));
    return copy;
}

// Keeps the order of the keys, and their nodes (so their locations in the file).
YAML::Node Document::copy_map_with(const YAML::Node& map, const std::string& key,
                                   const YAML::Node& value, const SourceLocation& label) {
    YAML::Node copy(YAML::NodeType::Map);
    bool replaced = false;
    for (const auto& entry : map) {
        const bool match = !replaced && entry.first.IsScalar() && entry.first.Scalar() == key;
        copy.force_insert(entry.first, match ? value : entry.second);
        replaced = replaced || match;
    }
    if (replaced) return copy;
    const YAML::Node key_node(key);
    copy.force_insert(key_node, value);
    remember(key_node, label);
    return copy;
}

void Document::remember(const YAML::Node& node, const SourceLocation& location) {
    origins_.push_back(Origin{node, location});
}

// The value was checked against the node budget, so this walk is bounded.
void Document::remember_tree(const YAML::Node& node, const SourceLocation& location) {
    remember(node, location);
    if (node.IsSequence()) {
        for (const YAML::Node& element : node) remember_tree(element, location);
    } else if (node.IsMap()) {
        for (const auto& entry : node) {
            remember_tree(entry.first, location);
            remember_tree(entry.second, location);
        }
    }
}

SourceLocation Document::location_of(const YAML::Node& node) const {
    if (!node.IsDefined()) return {file_, 0, 0};
    // Latest first: a later override supersedes an earlier one.
    for (auto origin = origins_.rbegin(); origin != origins_.rend(); ++origin) {
        if (origin->node.is(node)) return origin->location;
    }
    return at(file_, node.Mark());
}

}  // namespace sortie::scenario
