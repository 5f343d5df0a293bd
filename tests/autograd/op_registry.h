// The op registry: every differentiable op, how to call it, and sample inputs. The suite generates
// from it, for every op: a float64 gradcheck, broadcast cases, non-contiguous inputs, the aliasing
// cases op(x, x), and forward values against PyTorch fixtures (tests/fixtures/make_op_fixtures.py
// keeps a table with the same case names).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "autograd/autograd.h"

namespace tapegrad::testing {

// Where sample values come from, so that gradchecks stay away from poles and kinks.
enum class Domain {
    Any,           // in (-1.5, 1.5)
    Positive,      // in (0.5, 2)
    AwayFromZero,  // |x| in (0.3, 1.3)
};

struct OpCase {
    std::string name;                 // unique; the key of the PyTorch fixture
    std::vector<Shape> shapes;        // input shapes
    std::vector<Domain> domains;      // one per input (missing entries are Any)
    std::function<Tensor(const std::vector<Tensor>&)> function;
    bool alias = false;               // a binary op: also check function(x, x)
};

// Every registered case.
const std::vector<OpCase>& op_cases();

// The deterministic sample input k of a case: v_i = sin(0.7 i + 1.3 k + 0.5) mapped into the domain.
// make_op_fixtures.py computes the same numbers.
Tensor sample_input(const Shape& shape, int64_t k, Domain domain, DType dtype = DType::Float64);

// The inputs of a case, float64 leaves that require grad.
std::vector<Tensor> sample_inputs(const OpCase& op);

}  // namespace tapegrad::testing
