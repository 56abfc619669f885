#include "sim/output/hdf5_file.hpp"

#include <fmt/format.h>
#include <hdf5_hl.h>

#include <optional>
#include <utility>

#include "sim/output/seal.hpp"

namespace sortie::output::detail {
namespace {

// The most specific message on HDF5's error stack ("unable to open file: name = ..., errno =
// 2, ..."), or "" when the stack is empty. Must run before the next HDF5 call clears it.
std::string hdf5_reason() {
    std::string reason;
    auto innermost = [](unsigned n, const H5E_error2_t* error, void* data) -> herr_t {
        if (n == 0 && error->desc != nullptr) *static_cast<std::string*>(data) = error->desc;
        return 0;
    };
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, &reason);
    return reason;
}

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& problem) {
    const std::string reason = hdf5_reason();
    throw OutputError(file, reason.empty() ? problem : problem + " (HDF5: " + reason + ")");
}

Handle checked(hid_t id, Handle::Closer closer, const std::filesystem::path& file,
               const std::string& problem) {
    if (id < 0) fail(file, problem);
    return Handle(id, closer);
}

Handle checked(hid_t id, Handle::Closer closer, const Object& object, const std::string& what) {
    return checked(id, closer, object.file(), what);
}

Handle file_access(const std::filesystem::path& path) {
    Handle fapl = checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, path, "cannot create properties");
    // Closing a file with objects still open is then an error instead of a silent leak.
    if (H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI) < 0) fail(path, "cannot set properties");
    return fapl;
}

Handle scalar_space(const Object& object) {
    return checked(H5Screate(H5S_SCALAR), H5Sclose, object, "cannot create a dataspace");
}

Handle utf8_string_type(const Object& object) {
    Handle type = checked(H5Tcopy(H5T_C_S1), H5Tclose, object, "cannot create a string type");
    object.check(H5Tset_size(type.get(), H5T_VARIABLE), "cannot create a string type");
    object.check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "cannot create a string type");
    return type;
}

Handle untimed_creation(hid_t property_class, const Object& object) {
    Handle plist = checked(H5Pcreate(property_class), H5Pclose, object, "cannot create properties");
    // No modification times in object headers: the same run gives the same bytes.
    object.check(H5Pset_obj_track_times(plist.get(), false), "cannot set properties");
    return plist;
}

hid_t file_type(Element element) {
    switch (element) {
        case Element::kInt32:
            return H5T_STD_I32LE;
        case Element::kFloat64:
            return H5T_IEEE_F64LE;
        case Element::kUInt8:
            break;
    }
    return H5T_STD_U8LE;
}

std::string quoted(const std::string& name) {
    return fmt::format("'{}'", name);
}

std::string attribute_text(const Object& object, const std::string& name) {
    return "attribute '" + name + "' of '" + object.name() + "'";
}

// Opens an attribute, checking that it exists, holds one value and is of `type_class`.
Handle open_scalar_attribute(const Object& object, const std::string& name,
                             H5T_class_t type_class) {
    const std::string what = attribute_text(object, name);
    if (!has_attribute(object, name)) object.fail("missing " + what);
    Handle attribute = checked(H5Aopen(object.id(), name.c_str(), H5P_DEFAULT), H5Aclose, object,
                               "cannot open " + what);
    Handle type = checked(H5Aget_type(attribute.get()), H5Tclose, object, "cannot read " + what);
    Handle space = checked(H5Aget_space(attribute.get()), H5Sclose, object, "cannot read " + what);
    if (H5Tget_class(type.get()) != type_class || H5Sget_simple_extent_npoints(space.get()) != 1)
        object.fail(what + " is not a single " +
                    (type_class == H5T_STRING    ? "string"
                     : type_class == H5T_INTEGER ? "integer"
                                                 : "number"));
    return attribute;
}

void write_scalar(const Object& object, const std::string& name, hid_t stored, hid_t memory,
                  const void* value) {
    const std::string what = "cannot write " + attribute_text(object, name);
    Handle space = scalar_space(object);
    Handle attribute = checked(
        H5Acreate2(object.id(), name.c_str(), stored, space.get(), H5P_DEFAULT, H5P_DEFAULT),
        H5Aclose, object, what);
    object.check(H5Awrite(attribute.get(), memory, value), what);
}

template <class T>
T read_integer(const Object& object, const std::string& name, hid_t memory) {
    Handle attribute = open_scalar_attribute(object, name, H5T_INTEGER);
    T value{};
    object.check(H5Aread(attribute.get(), memory, &value),
                 "cannot read " + attribute_text(object, name));
    return value;
}

