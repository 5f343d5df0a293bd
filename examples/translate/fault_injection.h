// Test-only fault injection: a TrainRun::after_step hook that makes one rank exit, throw or drift after a
// given step, so the tests can check that a failing rank ends the whole job and that divergence is caught.
#pragma once

#include <cstdint>
#include <string>

#include "examples/translate/train.h"

namespace tapegrad::translate {

struct TestFault {
    int rank = -1;     // the rank that fails
    int64_t step = -1;  // after this step
    // exit: leaves at once with status 3, as a crashed process would; throw: throws std::runtime_error;
    // perturb: adds 1e-3 to the first parameter, so the ranks' parameters diverge.
    std::string kind;
};

// Parses "RANK:STEP:KIND", the form of the environment variable TAPEGRAD_TEST_FAULT that `translate train`
// reads (commands.cpp). Throws std::invalid_argument naming the text or the unknown kind.
TestFault parse_test_fault(const std::string& spec);

// The hook that injects `fault` on its rank after its step, and does nothing otherwise.
AfterStep inject_fault(TestFault fault);

}  // namespace tapegrad::translate
