// Anomaly mode: an opt-in guard under which the first op whose forward output or backward gradient
// holds NaN or Inf throws, naming the op and its shapes — instead of the NaN surfacing steps later.
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

}  // namespace tapegrad
