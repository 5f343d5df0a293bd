// The test-only fault injection: parsing "RANK:STEP:KIND" and the after_step hook it makes.
#include <catch2/catch.hpp>

#include "base/generator.h"
#include "examples/translate/fault_injection.h"
#include "nn/linear.h"

using namespace tapegrad;
using namespace tapegrad::translate;

TEST_CASE("fault injection: RANK:STEP:KIND parses, and bad text names itself", "[translate][fault]") {
    const TestFault fault = parse_test_fault("1:3:throw");
    CHECK(fault.rank == 1);
    CHECK(fault.step == 3);
    CHECK(fault.kind == "throw");
    REQUIRE_THROWS_WITH(parse_test_fault("1-3"), Catch::Contains("RANK:STEP:KIND") && Catch::Contains("'1-3'"));
    REQUIRE_THROWS_WITH(parse_test_fault("0:2:explode"),
                        Catch::Contains("unknown kind 'explode'") && Catch::Contains("exit, throw or perturb"));
}

TEST_CASE("fault injection: the hook acts on its rank after its step only", "[translate][fault]") {
    Generator generator(0);
    nn::Linear model({.in_features = 3, .out_features = 2}, generator);
    const AfterStep throws = inject_fault(parse_test_fault("1:3:throw"));
    CHECK_NOTHROW(throws(0, 3, model));
    CHECK_NOTHROW(throws(1, 2, model));
    REQUIRE_THROWS_WITH(throws(1, 3, model), Catch::Contains("TAPEGRAD_TEST_FAULT: rank 1 fails after step 3"));

    const Tensor first = model.parameters().at(0);
    const float before = first.to_vector<float>()[0];
    const AfterStep perturbs = inject_fault(parse_test_fault("0:2:perturb"));
    perturbs(0, 1, model);
    CHECK(first.to_vector<float>()[0] == before);
    perturbs(0, 2, model);
    CHECK(first.to_vector<float>()[0] == Approx(before + 1e-3).margin(1e-6));
}
