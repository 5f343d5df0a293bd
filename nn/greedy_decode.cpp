// Greedy decoding from the model's decoder state (see greedy_decode.h).
#include "nn/greedy_decode.h"

#include "autograd/ops/reduce.h"
#include "autograd/tape.h"

namespace tapegrad::nn {

std::vector<std::vector<int64_t>> greedy_decode(Seq2SeqModel& model, const Tensor& source, int64_t max_len,
                                                int64_t bos_id, int64_t eos_id) {
    NoGradGuard no_grad;
    const bool was_training = model.is_training();
    model.eval();
    const int64_t batch = source.size(0);
    const std::unique_ptr<DecoderState> state = model.start_decoding(source);
    std::vector<std::vector<int64_t>> outputs(static_cast<std::size_t>(batch));
    std::vector<bool> finished(static_cast<std::size_t>(batch), false);
    std::vector<int64_t> last(static_cast<std::size_t>(batch), bos_id);
    for (int64_t position = 0; position < max_len; ++position) {
        const Tensor logits = model.decode_step(from_vector(last, {batch, 1}), *state);  // (B, 1, V)
        const std::vector<int64_t> next = argmax(logits, -1).reshape({batch}).to_vector<int64_t>();
        bool all_finished = true;
        for (std::size_t row = 0; row < next.size(); ++row) {
            if (finished[row]) continue;
            if (next[row] == eos_id)
                finished[row] = true;
            else
                outputs[row].push_back(next[row]), all_finished = false;
            last[row] = next[row];  // a finished row keeps feeding EOS; nothing more is read from it
        }
        if (all_finished) break;
    }
    if (was_training) model.train();
    return outputs;
}

}  // namespace tapegrad::nn
