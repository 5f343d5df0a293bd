// Polish inflection rules for the en-pl task (see en_pl_grammar.h for the rules in words).
#include "data/tasks/en_pl_grammar.h"

#include <stdexcept>

#include <fmt/format.h>

#include "data/utf8.h"

namespace tapegrad::data::en_pl {

namespace {

bool is_masculine(Gender gender) {
    return gender == Gender::MasculinePersonal || gender == Gender::MasculineAnimate ||
           gender == Gender::MasculineInanimate;
}

// The regular forms of an adjective, derived from its masculine nominative singular.
struct AdjectiveForms {
    std::string feminine, neuter, genitive_masculine, accusative_feminine, genitive_feminine, plural, genitive_plural;
};

AdjectiveForms derive_forms(const Adjective& adjective) {
    const std::string masculine(adjective.masculine);
    if (masculine.ends_with('y')) {  // hard stem: duż-y
        const std::string stem = masculine.substr(0, masculine.size() - 1);
        return {stem + "a", stem + "e", stem + "ego", stem + "ą", stem + "ej", stem + "e", masculine + "ch"};
    }
    if (masculine.ends_with('i')) {
        // -ki/-gi (wysoki) drop the i before a and ą (wysoka); soft stems (tani) keep it (tania).
        const bool velar = masculine.ends_with("ki") || masculine.ends_with("gi");
        const std::string a_stem = velar ? masculine.substr(0, masculine.size() - 1) : masculine;
        return {a_stem + "a", masculine + "e", masculine + "ego", a_stem + "ą", masculine + "ej", masculine + "e",
                masculine + "ch"};
    }
    throw std::invalid_argument(fmt::format(
        "adjective_form: '{}' ({}) must end in -y or -i to be declined", adjective.masculine, adjective.english));
}

}  // namespace

std::string_view noun_form(const Noun& noun, Case grammatical_case, bool plural) {
    switch (grammatical_case) {
        case Case::Nominative: return plural ? noun.nominative_plural : noun.nominative;
        case Case::Accusative:
            if (!plural) return noun.accusative;
            return noun.gender == Gender::MasculinePersonal ? noun.genitive_plural : noun.nominative_plural;
        case Case::Genitive: return plural ? noun.genitive_plural : noun.genitive;
    }
    throw std::invalid_argument("noun_form: unknown case");
}

std::string adjective_form(const Adjective& adjective, Case grammatical_case, Gender gender, bool plural) {
    const AdjectiveForms forms = derive_forms(adjective);
    const bool personal = gender == Gender::MasculinePersonal;
    if (plural) {
        switch (grammatical_case) {
            case Case::Nominative: return personal ? std::string(adjective.virile_plural) : forms.plural;
            case Case::Accusative: return personal ? forms.genitive_plural : forms.plural;
            case Case::Genitive: return forms.genitive_plural;
        }
    }
    switch (grammatical_case) {
        case Case::Nominative:
            return is_masculine(gender) ? std::string(adjective.masculine)
                   : gender == Gender::Feminine ? forms.feminine
                                                : forms.neuter;
        case Case::Accusative:
            if (gender == Gender::MasculinePersonal || gender == Gender::MasculineAnimate)
                return forms.genitive_masculine;
            return gender == Gender::MasculineInanimate ? std::string(adjective.masculine)
                   : gender == Gender::Feminine         ? forms.accusative_feminine
                                                        : forms.neuter;
        case Case::Genitive: return gender == Gender::Feminine ? forms.genitive_feminine : forms.genitive_masculine;
    }
    throw std::invalid_argument("adjective_form: unknown case");
}

std::string_view numeral_form(const Numeral& numeral, Case grammatical_case, Gender gender) {
    const auto index = static_cast<std::size_t>(gender);
    switch (grammatical_case) {
        case Case::Nominative: return numeral.nominative[index];
        case Case::Accusative: return numeral.accusative[index];
        case Case::Genitive: return numeral.genitive[index];
    }
    throw std::invalid_argument("numeral_form: unknown case");
}

Government numeral_government(int value, Case phrase_case) {
    if (value < 1 || value > 5)
        throw std::invalid_argument(fmt::format("numeral_government: numerals are 1..5, got {}", value));
    if (value == 1) return {phrase_case, false};
    if (value <= 4) return {phrase_case, true};
    return {Case::Genitive, true};  // 5 and above: the counted noun is genitive plural in every case here
}

std::string_view present_form(const Verb& verb, const Agreement& subject) {
    if (subject.person < 1 || subject.person > 3)
        throw std::invalid_argument(fmt::format("present_form: person must be 1..3, got {}", subject.person));
    return verb.present[static_cast<std::size_t>(subject.person - 1 + (subject.plural ? 3 : 0))];
}

std::string past_form(const Verb& verb, const Agreement& subject) {
    if (subject.person < 1 || subject.person > 3)
        throw std::invalid_argument(fmt::format("past_form: person must be 1..3, got {}", subject.person));
    const std::string stem(verb.past);  // widział
    if (subject.plural) {
        // widzieli-śmy / widziały-śmy
        const std::string base =
            subject.gender == Gender::MasculinePersonal ? std::string(verb.past_virile) : stem + "y";
        return base + (subject.person == 1 ? "śmy" : subject.person == 2 ? "ście" : "");
    }
    // The vowel after -ł- marks gender (widział-a, widział-o); 1st and 2nd person add -m / -ś (masculine -em, -eś).
    const char* vowel = is_masculine(subject.gender) ? (subject.person == 3 ? "" : "e")
                        : subject.gender == Gender::Feminine ? "a"
                                                             : "o";
    return stem + vowel + (subject.person == 1 ? "m" : subject.person == 2 ? "ś" : "");
}

std::string capitalize_first(std::string_view text) {
    if (text.empty()) return {};
    std::u32string code_points = decode_utf8(text);
    char32_t& first = code_points[0];
    if (first >= U'a' && first <= U'z') {
        first = first - U'a' + U'A';
    } else {
        static constexpr std::u32string_view kLower = U"ąćęłńóśźż";
        static constexpr std::u32string_view kUpper = U"ĄĆĘŁŃÓŚŹŻ";
        if (auto at = kLower.find(first); at != kLower.npos) first = kUpper[at];
    }
    return encode_utf8(code_points);
}

}  // namespace tapegrad::data::en_pl
