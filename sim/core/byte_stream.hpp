#pragma once

// Plain binary images of a running simulation (checkpoints): values and arrays of trivially
// copyable types, written and read back in the same order on the same build. Not a portable
// format: a checkpoint is resumed by the sortie that wrote it (sim/ensemble/checkpoint.hpp
// checks that).
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace sortie::core {

/// A checkpoint that does not match what reads it (truncated, another layout).
class CorruptImage : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class ByteWriter {
  public:
    template <typename T>
    void value(const T& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        const auto* p = reinterpret_cast<const char*>(&v);
        bytes_.insert(bytes_.end(), p, p + sizeof(T));
    }
    template <typename T>
    void array(const std::vector<T>& values) {
        static_assert(std::is_trivially_copyable_v<T>);
        value(std::uint64_t{values.size()});
        const auto* p = reinterpret_cast<const char*>(values.data());
        bytes_.insert(bytes_.end(), p, p + values.size() * sizeof(T));
    }
    void text(const std::string& s) {
        value(std::uint64_t{s.size()});
        bytes_.insert(bytes_.end(), s.begin(), s.end());
    }
    const std::vector<char>& bytes() const { return bytes_; }

  private:
    std::vector<char> bytes_;
};

class ByteReader {
  public:
    explicit ByteReader(std::span<const char> bytes) : bytes_(bytes) {}

    template <typename T>
    T value() {
        static_assert(std::is_trivially_copyable_v<T>);
        T v;
        std::memcpy(&v, take(sizeof(T)), sizeof(T));
        return v;
    }
    template <typename T>
    void array(std::vector<T>& values) {
        static_assert(std::is_trivially_copyable_v<T>);
        const auto size = value<std::uint64_t>();
        if (size > (bytes_.size() - at_) / (sizeof(T) > 0 ? sizeof(T) : 1))
            throw CorruptImage("checkpoint truncated");
        values.resize(size);
        if (size > 0) std::memcpy(values.data(), take(size * sizeof(T)), size * sizeof(T));
    }
    /// Reads an array that must have `expected` elements (a column of the population).
    template <typename T>
    void array(std::vector<T>& values, std::size_t expected) {
        array(values);
        if (values.size() != expected) throw CorruptImage("checkpoint of another population");
    }
    std::string text() {
        const auto size = value<std::uint64_t>();
        if (size > bytes_.size() - at_) throw CorruptImage("checkpoint truncated");
        const char* p = take(size);
        return {p, p + size};
    }
    bool at_end() const { return at_ == bytes_.size(); }

  private:
    const char* take(std::size_t n) {
        if (n > bytes_.size() - at_) throw CorruptImage("checkpoint truncated");
        const char* p = bytes_.data() + at_;
        at_ += n;
        return p;
    }

    std::span<const char> bytes_;
    std::size_t at_ = 0;
};

}  // namespace sortie::core
