// gradcheck: compares the gradients backward() computes with finite differences — the test every
// differentiable op and module in tapegrad passes, and public API for users testing their own code.
//
//   auto report = tapegrad::gradcheck([](const std::vector<Tensor>& in) { return (in[0] * in[1]).sum(); },
//                                     {x, y});   // float64 inputs with requires_grad
//   REQUIRE(report.passed);                     // report.message says what went wrong
//
// Method. A non-scalar output y is reduced to L = Σ y ⊙ w with fixed random weights w (a random
// projection: a wrong Jacobian is missed only with probability zero). Then for every element x_i of
// every input that requires grad, the numeric derivative (L(x + eps e_i) − L(x − eps e_i)) / 2eps
// (central differences, error O(eps²)) must match the analytic one within atol + rtol·|numeric|.
//
// Blame. When the check fails, the inputs are moved along a random direction d, and every tape entry
// is checked on its own: its backward applied to random r must satisfy ⟨r, Δoutput⟩ = Σ ⟨grad, Δinput⟩
// to first order, with Δ the central difference of the entry's own inputs and output between x + eps d
// and x − eps d. The first entry that fails is named: that op's backward is the bug.
// gradcheck uses (and clears) the calling thread's tape.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "autograd/tensor.h"

namespace tapegrad {

struct GradcheckOptions {
    double eps = 1e-6;   // finite-difference step (PyTorch's default)
    double atol = 1e-5;  // absolute tolerance (PyTorch's default)
    double rtol = 1e-3;  // relative tolerance (PyTorch's default)
    bool blame = true;   // on failure, name the first tape entry whose own backward disagrees
    uint64_t seed = 0;   // for the projection weights and the blame direction
};

struct GradcheckReport {
    bool passed = true;
    std::string message;  // empty when passed; otherwise what failed, with the worst element
    // The worst element: which input, which element (row-major), the two derivatives.
    int64_t input_index = -1;
    int64_t element = -1;
    double analytic = 0;
    double numeric = 0;
    // Blame mode: the first tape entry whose own backward disagrees with finite differences.
    int64_t blamed_entry = -1;
    std::string blamed_op;

    explicit operator bool() const { return passed; }
};

using GradcheckFunction = std::function<Tensor(const std::vector<Tensor>&)>;

// Inputs must be float64; those with requires_grad are checked. Throws std::invalid_argument on
// misuse (float32 inputs, nothing requiring grad, a non-float64 output).
GradcheckReport gradcheck(const GradcheckFunction& function, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options = {});

}  // namespace tapegrad
