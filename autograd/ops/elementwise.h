// Elementwise ops with NumPy broadcasting: arithmetic, activations, comparisons, where, masked_fill.
// Every differentiable op here is recorded on the tape; its backward sits under its forward in the .cpp.
// Mixed dtypes promote bool < int64 < float32 < float64; scalars take the tensor's dtype.
#pragma once

#include "autograd/tensor.h"

namespace tapegrad {

// ---- Binary arithmetic (broadcasting) ----
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& base, const Tensor& exponent);
Tensor pow(const Tensor& base, double exponent);
Tensor maximum(const Tensor& a, const Tensor& b);  // elementwise max; gradient goes to the larger (a on ties)
Tensor minimum(const Tensor& a, const Tensor& b);

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);
Tensor operator-(const Tensor& x);

// ---- Unary math ----
Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor rsqrt(const Tensor& x);  // 1 / sqrt(x)
Tensor abs(const Tensor& x);    // gradient sign(x), 0 at 0
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor relu(const Tensor& x);   // gradient 0 at 0, as PyTorch
// GELU: x * Φ(x). The tanh form approximates Φ as in Hendrycks & Gimpel (2016).
enum class GeluApproximation { None, Tanh };
Tensor gelu(const Tensor& x, GeluApproximation approximation = GeluApproximation::None);
// Clamps into [min, max]; gradient 1 strictly inside, 0 where clamped.
Tensor clamp(const Tensor& x, double min, double max);
Tensor clamp_min(const Tensor& x, double min);  // clamp(x, min, +inf): a lower bound only

// ---- Comparisons: bool masks, never recorded ----
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, double b);
Tensor ne(const Tensor& a, double b);
Tensor lt(const Tensor& a, double b);
Tensor le(const Tensor& a, double b);
Tensor gt(const Tensor& a, double b);
Tensor ge(const Tensor& a, double b);
Tensor logical_not(const Tensor& mask);
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);

// ---- Selection ----
// condition ? a : b elementwise (all three broadcast); the gradient flows to the chosen side.
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
// x with `value` wherever mask (bool, broadcast to x) is true; no gradient flows to the filled places.
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value);

// A tensor holding `value` with x's dtype and shape {} (how scalar operands enter binary ops).
Tensor scalar_like(double value, const Tensor& x);

}  // namespace tapegrad
