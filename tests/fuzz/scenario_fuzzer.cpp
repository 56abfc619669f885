// libFuzzer target for the scenario loader: the raw document checks and parser
// (Document::load_string), one command-line override on a copy, and the strict readers behind
// scenario::load (both purposes) and the disease parameter file. Bad input must end in
// core::InputError; any other exception, a sanitizer report, a leak, a hang or a broken promise
// of the Document API below is a finding. Built and run by tests/fuzz/run-fuzzer.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "sim/core/error.hpp"
#include "sim/scenario/disease_file.hpp"
#include "sim/scenario/document.hpp"
#include "sim/scenario/scenario.hpp"

namespace {

namespace fs = std::filesystem;
using sortie::core::InputError;
using sortie::scenario::Document;
using sortie::scenario::Purpose;

constexpr std::string_view kOverride = "population.size=1000";

[[noreturn]] void finding(std::string_view what) {
    std::fprintf(stderr, "sortie_scenario_fuzzer: %.*s\n", static_cast<int>(what.size()),
                 what.data());
    std::abort();
}

// Every InputError must say what is wrong.
void check_error(const InputError& error) {
    if (error.diagnostics().empty()) finding("InputError without any diagnostic");
}

std::string emit(const YAML::Node& node) {
    YAML::Emitter emitter;
    emitter << node;
    return emitter.c_str();
}

// The value of `key` in `map`, looked up without yaml-cpp's operator[] (which may insert or
// throw, depending on the node's type).
YAML::Node find_value(const YAML::Node& map, std::string_view key) {
    for (const auto& entry : map) {
        if (entry.first.IsScalar() && entry.first.Scalar() == key) return entry.second;
    }
    finding("an applied override is missing from the document");
}

// Document promises: overriding a copy leaves the original as it was; an override that throws
// leaves the document as it was; the new value is located at the command line.
void check_override(const Document& original) {
    const std::string before = emit(original.root());
    Document copy(original);
    try {
        copy.apply_override(kOverride);
        const YAML::Node size = find_value(find_value(copy.root(), "population"), "size");
        if (copy.location_of(size).file != "--set " + std::string(kOverride)) {
            finding("an overridden value is not located at the command line");
        }
    } catch (const InputError& error) {
        check_error(error);
        if (emit(copy.root()) != before) finding("a failed override changed the document");
    }
    if (emit(original.root()) != before) finding("an override on a copy changed the original");
}

// Paths in a scenario are relative to its folder. The input is written where a file of
// scenarios/<name>/ would be, next to a copy of scenarios/parameters, so that the seed
// scenarios' `parameters: ../parameters/...` resolve and kRun reaches the disease file reader.
// One folder per process (libFuzzer may run several), removed at normal exit.
class Workspace {
  public:
    Workspace()
        : root_(fs::temp_directory_path() / ("sortie-fuzz-" + std::to_string(::getpid()))),
          scenario_(root_ / "scenarios" / "fuzz" / "scenario.yaml") {
        fs::remove_all(root_);
        fs::create_directories(scenario_.parent_path());
        fs::copy(fs::path(SORTIE_SOURCE_DIR) / "scenarios" / "parameters",
                 root_ / "scenarios" / "parameters", fs::copy_options::recursive);
    }
    Workspace(const Workspace&) = delete;
    Workspace& operator=(const Workspace&) = delete;
    ~Workspace() {
        std::error_code ignored;
        fs::remove_all(root_, ignored);
    }

    /// The path of a file holding exactly `text`.
    const fs::path& write(const std::string& text) const {
        std::ofstream out(scenario_, std::ios::binary | std::ios::trunc);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.close();
        if (!out) finding("cannot write the scenario file in the temporary folder");
        return scenario_;
    }

  private:
    fs::path root_;
    fs::path scenario_;
};

void load_document(const std::string& text) {
    try {
        const Document document = Document::load_string(text, "fuzz.yaml");
        check_override(document);
    } catch (const InputError& error) {
        check_error(error);
    }
}

void load_scenario(const fs::path& file, Purpose purpose) {
    try {
        sortie::scenario::load(file, {}, purpose);
    } catch (const InputError& error) {
        check_error(error);
    }
}

void load_disease_file(const fs::path& file) {
    try {
        sortie::scenario::load_disease_parameters(file);
    } catch (const InputError& error) {
        check_error(error);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const Workspace workspace;
    const std::string text(reinterpret_cast<const char*>(data), size);
    load_document(text);
    const fs::path& file = workspace.write(text);
    load_scenario(file, Purpose::kRun);
    load_scenario(file, Purpose::kPopulation);
    load_disease_file(file);
    return 0;
}
