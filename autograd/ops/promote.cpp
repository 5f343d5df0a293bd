// Type promotion for ops with several tensor operands.
#include "autograd/ops/promote.h"

#include <stdexcept>

namespace tapegrad {
namespace {
int rank(DType dtype) {
    switch (dtype) {
        case DType::Bool: return 0;
        case DType::Int64: return 1;
        case DType::BFloat16: return 2;  // bfloat16 with float32 gives float32, as in PyTorch
        case DType::Float32: return 3;
        case DType::Float64: return 4;
    }
    return 0;
}
}  // namespace

DType promote_types(DType a, DType b) { return rank(a) >= rank(b) ? a : b; }

std::pair<Tensor, Tensor> promote_pair(const Tensor& a, const Tensor& b) {
    const DType common = promote_types(a.dtype(), b.dtype());
    return {a.to(common), b.to(common)};
}

void require_floating(const Tensor& x, const char* op) {
    if (x.dtype() == DType::BFloat16) throw unsupported_dtype_error(op, x.dtype());
    if (!is_floating(x.dtype()))
        throw std::invalid_argument(
            fmt::format("{}: expected a floating-point tensor, got {}", op, dtype_name(x.dtype())));
}

}  // namespace tapegrad
