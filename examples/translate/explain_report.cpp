// explain_sentence: the sentence checked, translated, and every attention module's weights collected.
#include "examples/translate/explain_report.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <fmt/format.h>

#include "autograd/ops/reduce.h"
#include "autograd/tape.h"
#include "data/vocab.h"
#include "examples/translate/decode.h"
#include "examples/translate/svg.h"
#include "nn/attention_module.h"

namespace tapegrad::translate {

namespace {

constexpr int64_t max_listed_vocabulary = 120;  // list the known tokens when there are at most this many

// Tokens the vocabulary maps to UNK, with their 1-based character positions in the sentence.
std::string unknown_tokens(const std::string& sentence, const std::vector<std::string>& tokens, const Language& source) {
    std::vector<std::string> found;
    std::size_t cursor = 0;
    for (const std::string& token : tokens) {
        std::string text = token;  // what the token covers in the sentence (BPE marks a word's end with "</w>")
        if (text.size() > 4 && text.ends_with("</w>")) text.resize(text.size() - 4);
        const std::size_t at = text.empty() ? std::string::npos : sentence.find(text, cursor);
        if (at != std::string::npos) cursor = at + text.size();
        if (source.vocab.id(token) != data::Vocab::unk_id() || token == data::Vocab::kUnkToken) continue;
        found.push_back(at == std::string::npos
                            ? fmt::format("'{}'", text)
                            : fmt::format("'{}' at character {}", text, utf8_length(std::string_view(sentence).substr(0, at)) + 1));
    }
    if (found.empty()) return "";
    const std::string kind = source.tokenizer->name();
    const std::string noun = kind == "char" ? "characters" : kind == "word" ? "words" : "symbols";
    std::string message = fmt::format("the sentence has {} the model never saw in training: {}", noun, fmt::join(found, ", "));
    const int64_t known = source.vocab.size() - data::Vocab::kNumSpecial;
    if (known <= max_listed_vocabulary) {
        std::vector<std::string> listed;
        for (int64_t id = data::Vocab::kNumSpecial; id < source.vocab.size(); ++id) listed.push_back(source.vocab.token(id));
        std::sort(listed.begin(), listed.end());
        message += fmt::format(" (its source vocabulary has {} {}: {})", known, kind == "char" ? "characters" : "tokens",
                               kind == "char" ? fmt::format("\"{}\"", fmt::join(listed, "")) : fmt::format("{}", fmt::join(listed, " ")));
    } else {
        message += fmt::format(" (its source vocabulary has {} tokens)", known);
    }
    return message;
}

// (1, H, T, S) -> [head][t][s]
std::vector<AttentionMatrix> per_head(const Tensor& weights) {
    const int64_t H = weights.size(1), T = weights.size(2), S = weights.size(3);
    const std::vector<double> values = weights.contiguous().to_vector<double>();
    std::vector<AttentionMatrix> heads(static_cast<std::size_t>(H), AttentionMatrix(static_cast<std::size_t>(T)));
    for (int64_t h = 0; h < H; ++h)
        for (int64_t t = 0; t < T; ++t) {
            const auto begin = values.begin() + (h * T + t) * S;
            heads[h][t].assign(begin, begin + S);
        }
    return heads;
}

// Every attention module records its weights while this lives, and forgets them after, even on a throw.
class RecordingAttention {
public:
    explicit RecordingAttention(nn::Module& model) : modules_(nn::attention_modules(model)) {
        for (auto& [name, attention] : modules_) attention->record_weights = true;
    }
    ~RecordingAttention() {
        for (auto& [name, attention] : modules_) {
            attention->record_weights = false;
            attention->clear_recorded_weights();
        }
    }
    RecordingAttention(const RecordingAttention&) = delete;
    RecordingAttention& operator=(const RecordingAttention&) = delete;
    const std::vector<std::pair<std::string, nn::AttentionModule*>>& modules() const { return modules_; }

private:
    std::vector<std::pair<std::string, nn::AttentionModule*>> modules_;
};

}  // namespace

ExplainReport explain_sentence(nn::Seq2SeqTransformer& model, const Experiment& experiment, const std::string& sentence,
                               const std::string& checkpoint, int64_t steps) {
    if (std::all_of(sentence.begin(), sentence.end(), [](unsigned char c) { return std::isspace(c); }))
        throw std::invalid_argument("the sentence is empty: give the text to explain, e.g. explain --checkpoint DIR \"27 Nov 2026\"");
    const std::vector<std::string> tokens = experiment.source.tokenizer->tokenize(sentence);
    if (tokens.empty())
        throw std::invalid_argument(fmt::format("the sentence \"{}\" has no tokens for the {} tokenizer", sentence,
                                                experiment.source.tokenizer->name()));
    if (const std::string unknown = unknown_tokens(sentence, tokens, experiment.source); !unknown.empty())
        throw std::invalid_argument(unknown);
    const int64_t max_len = experiment.config.max_len;
    if (static_cast<int64_t>(tokens.size()) > max_len)
        throw std::invalid_argument(fmt::format("the sentence has {} tokens, more than the model's max_len of {}",
                                                tokens.size(), max_len));

    NoGradGuard no_grad;
    model.eval();
    const std::vector<int64_t> source_ids = experiment.source.vocab.encode(tokens);
    const int64_t S = static_cast<int64_t>(source_ids.size());
    const Tensor source = from_vector(source_ids, {1, S});
    // As evaluate() does: an untrained model would otherwise run to max_len.
    const std::vector<int64_t> output = greedy_decode(model, source, std::min(max_len - 1, 2 * S + 10))[0];

    // Once more over the whole output, every attention module recording: (1, H, T, S) each.
    const RecordingAttention recording(model);
    std::vector<int64_t> target_input{data::Vocab::bos_id()};
    target_input.insert(target_input.end(), output.begin(), output.end());
    const int64_t T = static_cast<int64_t>(target_input.size());
    const Tensor logits = model.decode(from_vector(target_input, {1, T}), model.encode(source), source);  // (1, T, V)
    const std::vector<int64_t> written_ids = argmax(logits, -1).reshape({T}).to_vector<int64_t>();

    ExplainReport report;
    report.sentence = sentence;
    report.translation = experiment.target.decode(output);
    report.checkpoint = checkpoint;
    report.tokenizer = experiment.source.tokenizer->name();
    const auto& options = model.options();
    report.model = fmt::format("{} encoder + {} decoder layers, {} heads of {} dimensions (embed_dim {}), {} tokens, {} "
                               "training steps",
                               options.num_encoder_layers, options.num_decoder_layers, options.num_heads,
                               options.embed_dim / options.num_heads, options.embed_dim, report.tokenizer, steps);

    AttentionMapAxes source_axes, decoder_axes;
    source_axes.query_tokens = source_axes.key_tokens = tokens;
    for (int64_t id : target_input) decoder_axes.query_tokens.push_back(experiment.target.vocab.token(id));
    for (int64_t id : written_ids) decoder_axes.written_tokens.push_back(experiment.target.vocab.token(id));
    decoder_axes.key_tokens = decoder_axes.query_tokens;
    AttentionMapAxes cross_axes = decoder_axes;
    cross_axes.key_tokens = tokens;
    cross_axes.label_query_tokens = false;

    report.kinds = {{nn::AttentionKind::encoder_self, source_axes, {}},
                    {nn::AttentionKind::decoder_self, decoder_axes, {}},
                    {nn::AttentionKind::cross, cross_axes, {}}};
    for (const auto& [name, attention] : recording.modules()) {
        const std::optional<nn::AttentionSite> site = nn::attention_site(name);
        if (!site) continue;
        auto& layers = report.kinds[static_cast<std::size_t>(site->kind)].weights;
        if (static_cast<int64_t>(layers.size()) <= site->layer) layers.resize(static_cast<std::size_t>(site->layer + 1));
        layers[static_cast<std::size_t>(site->layer)] = per_head(attention->last_weights());
    }
    return report;
}

}  // namespace tapegrad::translate
