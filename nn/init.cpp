// Parameter initialisers: fans, gains, and the uniform/normal fills built on them (see init.h for the math).
#include "nn/init.h"

#include <cmath>
#include <stdexcept>

#include "autograd/random.h"
#include "autograd/tape.h"

namespace tapegrad::nn {
namespace {

void require_floating(const Tensor& tensor, const char* op) {
    if (!tensor.defined() || !is_floating(tensor.dtype()))
        throw std::invalid_argument(fmt::format("{}: needs a defined floating-point tensor, got {}", op,
                                                tensor.defined() ? dtype_name(tensor.dtype()) : "an undefined tensor"));
}

// Writes `values` into `tensor` without recording: initialisation is not part of any computation.
Tensor assign(const Tensor& tensor, const Tensor& values) {
    NoGradGuard no_grad;
    tensor.copy_(values);
    return tensor;
}

int64_t chosen_fan(const Tensor& tensor, FanMode mode, const char* op) {
    const Fans fans = calculate_fans(tensor.shape());
    const int64_t fan = mode == FanMode::FanIn ? fans.fan_in : fans.fan_out;
    if (fan <= 0)
        throw std::invalid_argument(fmt::format("{}: the fan of a tensor of shape {} is 0", op, shape_string(tensor.shape())));
    return fan;
}

}  // namespace

Fans calculate_fans(const Shape& shape) {
    if (shape.size() < 2)
        throw std::invalid_argument(fmt::format(
            "calculate_fans: fan_in and fan_out need a tensor with at least 2 dimensions, got shape {}", shape_string(shape)));
    int64_t receptive_field = 1;
    for (std::size_t axis = 2; axis < shape.size(); ++axis) receptive_field *= shape[axis];
    return {.fan_in = shape[1] * receptive_field, .fan_out = shape[0] * receptive_field};
}

double calculate_gain(Nonlinearity nonlinearity, double a) {
    switch (nonlinearity) {
        case Nonlinearity::Linear:
        case Nonlinearity::Sigmoid: return 1.0;
        case Nonlinearity::Tanh: return 5.0 / 3.0;
        case Nonlinearity::ReLU: return std::sqrt(2.0);
        case Nonlinearity::LeakyReLU: return std::sqrt(2.0 / (1.0 + a * a));
    }
    return 1.0;
}

Tensor uniform_(const Tensor& tensor, double low, double high, Generator& generator) {
    require_floating(tensor, "uniform_");
    return assign(tensor, uniform(tensor.shape(), low, high, generator, {.dtype = tensor.dtype()}));
}

Tensor normal_(const Tensor& tensor, double mean, double std, Generator& generator) {
    require_floating(tensor, "normal_");
    return assign(tensor, normal(tensor.shape(), mean, std, generator, {.dtype = tensor.dtype()}));
}

Tensor zeros_(const Tensor& tensor) {
    require_floating(tensor, "zeros_");
    tensor.fill_(0.0);
    return tensor;
}

Tensor ones_(const Tensor& tensor) {
    require_floating(tensor, "ones_");
    tensor.fill_(1.0);
    return tensor;
}

Tensor xavier_uniform_(const Tensor& tensor, double gain, Generator& generator) {
    require_floating(tensor, "xavier_uniform_");
    const Fans fans = calculate_fans(tensor.shape());
    // U(−b, b) has variance b²/3; b = gain·√(6/(fan_in+fan_out)) gives Var = gain²·2/(fan_in+fan_out).
    const double bound = gain * std::sqrt(6.0 / static_cast<double>(fans.fan_in + fans.fan_out));
    return uniform_(tensor, -bound, bound, generator);
}

Tensor xavier_normal_(const Tensor& tensor, double gain, Generator& generator) {
    require_floating(tensor, "xavier_normal_");
    const Fans fans = calculate_fans(tensor.shape());
    const double stddev = gain * std::sqrt(2.0 / static_cast<double>(fans.fan_in + fans.fan_out));
    return normal_(tensor, 0.0, stddev, generator);
}

Tensor kaiming_uniform_(const Tensor& tensor, double a, Generator& generator, FanMode mode, Nonlinearity nonlinearity) {
    require_floating(tensor, "kaiming_uniform_");
    const int64_t fan = chosen_fan(tensor, mode, "kaiming_uniform_");
    // Var = gain²/fan, and U(−b, b) has variance b²/3, so b = gain·√(3/fan).
    const double bound = calculate_gain(nonlinearity, a) * std::sqrt(3.0 / static_cast<double>(fan));
    return uniform_(tensor, -bound, bound, generator);
}

Tensor kaiming_normal_(const Tensor& tensor, double a, Generator& generator, FanMode mode, Nonlinearity nonlinearity) {
    require_floating(tensor, "kaiming_normal_");
    const int64_t fan = chosen_fan(tensor, mode, "kaiming_normal_");
    const double stddev = calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan));
    return normal_(tensor, 0.0, stddev, generator);
}

}  // namespace tapegrad::nn
