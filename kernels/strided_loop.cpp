// The batch-offset table of strided batched products.
#include "kernels/strided_loop.h"

namespace tapegrad::kernels {

std::vector<int64_t> batch_offsets(const Shape& batch, const Shape& strides) {
    std::vector<int64_t> offsets(static_cast<std::size_t>(shape_numel(batch)), 0);
    Shape index(batch.size(), 0);
    for (int64_t& offset : offsets) {
        for (std::size_t axis = 0; axis < index.size(); ++axis) offset += index[axis] * strides[axis];
        for (int64_t axis = static_cast<int64_t>(index.size()) - 1; axis >= 0; --axis) {  // next index, odometer-style
            if (++index[axis] < batch[axis]) break;
            index[axis] = 0;
        }
    }
    return offsets;
}

}  // namespace tapegrad::kernels