// The memory and file selections of a transfer: all of the dataset, or one slice along its
// first dimension. Checks that the selection holds `count` elements.
struct Selection {
    Handle memory;
    Handle file;
};

Selection select(const Object& dataset, std::size_t count, std::optional<hsize_t> slice) {
    const std::string what = "cannot select in dataset '" + dataset.name() + "'";
    Handle file = checked(H5Dget_space(dataset.id()), H5Sclose, dataset, what);
    std::vector<hsize_t> extent = shape(dataset);
    if (slice) {
        std::vector<hsize_t> start(extent.size(), 0);
        if (start.empty() || *slice >= extent[0]) dataset.fail(what + ": no such slice");
        start[0] = *slice;
        extent[0] = 1;
        dataset.check(H5Sselect_hyperslab(file.get(), H5S_SELECT_SET, start.data(), nullptr,
                                          extent.data(), nullptr),
                      what);
    }
    const auto selected = H5Sget_select_npoints(file.get());
    if (selected < 0 || static_cast<std::size_t>(selected) != count)
        dataset.fail(what + ": " + std::to_string(count) + " values given for " +
                     std::to_string(selected) + " elements");
    // The memory side has the shape of the selection, not a flat list: with a flat one HDF5
    // maps every element to its chunk one at a time, which took most of an ensemble's write
    // time (benchmarks/RESULTS.md).
    const int rank = static_cast<int>(extent.size());
    const bool scalar = H5Sget_simple_extent_type(file.get()) == H5S_SCALAR;
    Handle memory =
        scalar ? checked(H5Screate(H5S_SCALAR), H5Sclose, dataset, what)
               : checked(H5Screate_simple(rank, extent.data(), nullptr), H5Sclose, dataset, what);
    return {std::move(memory), std::move(file)};
}

void write_selection(const Object& dataset, hid_t memory_type, const void* values,
                     std::size_t count, std::optional<hsize_t> slice) {
    const Selection selection = select(dataset, count, slice);
    dataset.check(H5Dwrite(dataset.id(), memory_type, selection.memory.get(), selection.file.get(),
                           H5P_DEFAULT, values),
                  "cannot write dataset '" + dataset.name() + "'");
}

void read_selection(const Object& dataset, hid_t memory_type, void* values, std::size_t count,
                    std::optional<hsize_t> slice) {
    const Selection selection = select(dataset, count, slice);
    dataset.check(H5Dread(dataset.id(), memory_type, selection.memory.get(), selection.file.get(),
                          H5P_DEFAULT, values),
                  "cannot read dataset '" + dataset.name() + "'");
}

std::vector<std::string> read_variable_strings(const Object& dataset, hid_t type,
                                               std::size_t count) {
    std::vector<char*> pointers(count, nullptr);
    read_selection(dataset, type, pointers.data(), count, std::nullopt);
    std::vector<std::string> values;
    for (const char* pointer : pointers) values.emplace_back(pointer != nullptr ? pointer : "");
    Handle space = checked(H5Dget_space(dataset.id()), H5Sclose, dataset, "cannot read strings");
#if H5_VERSION_GE(1, 12, 0)
    H5Treclaim(type, space.get(), H5P_DEFAULT, pointers.data());
#else
    H5Dvlen_reclaim(type, space.get(), H5P_DEFAULT, pointers.data());
#endif
    return values;
}

std::vector<std::string> read_fixed_strings(const Object& dataset, hid_t type, std::size_t count) {
    const std::size_t length = H5Tget_size(type);
    std::string buffer(count * length, '\0');
    read_selection(dataset, type, buffer.data(), count, std::nullopt);
    std::vector<std::string> values;
    for (std::size_t i = 0; i < count; ++i) {
        const std::string_view value(buffer.data() + i * length, length);
        values.emplace_back(value.substr(0, value.find('\0')));
    }
    return values;
}

// A memory string type matching the stored one in length and character set.
Handle memory_string_type(const Object& object, hid_t stored) {
    Handle type = checked(H5Tcopy(H5T_C_S1), H5Tclose, object, "cannot create a string type");
    const bool variable = H5Tis_variable_str(stored) > 0;
    object.check(H5Tset_size(type.get(), variable ? H5T_VARIABLE : H5Tget_size(stored)),
                 "cannot create a string type");
    object.check(H5Tset_cset(type.get(), H5Tget_cset(stored)), "cannot create a string type");
    return type;
}

