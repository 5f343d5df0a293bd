// Anomaly mode: the guard and the finiteness check the tape calls.
#include "autograd/anomaly.h"

#include <cmath>

#include "autograd/loops/copy.h"

namespace tapegrad {
namespace {
thread_local bool anomaly_enabled = false;
}

AnomalyGuard::AnomalyGuard() : previous_(anomaly_enabled) { anomaly_enabled = true; }
AnomalyGuard::~AnomalyGuard() { anomaly_enabled = previous_; }
bool is_anomaly_enabled() { return anomaly_enabled; }

bool any_nan(const Tensor& x) {
    if (x.dtype() == DType::BFloat16) return any_nan(x.to(DType::Float32));  // widening is exact
    if (!is_floating(x.dtype())) return false;
    const Tensor packed = x.contiguous();
    return visit_floating(x.dtype(), [&]<typename T>() {
        const T* data = packed.data<T>();
        for (int64_t i = 0; i < packed.numel(); ++i)
            if (std::isnan(data[i])) return true;
        return false;
    });
}

bool all_finite(const Tensor& x) {
    if (x.dtype() == DType::BFloat16) return all_finite(x.to(DType::Float32));
    if (!is_floating(x.dtype())) return true;
    const Tensor packed = x.contiguous();
    return visit_floating(x.dtype(), [&]<typename T>() {
        const T* data = packed.data<T>();
        const int64_t n = packed.numel();
        for (int64_t i = 0; i < n; ++i)
            if (!std::isfinite(data[i])) return false;
        return true;
    });
}

}  // namespace tapegrad
