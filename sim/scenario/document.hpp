#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
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
    std::size_t max_extends_files = 16;    ///< files in an `extends:` chain, the first included
};

namespace detail {
class NodeFiles;
}  // namespace detail

/// A YAML document read from a file or a string, checked before anyone reads values from it:
/// size, valid UTF-8 without control characters, no tab in indentation, parses, a single
/// document, depth, node budget (alias bombs), text keys without duplicates, and a mapping at
/// the top level (an empty file or a file holding only comments is an error).
///
/// In a file read by load_file, a top-level `extends: base.yaml` (a path relative to the file
/// that writes it) makes the document the base file's, with the file's own mappings deep-merged
/// over it: a key of the file replaces the base's value, except that two mappings merge key by key;
/// sequences and single values are replaced whole. A base may extend another file, up to
/// Limits::max_extends_files files in all. The `extends` key is not part of the result. A merged
/// mapping lists the file's own keys first, then those only the base has.
///
/// Every node remembers the file it was written in: the files' trees are kept as parsed, and
/// merging only inserts a base's nodes into the extending file's own mappings (never copies or
/// changes a base's nodes), so location_of() and base_directory_of() find a node's file through
/// an index of the bases' nodes; nodes of the top file are the ones not in it.
///
/// Columns in locations count bytes, like yaml-cpp's marks, so that all messages agree.
///
/// A copy shares the tree with the original, but apply_override() never writes into shared
/// nodes (it copies the containers along the path), so overriding a copy leaves the original
/// as it was. Documents are not assignable: yaml-cpp's Node assignment writes through handles.
///
/// Cost of copies: yaml-cpp 0.7 merges the node memories of two trees whenever a node of one is
/// inserted into the other, and the original then keeps every node of every overridden copy
/// alive, so that each further override costs time in proportion to all copies made so far.
/// For many variants (the points of a sweep), load the file again for each variant rather than
/// overriding many copies of one document.
class Document {
  public:
    Document(const Document&) = default;
    Document(Document&&) = default;
    Document& operator=(const Document&) = delete;
    Document& operator=(Document&&) = delete;
    ~Document() = default;

    /// Reads and checks the file at `path`, and the files it extends; messages name the path as
    /// given, and a base by its path joined to the folder of the file that extends it.
    /// Throws core::InputError with every problem of a file (see the class comment), with
    /// "cannot read file: <reason>" if the file cannot be read, and at the `extends` value when
    /// it is not text ("expected the path of a scenario file, got ..."), names a file that cannot
    /// be read ("cannot read file 'base.yaml': <reason>"), closes a cycle ("cyclic extends:
    /// a.yaml -> b.yaml -> a.yaml"), makes the chain longer than Limits::max_extends_files, or
    /// would merge a base into a mapping that the file also uses through an alias.
    static Document load_file(const std::filesystem::path& path, const Limits& limits = {});

    /// Checks and parses `text`, naming it `file_name` in messages. Throws core::InputError.
    /// `extends` is an ordinary key here: only load_file resolves it.
    static Document load_string(std::string text, std::string file_name, const Limits& limits = {});

    /// The top-level mapping. Look values up through this const reference only: yaml-cpp's
    /// non-const operator[] inserts keys.
    const YAML::Node& root() const { return root_; }

    /// The name used in messages: the path as given to load_file, or load_string's file_name.
    const std::string& file() const { return files_.front(); }

    /// The files the document was read from: file() first, then the files it extends, each
    /// before the file it extends in turn. Names as in messages.
    const std::vector<std::string>& files() const { return files_; }

    /// A copy without the top-level `key` (if present); everything else, locations included, as
    /// in this document. Use it to hide a section that the scenario reader does not read, such as
    /// `sweep`.
    Document without(std::string_view key) const;

    /// Applies a command-line override "key.path=value". Segments are separated by '.'; a
    /// segment that is a number indexes a sequence (`interventions.2.start`). The value is parsed
    /// as YAML, so `3`, `true`, `[idf, ara]`, `{a: 1}` or `"text"` work; missing or empty
    /// intermediate mappings are created. Nodes created or replaced are remembered, so that
    /// location_of() reports them as coming from the command line.
    /// Throws core::InputError at {"--set", 0, 0} with the key path as given when the text has no
    /// '=', the path or one of its segments is empty, the path goes into a single value, names a
    /// sequence element that does not exist, starts with `extends` (a file's business only), or
    /// the value is not valid YAML (or breaks the Limits). The document is unchanged when it
    /// throws.
    void apply_override(std::string_view assignment);

    /// Where `node` comes from: its 1-based line and column in the file; {"--set <path>=<value>",
    /// 0, 0} for a node from an override; {file, 0, 0} for a node without a position (such as the
    /// result of looking up a missing key). A node from a base file names that file.
    core::SourceLocation location_of(const YAML::Node& node) const;

    /// The folder of the file that `node` was written in, against which a relative path written
    /// there is resolved: a base file's folder for its nodes, the top file's folder for the top
    /// file's nodes, for nodes from overrides and for nodes without a position. Empty for a file
    /// name without a folder (the current directory).
    std::filesystem::path base_directory_of(const YAML::Node& node) const;

  private:
    /// A node whose location is not (or no longer) its mark; `file` indexes files_.
    struct Origin {
        YAML::Node node;
        core::SourceLocation location;
        std::size_t file = 0;
    };

    Document(YAML::Node root, std::vector<std::string> files,
             std::shared_ptr<const detail::NodeFiles> node_files, const Limits& limits);

    YAML::Node wrap_in_maps(const YAML::Node& value, const std::vector<std::string>& segments,
                            std::size_t first, const core::SourceLocation& label);
    YAML::Node replace_child(const YAML::Node& container, const std::string& segment,
                             const YAML::Node& child, const core::SourceLocation& label);
    YAML::Node copy_map_with(const YAML::Node& map, const std::string& key, const YAML::Node& value,
                             const core::SourceLocation& label);
    void remember(const YAML::Node& node, const core::SourceLocation& location,
                  std::size_t file = 0);
    void remember_tree(const YAML::Node& node, const core::SourceLocation& location);
    const Origin* origin_of(const YAML::Node& node) const;
    std::size_t file_index_of(const YAML::Node& node) const;
    std::size_t parsed_file_of(const YAML::Node& node) const;

    YAML::Node root_;
    std::vector<std::string> files_;                       ///< never empty; the top file first
    std::shared_ptr<const detail::NodeFiles> node_files_;  ///< null without extends
    Limits limits_;
    std::vector<Origin> origins_;
};

}  // namespace sortie::scenario
