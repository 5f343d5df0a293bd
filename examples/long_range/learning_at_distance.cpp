#include "examples/long_range/learning_at_distance.h"

#include <algorithm>
#include <chrono>

#include "examples/long_range/recall_task.h"
#include "optim/adam.h"
#include "optim/clip_grad.h"

namespace tapegrad::long_range {

DistanceResult train_at_distance(SequenceModel& model, int64_t distance, const TrainingBudget& budget,
                                 Generator& generator) {
    const auto start = std::chrono::steady_clock::now();
    model.train();
    const std::vector<Tensor> parameters = model.parameters();
    optim::Adam optimizer(parameters, optim::AdamOptions{.lr = budget.learning_rate});
    const int64_t tail = std::max<int64_t>(1, budget.steps / 10);
    double tail_loss = 0;
    for (int64_t step = 0; step < budget.steps; ++step) {
        const RecallBatch batch = make_recall_batch(distance, budget.batch, model.options().vocab_size, generator);
        Tensor loss = cross_entropy(model.forward(batch.tokens), batch.answers);
        optimizer.zero_grad();
        loss.backward();
        optim::clip_grad_norm(parameters, budget.clip_norm);
        optimizer.step();
        if (step >= budget.steps - tail) tail_loss += loss.item();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return {.distance = distance,
            .accuracy = recall_accuracy(model, distance, budget.eval_sequences, generator),
            .final_loss = tail_loss / static_cast<double>(tail),
            .seconds = seconds};
}

double recall_accuracy(SequenceModel& model, int64_t distance, int64_t sequences, Generator& generator) {
    const bool was_training = model.is_training();
    model.eval();
    NoGradGuard no_grad;
    int64_t correct = 0;
    for (int64_t done = 0; done < sequences;) {
        const int64_t batch_size = std::min<int64_t>(64, sequences - done);
        const RecallBatch batch = make_recall_batch(distance, batch_size, model.options().vocab_size, generator);
        const std::vector<int64_t> predicted = argmax(model.forward(batch.tokens), 1).to_vector<int64_t>();
        const std::vector<int64_t> answers = batch.answers.to_vector<int64_t>();
        for (std::size_t k = 0; k < answers.size(); ++k) correct += predicted[k] == answers[k];
        done += batch_size;
    }
    model.train(was_training);
    return sequences > 0 ? static_cast<double>(correct) / static_cast<double>(sequences) : 0.0;
}

}  // namespace tapegrad::long_range
