// Test helper: writes the sample run of sample_run.cpp to OUT.h5 and, with a second argument,
// the JSON summary of `sortie summary --json` for it, so that Python can check both.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>

#include "sim/output/error.hpp"
#include "sim/output/writer.hpp"
#include "tests/output/sample_run.hpp"
#include "tools/sortie/summary_print.hpp"

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) {
        fmt::print(stderr, "usage: write_sample_run OUT.h5 [SUMMARY.json]\n");
        return 2;
    }
    const auto run = sortie::test::sample_run();
    try {
        sortie::output::write_run(argv[1], run);
    } catch (const sortie::output::OutputError& e) {
        fmt::print(stderr, "write_sample_run: {}\n", e.what());
        return 3;
    }
    if (argc == 3)
        std::ofstream(argv[2]) << sortie::cli::to_json(sortie::results::summarise(run)).dump(2);
    return 0;
}
