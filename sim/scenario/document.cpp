#include "sim/scenario/document.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

namespace sortie::scenario {
namespace detail {

// Nodes by identity. yaml-cpp has no hash of a node, only Node::is(); the table buckets nodes by
// the byte offset of their mark, so that a lookup compares the few nodes that start at the same
// offset (a mapping and its first key, and nodes of other files).
template <typename Value>
class NodeTable {
  public:
    const Value* find(const YAML::Node& node) const {
        const auto bucket = buckets_.find(node.Mark().pos);
        if (bucket == buckets_.end()) return nullptr;
        for (const auto& [key, value] : bucket->second) {
            if (key.is(node)) return &value;
        }
        return nullptr;
    }

    /// The value of `node`, inserted as `initial` if absent, and whether it was inserted. The
    /// pointer is valid until the next insertion.
    std::pair<Value*, bool> emplace(const YAML::Node& node, Value initial) {
        auto& bucket = buckets_[node.Mark().pos];
        for (auto& [key, value] : bucket) {
            if (key.is(node)) return {&value, false};
        }
        bucket.emplace_back(node, std::move(initial));
        return {&bucket.back().second, true};
    }

  private:
    // Never assigned to, only constructed and destroyed: Node assignment writes through handles.
    std::unordered_map<int, std::vector<std::pair<YAML::Node, Value>>> buckets_;
};

/// The file (an index into Document::files_) of each node of the files that are extended.
class NodeFiles {
  public:
    NodeTable<std::size_t> table;
};

}  // namespace detail

namespace {

using core::Diagnostic;
using core::InputError;
using core::SourceLocation;
using detail::NodeTable;

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

// Counts the documents of a text without building them, and notes where the second starts.
class DocumentCounter : public YAML::EventHandler {
  public:
    // The second document is reported where its first node is, as yaml-cpp marks documents.
    void OnDocumentStart(const YAML::Mark& mark) override {
        if (++documents == 2) second = mark;
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  const std::string&) override {
        node(mark);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {
        node(mark);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {
        node(mark);
    }
    void OnMapEnd() override {}

    int documents = 0;
    YAML::Mark second;

  private:
    void node(const YAML::Mark& mark) {
        if (documents == 2 && !second_node_seen_) second = mark, second_node_seen_ = true;
    }
    bool second_node_seen_ = false;
};

// yaml-cpp 0.7's LoadAll never returns on some inputs (a stray ',' where a document or node
// should start: jbeder/yaml-cpp#1040, found by tests/fuzz), so documents are counted first,
// two at most, and only the first is built.
std::vector<YAML::Node> parse_documents(const std::string& text, const std::string& file,
                                        int max_depth) {
    try {
        std::istringstream in(text);
        YAML::Parser parser(in);
        DocumentCounter counter;
        while (counter.documents < 2 && parser.HandleNextDocument(counter)) {
        }
        if (counter.documents >= 2) {
            throw InputError(
                at(file, counter.second), "",
                "a second YAML document starts here; a scenario file holds one document");
        }
        if (counter.documents == 0) return {};
        return {YAML::Load(text)};
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

YAML::Node parse_checked(const std::string& text, const std::string& file, const Limits& limits) {
    check_size(text.size(), file, limits);
    throw_if_any(check_text(text, file));
    const std::vector<YAML::Node> documents = parse_documents(text, file, limits.max_depth);
    check_tree(documents, file, limits);
    return documents.front();
}

// ---------------------------------------------------------------------------------------------
// Reading files.

struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
};

struct FileText {
    std::string text;
    int error = 0;  ///< errno if the file could not be read
};

// Reads at most max_bytes + 1 bytes: enough to tell that a file is too big without reading a
// file of any size into memory.
FileText read_file(const std::string& name, std::size_t max_bytes) {
    const std::unique_ptr<std::FILE, FileCloser> file(std::fopen(name.c_str(), "rb"));
    if (!file) return {{}, errno};
    FileText result;
    std::array<char, 1 << 16> buffer{};
    while (result.text.size() <= max_bytes) {
        const std::size_t got = std::fread(buffer.data(), 1, buffer.size(), file.get());
        result.text.append(buffer.data(), got);
        if (got == buffer.size()) continue;
        if (std::ferror(file.get()) != 0) return {{}, errno};
        break;
    }
    return result;
}

std::string reason(int error) {
    return std::generic_category().message(error);
}

// ---------------------------------------------------------------------------------------------
// Extends.

std::string describe_kind(const YAML::Node& node) {
    if (node.IsMap()) return "a mapping";
    if (node.IsSequence()) return "a sequence";
    return "nothing";
}

// The key and value of `key` in `map`, if there.
std::optional<std::pair<YAML::Node, YAML::Node>> find_entry(const YAML::Node& map,
                                                            std::string_view key) {
    for (const auto& entry : map) {
        if (entry.first.IsScalar() && entry.first.Scalar() == key) {
            return std::pair<YAML::Node, YAML::Node>(entry.first, entry.second);
        }
    }
    return std::nullopt;
}

// What tells two names of one file apart from two files: `a.yaml` and `./a.yaml` are one.
std::filesystem::path identity_of(const std::filesystem::path& path) {
    std::error_code error;
    std::filesystem::path canonical = std::filesystem::weakly_canonical(path, error);
    if (!error) return canonical;
    return path.lexically_normal();
}

std::filesystem::path path_of_base(const std::string& extending_file, const std::string& written) {
    const std::filesystem::path path(written);
    if (path.is_absolute()) return path.lexically_normal();
    return (std::filesystem::path(extending_file).parent_path() / path).lexically_normal();
}

// Each mapping of the tree and how many times the walk reaches it: more than once through an
// alias. Bounded by the node budget that the tree was checked against.
void count_maps(const YAML::Node& node, NodeTable<int>& visits) {
    if (node.IsSequence()) {
        for (const YAML::Node& element : node) count_maps(element, visits);
    }
    if (!node.IsMap()) return;
    int& count = *visits.emplace(node, 0).first;
    if (++count > 1) return;
    for (const auto& entry : node) count_maps(entry.second, visits);
}

// Reads a file and the chain of files it extends, and merges them. Files form a chain (each
// extends at most one), so files_ is also the chain of files being read, outermost first.
class Resolver {
  public:
    explicit Resolver(const Limits& limits)
        : limits_(limits), node_files_(std::make_shared<detail::NodeFiles>()) {}

    /// The tree of the file `name`, holding `text`, with its bases merged in.
    YAML::Node resolve(const std::string& text, const std::string& name) {
        const std::size_t file = files_.size();
        files_.push_back(name);
        identities_.push_back(identity_of(name));
        YAML::Node root = parse_checked(text, name, limits_);
        // Before merging, the tree holds this file's nodes alone.
        if (file > 0) index_tree(root, file);
        const auto extends = find_entry(root, "extends");
        if (!extends) return root;
        const YAML::Node base = load_base(extends->second, file);
        NodeTable<int> visits;
        count_maps(root, visits);
        root.remove(extends->first);
        merge_maps(root, base, "", file, visits);
        return root;
    }

    const std::vector<std::string>& files() const { return files_; }

    /// Null for a single file: every node is then from the top file.
    std::shared_ptr<const detail::NodeFiles> node_files() const {
        return files_.size() > 1 ? node_files_ : nullptr;
    }

  private:
    [[noreturn]] void fail(const YAML::Node& at_node, std::size_t file, std::string path,
                           std::string message) const {
        throw InputError(at(files_[file], at_node.Mark()), std::move(path), std::move(message));
    }

    // Aliases reach a node again: its subtree is indexed already.
    void index_tree(const YAML::Node& node, std::size_t file) {
        if (!node_files_->table.emplace(node, file).second) return;
        if (node.IsSequence()) {
            for (const YAML::Node& element : node) index_tree(element, file);
        } else if (node.IsMap()) {
            for (const auto& entry : node) {
                index_tree(entry.first, file);
                index_tree(entry.second, file);
            }
        }
    }

    YAML::Node load_base(const YAML::Node& value, std::size_t file) {
        if (!value.IsScalar()) {
            fail(value, file, "extends",
                 "expected the path of a scenario file, got " + describe_kind(value));
        }
        const std::filesystem::path path = path_of_base(files_[file], value.Scalar());
        const auto repeated = std::find(identities_.begin(), identities_.end(), identity_of(path));
        if (repeated != identities_.end()) {
            const auto first = static_cast<std::size_t>(repeated - identities_.begin());
            std::string chain;
            for (std::size_t i = first; i < files_.size(); ++i) chain += files_[i] + " -> ";
            fail(value, file, "extends", "cyclic extends: " + chain + files_[first]);
        }
        if (files_.size() >= limits_.max_extends_files) {
            fail(value, file, "extends",
                 fmt::format("too many levels of extends; a chain holds at most {} files",
                             limits_.max_extends_files));
        }
        const FileText base = read_file(path.string(), limits_.max_file_bytes);
        if (base.error != 0) {
            fail(value, file, "extends",
                 fmt::format("cannot read file '{}': {}", value.Scalar(), reason(base.error)));
        }
        return resolve(base.text, path.string());
    }

    // Inserts the base's entries that `target` lacks into `target`, a mapping of the file being
    // read (never of a base: the base's nodes are shared, not changed), and merges the mappings
    // that both have. A mapping that the file reaches through an alias is refused: merging into
    // it would change the other places that use it too.
    void merge_maps(YAML::Node target, const YAML::Node& base, const std::string& path,
                    std::size_t file, const NodeTable<int>& visits) {
        const int* count = visits.find(target);
        if (count != nullptr && *count > 1) {
            fail(target, file, path,
                 "cannot merge the base into a mapping that the file also uses through an alias; "
                 "write it out in full");
        }
        const YAML::Node& own = target;
        std::unordered_map<std::string, YAML::Node> own_values;
        for (const auto& entry : own) own_values.try_emplace(entry.first.Scalar(), entry.second);
        std::vector<std::pair<YAML::Node, YAML::Node>> added;
        for (const auto& entry : base) {
            const std::string& key = entry.first.Scalar();
            const auto found = own_values.find(key);
            if (found == own_values.end()) {
                added.emplace_back(entry.first, entry.second);
            } else if (found->second.IsMap() && entry.second.IsMap()) {
                merge_maps(found->second, entry.second, join_key(path, key), file, visits);
            }
        }
        for (const auto& [key, value] : added) target.force_insert(key, value);
    }

    Limits limits_;
    std::vector<std::string> files_;
    std::vector<std::filesystem::path> identities_;
    std::shared_ptr<detail::NodeFiles> node_files_;
};

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

Document::Document(YAML::Node root, std::vector<std::string> files,
                   std::shared_ptr<const detail::NodeFiles> node_files, const Limits& limits)
    : root_(std::move(root)),
      files_(std::move(files)),
      node_files_(std::move(node_files)),
      limits_(limits) {}

Document Document::load_file(const std::filesystem::path& path, const Limits& limits) {
    const std::string name = path.string();
    const FileText file = read_file(name, limits.max_file_bytes);
    if (file.error != 0) {
        throw InputError(SourceLocation{name, 0, 0}, "", "cannot read file: " + reason(file.error));
    }
    Resolver resolver(limits);
    const YAML::Node root = resolver.resolve(file.text, name);
    // Each file was within the limits; the merged tree may hold the nodes of several files.
    if (resolver.files().size() > 1) throw_if_any(TreeChecker(name, limits).check(root));
    return Document(root, resolver.files(), resolver.node_files(), limits);
}

Document Document::load_string(std::string text, std::string file_name, const Limits& limits) {
    const YAML::Node root = parse_checked(text, file_name, limits);
    return Document(root, {std::move(file_name)}, nullptr, limits);
}

Document Document::without(std::string_view key) const {
    Document copy(*this);
    YAML::Node root(YAML::NodeType::Map);
    for (const auto& entry : root_) {
        if (entry.first.IsScalar() && entry.first.Scalar() == key) continue;
        root.force_insert(entry.first, entry.second);
    }
    copy.remember(root, location_of(root_), file_index_of(root_));
    copy.root_.reset(root);
    return copy;
}

void Document::apply_override(std::string_view assignment) {
    const Assignment parsed = split_assignment(assignment);
    if (parsed.segments.front() == "extends") {
        throw_override_error(parsed.path, "'extends' can only be written in a scenario file");
    }
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
    remember(copy, location_of(container), file_index_of(container));
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

void Document::remember(const YAML::Node& node, const SourceLocation& location, std::size_t file) {
    origins_.push_back(Origin{node, location, file});
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

// Latest first: a later override supersedes an earlier one.
const Document::Origin* Document::origin_of(const YAML::Node& node) const {
    for (auto origin = origins_.rbegin(); origin != origins_.rend(); ++origin) {
        if (origin->node.is(node)) return &*origin;
    }
    return nullptr;
}

std::size_t Document::file_index_of(const YAML::Node& node) const {
    if (const Origin* origin = origin_of(node)) return origin->file;
    return parsed_file_of(node);
}

// The file a node was parsed from: a base's if the index knows it, else the top file.
std::size_t Document::parsed_file_of(const YAML::Node& node) const {
    if (node_files_ == nullptr) return 0;
    const std::size_t* file = node_files_->table.find(node);
    return file == nullptr ? 0 : *file;
}

SourceLocation Document::location_of(const YAML::Node& node) const {
    if (!node.IsDefined()) return {file(), 0, 0};
    if (const Origin* origin = origin_of(node)) return origin->location;
    return at(files_[parsed_file_of(node)], node.Mark());
}

std::filesystem::path Document::base_directory_of(const YAML::Node& node) const {
    const std::size_t file = node.IsDefined() ? file_index_of(node) : 0;
    return std::filesystem::path(files_[file]).parent_path();
}

}  // namespace sortie::scenario
