// Polish inflection for the en-pl task: which form of a noun, adjective, numeral or verb a sentence needs.
//
// The rules, in brief (docs/data.md has examples):
//  - Case. Subjects and predicate adjectives are nominative. Objects take the verb's case (accusative for most,
//    genitive for szukać "look for" and potrzebować "need"); under negation ("nie") every object is genitive.
//  - Accusative. Feminine nouns have their own form (książkę); masculine personal and animate nouns take the
//    genitive in the singular (widzę kota), masculine inanimate nouns the nominative (widzę stół); in the
//    plural only masculine personal nouns take the genitive (widzę chłopców, but widzę koty).
//  - Adjectives agree with their noun in case, number and gender; the masculine personal plural has its own
//    nominative (mali chłopcy, małe koty).
//  - Numerals (the noun's "government"): 1 agrees like an adjective with a singular noun (jeden kot, jedną
//    książkę); 2-4 take a plural noun in the same case (dwa koty, dwie książki, dwaj chłopcy); 5 takes the
//    genitive plural (pięć kotów, pięciu chłopców) and, as a subject, a 3rd person singular neuter verb
//    (pięć kotów widziało psa).
//  - Past tense verbs agree in gender: widział / widziała / widziało, plural widzieli (masculine personal) /
//    widziały (everything else); 1st and 2nd person add endings: widziałem, widziałaś, widzieliśmy.
#pragma once

#include <string>
#include <string_view>

#include "data/tasks/en_pl_lexicon.h"

namespace tapegrad::data::en_pl {

// The noun in a case and number: noun_form(kot, Accusative, false) == "kota".
std::string_view noun_form(const Noun& noun, Case grammatical_case, bool plural);

// The adjective agreeing with a noun of `gender`: adjective_form(duży, Accusative, MasculineAnimate, false)
// == "dużego". Regular forms are derived from the masculine nominative (-y: duża, duże, dużego, dużą, dużej,
// dużych; -i: wysoka / tania, wysokie, wysokiego, ...); the masculine personal plural comes from the lexicon.
std::string adjective_form(const Adjective& adjective, Case grammatical_case, Gender gender, bool plural);

// The numeral's own form: numeral_form(2, Nominative, Feminine) == "dwie".
std::string_view numeral_form(const Numeral& numeral, Case grammatical_case, Gender gender);

// The case and number of a noun (and its adjective) counted by `value` in a phrase of case `phrase_case`.
struct Government {
    Case noun_case;
    bool plural;
};
Government numeral_government(int value, Case phrase_case);

// Person, number and gender of a subject, which the verb (and a predicate adjective) agree with.
struct Agreement {
    int person = 3;  // 1..3
    bool plural = false;
    Gender gender = Gender::MasculinePersonal;
};

// widzę ... widzą
std::string_view present_form(const Verb& verb, const Agreement& subject);
// widziałem, widziałaś, widział, widziała, widziało, widzieliśmy, widziałyście, widzieli, widziały ...
std::string past_form(const Verb& verb, const Agreement& subject);

// The text with its first letter upper-cased, Polish letters included (ż -> Ż, ł -> Ł, ś -> Ś, ...).
std::string capitalize_first(std::string_view text);

}  // namespace tapegrad::data::en_pl
