// Test-only fault injection: parsing "RANK:STEP:KIND" and the hook that injects it.
#include "examples/translate/fault_injection.h"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>

#include "autograd/tape.h"

namespace tapegrad::translate {

TestFault parse_test_fault(const std::string& spec) {
    int rank = -1;
    long long step = -1;
    char kind[16] = {};
    if (std::sscanf(spec.c_str(), "%d:%lld:%15s", &rank, &step, kind) != 3)
        throw std::invalid_argument(fmt::format("TAPEGRAD_TEST_FAULT must be RANK:STEP:KIND, got '{}'", spec));
    TestFault fault{.rank = rank, .step = step, .kind = kind};
    if (fault.kind != "exit" && fault.kind != "throw" && fault.kind != "perturb")
        throw std::invalid_argument(
            fmt::format("TAPEGRAD_TEST_FAULT: unknown kind '{}' (exit, throw or perturb)", fault.kind));
    return fault;
}

AfterStep inject_fault(TestFault fault) {
    return [fault](int rank, int64_t step, nn::Module& model) {
        if (rank != fault.rank || step != fault.step) return;
        if (fault.kind == "exit") {
            std::fprintf(stderr, "rank %d: TAPEGRAD_TEST_FAULT: exiting with status 3 after step %lld\n", rank,
                         static_cast<long long>(step));
            std::fflush(stderr);
            std::_Exit(3);
        }
        if (fault.kind == "throw")
            throw std::runtime_error(fmt::format("TAPEGRAD_TEST_FAULT: rank {} fails after step {}", rank, step));
        const Tensor first = model.parameters().at(0);  // perturb
        NoGradGuard no_grad;
        first.copy_(first.detach() + 1e-3);
    };
}

}  // namespace tapegrad::translate