// H5Literate callback: appends the name of each group to the std::vector<std::string> at
// `names`. No exception may cross HDF5's C frames.
herr_t collect_group(hid_t location, const char* name, const H5L_info_t*, void* names) {
    const hid_t child = H5Oopen(location, name, H5P_DEFAULT);
    if (child < 0) return -1;
    const bool is_group = H5Iget_type(child) == H5I_GROUP;
    H5Oclose(child);
    try {
        if (is_group) static_cast<std::vector<std::string>*>(names)->emplace_back(name);
    } catch (...) {
        return -1;
    }
    return 0;
}

}  // namespace

void silence_hdf5_errors() {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

Handle::Handle(Handle&& other) noexcept
    : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}

Handle& Handle::operator=(Handle&& other) noexcept {
    if (this != &other) {
        close();
        id_ = std::exchange(other.id_, H5I_INVALID_HID);
        closer_ = other.closer_;
    }
    return *this;
}

bool Handle::close() noexcept {
    if (id_ < 0 || closer_ == nullptr) return true;
    const herr_t status = closer_(std::exchange(id_, H5I_INVALID_HID));
    return status >= 0;
}

std::string Object::child_name(std::string_view child) const {
    return name_ == "/" ? "/" + std::string(child) : name_ + "/" + std::string(child);
}

void Object::fail(const std::string& problem) const {
    detail::fail(file_, problem);
}

void Object::close() {
    if (!handle_.close()) fail("cannot close '" + name_ + "'");
}

Object create_file(const std::filesystem::path& path) {
    Handle fcpl = checked(H5Pcreate(H5P_FILE_CREATE), H5Pclose, path, "cannot create properties");
    if (H5Pset_link_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0 ||
        H5Pset_userblock(fcpl.get(), kSealBytes) < 0)
        fail(path, "cannot set properties");
    Handle fapl = file_access(path);
    // In memory only (no backing store): HDF5 never writes to the disk, so a full disk fails
    // in write_sealed_file's own write, not in an HDF5 close that leaves the library unable
    // to shut down (HDF5 1.10 crashed at exit after a failed close).
    if (H5Pset_fapl_core(fapl.get(), std::size_t{4} << 20, false) < 0)
        fail(path, "cannot set properties");
    Handle file = checked(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), H5Fclose,
                          path, "cannot create file");
    return Object(std::move(file), path, "/");
}

namespace {

// The whole file, its first kSealBytes left for the seal (HDF5's image omits the user block).
std::vector<char> file_image(const Object& file) {
    flush(file);
    const ssize_t size = H5Fget_file_image(file.id(), nullptr, 0);
    if (size < 0) file.fail("cannot take the file's image");
    std::vector<char> image(kSealBytes + static_cast<std::size_t>(size));
    if (H5Fget_file_image(file.id(), image.data() + kSealBytes, static_cast<std::size_t>(size)) !=
        size)
        file.fail("cannot take the file's image");
    return image;
}

}  // namespace

void write_sealed_file(const std::filesystem::path& path,
                       const std::function<void(const Object& file)>& fill) {
    std::vector<char> image;
    {
        Object file = create_file(path);
        fill(file);
        image = file_image(file);
        file.close();
    }
    seal_image(image);
    core::write_atomically(path, std::span<const char>(image));
}

Object open_file(const std::filesystem::path& path) {
    verify_seal(path);
    if (H5Fis_hdf5(path.c_str()) <= 0) throw OutputError(path, "not an HDF5 file");
    Handle fapl = file_access(path);
    Handle file = checked(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose, path,
                          "cannot open file");
    return Object(std::move(file), path, "/");
}

void flush(const Object& file) {
    file.check(H5Fflush(file.id(), H5F_SCOPE_GLOBAL), "cannot flush file");
}

Object create_group(const Object& parent, const std::string& name) {
    const std::string full = parent.child_name(name);
    Handle gcpl = untimed_creation(H5P_GROUP_CREATE, parent);
    Handle group =
        checked(H5Gcreate2(parent.id(), name.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT),
                H5Gclose, parent, "cannot create group " + quoted(full));
    return Object(std::move(group), parent.file(), full);
}

Object open_group(const Object& parent, const std::string& name) {
    const std::string full = parent.child_name(name);
    if (!has_child(parent, name)) parent.fail("missing group " + quoted(full));
    Handle group = checked(H5Gopen2(parent.id(), name.c_str(), H5P_DEFAULT), H5Gclose, parent,
                           "cannot open group " + quoted(full));
    return Object(std::move(group), parent.file(), full);
}

