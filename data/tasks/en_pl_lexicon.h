// The English–Polish lexicon of the en-pl task: what each word is and every Polish form the grammar needs.
// The tables themselves are in en_pl_lexicon.cpp; the rules that pick a form are in en_pl_grammar.h.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace tapegrad::data::en_pl {

// Polish grammatical gender, with the three masculine sub-genders that decide the accusative:
//   masculine personal  (chłopiec)          accusative = genitive in singular and plural; its own plural
//                                            adjective and verb forms ("mali chłopcy widzieli")
//   masculine animate   (kot)               accusative singular = genitive ("widzę kota")
//   masculine inanimate (stół)              accusative = nominative ("widzę stół")
enum class Gender { MasculinePersonal, MasculineAnimate, MasculineInanimate, Feminine, Neuter };

enum class Case { Nominative, Accusative, Genitive };

// What a noun denotes, so that sentences make sense ("the boy eats the apple", never "the apple eats the boy").
// A noun carries several tags; a verb or adjective lists the tags it accepts (any one suffices).
using Tags = uint32_t;
namespace tag {
inline constexpr Tags kPerson = 1u << 0, kAnimal = 1u << 1, kFood = 1u << 2, kDrink = 1u << 3,
                      kPortable = 1u << 4,  // small enough to hold, take, lose
                      kReadable = 1u << 5, kWritable = 1u << 6, kOpenable = 1u << 7, kVehicle = 1u << 8,
                      kPlace = 1u << 9, kBuilding = 1u << 10, kFurniture = 1u << 11, kDevice = 1u << 12,
                      kToy = 1u << 13, kDish = 1u << 14, kArtwork = 1u << 15, kPlant = 1u << 16,
                      kThrowable = 1u << 17;
inline constexpr Tags kAnything = ~0u;
}  // namespace tag

struct Noun {
    std::string_view english;         // singular: "cat"
    std::string_view english_plural;  // "cats", "mice"
    Gender gender;
    Tags tags;
    // Polish forms: singular nominative, accusative, genitive; plural nominative, genitive. The plural
    // accusative follows from the gender (masculine personal: = genitive, else = nominative).
    std::string_view nominative, accusative, genitive, nominative_plural, genitive_plural;
};

// Persons and numbers of a subject, in the order of Verb::present: 1sg, 2sg, 3sg, 1pl, 2pl, 3pl.
inline constexpr int kNumPersonNumbers = 6;

struct Verb {
    std::string_view english;       // base form, also after "do not": "see", "look for"
    std::string_view english_3sg;   // "sees", "looks for"
    std::string_view english_past;  // "saw", "looked for"
    std::array<std::string_view, kNumPersonNumbers> present;  // widzę widzisz widzi widzimy widzicie widzą
    std::string_view past;          // 3sg masculine of the English simple past (perfective for events: kupił;
                                    // imperfective for states: widział), the stem of every past form but the
                                    // virile plural: widział-a, -o, -em, -eś, -y
    std::string_view past_virile;   // masculine personal plural: widzieli (-śmy, -ście)
    Case object_case;               // accusative for most verbs; genitive for szukać, potrzebować
    Tags subjects;                  // who can do it
    Tags objects;                   // what it can be done to
};

struct Adjective {
    std::string_view english;
    std::string_view masculine;      // nominative singular masculine: duży, wysoki, tani
    std::string_view virile_plural;  // nominative plural masculine personal, irregular: duzi, wysocy, tani
    Tags applies_to;
};

// Numerals 1..5. Polish forms by case and gender, indexed like Gender: {m. personal, m. animate,
// m. inanimate, feminine, neuter}. The noun they count follows in en_pl_grammar.h's numeral rules.
struct Numeral {
    int value;
    std::string_view english;
    std::array<std::string_view, 5> nominative, accusative, genitive;
};

// Subject pronouns. Polish drops 1st and 2nd person pronouns (the verb ending says who it is: "Widzę kota");
// 3rd person ones stay ("On widzi kota"). English leaves the gender of I/you/we/they open; the task picks
// one fixed reading (masculine, virile plural) so that each English sentence has exactly one translation.
struct Pronoun {
    std::string_view english;   // "I"
    std::string_view polish;    // "ja" (dropped) / "on"
    int person;                 // 1..3
    bool plural;
    Gender gender;
};

enum class AdverbTense { Any, PresentOnly, PastOnly };

// Time adverbs: last in English ("... yesterday."), first in Polish ("Wczoraj ...").
struct Adverb {
    std::string_view english;
    std::string_view polish;
    AdverbTense tense;
};

const std::vector<Noun>& nouns();
const std::vector<Verb>& verbs();       // transitive verbs; the copula "be" is copula() below
const Verb& copula();                   // być: jestem ... są; był, byli
const std::vector<Adjective>& adjectives();
const std::vector<Numeral>& numerals();  // value 1..5 at index value - 1
const std::vector<Pronoun>& pronouns();
const std::vector<Adverb>& adverbs();

// Lookups by English word; each throws std::invalid_argument naming the function and the word.
const Noun& find_noun(std::string_view english);
const Verb& find_verb(std::string_view english);  // "be" finds the copula
const Adjective& find_adjective(std::string_view english);
const Pronoun& find_pronoun(std::string_view english);
const Adverb& find_adverb(std::string_view english);

// Distinct entries in all tables (nouns + verbs incl. "be" + adjectives + numerals + pronouns + adverbs).
int64_t lexicon_size();

}  // namespace tapegrad::data::en_pl
