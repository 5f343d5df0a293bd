// KeyValueCache: appending along the position axis.
#include "nn/kv_cache.h"

#include <stdexcept>

#include "autograd/ops/shape_ops.h"

namespace tapegrad::nn {

const KeyValue& LayerKeyValueCache::append_self_attn(const KeyValue& step) {
    if (!self_attn.defined()) {
        self_attn = step;
    } else {
        self_attn.key = concat({self_attn.key, step.key}, 2);        // (B, H, t + n, D)
        self_attn.value = concat({self_attn.value, step.value}, 2);  // (B, H, t + n, D)
    }
    return self_attn;
}

LayerKeyValueCache& KeyValueCache::layer(std::size_t index) {
    if (index >= layers_.size()) layers_.resize(index + 1);
    return layers_[index];
}

const Tensor& KeyValueCache::append_positions(const Tensor& key_padding_mask) {
    if (key_padding_mask.dtype() != DType::Bool || key_padding_mask.dim() != 2)
        throw std::invalid_argument(fmt::format("KeyValueCache: key_padding_mask must be bool (B, n), got {} {}",
                                                dtype_name(key_padding_mask.dtype()),
                                                shape_string(key_padding_mask.shape())));
    if (key_padding_mask_.defined() && key_padding_mask_.size(0) != key_padding_mask.size(0))
        throw std::invalid_argument(fmt::format("KeyValueCache: batch size changed from {} to {} (clear() first)",
                                                key_padding_mask_.size(0), key_padding_mask.size(0)));
    key_padding_mask_ = key_padding_mask_.defined() ? concat({key_padding_mask_, key_padding_mask}, 1) : key_padding_mask;
    length_ += key_padding_mask.size(1);
    return key_padding_mask_;
}

void KeyValueCache::select_rows(const Tensor& rows) {
    for (LayerKeyValueCache& layer : layers_)
        for (KeyValue* kv : {&layer.self_attn, &layer.cross_attn}) {
            if (!kv->defined()) continue;
            kv->key = index_select(kv->key, 0, rows);      // (K, H, ·, D)
            kv->value = index_select(kv->value, 0, rows);  // (K, H, ·, D)
        }
    if (key_padding_mask_.defined()) key_padding_mask_ = index_select(key_padding_mask_, 0, rows);  // (K, t)
}

void KeyValueCache::clear() {
    layers_.clear();
    key_padding_mask_ = Tensor();
    length_ = 0;
}

}  // namespace tapegrad::nn
