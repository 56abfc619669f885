#pragma once

// Internal to sim/output (and its tests): thin RAII wrappers around the HDF5 C API. Every
// failure throws OutputError naming the file, the object and, where HDF5 gives one, its reason.
// The rest of sortie never includes this header and never sees HDF5.
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/output/error.hpp"

namespace sortie::output::detail {

/// Stops HDF5 from printing its error stack to stderr; errors reach the caller as exceptions.
void silence_hdf5_errors();

/// Owns one HDF5 identifier and closes it with the matching H5?close function. Move only.
class Handle {
  public:
    using Closer = herr_t (*)(hid_t);

    Handle() = default;
    Handle(hid_t id, Closer closer) noexcept : id_(id), closer_(closer) {}
    Handle(Handle&& other) noexcept;
    Handle& operator=(Handle&& other) noexcept;
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() { close(); }

    hid_t get() const { return id_; }

    /// Closes now; returns false if HDF5 reported a failure. Closing twice is harmless.
    bool close() noexcept;

  private:
    hid_t id_ = H5I_INVALID_HID;
    Closer closer_ = nullptr;
};

/// An open file, group or dataset, with the path of its file and its own name ("/baseline"),
/// so that every error can name both.
class Object {
  public:
    Object(Handle handle, std::filesystem::path file, std::string name)
        : handle_(std::move(handle)), file_(std::move(file)), name_(std::move(name)) {}

    hid_t id() const { return handle_.get(); }
    const std::filesystem::path& file() const { return file_; }
    const std::string& name() const { return name_; }
    /// The name of a child object: "/baseline" + "counts" gives "/baseline/counts".
    std::string child_name(std::string_view child) const;

    /// Throws OutputError "<file>: <problem>", adding HDF5's most specific reason if any.
    [[noreturn]] void fail(const std::string& problem) const;
    /// Throws (see fail) when an HDF5 status or identifier is negative.
    void check(std::int64_t status, const std::string& problem) const {
        if (status < 0) fail(problem);
    }
    /// Closes now, throwing if HDF5 fails to (a file's close flushes its data).
    void close();

  private:
    Handle handle_;
    std::filesystem::path file_;
    std::string name_;
};

/// Creates a file in memory (HDF5's core driver: nothing reaches the disk), tracking the
/// creation order of the root group's links so that groups are read back in the order they
/// were written, with room for the seal (seal.hpp). `path` names it in errors. Throws
/// OutputError.
Object create_file(const std::filesystem::path& path);
/// Writes at `path`, whole or not at all (core::write_atomically) and sealed, the file that
/// `fill` makes in memory. Throws OutputError, or core::FileError when the disk refuses it.
void write_sealed_file(const std::filesystem::path& path,
                       const std::function<void(const Object& file)>& fill);
/// Opens a file read-only, once its seal is verified. Throws OutputError if it is missing,
/// unsealed, damaged or not an HDF5 file.
Object open_file(const std::filesystem::path& path);
/// Flushes the file's buffers to the operating system. Throws OutputError.
void flush(const Object& file);

/// Creates a group (without modification times, for reproducible files). Throws OutputError.
Object create_group(const Object& parent, const std::string& name);
/// Opens a group. Throws OutputError if it does not exist.
Object open_group(const Object& parent, const std::string& name);
/// The names of the groups directly under `parent`, in creation order. Throws OutputError.
std::vector<std::string> group_names(const Object& parent);
/// Whether `parent` has a link called `name`.
bool has_child(const Object& parent, const std::string& name);

/// Whether `object` has an attribute `name`. Throws OutputError if HDF5 cannot tell.
bool has_attribute(const Object& object, const std::string& name);
/// Writes a scalar UTF-8 variable-length string attribute. Throws OutputError.
void write_attribute(const Object& object, const std::string& name, std::string_view value);
/// Writes a scalar little-endian int32 attribute. Throws OutputError.
void write_attribute(const Object& object, const std::string& name, std::int32_t value);
/// Writes a scalar little-endian uint64 attribute. Throws OutputError.
void write_attribute(const Object& object, const std::string& name, std::uint64_t value);
/// Writes a scalar little-endian IEEE double attribute. Throws OutputError.
void write_attribute(const Object& object, const std::string& name, double value);
/// Reads a scalar string attribute (variable or fixed length). Throws OutputError if it is
/// missing or not a string.
std::string read_string_attribute(const Object& object, const std::string& name);
/// Reads a scalar integer attribute. Throws OutputError if it is missing or not an integer.
std::int32_t read_int32_attribute(const Object& object, const std::string& name);
std::uint64_t read_uint64_attribute(const Object& object, const std::string& name);
/// Reads a scalar floating-point attribute. Throws OutputError if it is missing or not one.
double read_double_attribute(const Object& object, const std::string& name);

/// Element types of numeric datasets.
enum class Element { kInt32, kFloat64, kUInt8 };

/// Creates a numeric dataset of `shape`. With a non-empty `chunk`, the data are chunked and
/// compressed (shuffle, then deflate level 4). Throws OutputError.
Object create_dataset(const Object& parent, const std::string& name, Element element,
                      const std::vector<hsize_t>& shape, const std::vector<hsize_t>& chunk = {});
/// Opens a dataset. Throws OutputError "missing dataset ..." if there is none.
Object open_dataset(const Object& parent, const std::string& name);
/// The extent of each dimension of a dataset. Throws OutputError.
std::vector<hsize_t> shape(const Object& dataset);

/// Writes all of a dataset; `values` must hold exactly its number of elements.
void write_values(const Object& dataset, std::span<const std::int32_t> values);
void write_values(const Object& dataset, std::span<const double> values);
void write_values(const Object& dataset, std::span<const std::uint8_t> values);
/// Writes the slice `index` along the first dimension (dataset[index, ...]).
void write_slice(const Object& dataset, hsize_t index, std::span<const std::int32_t> values);
void write_slice(const Object& dataset, hsize_t index, std::span<const double> values);
/// Reads all of a dataset into `values`, whose size must be its number of elements.
void read_values(const Object& dataset, std::span<std::int32_t> values);
void read_values(const Object& dataset, std::span<double> values);
void read_values(const Object& dataset, std::span<std::uint8_t> values);
/// Reads the slice `index` along the first dimension into `values`.
void read_slice(const Object& dataset, hsize_t index, std::span<std::int32_t> values);
void read_slice(const Object& dataset, hsize_t index, std::span<double> values);

/// Creates a one-dimensional dataset of UTF-8 variable-length strings. Throws OutputError.
Object create_string_dataset(const Object& parent, const std::string& name,
                             const std::vector<std::string>& values);
/// Reads a one-dimensional string dataset (variable or fixed length). Throws OutputError.
std::vector<std::string> read_strings(const Object& dataset);

/// Makes `dataset` a dimension scale called `axis` (H5DS). Throws OutputError.
void make_scale(const Object& dataset, const std::string& axis);
/// Attaches `scale` to dimension `dimension` of `dataset`. Throws OutputError.
void attach_scale(const Object& dataset, const Object& scale, unsigned dimension);

/// The current UTC time as YYYY-MM-DDThh:mm:ssZ (the volatile `created` attribute).
std::string utc_now();

}  // namespace sortie::output::detail