std::vector<std::string> group_names(const Object& parent) {
    const std::string what = "cannot list the groups of " + quoted(parent.name());
    // "." opens the group itself, also when `parent` is a file (its root group).
    Handle group = checked(H5Gopen2(parent.id(), ".", H5P_DEFAULT), H5Gclose, parent, what);
    Handle gcpl = checked(H5Gget_create_plist(group.get()), H5Pclose, parent, what);
    unsigned order_flags = 0;
    parent.check(H5Pget_link_creation_order(gcpl.get(), &order_flags), what);
    const H5_index_t index =
        (order_flags & H5P_CRT_ORDER_INDEXED) != 0 ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
    std::vector<std::string> names;
    hsize_t position = 0;
    parent.check(H5Literate(group.get(), index, H5_ITER_INC, &position, collect_group, &names),
                 what);
    return names;
}

bool has_child(const Object& parent, const std::string& name) {
    const htri_t exists = H5Lexists(parent.id(), name.c_str(), H5P_DEFAULT);
    parent.check(exists, "cannot look for " + quoted(parent.child_name(name)));
    return exists > 0;
}

bool has_attribute(const Object& object, const std::string& name) {
    const htri_t exists = H5Aexists(object.id(), name.c_str());
    object.check(exists, "cannot look for " + attribute_text(object, name));
    return exists > 0;
}

void write_attribute(const Object& object, const std::string& name, std::string_view value) {
    const std::string text(value);
    const char* pointer = text.c_str();
    Handle type = utf8_string_type(object);
    write_scalar(object, name, type.get(), type.get(), &pointer);
}

void write_attribute(const Object& object, const std::string& name, std::int32_t value) {
    write_scalar(object, name, H5T_STD_I32LE, H5T_NATIVE_INT32, &value);
}

