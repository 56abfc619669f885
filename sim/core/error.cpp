#include "sim/core/error.hpp"

#include <fmt/format.h>

namespace sortie::core {
namespace {

std::string join_lines(const std::vector<Diagnostic>& diagnostics) {
    std::string text;
    for (const auto& diagnostic : diagnostics) {
        if (!text.empty()) text += '\n';
        text += diagnostic.to_string();
    }
    return text;
}

}  // namespace

std::string SourceLocation::to_string() const {
    if (line <= 0) return file;
    if (column <= 0) return fmt::format("{}:{}", file, line);
    return fmt::format("{}:{}:{}", file, line, column);
}

std::string Diagnostic::to_string() const {
    std::string text = location.to_string();
    if (!text.empty()) text += ": ";
    if (!key_path.empty()) text += key_path + ": ";
    return text + message;
}

InputError::InputError(Diagnostic diagnostic)
    : InputError(std::vector<Diagnostic>{std::move(diagnostic)}) {}

InputError::InputError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join_lines(diagnostics)), diagnostics_(std::move(diagnostics)) {}

namespace {

// Member-wise, not aggregate initialisation: GCC 12 at -O2 warns falsely (maybe-uninitialized)
// about strings moved into an aggregate temporary.
Diagnostic make_diagnostic(SourceLocation location, std::string key_path, std::string message) {
    Diagnostic diagnostic;
    diagnostic.location = std::move(location);
    diagnostic.key_path = std::move(key_path);
    diagnostic.message = std::move(message);
    return diagnostic;
}

}  // namespace

InputError::InputError(SourceLocation location, std::string key_path, std::string message)
    : InputError(make_diagnostic(std::move(location), std::move(key_path), std::move(message))) {}

void DiagnosticList::add(SourceLocation location, std::string key_path, std::string message) {
    add(make_diagnostic(std::move(location), std::move(key_path), std::move(message)));
}

void DiagnosticList::throw_if_any() const {
    if (!diagnostics_.empty()) throw InputError(diagnostics_);
}

}  // namespace sortie::core
