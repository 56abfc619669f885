#include <doctest/doctest.h>

#include "sim/core/error.hpp"

using sortie::core::Diagnostic;
using sortie::core::DiagnosticList;
using sortie::core::InputError;
using sortie::core::SourceLocation;

TEST_CASE("a diagnostic reads file:line:column: key.path: message") {
    Diagnostic d;
    d.location = SourceLocation{"exit.yaml", 12, 5};
    d.key_path = "interventions[2].trigger.above";
    d.message = "must be >= 0";
    CHECK(d.to_string() == "exit.yaml:12:5: interventions[2].trigger.above: must be >= 0");
}

TEST_CASE("a diagnostic leaves out what is unknown") {
    CHECK(Diagnostic{{"a.csv", 3, 0}, "", "bad row"}.to_string() == "a.csv:3: bad row");
    CHECK(Diagnostic{{"a.csv", 0, 0}, "", "missing"}.to_string() == "a.csv: missing");
    CHECK(Diagnostic{{}, "seed", "not a number"}.to_string() == "seed: not a number");
}

TEST_CASE("an input error carries every diagnostic, one per line") {
    DiagnosticList list;
    CHECK_NOTHROW(list.throw_if_any());
    list.add({"s.yaml", 1, 1}, "a", "first");
    list.add({"s.yaml", 2, 3}, "b", "second");
    try {
        list.throw_if_any();
        FAIL("expected an InputError");
    } catch (const InputError& e) {
        CHECK(e.diagnostics().size() == 2);
        CHECK(std::string(e.what()) == "s.yaml:1:1: a: first\ns.yaml:2:3: b: second");
    }
}
