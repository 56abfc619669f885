#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace sortie::core {

/// A place in an input file. Line and column are 1-based; 0 means "unknown".
struct SourceLocation {
    SourceLocation() = default;
    // Not an aggregate on purpose: GCC 12 at -O2 warns falsely (maybe-uninitialized) about
    // strings moved through aggregate temporaries.
    SourceLocation(std::string file_name, int line_number = 0, int column_number = 0)
        : file(std::move(file_name)), line(line_number), column(column_number) {}

    std::string file;
    int line = 0;
    int column = 0;

    /// "file:line:column", or the shorter forms when line or column are unknown.
    std::string to_string() const;
};

/// One problem with user input: where it is, which key it concerns, and what was expected.
struct Diagnostic {
    SourceLocation location;
    std::string key_path;  ///< e.g. "interventions[2].trigger.above"; may be empty.
    std::string message;   ///< what is wrong and what was expected.

    /// "file:line:column: key.path: message".
    std::string to_string() const;
};

/// Bad input: a scenario, a data table or a command-line value that cannot be used.
/// Carries every problem found, so that a user can fix a file in one pass.
/// `main` maps it to the "bad input" exit code.
class InputError : public std::runtime_error {
  public:
    explicit InputError(Diagnostic diagnostic);
    explicit InputError(std::vector<Diagnostic> diagnostics);
    InputError(SourceLocation location, std::string key_path, std::string message);

    const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

  private:
    std::vector<Diagnostic> diagnostics_;
};

/// Collects diagnostics while a whole input is checked, then throws them together.
class DiagnosticList {
  public:
    void add(Diagnostic diagnostic) { diagnostics_.push_back(std::move(diagnostic)); }
    void add(SourceLocation location, std::string key_path, std::string message);
    bool empty() const { return diagnostics_.empty(); }
    std::size_t size() const { return diagnostics_.size(); }

    /// Throws InputError with everything collected, if anything was.
    void throw_if_any() const;

  private:
    std::vector<Diagnostic> diagnostics_;
};

}  // namespace sortie::core
