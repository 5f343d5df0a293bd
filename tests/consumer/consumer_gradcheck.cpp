// A user's own gradient-check test of a function they wrote, built against an installed tapegrad.
#include <autograd/autograd.h>
#include <iostream>

using namespace tapegrad;

// The user's op: a smooth ramp, softplus(x) = log(1 + e^x), composed from tapegrad's primitives.
Tensor softplus(const Tensor& x) { return log(exp(x) + 1.0); }

int main() {
    Generator generator(1);
    const Tensor x = normal({3, 4}, 0, 1, generator, {.dtype = DType::Float64}).requires_grad_();
    const GradcheckReport report = gradcheck([](const std::vector<Tensor>& in) { return softplus(in[0]); }, {x});
    if (!report.passed) {
        std::cerr << report.message << "\n";
        return 1;
    }
    std::cout << "consumer: gradcheck of softplus passed\n";
    return 0;
}
