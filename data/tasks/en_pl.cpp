// The en-pl task: rendering a sentence structure in English and in Polish.
#include "data/tasks/en_pl.h"

#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "data/tasks/en_pl_grammar.h"
#include "data/tasks/en_pl_lexicon.h"

namespace tapegrad::data {

namespace en_pl {

namespace {

bool counts_as_plural(const NounPhrase& phrase) { return phrase.numeral >= 2 || (phrase.numeral == 0 && phrase.plural); }

bool starts_with_vowel(std::string_view word) {
    return !word.empty() && std::string_view("aeiou").find(word.front()) != std::string_view::npos;
}

void check_phrase(const NounPhrase& phrase, const char* role) {
    if (phrase.numeral < 0 || phrase.numeral > 5)
        throw std::invalid_argument(fmt::format("translate: {} numeral must be 0..5, got {}", role, phrase.numeral));
    if (!phrase.possessor.empty() && !(find_noun(phrase.possessor).tags & tag::kPerson))
        throw std::invalid_argument(fmt::format("translate: {} possessor '{}' is not a person", role, phrase.possessor));
}

// "the boy's two big dogs", "a big dog", "an old cat"
std::vector<std::string> english_phrase(const NounPhrase& phrase) {
    const Noun& noun = find_noun(phrase.noun);
    const std::string_view head = counts_as_plural(phrase) ? noun.english_plural : noun.english;
    const std::string_view next_word = phrase.adjective.empty() ? head : std::string_view(phrase.adjective);
    std::vector<std::string> words;
    if (!phrase.possessor.empty()) {
        words.push_back("the");
        words.push_back(fmt::format("{}'s", find_noun(phrase.possessor).english));
    }
    if (phrase.numeral > 0) {
        words.emplace_back(numerals()[static_cast<std::size_t>(phrase.numeral - 1)].english);
    } else if (phrase.possessor.empty()) {
        const bool indefinite = phrase.article == Article::A && !phrase.plural;
        words.push_back(!indefinite ? "the" : starts_with_vowel(next_word) ? "an" : "a");
    }
    if (!phrase.adjective.empty()) words.emplace_back(find_adjective(phrase.adjective).english);
    words.emplace_back(head);
    return words;
}

// [numeral] [adjective] noun [possessor in the genitive], in `phrase_case`.
std::vector<std::string> polish_phrase(const NounPhrase& phrase, Case phrase_case) {
    const Noun& noun = find_noun(phrase.noun);
    Government government{phrase_case, phrase.plural};
    std::vector<std::string> words;
    if (phrase.numeral > 0) {
        const Numeral& numeral = numerals()[static_cast<std::size_t>(phrase.numeral - 1)];
        government = numeral_government(phrase.numeral, phrase_case);
        words.emplace_back(numeral_form(numeral, phrase_case, noun.gender));
    }
    if (!phrase.adjective.empty())
        words.push_back(adjective_form(find_adjective(phrase.adjective), government.noun_case, noun.gender,
                                       government.plural));
    words.emplace_back(noun_form(noun, government.noun_case, government.plural));
    if (!phrase.possessor.empty()) words.emplace_back(noun_form(find_noun(phrase.possessor), Case::Genitive, false));
    return words;
}

// What the verb agrees with. A subject counted by 5 takes a 3rd person singular neuter verb (pięć kotów widziało).
Agreement subject_agreement(const Sentence& sentence) {
    if (!sentence.pronoun.empty()) {
        const Pronoun& pronoun = find_pronoun(sentence.pronoun);
        return {pronoun.person, pronoun.plural, pronoun.gender};
    }
    if (sentence.subject.numeral == 5) return {3, false, Gender::Neuter};
    return {3, counts_as_plural(sentence.subject), find_noun(sentence.subject.noun).gender};
}

bool english_third_singular(const Sentence& sentence) {
    if (!sentence.pronoun.empty()) return sentence.pronoun == "he" || sentence.pronoun == "she";
    return !counts_as_plural(sentence.subject);
}

std::vector<std::string> english_verb(const Sentence& sentence, const Verb& verb) {
    const bool third_singular = english_third_singular(sentence);
    const bool past = sentence.tense == Tense::Past;
    std::vector<std::string> words;
    if (&verb == &copula()) {
        if (past) words.push_back(third_singular || sentence.pronoun == "I" ? "was" : "were");
        else words.push_back(sentence.pronoun == "I" ? "am" : third_singular ? "is" : "are");
        if (sentence.negated) words.push_back("not");
    } else if (sentence.negated) {
        words.push_back(past ? "did" : third_singular ? "does" : "do");
        words.push_back("not");
        words.emplace_back(verb.english);
    } else {
        words.emplace_back(past ? verb.english_past : third_singular ? verb.english_3sg : verb.english);
    }
    return words;
}

void append(std::vector<std::string>& words, std::vector<std::string> more) {
    for (auto& word : more) words.push_back(std::move(word));
}

std::string finish(const std::vector<std::string>& words) {
    return capitalize_first(fmt::format("{}", fmt::join(words, " "))) + ".";
}

void check_sentence(const Sentence& sentence, const Verb& verb) {
    const bool is_copula = &verb == &copula();
    if (sentence.pronoun.empty() == sentence.subject.noun.empty())
        throw std::invalid_argument("translate: give exactly one of pronoun and subject");
    if (is_copula && (sentence.predicate.empty() || !sentence.object.noun.empty()))
        throw std::invalid_argument("translate: \"be\" needs a predicate adjective and no object");
    if (!is_copula && (sentence.object.noun.empty() || !sentence.predicate.empty()))
        throw std::invalid_argument(fmt::format("translate: '{}' needs an object and no predicate", sentence.verb));
    if (is_copula && sentence.subject.numeral == 5)
        throw std::invalid_argument("translate: \"be\" with a subject counted by 5 is not supported");
    check_phrase(sentence.subject, "subject");
    check_phrase(sentence.object, "object");
    if (!sentence.adverb.empty()) {
        const Adverb& adverb = find_adverb(sentence.adverb);
        const bool past = sentence.tense == Tense::Past;
        if ((adverb.tense == AdverbTense::PastOnly && !past) || (adverb.tense == AdverbTense::PresentOnly && past))
            throw std::invalid_argument(fmt::format("translate: '{}' does not fit the {} tense", sentence.adverb,
                                                    past ? "past" : "present"));
    }
}

}  // namespace

SentencePair translate(const Sentence& sentence) {
    const Verb& verb = find_verb(sentence.verb);
    check_sentence(sentence, verb);
    const bool is_copula = &verb == &copula();
    const Agreement agreement = subject_agreement(sentence);

    std::vector<std::string> english;
    if (!sentence.pronoun.empty()) english.emplace_back(find_pronoun(sentence.pronoun).english);
    else append(english, english_phrase(sentence.subject));
    append(english, english_verb(sentence, verb));
    if (is_copula) english.emplace_back(find_adjective(sentence.predicate).english);
    else append(english, english_phrase(sentence.object));
    if (!sentence.adverb.empty()) english.push_back(sentence.adverb);

    std::vector<std::string> polish;
    if (!sentence.adverb.empty()) polish.emplace_back(find_adverb(sentence.adverb).polish);
    if (!sentence.pronoun.empty()) {
        if (agreement.person == 3) polish.emplace_back(find_pronoun(sentence.pronoun).polish);  // 1st, 2nd dropped
    } else {
        append(polish, polish_phrase(sentence.subject, Case::Nominative));
    }
    if (sentence.negated) polish.push_back("nie");
    polish.push_back(sentence.tense == Tense::Past ? past_form(verb, agreement)
                                                   : std::string(present_form(verb, agreement)));
    if (is_copula) {
        polish.push_back(adjective_form(find_adjective(sentence.predicate), Case::Nominative, agreement.gender,
                                        agreement.plural));
    } else {
        // Negation turns the object genitive ("nie widzę kota"); otherwise the verb decides.
        append(polish, polish_phrase(sentence.object, sentence.negated ? Case::Genitive : verb.object_case));
    }
    return {finish(english), finish(polish)};
}

}  // namespace en_pl

}  // namespace tapegrad::data
