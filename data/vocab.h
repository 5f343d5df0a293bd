// Vocab: the two-way map between tokens (strings) and ids (integers) that embedding tables index.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tapegrad::data {

// Options for Vocab::build.
struct VocabOptions {
    int64_t min_freq = 1;  // a token must occur at least this often to get its own id (else it maps to UNK)
    int64_t max_size = 0;  // total size including the 4 special tokens; 0 = unlimited, else must be >= 4
};

// Ids 0..3 are always the special tokens, in this order, so that every vocab agrees on them:
//   PAD = 0  fills sequences up to the batch length (and is what padding masks look for),
//   BOS = 1  starts every decoder input,  EOS = 2  ends every target,
//   UNK = 3  stands for a token that is not in the vocab.
// Regular tokens follow from id 4 on.
class Vocab {
public:
    static constexpr int64_t kPadId = 0;
    static constexpr int64_t kBosId = 1;
    static constexpr int64_t kEosId = 2;
    static constexpr int64_t kUnkId = 3;
    static constexpr int64_t kNumSpecial = 4;
    static constexpr std::string_view kPadToken = "<pad>";
    static constexpr std::string_view kBosToken = "<bos>";
    static constexpr std::string_view kEosToken = "<eos>";
    static constexpr std::string_view kUnkToken = "<unk>";

    // A vocab holding only the special tokens.
    Vocab();

    // Counts the tokens of every sequence and gives ids to those seen at least options.min_freq times,
    // most frequent first; ties are broken by the token string (byte order, ascending), so the same corpus
    // always yields the same ids. Tokens spelled like a special token count as that special token.
    static Vocab build(const std::vector<std::vector<std::string>>& sequences, VocabOptions options = {});

    // A vocab from tokens in id order; the first four must be the special tokens and none may repeat.
    static Vocab from_tokens(std::vector<std::string> tokens);

    static constexpr int64_t pad_id() { return kPadId; }
    static constexpr int64_t bos_id() { return kBosId; }
    static constexpr int64_t eos_id() { return kEosId; }
    static constexpr int64_t unk_id() { return kUnkId; }

    int64_t size() const { return static_cast<int64_t>(tokens_.size()); }
    bool contains(std::string_view token) const;
    // The id of `token`, or unk_id() when it is not in the vocab.
    int64_t id(std::string_view token) const;
    // The token with this id; throws std::out_of_range naming the id and the vocab size.
    const std::string& token(int64_t id) const;
    // Every token in id order.
    const std::vector<std::string>& tokens() const { return tokens_; }

    // Tokens -> ids (unknown tokens -> unk_id()).
    std::vector<int64_t> encode(const std::vector<std::string>& tokens) const;
    // Ids -> tokens. With strip_special, PAD, BOS and EOS are dropped (UNK stays: it stands for a real
    // token). Throws std::out_of_range on an id outside [0, size()).
    std::vector<std::string> decode(const std::vector<int64_t>& ids, bool strip_special = true) const;

    // JSON text {"format": "tapegrad.vocab", "version": 1, "tokens": [...]} with tokens in id order;
    // from_json(to_json()) is an exact round trip. from_json throws std::invalid_argument on malformed input.
    std::string to_json() const;
    static Vocab from_json(const std::string& json);

    bool operator==(const Vocab& other) const { return tokens_ == other.tokens_; }

private:
    // Validates and indexes tokens in id order (see from_tokens).
    explicit Vocab(std::vector<std::string> tokens);

    std::vector<std::string> tokens_;
    // Transparent hashing so that id(std::string_view) does not allocate.
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
    };
    std::unordered_map<std::string, int64_t, StringHash, std::equal_to<>> ids_;
};

}  // namespace tapegrad::data
