#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "sim/core/error.hpp"

namespace sortie::scenario {

/// How much a scenario document may hold. The defaults are far above any real scenario and far
/// below what would exhaust memory or time on hostile input.
struct Limits {
    std::size_t max_file_bytes = 1 << 20;  ///< bytes of text (1 MiB)
    int max_depth = 64;                    ///< nesting of mappings and sequences; the root is 1
    std::size_t max_nodes = 200000;        ///< nodes visited, alias expansions counted each time
};

/// A YAML document read from a file or a string, checked before anyone reads values from it:
/// size, valid UTF-8 without control characters, no tab in indentation, parses, a single
/// document, depth, node budget (alias bombs), text keys without duplicates, and a mapping at
/// the top level (an empty file or a file holding only comments is an error).
///
/// Columns in locations count bytes, like yaml-cpp's marks, so that all messages agree.
///
/// A copy shares the tree with the original, but apply_override() never writes into shared
/// nodes (it copies the containers along the path), so overriding a copy leaves the original
/// as it was. Documents are not assignable: yaml-cpp's Node assignment writes through handles.
class Document {
  public:
    Document(const Document&) = default;
    Document(Document&&) = default;
    Document& operator=(const Document&) = delete;
    Document& operator=(Document&&) = delete;
    ~Document() = default;

    /// Reads and checks the file at `path`; messages name the path as given.
    /// Throws core::InputError with every problem found (see the class comment), or with
    /// "cannot read file: <reason>" if the file cannot be read.
    static Document load_file(const std::filesystem::path& path, const Limits& limits = {});

    /// Checks and parses `text`, naming it `file_name` in messages. Throws core::InputError.
    static Document load_string(std::string text, std::string file_name, const Limits& limits = {});

    /// The top-level mapping. Look values up through this const reference only: yaml-cpp's
    /// non-const operator[] inserts keys.
    const YAML::Node& root() const { return root_; }

    /// The name used in messages: the path as given to load_file, or load_string's file_name.
    const std::string& file() const { return file_; }

    /// Applies a command-line override "key.path=value". Segments are separated by '.'; a
    /// segment that is a number indexes a sequence (`interventions.2.start`). The value is parsed
    /// as YAML, so `3`, `true`, `[idf, ara]`, `{a: 1}` or `"text"` work; missing or empty
    /// intermediate mappings are created. Nodes created or replaced are remembered, so that
    /// location_of() reports them as coming from the command line.
    /// Throws core::InputError at {"--set", 0, 0} with the key path as given when the text has no
    /// '=', the path or one of its segments is empty, the path goes into a single value, names a
    /// sequence element that does not exist, or the value is not valid YAML (or breaks the
    /// Limits). The document is unchanged when it throws.
    void apply_override(std::string_view assignment);

    /// Where `node` comes from: its 1-based line and column in the file; {"--set <path>=<value>",
    /// 0, 0} for a node from an override; {file, 0, 0} for a node without a position (such as the
    /// result of looking up a missing key).
    core::SourceLocation location_of(const YAML::Node& node) const;

  private:
    /// A node whose location is not (or no longer) its mark.
    struct Origin {
        YAML::Node node;
        core::SourceLocation location;
    };

    Document(YAML::Node root, std::string file, const Limits& limits);

    YAML::Node wrap_in_maps(const YAML::Node& value, const std::vector<std::string>& segments,
                            std::size_t first, const core::SourceLocation& label);
    YAML::Node replace_child(const YAML::Node& container, const std::string& segment,
                             const YAML::Node& child, const core::SourceLocation& label);
    YAML::Node copy_map_with(const YAML::Node& map, const std::string& key, const YAML::Node& value,
                             const core::SourceLocation& label);
    void remember(const YAML::Node& node, const core::SourceLocation& location);
    void remember_tree(const YAML::Node& node, const core::SourceLocation& location);

    YAML::Node root_;
    std::string file_;
    Limits limits_;
    std::vector<Origin> origins_;
};

}  // namespace sortie::scenario
