// Parameter initialisers, as torch.nn.init: each fills a tensor in place (outside autograd) from a Generator
// and returns the same handle, so that a model built from a seed is the same model every time.
//
// Fans are computed as torch.nn.init does: a weight is (out, in, *receptive_field), so
//   fan_in = in · ∏ receptive_field,   fan_out = out · ∏ receptive_field
// (a Linear weight (out_features, in_features) has fan_in = in_features).
#pragma once

#include <cstdint>

#include "autograd/tensor.h"
#include "base/generator.h"

namespace tapegrad::nn {

struct Fans {
    int64_t fan_in = 0;
    int64_t fan_out = 0;
};
// Throws std::invalid_argument for tensors with fewer than 2 dimensions (no fan is defined for them).
Fans calculate_fans(const Shape& shape);

enum class FanMode { FanIn, FanOut };  // which fan keeps the variance: forward (FanIn) or backward (FanOut)
enum class Nonlinearity { Linear, Sigmoid, Tanh, ReLU, LeakyReLU };

// The gain torch.nn.init.calculate_gain recommends for a nonlinearity: 1 (linear, sigmoid), 5/3 (tanh),
// √2 (relu), √(2 / (1 + a²)) (leaky_relu with negative slope a).
double calculate_gain(Nonlinearity nonlinearity, double a = 0.0);

// U(low, high) and N(mean, std²).
Tensor uniform_(const Tensor& tensor, double low, double high, Generator& generator);
Tensor normal_(const Tensor& tensor, double mean, double std, Generator& generator);
Tensor zeros_(const Tensor& tensor);
Tensor ones_(const Tensor& tensor);

// Glorot & Bengio (2010): keeps the variance of activations and of gradients equal across a layer,
// Var(w) = gain² · 2 / (fan_in + fan_out).
//   xavier_uniform_: U(−b, b) with b = gain · √(6 / (fan_in + fan_out))
//   xavier_normal_:  N(0, std²) with std = gain · √(2 / (fan_in + fan_out))
Tensor xavier_uniform_(const Tensor& tensor, double gain, Generator& generator);
Tensor xavier_normal_(const Tensor& tensor, double gain, Generator& generator);

// He et al. (2015): Var(w) = gain² / fan with gain = calculate_gain(nonlinearity, a).
//   kaiming_uniform_: U(−b, b) with b = gain · √(3 / fan)
//   kaiming_normal_:  N(0, std²) with std = gain / √fan
// With a = √5 and the defaults (fan_in, leaky_relu) the uniform bound is exactly 1/√fan_in: the
// default init of torch.nn.Linear.
Tensor kaiming_uniform_(const Tensor& tensor, double a, Generator& generator, FanMode mode = FanMode::FanIn,
                        Nonlinearity nonlinearity = Nonlinearity::LeakyReLU);
Tensor kaiming_normal_(const Tensor& tensor, double a, Generator& generator, FanMode mode = FanMode::FanIn,
                       Nonlinearity nonlinearity = Nonlinearity::LeakyReLU);

// The torch::nn::init spelling: nn::init::xavier_uniform_ names the same functions.
namespace init {
using nn::calculate_fans;
using nn::calculate_gain;
using nn::kaiming_normal_;
using nn::kaiming_uniform_;
using nn::normal_;
using nn::ones_;
using nn::uniform_;
using nn::xavier_normal_;
using nn::xavier_uniform_;
using nn::zeros_;
}  // namespace init

}  // namespace tapegrad::nn
