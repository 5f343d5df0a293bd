// Anomaly mode: an opt-in guard under which the first op whose forward output or backward gradient
// holds NaN or Inf throws, naming the op and its shapes — instead of the NaN surfacing steps later.
// In the forward, infinities an op merely passes on (an additive -inf mask) or writes on purpose
// (masked_fill with -inf) are not reported; NaN always is, and so is an infinity made from finite inputs.
#pragma once

#include "autograd/tensor.h"

namespace tapegrad {

class AnomalyGuard {
public:
    AnomalyGuard();
    ~AnomalyGuard();
    AnomalyGuard(const AnomalyGuard&) = delete;
    AnomalyGuard& operator=(const AnomalyGuard&) = delete;

private:
    bool previous_;
};

bool is_anomaly_enabled();

// True when every element of a floating tensor is finite (always true for int and bool).
bool all_finite(const Tensor& x);
// True when some element of a floating tensor is NaN.
bool any_nan(const Tensor& x);

}  // namespace tapegrad
