// Reductions. Each one moves the reduced axes last, so that the kernel reduces contiguous rows:
// x viewed as (outer, inner) with inner = the product of the reduced sizes.
#include "autograd/ops/reduce.h"

#include <algorithm>
#include <vector>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include "autograd/ops/accumulate_grad.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/promote.h"
#include "autograd/ops/shape_ops.h"
#include "autograd/tape.h"

namespace tapegrad {
namespace {

struct Rows {
    Tensor data;          // contiguous, logically (outer, inner)
    int64_t outer = 1;
    int64_t inner = 1;
    Shape reduced_shape;  // x's shape without the reduced axes
    Shape keepdim_shape;  // x's shape with the reduced axes set to 1
};

Rows to_rows(const Tensor& x, const std::vector<int64_t>& axes, const char* op) {
    const std::vector<int64_t> reduced = normalize_axes(axes, x.dim(), op);
    Rows rows;
    std::vector<int64_t> order;
    rows.keepdim_shape = x.shape();
    for (int64_t axis = 0; axis < x.dim(); ++axis) {
        if (std::find(reduced.begin(), reduced.end(), axis) != reduced.end()) {
            rows.inner *= x.size(axis);
            rows.keepdim_shape[axis] = 1;
        } else {
            order.push_back(axis);
            rows.reduced_shape.push_back(x.size(axis));
            rows.outer *= x.size(axis);
        }
    }
    order.insert(order.end(), reduced.begin(), reduced.end());
    NoGradGuard no_grad;  // internal re-layout; the calling op records its own backward
    rows.data = permute(x, order).contiguous();
    return rows;
}

// Sums each row, accumulating float32 in double so long rows keep their precision.
Tensor sum_rows(const Rows& rows, const Shape& out_shape) {
    Tensor out = empty_uninitialized(out_shape, {.dtype = rows.data.dtype() == DType::Bool ? DType::Int64 : rows.data.dtype()});
    visit_numeric(out.dtype(), [&]<typename T>() {
        using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
        T* o = out.data<T>();
        const Tensor source = rows.data.to(out.dtype());
        const T* in = source.data<T>();
#pragma omp parallel for schedule(static) if (rows.outer * rows.inner > 65536 && rows.outer > 1)
        for (int64_t r = 0; r < rows.outer; ++r) {
            Acc total = 0;
            for (int64_t i = 0; i < rows.inner; ++i) total += in[r * rows.inner + i];
            o[r] = static_cast<T>(total);
        }
    });
    return out;
}

// How many leading axes `axes` names when it names exactly axes 0..p-1 (p < dim) of a contiguous
// floating tensor — the case sum_leading_axes serves — else 0.
int64_t reduced_leading_axes(const Tensor& x, const std::vector<int64_t>& axes) {
    if (!x.is_contiguous() || !is_floating(x.dtype()) || axes.empty() || x.numel() == 0) return 0;
    std::vector<int64_t> reduced = normalize_axes(axes, x.dim(), "sum");
    std::sort(reduced.begin(), reduced.end());
    for (std::size_t i = 0; i < reduced.size(); ++i)
        if (reduced[i] != static_cast<int64_t>(i)) return 0;
    return static_cast<int64_t>(reduced.size()) < x.dim() ? static_cast<int64_t>(reduced.size()) : 0;
}

// x contiguous viewed as (R, C), R the product of the first `leading` sizes: out[c] = Σ_r x[r, c].
// The rows are cut into fixed chunks of kRowsPerChunk, each summed in order into double accumulators (a
// vectorisable pass that reads x once, in order), then the chunks' sums are added in chunk order. The
// chunks and column blocks are the parallel tasks: fixed by the shape, so the thread count does not change
// the sums, and a bias gradient (1024 tokens x 128 features) still splits between threads.
Tensor sum_leading_axes(const Tensor& x, int64_t leading) {
    const Shape kept(x.shape().begin() + leading, x.shape().end());
    const int64_t columns = shape_numel(kept), rows = x.numel() / columns;
    Tensor out = empty_uninitialized(kept, {.dtype = x.dtype()});
    constexpr int64_t kColumnsPerTask = 256, kRowsPerChunk = 256;
    const int64_t column_blocks = (columns + kColumnsPerTask - 1) / kColumnsPerTask;
    const int64_t chunks = (rows + kRowsPerChunk - 1) / kRowsPerChunk;
    // Each chunk's column sums, when there is more than one chunk to add up afterwards.
    std::vector<double> chunk_sums(chunks > 1 ? static_cast<std::size_t>(chunks * columns) : 0);
    visit_floating(x.dtype(), [&]<typename T>() {
        const T* in = x.data<T>();
        T* o = out.data<T>();
#pragma omp parallel for schedule(static) if (x.numel() > 65536 && chunks * column_blocks > 1)
        for (int64_t task = 0; task < chunks * column_blocks; ++task) {
            const int64_t chunk = task / column_blocks, block = task % column_blocks;
            const int64_t begin = block * kColumnsPerTask, end = std::min(columns, begin + kColumnsPerTask);
            const int64_t first_row = chunk * kRowsPerChunk, last_row = std::min(rows, first_row + kRowsPerChunk);
            double total[kColumnsPerTask] = {};
            for (int64_t r = first_row; r < last_row; ++r) {
                const T* row = in + r * columns;
                for (int64_t c = begin; c < end; ++c) total[c - begin] += row[c];
            }
            if (chunks == 1) {
                for (int64_t c = begin; c < end; ++c) o[c] = static_cast<T>(total[c - begin]);
            } else {
                std::copy(total, total + (end - begin), chunk_sums.data() + chunk * columns + begin);
            }
        }
        if (chunks == 1) return;
        for (int64_t c = 0; c < columns; ++c) {
            double total = chunk_sums[static_cast<std::size_t>(c)];
            for (int64_t chunk = 1; chunk < chunks; ++chunk) total += chunk_sums[static_cast<std::size_t>(chunk * columns + c)];
            o[c] = static_cast<T>(total);
        }
    });
    return out;
}

// Index of the first largest (or smallest) element of each row; NaN counts as the extreme, as in PyTorch.
template <bool kMax>
ValuesIndices extreme(const Tensor& x, int64_t axis, bool keepdim, const char* op) {
    if (x.numel() == 0) throw std::invalid_argument(fmt::format("{}: cannot reduce an empty tensor", op));
    const int64_t along = normalize_axis(axis, std::max<int64_t>(x.dim(), 1), op);
    const Tensor source = x.dim() == 0 ? x.reshape({1}) : x;
    const Rows rows = to_rows(source, {along}, op);
    const Shape out_shape = keepdim ? rows.keepdim_shape : rows.reduced_shape;
    ValuesIndices result{empty(out_shape, {.dtype = x.dtype()}), empty(out_shape, {.dtype = DType::Int64})};
    visit_dtype(x.dtype(), [&]<typename T>() {
        const T* in = rows.data.data<T>();
        T* values = result.values.data<T>();
        int64_t* indices = result.indices.data<int64_t>();
        for (int64_t r = 0; r < rows.outer; ++r) {
            int64_t best = 0;
            for (int64_t i = 1; i < rows.inner; ++i) {
                const T candidate = in[r * rows.inner + i];
                const T current = in[r * rows.inner + best];
                if constexpr (is_floating_point_type_v<T>)
                    if (std::isnan(current)) break;
                bool better = kMax ? candidate > current : candidate < current;
                if constexpr (is_floating_point_type_v<T>) better = better || std::isnan(static_cast<float>(candidate));
                if (better) best = i;
            }
            values[r] = in[r * rows.inner + best];
            indices[r] = best;
        }
    });
    // Only the chosen element moved the value, so the gradient goes there: scatter dout along `along`.
    const Tensor values = result.values;
    const Tensor keep_indices = keepdim ? result.indices : unsqueeze(result.indices, along);
    record(op, {x}, values, [x, source, along, keepdim, keep_indices](const Tensor& dout) {
        const Tensor dout_kept = keepdim ? dout : unsqueeze(dout, along);
        Tensor dx = zeros(source.shape(), {.dtype = source.dtype()});
        visit_floating(dx.dtype(), [&]<typename T>() {
            const Tensor packed = dout_kept.contiguous();
            const Tensor idx = keep_indices.contiguous();
            const int64_t size = source.shape()[along];
            int64_t inner = 1;
            for (int64_t a = along + 1; a < source.dim(); ++a) inner *= source.shape()[a];
            const int64_t outer = packed.numel() / inner;
            T* d = dx.data<T>();
            const T* g = packed.data<T>();
            const int64_t* chosen = idx.data<int64_t>();
            for (int64_t o = 0; o < outer; ++o)
                for (int64_t i = 0; i < inner; ++i) d[(o * size + chosen[o * inner + i]) * inner + i] += g[o * inner + i];
        });
        accumulate_grad(x, dx.reshape(x.shape()));
    });
    return result;
}

// How many elements each output of a reduction over `axes` combines.
int64_t reduced_count(const Tensor& x, const std::vector<int64_t>& axes, const char* op) {
    int64_t count = 1;
    for (int64_t axis : normalize_axes(axes, x.dim(), op)) count *= x.size(axis);
    return count;
}

Shape without_axes(const Tensor& x, const std::vector<int64_t>& axes, const char* op) {
    const std::vector<int64_t> reduced = normalize_axes(axes, x.dim(), op);
    Shape shape;
    for (int64_t axis = 0; axis < x.dim(); ++axis)
        if (std::find(reduced.begin(), reduced.end(), axis) == reduced.end()) shape.push_back(x.size(axis));
    return shape;
}

}  // namespace

// The gradient of a sum is dout copied back over every summed element: expand is the adjoint of sum.
Tensor sum(const Tensor& x, const std::vector<int64_t>& axes, bool keepdim) {
    Tensor out;
    Shape keepdim_shape;
    if (int64_t leading = reduced_leading_axes(x, axes); leading > 0) {
        // The bias-gradient shape (sum over batch and time of (B, T, E)): column sums, no transposing copy.
        keepdim_shape = x.shape();
        for (int64_t axis = 0; axis < leading; ++axis) keepdim_shape[axis] = 1;
        out = sum_leading_axes(x, leading);
        out = keepdim ? out.reshape(keepdim_shape) : out;
    } else {
        const Rows rows = to_rows(x, axes, "sum");
        out = sum_rows(rows, keepdim ? rows.keepdim_shape : rows.reduced_shape);
        keepdim_shape = rows.keepdim_shape;
    }
    record("sum", {x}, out, [x, keepdim_shape](const Tensor& dout) {
        accumulate_grad(x, expand(dout.reshape(keepdim_shape), x.shape()));
    });
    return out;
}

Tensor mean(const Tensor& x, const std::vector<int64_t>& axes, bool keepdim) {
    require_floating(x, "mean");
    const int64_t count = reduced_count(x, axes, "mean");
    if (count == 0) throw std::invalid_argument("mean: cannot average over an empty axis");
    return sum(x, axes, keepdim) / static_cast<double>(count);
}

// Composed from primitives: var = Σ (x - mean)² / (N - correction).
Tensor var(const Tensor& x, const std::vector<int64_t>& axes, bool keepdim, int64_t correction) {
    require_floating(x, "var");
    const int64_t count = reduced_count(x, axes, "var");
    if (count - correction <= 0)
        throw std::invalid_argument(
            fmt::format("var: {} elements per reduction leave no degrees of freedom with correction {}", count, correction));
    const Tensor deviation = x - mean(x, axes, true);
    return sum(deviation * deviation, axes, keepdim) / static_cast<double>(count - correction);
}

// logsumexp = m + log Σ exp(x - m) with m = max (held constant: its gradient terms cancel exactly).
// Rows of -inf give -inf, not NaN.
Tensor logsumexp(const Tensor& x, const std::vector<int64_t>& axes, bool keepdim) {
    require_floating(x, "logsumexp");
    Tensor shift;
    {
        NoGradGuard no_grad;
        const Rows rows = to_rows(x, axes, "logsumexp");
        const Tensor row_max = max(rows.data.reshape({rows.outer, rows.inner}), 1).values;
        shift = where(eq(abs(row_max), INFINITY), scalar_like(0, row_max), row_max).reshape(rows.keepdim_shape);
    }
    Tensor out = log(sum(exp(x - shift), axes, true)) + shift;
    if (keepdim) return out;
    return reshape(out, without_axes(x, axes, "logsumexp"));
}

ValuesIndices max(const Tensor& x, int64_t axis, bool keepdim) { return extreme<true>(x, axis, keepdim, "max"); }
ValuesIndices min(const Tensor& x, int64_t axis, bool keepdim) { return extreme<false>(x, axis, keepdim, "min"); }
Tensor max(const Tensor& x) { return extreme<true>(x.reshape({-1}), 0, false, "max").values; }
Tensor min(const Tensor& x) { return extreme<false>(x.reshape({-1}), 0, false, "min").values; }
Tensor argmax(const Tensor& x, int64_t axis, bool keepdim) {
    NoGradGuard no_grad;
    return extreme<true>(x, axis, keepdim, "argmax").indices;
}

Tensor sum_to_shape(const Tensor& x, const Shape& shape) {
    if (x.shape() == shape) return x;
    if (broadcast_shapes(shape, x.shape(), "sum_to_shape") != x.shape())
        throw std::invalid_argument(fmt::format("sum_to_shape: {} does not broadcast to {}", shape_string(shape),
                                                shape_string(x.shape())));
    std::vector<int64_t> axes;
    const int64_t lead = x.dim() - static_cast<int64_t>(shape.size());
    for (int64_t axis = 0; axis < x.dim(); ++axis)
        if (axis < lead || (shape[axis - lead] == 1 && x.size(axis) != 1)) axes.push_back(axis);
    if (axes.empty()) return x.reshape(shape);
    return sum(x, axes, true).reshape(shape);
}

}  // namespace tapegrad
