#include "examples/long_range/experiment.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "examples/long_range/gradient_reach.h"

namespace tapegrad::long_range {

namespace {

void check_settings(const LongRangeSettings& settings) {
    if (settings.distances.empty()) throw std::invalid_argument("long_range: no distances to train at (--distances)");
    for (int64_t d : settings.distances) {
        if (d < 1 || d + 1 > settings.model.max_length) {
            throw std::invalid_argument(fmt::format(
                "long_range: distance {} needs sequences of {} tokens; it must be in [1, {}] (the Transformer's "
                "max_length {} − 1)", d, d + 1, settings.model.max_length - 1, settings.model.max_length));
        }
    }
    for (int t : settings.threads)
        if (t < 1) throw std::invalid_argument(fmt::format("long_range: thread count {} must be >= 1", t));
    if (settings.learning_rates.empty()) throw std::invalid_argument("long_range: no learning rates to choose from");
    for (double rate : settings.learning_rates)
        if (!(rate > 0) || !std::isfinite(rate))
            throw std::invalid_argument(fmt::format("long_range: learning rate {} must be finite and > 0", rate));
    if (settings.budget.steps < 1 || settings.budget.batch < 1)
        throw std::invalid_argument(fmt::format("long_range: steps {} and batch {} must be >= 1", settings.budget.steps,
                                                settings.budget.batch));
}

// Both models, fresh, from generators seeded alike: the same start whatever ran before.
struct ModelPair {
    std::unique_ptr<SequenceModel> transformer;
    std::unique_ptr<SequenceModel> lstm;
};

ModelPair make_models(const LongRangeSettings& settings, int64_t lstm_hidden_size, Generator& transformer_generator,
                      Generator& lstm_generator) {
    return {std::make_unique<TransformerSequenceModel>(settings.model, transformer_generator),
            std::make_unique<LSTMSequenceModel>(settings.model, lstm_hidden_size, lstm_generator)};
}

}  // namespace

LongRangeResults run_long_range(const LongRangeSettings& settings, std::ostream& progress) {
    check_settings(settings);
    LongRangeResults results;
    results.vocab_size = settings.model.vocab_size;
    results.budget = settings.budget;
    results.lstm_hidden_size = matched_lstm_hidden_size(settings.model);
    results.transformer_parameters = transformer_parameter_count(settings.model);
    results.lstm_parameters = lstm_parameter_count(settings.model, results.lstm_hidden_size);
    progress << fmt::format("models: Transformer ({} layers, E = {}, {} heads) {} parameters; LSTM (H = {}) {} parameters\n",
                            settings.model.num_layers, settings.model.embed_dim, settings.model.num_heads,
                            results.transformer_parameters, results.lstm_hidden_size, results.lstm_parameters)
             << std::flush;

    // The models are built from generators of their own (seed, seed + 1), so each starts the same in every
    // measurement; the data come from a third (seed + 2).
    const auto generators = [&] { return std::pair{Generator(settings.seed), Generator(settings.seed + 1)}; };
    Generator data_generator(settings.seed + 2);
    const int64_t longest = *std::max_element(settings.distances.begin(), settings.distances.end());
    const int64_t reach_length = longest + 1;

    if (settings.learning) {
        // 0. Each model's learning rate: the best of settings.learning_rates at the shortest distance.
        const int64_t shortest = *std::min_element(settings.distances.begin(), settings.distances.end());
        std::map<std::string, std::pair<double, DistanceResult>> best;  // model -> (rate, its result)
        for (double rate : settings.learning_rates) {
            auto [transformer_generator, lstm_generator] = generators();
            ModelPair models = make_models(settings, results.lstm_hidden_size, transformer_generator, lstm_generator);
            TrainingBudget budget = settings.budget;
            budget.learning_rate = rate;
            for (SequenceModel* model : {models.transformer.get(), models.lstm.get()}) {
                const DistanceResult result = train_at_distance(*model, shortest, budget, data_generator);
                results.learning_rate_trials.push_back({model->label(), rate, result});
                progress << fmt::format("learning rate {:<7g} at d = {:<5} {:<12} accuracy {:.3f}  loss {:.3f}\n", rate,
                                        shortest, model->label(), result.accuracy, result.final_loss)
                         << std::flush;
                // The best accuracy; on a tie the smaller rate: one that just suffices at the easiest distance is
                // the less likely to be too large at the harder ones (a Transformer learns d = 10 at every rate).
                auto found = best.find(model->label());
                if (found == best.end() || result.accuracy > found->second.second.accuracy ||
                    (result.accuracy == found->second.second.accuracy && rate < found->second.first))
                    best[model->label()] = {rate, result};
            }
        }
        results.transformer_learning_rate = best.at("Transformer").first;
        results.lstm_learning_rate = best.at("LSTM").first;
        auto budget_for = [&](const SequenceModel& model) {
            TrainingBudget budget = settings.budget;
            budget.learning_rate = model.label() == "LSTM" ? results.lstm_learning_rate : results.transformer_learning_rate;
            return budget;
        };

        // 1. Gradient reach at initialisation, and 2. learning at a distance (which leaves the models trained
        //    at the longest distance for the reach after training).
        ModelPair trained;
        for (int64_t d : settings.distances) {
            auto [transformer_generator, lstm_generator] = generators();
            ModelPair models = make_models(settings, results.lstm_hidden_size, transformer_generator, lstm_generator);
            if (d == longest && results.reach.empty()) {
                for (SequenceModel* model : {models.transformer.get(), models.lstm.get()})
                    results.reach.push_back({model->label(), "initial",
                                             gradient_reach(*model, reach_length, settings.reach_batch, data_generator)});
            }
            for (SequenceModel* model : {models.transformer.get(), models.lstm.get()}) {
                // At the shortest distance the chosen rate's trial is this very training: keep it, not a re-run
                // on other batches (it would say less about the rate it was chosen by).
                const DistanceResult result = d == shortest && d != longest
                                                  ? best.at(model->label()).second
                                                  : train_at_distance(*model, d, budget_for(*model), data_generator);
                progress << fmt::format("recall at d = {:<5} {:<12} accuracy {:.3f}  loss {:.3f}  ({:.1f} s)\n", d,
                                        model->label(), result.accuracy, result.final_loss, result.seconds)
                         << std::flush;
                results.distances.push_back({model->label(), result});
            }
            if (d == longest) trained = std::move(models);
        }
        for (SequenceModel* model : {trained.transformer.get(), trained.lstm.get()})
            results.reach.push_back({model->label(), fmt::format("trained (d = {})", longest),
                                     gradient_reach(*model, reach_length, settings.reach_batch, data_generator)});
        progress << fmt::format("gradient reach measured over {} positions\n", reach_length) << std::flush;
    }
    if (settings.timing) {
        // 3. Parallelism: training-step time against length, on each thread count; then decoding.
        for (int64_t length : settings.step_lengths) {
            auto [transformer_generator, lstm_generator] = generators();
            SequenceModelOptions options = settings.model;
            options.max_length = std::max(options.max_length, length);
            ModelPair models{std::make_unique<TransformerSequenceModel>(options, transformer_generator),
                             std::make_unique<LSTMSequenceModel>(options, results.lstm_hidden_size, lstm_generator)};
            for (int threads : settings.threads) {
                for (SequenceModel* model : {models.transformer.get(), models.lstm.get()}) {
                    results.step_times.push_back(time_training_step(*model, length, settings.step_batch, threads,
                                                                    settings.repeats, data_generator));
                }
            }
            progress << fmt::format("training step timed at T = {}\n", length) << std::flush;
        }
        results.decode_times = time_greedy_decoding(settings.model, results.lstm_hidden_size, settings.decode_lengths,
                                                    settings.decode, data_generator);
        progress << "greedy decoding timed\n" << std::flush;
    }
    return results;
}

}  // namespace tapegrad::long_range