void write_attribute(const Object& object, const std::string& name, std::uint64_t value) {
    write_scalar(object, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
}

void write_attribute(const Object& object, const std::string& name, double value) {
    write_scalar(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

std::string read_string_attribute(const Object& object, const std::string& name) {
    const std::string what = "cannot read " + attribute_text(object, name);
    Handle attribute = open_scalar_attribute(object, name, H5T_STRING);
    Handle stored = checked(H5Aget_type(attribute.get()), H5Tclose, object, what);
    Handle type = memory_string_type(object, stored.get());
    if (H5Tis_variable_str(stored.get()) > 0) {
        char* pointer = nullptr;
        object.check(H5Aread(attribute.get(), type.get(), &pointer), what);
        std::string value = pointer != nullptr ? pointer : "";
        H5free_memory(pointer);
        return value;
    }
    std::string buffer(H5Tget_size(stored.get()), '\0');
    object.check(H5Aread(attribute.get(), type.get(), buffer.data()), what);
    return buffer.substr(0, buffer.find('\0'));
}

std::int32_t read_int32_attribute(const Object& object, const std::string& name) {
    return read_integer<std::int32_t>(object, name, H5T_NATIVE_INT32);
}

std::uint64_t read_uint64_attribute(const Object& object, const std::string& name) {
    return read_integer<std::uint64_t>(object, name, H5T_NATIVE_UINT64);
}

double read_double_attribute(const Object& object, const std::string& name) {
    Handle attribute = open_scalar_attribute(object, name, H5T_FLOAT);
    double value = 0;
    object.check(H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &value),
                 "cannot read " + attribute_text(object, name));
    return value;
}

Object create_dataset(const Object& parent, const std::string& name, Element element,
                      const std::vector<hsize_t>& shape, const std::vector<hsize_t>& chunk) {
    const std::string full = parent.child_name(name);
    const std::string what = "cannot create dataset " + quoted(full);
    const int rank = static_cast<int>(shape.size());
    Handle space = checked(H5Screate_simple(rank, shape.data(), nullptr), H5Sclose, parent, what);
    Handle dcpl = untimed_creation(H5P_DATASET_CREATE, parent);
    if (!chunk.empty()) {
        parent.check(H5Pset_chunk(dcpl.get(), rank, chunk.data()), what);
        parent.check(H5Pset_shuffle(dcpl.get()), what);
        parent.check(H5Pset_deflate(dcpl.get(), 4), what);
    }
    Handle dataset = checked(H5Dcreate2(parent.id(), name.c_str(), file_type(element), space.get(),
                                        H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                             H5Dclose, parent, what);
    return Object(std::move(dataset), parent.file(), full);
}

Object open_dataset(const Object& parent, const std::string& name) {
    const std::string full = parent.child_name(name);
    if (!has_child(parent, name)) parent.fail("missing dataset " + quoted(full));
    Handle dataset = checked(H5Dopen2(parent.id(), name.c_str(), H5P_DEFAULT), H5Dclose, parent,
                             "cannot open dataset " + quoted(full));
    return Object(std::move(dataset), parent.file(), full);
}

std::vector<hsize_t> shape(const Object& dataset) {
    const std::string what = "cannot read the shape of " + quoted(dataset.name());
    Handle space = checked(H5Dget_space(dataset.id()), H5Sclose, dataset, what);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    dataset.check(rank, what);
    std::vector<hsize_t> extent(static_cast<std::size_t>(rank));
    dataset.check(H5Sget_simple_extent_dims(space.get(), extent.data(), nullptr), what);
    return extent;
}

void write_values(const Object& dataset, std::span<const std::int32_t> values) {
    write_selection(dataset, H5T_NATIVE_INT32, values.data(), values.size(), std::nullopt);
}

void write_values(const Object& dataset, std::span<const double> values) {
    write_selection(dataset, H5T_NATIVE_DOUBLE, values.data(), values.size(), std::nullopt);
}

void write_values(const Object& dataset, std::span<const std::uint8_t> values) {
    write_selection(dataset, H5T_NATIVE_UINT8, values.data(), values.size(), std::nullopt);
}

void write_slice(const Object& dataset, hsize_t index, std::span<const std::int32_t> values) {
    write_selection(dataset, H5T_NATIVE_INT32, values.data(), values.size(), index);
}

void write_slice(const Object& dataset, hsize_t index, std::span<const double> values) {
    write_selection(dataset, H5T_NATIVE_DOUBLE, values.data(), values.size(), index);
}

void read_values(const Object& dataset, std::span<std::int32_t> values) {
    read_selection(dataset, H5T_NATIVE_INT32, values.data(), values.size(), std::nullopt);
}

void read_values(const Object& dataset, std::span<double> values) {
    read_selection(dataset, H5T_NATIVE_DOUBLE, values.data(), values.size(), std::nullopt);
}

void read_values(const Object& dataset, std::span<std::uint8_t> values) {
    read_selection(dataset, H5T_NATIVE_UINT8, values.data(), values.size(), std::nullopt);
}

void read_slice(const Object& dataset, hsize_t index, std::span<std::int32_t> values) {
    read_selection(dataset, H5T_NATIVE_INT32, values.data(), values.size(), index);
}

void read_slice(const Object& dataset, hsize_t index, std::span<double> values) {
    read_selection(dataset, H5T_NATIVE_DOUBLE, values.data(), values.size(), index);
}

Object create_string_dataset(const Object& parent, const std::string& name,
                             const std::vector<std::string>& values) {
    const std::string full = parent.child_name(name);
    const std::string what = "cannot create dataset " + quoted(full);
    const hsize_t count = values.size();
    Handle space = checked(H5Screate_simple(1, &count, nullptr), H5Sclose, parent, what);
    Handle type = utf8_string_type(parent);
    Handle dcpl = untimed_creation(H5P_DATASET_CREATE, parent);
    Handle dataset = checked(H5Dcreate2(parent.id(), name.c_str(), type.get(), space.get(),
                                        H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                             H5Dclose, parent, what);
    Object object(std::move(dataset), parent.file(), full);
    std::vector<const char*> pointers;
    for (const auto& value : values) pointers.push_back(value.c_str());
    if (!pointers.empty())
        write_selection(object, type.get(), pointers.data(), pointers.size(), {});
    return object;
}

std::vector<std::string> read_strings(const Object& dataset) {
    const std::string what = "cannot read strings from " + quoted(dataset.name());
    Handle stored = checked(H5Dget_type(dataset.id()), H5Tclose, dataset, what);
    const auto extent = shape(dataset);
    if (H5Tget_class(stored.get()) != H5T_STRING || extent.size() != 1)
        dataset.fail(quoted(dataset.name()) + " is not a list of strings");
    Handle type = memory_string_type(dataset, stored.get());
    if (H5Tis_variable_str(stored.get()) > 0)
        return read_variable_strings(dataset, type.get(), extent[0]);
    return read_fixed_strings(dataset, type.get(), extent[0]);
}

void make_scale(const Object& dataset, const std::string& axis) {
    dataset.check(H5DSset_scale(dataset.id(), axis.c_str()),
                  "cannot make " + quoted(dataset.name()) + " a dimension scale");
}

void attach_scale(const Object& dataset, const Object& scale, unsigned dimension) {
    dataset.check(H5DSattach_scale(dataset.id(), scale.id(), dimension),
                  "cannot attach scale " + quoted(scale.name()) + " to " + quoted(dataset.name()));
}

}  // namespace sortie::output::detail
