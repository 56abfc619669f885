#include "sim/core/csv.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace sortie::core {
namespace {

// Splits one line into fields, honouring double quotes. Returns false on an unclosed quote.
bool split_fields(std::string_view line, std::vector<std::string>& fields) {
    fields.assign(1, std::string());
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
            fields.back() += '"';
            ++i;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            fields.emplace_back();
        } else {
            fields.back() += c;
        }
    }
    return !quoted;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    return text;
}

}  // namespace

CsvTable CsvTable::read(const std::filesystem::path& path, bool header) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw InputError({path.string(), 0, 0}, "",
                         fmt::format("cannot read file: {}", std::strerror(errno)));
    }
    std::ostringstream content;
    content << in.rdbuf();
    return parse(content.str(), path.string(), header);
}

CsvTable CsvTable::parse(std::string_view text, std::string file_name, bool header) {
    CsvTable table;
    table.file_ = std::move(file_name);
    std::vector<std::string> fields;
    int line_number = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = trim(text.substr(start, end - start));
        start = end + 1;
        ++line_number;
        if (line.empty()) continue;
        if (!split_fields(line, fields)) {
            throw InputError({table.file_, line_number, 0}, "", "unclosed double quote");
        }
        for (auto& field : fields) field = std::string(trim(field));
        if (header && table.header_.empty()) {
            table.header_ = fields;
            table.width_ = fields.size();
            continue;
        }
        if (table.width_ == 0) table.width_ = fields.size();
        if (fields.size() != table.width_) {
            throw InputError({table.file_, line_number, 0}, "",
                             fmt::format("expected {} comma-separated fields, found {}",
                                         table.width_, fields.size()));
        }
        table.rows_.push_back(fields);
        table.lines_.push_back(line_number);
    }
    if (table.rows_.empty())
        throw InputError({table.file_, 0, 0}, "", "the table has no data rows");
    return table;
}

std::size_t CsvTable::column(std::string_view name) const {
    for (std::size_t i = 0; i < header_.size(); ++i) {
        if (header_[i] == name) return i;
    }
    throw InputError({file_, 1, 0}, "", fmt::format("missing column '{}'", name));
}

const std::string& CsvTable::text(std::size_t row, std::size_t column) const {
    return rows_.at(row).at(column);
}

double CsvTable::number(std::size_t row, std::size_t column) const {
    const std::string& field = text(row, column);
    double value = 0.0;
    const auto result = std::from_chars(field.data(), field.data() + field.size(), value);
    if (result.ec != std::errc() || result.ptr != field.data() + field.size() ||
        !std::isfinite(value)) {
        fail(row, column, fmt::format("expected a number, got '{}'", field));
    }
    return value;
}

std::int64_t CsvTable::count(std::size_t row, std::size_t column) const {
    const double value = number(row, column);
    if (value < 0.0 || value != std::floor(value) || value > 9.0e15) {
        fail(row, column, fmt::format("expected a whole number >= 0, got '{}'", text(row, column)));
    }
    return static_cast<std::int64_t>(value);
}

SourceLocation CsvTable::location(std::size_t row) const {
    return {file_, lines_.at(row), 0};
}

void CsvTable::fail(std::size_t row, std::size_t column, const std::string& message) const {
    const std::string name =
        column < header_.size() ? header_[column] : fmt::format("column {}", column + 1);
    throw InputError(location(row), "", fmt::format("{}: {}", name, message));
}

}  // namespace sortie::core
