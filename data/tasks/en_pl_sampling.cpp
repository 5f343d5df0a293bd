// The en-pl task: sampling sentences that make sense, and the corpus generator.
#include <stdexcept>

#include <fmt/format.h>

#include "base/generator.h"
#include "data/tasks/en_pl.h"
#include "data/tasks/en_pl_lexicon.h"

namespace tapegrad::data {

namespace en_pl {

namespace {

// Small helpers over the generator, so the sampling code reads like the rates in en_pl.h.
class Dice {
public:
    explicit Dice(Generator& generator) : generator_(generator) {}
    bool chance(double probability) { return generator_.next_double() < probability; }
    int64_t integer(int64_t low, int64_t high) { return generator_.next_int(low, high + 1); }  // [low, high]
    template <typename T> const T& pick(const std::vector<const T*>& options) {
        if (options.empty()) throw std::logic_error("en_pl::sample_sentence: nothing to pick from");
        return *options[static_cast<std::size_t>(generator_.next_int(0, static_cast<int64_t>(options.size())))];
    }

private:
    Generator& generator_;
};

std::vector<const Noun*> nouns_with(Tags tags, std::string_view except = {}) {
    std::vector<const Noun*> found;
    for (const auto& noun : nouns())
        if ((noun.tags & tags) && noun.english != except) found.push_back(&noun);
    return found;
}

std::vector<const Adjective*> adjectives_for(Tags tags) {
    std::vector<const Adjective*> found;
    for (const auto& adjective : adjectives())
        if (adjective.applies_to & tags) found.push_back(&adjective);
    return found;
}

struct PhraseRates {
    double numeral = 0, plural = 0, adjective = 0, possessor = 0, indefinite = 0;
    int min_numeral = 1;
};

NounPhrase sample_phrase(Dice& dice, const Noun& noun, const PhraseRates& rates) {
    NounPhrase phrase{.noun = std::string(noun.english)};
    if (dice.chance(rates.numeral)) phrase.numeral = static_cast<int>(dice.integer(rates.min_numeral, 5));
    else phrase.plural = dice.chance(rates.plural);
    if (dice.chance(rates.adjective)) phrase.adjective = dice.pick(adjectives_for(noun.tags)).english;
    if (phrase.numeral == 0 && dice.chance(rates.possessor))
        phrase.possessor = dice.pick(nouns_with(tag::kPerson, noun.english)).english;
    if (phrase.numeral == 0 && !phrase.plural && phrase.possessor.empty() && dice.chance(rates.indefinite))
        phrase.article = Article::A;
    return phrase;
}

std::vector<const Pronoun*> all_pronouns() {
    std::vector<const Pronoun*> found;
    for (const auto& pronoun : pronouns()) found.push_back(&pronoun);
    return found;
}

std::vector<const Verb*> all_verbs() {
    std::vector<const Verb*> found;
    for (const auto& verb : verbs()) found.push_back(&verb);
    return found;
}

std::vector<const Adverb*> adverbs_for(Tense tense) {
    std::vector<const Adverb*> found;
    for (const auto& adverb : adverbs()) {
        const bool past = tense == Tense::Past;
        if (adverb.tense == AdverbTense::Any || (adverb.tense == AdverbTense::PastOnly) == past) found.push_back(&adverb);
    }
    return found;
}

}  // namespace

Sentence sample_sentence(Generator& generator) {
    Dice dice(generator);
    Sentence sentence;
    sentence.tense = dice.chance(0.5) ? Tense::Past : Tense::Present;
    sentence.negated = dice.chance(0.3);
    const bool is_copula = dice.chance(0.25);
    const bool pronoun_subject = dice.chance(0.3);

    if (is_copula) {
        sentence.verb = "be";
        Tags subject_tags = tag::kPerson;
        if (pronoun_subject) {
            sentence.pronoun = dice.pick(all_pronouns()).english;
        } else {
            const Noun& noun = dice.pick(nouns_with(tag::kAnything));
            sentence.subject = sample_phrase(dice, noun, {.plural = 0.3, .possessor = 0.1, .indefinite = 0.3});
            subject_tags = noun.tags;
        }
        sentence.predicate = dice.pick(adjectives_for(subject_tags)).english;
    } else {
        const Verb& verb = dice.pick(all_verbs());
        sentence.verb = verb.english;
        std::string_view subject_noun;
        if (pronoun_subject && (verb.subjects & tag::kPerson)) {
            sentence.pronoun = dice.pick(all_pronouns()).english;
        } else {
            const Noun& noun = dice.pick(nouns_with(verb.subjects));
            sentence.subject = sample_phrase(
                dice, noun, {.numeral = 0.15, .plural = 0.25, .adjective = 0.25, .possessor = 0.1, .indefinite = 0.2});
            subject_noun = noun.english;
        }
        // "one" under negation reads oddly in English ("does not see one cat"), so negated objects count from 2.
        const Noun& object = dice.pick(nouns_with(verb.objects, subject_noun));
        sentence.object = sample_phrase(dice, object,
                                        {.numeral = 0.25, .plural = 0.25, .adjective = 0.3, .possessor = 0.1,
                                         .indefinite = 0.3, .min_numeral = sentence.negated ? 2 : 1});
    }
    if (dice.chance(0.2)) sentence.adverb = dice.pick(adverbs_for(sentence.tense)).english;
    return sentence;
}

}  // namespace en_pl

std::vector<SentencePair> generate_en_pl(int64_t n, uint64_t seed) {
    if (n < 0) throw std::invalid_argument(fmt::format("generate_en_pl: n must be >= 0, got {}", n));
    Generator generator(seed);
    std::vector<SentencePair> pairs;
    pairs.reserve(static_cast<std::size_t>(n));
    for (int64_t i = 0; i < n; ++i) pairs.push_back(en_pl::translate(en_pl::sample_sentence(generator)));
    return pairs;
}

}  // namespace tapegrad::data
