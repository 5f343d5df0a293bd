// check_against_reference: the comparison every fused op makes in TAPEGRAD_KERNELS=check.
#include "autograd/ops/check_mode.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "autograd/ops/shape_ops.h"
#include "autograd/tape.h"

namespace tapegrad {
namespace {

// Element `flat` of a row-major `shape` as its index: 7 in (2, 4) is [1, 3].
Shape unravel(int64_t flat, const Shape& shape) {
    Shape index(shape.size());
    for (int64_t axis = static_cast<int64_t>(shape.size()) - 1; axis >= 0; --axis) {
        index[axis] = flat % shape[axis];
        flat /= shape[axis];
    }
    return index;
}

}  // namespace

void check_against_reference(const char* op, const Tensor& fast, const Tensor& reference, const RoundingBound& bound) {
    NoGradGuard no_grad;
    if (fast.shape() != reference.shape() || fast.dtype() != reference.dtype())
        throw std::runtime_error(fmt::format("{} check: the fused result is {} {} but the reference is {} {}", op,
                                             dtype_name(fast.dtype()), shape_string(fast.shape()),
                                             dtype_name(reference.dtype()), shape_string(reference.shape())));
    const std::vector<double> got = fast.to_vector<double>(), expected = reference.to_vector<double>();
    const std::vector<double> scale =
        bound.magnitude.defined() ? expand(bound.magnitude, reference.shape()).to_vector<double>() : std::vector<double>();
    const bool single = fast.dtype() == DType::Float32;
    const double eps = single ? std::numeric_limits<float>::epsilon() : std::numeric_limits<double>::epsilon();
    const double tiny = single ? std::numeric_limits<float>::min() : std::numeric_limits<double>::min();

    auto allowed = [&](std::size_t i) { return (scale.empty() ? 0.0 : bound.ulps * eps * std::abs(scale[i])) + tiny; };

    double worst_ratio = 0;
    std::size_t worst = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
        if (got[i] == expected[i] || (std::isnan(got[i]) && std::isnan(expected[i]))) continue;
        double ratio = std::abs(got[i] - expected[i]) / allowed(i);
        if (std::isnan(ratio)) ratio = INFINITY;  // one NaN, the other not; or an infinity on one side only
        if (ratio > worst_ratio) worst_ratio = ratio, worst = i;
    }
    if (worst_ratio <= 1) return;
    auto text = [single](double v) { return single ? fmt::format("{}", static_cast<float>(v)) : fmt::format("{}", v); };
    throw std::runtime_error(fmt::format(
        "{} check: the fused result differs from the reference at {} of {} {}: {} vs {} (|diff| {:.3g} is {:.3g}x the "
        "rounding bound {} = {:.3g}, ε = {:.3g})",
        op, shape_string(unravel(static_cast<int64_t>(worst), reference.shape())), dtype_name(reference.dtype()),
        shape_string(reference.shape()), text(got[worst]), text(expected[worst]), std::abs(got[worst] - expected[worst]),
        worst_ratio, bound.formula, allowed(worst), eps));
}

}  // namespace tapegrad
