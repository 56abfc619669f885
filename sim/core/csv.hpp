#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/error.hpp"

namespace sortie::core {

/// A small CSV table read whole: a header row, then data rows of the same width. Fields may be
/// double-quoted (with "" for a quote). Numbers are parsed without locale. Every problem is an
/// InputError naming the file and line.
class CsvTable {
  public:
    /// Reads `path`. `header` = true: the first row names the columns.
    /// Throws InputError: missing file, empty file, a row of the wrong width.
    static CsvTable read(const std::filesystem::path& path, bool header = true);
    static CsvTable parse(std::string_view text, std::string file_name, bool header = true);

    std::size_t rows() const { return rows_.size(); }
    std::size_t columns() const { return width_; }
    const std::string& file() const { return file_; }
    /// The column names, in order (empty without a header row).
    const std::vector<std::string>& header() const { return header_; }

    /// The index of the named column; throws InputError if the header has no such column.
    std::size_t column(std::string_view name) const;

    const std::string& text(std::size_t row, std::size_t column) const;
    /// A finite number; throws InputError at the row's line otherwise.
    double number(std::size_t row, std::size_t column) const;
    /// A whole number >= 0; throws InputError at the row's line otherwise.
    std::int64_t count(std::size_t row, std::size_t column) const;

    /// The location of a data row (1-based line in the file).
    SourceLocation location(std::size_t row) const;

    /// Throws InputError at `row` with the column's name and the message.
    [[noreturn]] void fail(std::size_t row, std::size_t column, const std::string& message) const;

  private:
    std::string file_;
    std::vector<std::string> header_;
    std::vector<std::vector<std::string>> rows_;
    std::vector<int> lines_;
    std::size_t width_ = 0;
};

}  // namespace sortie::core
