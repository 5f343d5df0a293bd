// Experiment: corpus, split, tokenizers and vocabularies of a run.
#include "examples/translate/experiment.h"

#include <cstdio>
#include <stdexcept>

#include <fmt/format.h>

#include "data/bpe_tokenizer.h"
#include "data/tasks/task.h"

namespace tapegrad::translate {
namespace {

std::vector<data::SentencePair> within_max_len(std::vector<data::SentencePair> pairs, const Experiment& experiment) {
    std::vector<data::SentencePair> kept;
    for (auto& pair : pairs)
        if (experiment.fits_max_len(pair)) kept.push_back(std::move(pair));
    return kept;
}

Language learn_language(const TrainConfig& config, const std::vector<std::string>& train_texts) {
    Language language;
    if (config.tokenizer == "bpe") {
        auto bpe = std::make_unique<data::BpeTokenizer>();
        bpe->train(train_texts, config.bpe_merges);
        language.tokenizer = std::move(bpe);
    } else {
        language.tokenizer = data::make_tokenizer(config.tokenizer);
    }
    std::vector<std::vector<std::string>> sequences;
    for (const std::string& text : train_texts) sequences.push_back(language.tokenizer->tokenize(text));
    language.vocab = data::Vocab::build(sequences, {.min_freq = config.min_freq, .max_size = config.max_vocab});
    return language;
}

}  // namespace

std::vector<int64_t> Language::encode(const std::string& text) const { return vocab.encode(tokenizer->tokenize(text)); }

std::vector<std::string> Language::tokens(const std::vector<int64_t>& ids) const {
    std::vector<std::string> out;
    for (int64_t id : ids) {
        if (id == data::Vocab::eos_id()) break;
        if (id == data::Vocab::bos_id() || id == data::Vocab::pad_id()) continue;
        out.push_back(vocab.token(id));
    }
    return out;
}

std::string Language::decode(const std::vector<int64_t>& ids) const { return tokenizer->detokenize(tokens(ids)); }

std::vector<data::SentencePair> load_corpus(const TrainConfig& config) {
    if (!config.data_path.empty()) return data::read_tsv(config.data_path);
    return data::generate_task(config.task, config.num_examples, config.data_seed);
}

int64_t corpus_size(const data::CorpusSplits& splits) {
    return static_cast<int64_t>(splits.train.size() + splits.valid.size() + splits.test.size());
}

std::string few_pairs_warning(int64_t pairs) {
    if (pairs >= kFewPairs) return "";
    return fmt::format("warning: {} pairs: metrics on so few sentences are noisy", pairs);
}

void print_training_data_notes(const Experiment& experiment) {
    if (const std::string warning = few_pairs_warning(corpus_size(experiment.splits)); !warning.empty())
        fmt::print(stderr, "{}\n", warning);
    if (experiment.splits.valid.empty()) fmt::print("validation split is empty: no validation metrics\n");
    std::fflush(stdout);
}

bool Experiment::fits_max_len(const data::SentencePair& pair) const {
    return static_cast<int64_t>(source.tokenizer->tokenize(pair.source).size()) <= config.max_len &&
           static_cast<int64_t>(target.tokenizer->tokenize(pair.target).size()) + 2 <= config.max_len;
}

Experiment Experiment::create(const TrainConfig& config) {
    Experiment experiment;
    experiment.config = config;
    std::vector<data::SentencePair> corpus = load_corpus(config);
    if (corpus.empty() && !config.data_path.empty())
        throw std::invalid_argument(fmt::format(
            "translate train: --data '{}' holds no pairs (expected source<TAB>target lines)", config.data_path));
    experiment.splits = data::split_corpus(corpus, config.valid_fraction, config.test_fraction, config.data_seed);
    std::vector<std::string> sources, targets;
    for (const auto& pair : experiment.splits.train) {
        sources.push_back(pair.source);
        targets.push_back(pair.target);
    }
    experiment.source = learn_language(config, sources);
    experiment.target = learn_language(config, targets);
    for (auto* split : {&experiment.splits.train, &experiment.splits.valid, &experiment.splits.test})
        *split = within_max_len(std::move(*split), experiment);
    if (experiment.splits.train.empty())
        throw std::invalid_argument("translate train: the training split is empty (too few examples, or all too long)");
    return experiment;
}

Experiment Experiment::restore(const TrainConfig& config, const std::string& source_tokenizer_json,
                               const std::string& source_vocab_json, const std::string& target_tokenizer_json,
                               const std::string& target_vocab_json, RestoreSplits splits) {
    Experiment experiment;
    experiment.config = config;
    experiment.source = {data::tokenizer_from_json(source_tokenizer_json), data::Vocab::from_json(source_vocab_json)};
    experiment.target = {data::tokenizer_from_json(target_tokenizer_json), data::Vocab::from_json(target_vocab_json)};
    if (splits == RestoreSplits::skip) return experiment;
    experiment.splits = data::split_corpus(load_corpus(config), config.valid_fraction, config.test_fraction,
                                           config.data_seed);
    for (auto* split : {&experiment.splits.train, &experiment.splits.valid, &experiment.splits.test})
        *split = within_max_len(std::move(*split), experiment);
    return experiment;
}

void Experiment::encode(const std::vector<data::SentencePair>& pairs, std::vector<std::vector<int64_t>>& source_ids,
                        std::vector<std::vector<int64_t>>& target_ids) const {
    source_ids.clear();
    target_ids.clear();
    for (const auto& pair : pairs) {
        source_ids.push_back(source.encode(pair.source));
        target_ids.push_back(target.encode(pair.target));
    }
}

}  // namespace tapegrad::translate
