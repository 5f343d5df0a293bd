// The en-pl task: English sentences and their Polish translations, generated from a small grammar.
//
// A sentence is a structure (subject, verb, object or predicate adjective, tense, negation, time adverb) that is
// rendered twice, once per language, from the lexicon (en_pl_lexicon.h) and the Polish rules (en_pl_grammar.h):
//   "The boy's big dog did not see two cats yesterday." -> "Wczoraj duży pies chłopca nie widział dwóch kotów."
// The mapping is a function: the same English sentence always gets the same Polish one (English "you" is
// singular, and I/you/we/they take one fixed gender), so a model can learn it exactly. Word order differs
// where Polish differs: time adverbs move to the front, possessors follow their noun in the genitive, and 1st
// and 2nd person pronoun subjects are dropped ("I see the cat." -> "Widzę kota.").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/parallel_corpus.h"

namespace tapegrad {
class Generator;
}

namespace tapegrad::data {

namespace en_pl {

enum class Tense { Present, Past };
enum class Article { The, A };  // English only; Polish has no articles

// A noun phrase, by English lemmas: "the boy's two big dogs".
struct NounPhrase {
    std::string noun{};              // singular English noun from the lexicon: "dog" (empty = no phrase)
    std::string adjective{};         // "big" or empty
    int numeral = 0;                 // 0 = none, else 1..5 (1 counts a singular noun, 2..5 a plural one)
    bool plural = false;             // without a numeral: "the dogs"
    Article article = Article::The;  // a singular phrase without numeral or possessor: "the dog" / "a dog"
    std::string possessor{};         // singular English noun owning the head: "boy" -> "the boy's dog"
};

struct Sentence {
    std::string pronoun{};    // "I", "you", "he", "she", "we", "they"; empty: the subject is `subject`
    NounPhrase subject{};
    std::string verb{};       // English base form from the lexicon ("see", "look for"), or "be"
    NounPhrase object{};      // for every verb but "be"
    std::string predicate{};  // for "be": the adjective ("The cat is big.")
    Tense tense = Tense::Present;
    bool negated = false;
    std::string adverb{};     // "yesterday" (past), "today", "now" (present), or empty
};

// Renders both languages: {English, Polish}, each capitalized and ending in ".". Throws std::invalid_argument
// naming the problem for an unknown word, a missing or extra part (object vs predicate), a numeral outside
// 0..5, "be" with a numeral-5 subject, or an adverb that does not fit the tense.
SentencePair translate(const Sentence& sentence);

// A random sentence that makes sense (the verb's subject and object kinds, the adjective's nouns). Rates:
// 25% "be" + adjective; 50% past; 30% negated; 30% pronoun subjects; 20% time adverbs; noun phrases get a
// numeral, a plural, an adjective or a possessor now and then.
Sentence sample_sentence(Generator& generator);

}  // namespace en_pl

// n pairs translate(sample_sentence(...)) from a generator seeded with `seed`. Throws on a negative n.
std::vector<SentencePair> generate_en_pl(int64_t n, uint64_t seed);

}  // namespace tapegrad::data
