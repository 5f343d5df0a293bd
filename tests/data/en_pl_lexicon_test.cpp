// The en-pl lexicon and corpus as a whole: size, consistency of the tables, and a learnable (functional) mapping.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "data/tasks/en_pl.h"
#include "data/tasks/en_pl_grammar.h"
#include "data/tasks/en_pl_lexicon.h"
#include "data/utf8.h"

using namespace tapegrad::data;
using namespace tapegrad::data::en_pl;

TEST_CASE("en_pl lexicon: at least 150 words, English words unique per table", "[data][tasks][en_pl]") {
    CHECK(lexicon_size() >= 150);
    CHECK(nouns().size() >= 100);
    CHECK(verbs().size() >= 30);
    CHECK(adjectives().size() >= 40);
    std::set<std::string_view> english;
    for (const auto& noun : nouns()) {
        CHECK(english.insert(noun.english).second);
        CHECK(english.insert(noun.english_plural).second);  // no "sheep": a plural equal to the singular is ambiguous
    }
    for (const auto& adjective : adjectives()) CHECK(english.insert(adjective.english).second);
    for (const auto& verb : verbs()) {
        CHECK(english.insert(verb.english).second);
        CHECK(verb.english_past != verb.english);  // no "read": the tense must be visible in English
    }
}

TEST_CASE("en_pl lexicon: noun forms follow the accusative rules", "[data][tasks][en_pl]") {
    for (const auto& noun : nouns()) {
        INFO(noun.english << " / " << noun.nominative);
        for (auto form : {noun.nominative, noun.accusative, noun.genitive, noun.nominative_plural, noun.genitive_plural}) {
            CHECK_FALSE(form.empty());
            CHECK(is_valid_utf8(form));
        }
        switch (noun.gender) {
            case Gender::MasculineInanimate:
            case Gender::Neuter: CHECK(noun.accusative == noun.nominative); break;
            case Gender::MasculineAnimate: CHECK(noun.accusative == noun.genitive); break;
            case Gender::MasculinePersonal:  // except masculine nouns in -a: mężczyzna -> mężczyznę
                if (!noun.nominative.ends_with('a')) CHECK(noun.accusative == noun.genitive);
                CHECK(noun.tags & tag::kPerson);
                break;
            case Gender::Feminine: break;
        }
    }
}

TEST_CASE("en_pl lexicon: adjective and verb forms are derived as documented", "[data][tasks][en_pl]") {
    const Adjective& high = find_adjective("fast");  // szybki: a -ki adjective
    CHECK(adjective_form(high, Case::Nominative, Gender::Feminine, false) == "szybka");
    CHECK(adjective_form(high, Case::Genitive, Gender::Feminine, false) == "szybkiej");
    CHECK(adjective_form(high, Case::Accusative, Gender::MasculineAnimate, false) == "szybkiego");
    CHECK(adjective_form(high, Case::Nominative, Gender::MasculinePersonal, true) == "szybcy");
    const Adjective& cheap = find_adjective("cheap");  // tani: a soft stem keeps its i
    CHECK(adjective_form(cheap, Case::Nominative, Gender::Feminine, false) == "tania");
    CHECK(adjective_form(cheap, Case::Accusative, Gender::Feminine, false) == "tanią");
    CHECK(adjective_form(cheap, Case::Genitive, Gender::Neuter, true) == "tanich");
    const Adjective& big = find_adjective("big");
    CHECK(adjective_form(big, Case::Accusative, Gender::MasculineInanimate, false) == "duży");
    CHECK(adjective_form(big, Case::Accusative, Gender::MasculinePersonal, true) == "dużych");
    CHECK(adjective_form(big, Case::Nominative, Gender::Neuter, false) == "duże");

    const Verb& eat = find_verb("eat");
    CHECK(past_form(eat, {.person = 1, .plural = false, .gender = Gender::Feminine}) == "zjadłam");
    CHECK(past_form(eat, {.person = 2, .plural = true, .gender = Gender::Feminine}) == "zjadłyście");
    CHECK(past_form(eat, {.person = 1, .plural = true, .gender = Gender::MasculinePersonal}) == "zjedliśmy");
    CHECK(present_form(eat, {.person = 3, .plural = true}) == "jedzą");
    CHECK(past_form(copula(), {.person = 3, .plural = false, .gender = Gender::Neuter}) == "było");
    CHECK(capitalize_first("łódź") == "Łódź");
    CHECK(capitalize_first("ślimak") == "Ślimak");
}

TEST_CASE("en_pl corpus: each English sentence has exactly one Polish translation", "[data][tasks][en_pl]") {
    const auto pairs = generate_en_pl(20000, 1);
    std::map<std::string, std::string> translation;
    for (const auto& [english, polish] : pairs) {
        auto [it, inserted] = translation.emplace(english, polish);
        if (!inserted) CHECK(it->second == polish);
    }
    CHECK(translation.size() > 15000);  // varied enough that a model cannot memorize a few sentences
}

TEST_CASE("en_pl corpus: sentences cover the grammar", "[data][tasks][en_pl]") {
    const auto pairs = generate_en_pl(5000, 2);
    auto count = [&](auto&& predicate) {
        int total = 0;
        for (const auto& pair : pairs) total += predicate(pair) ? 1 : 0;
        return total;
    };
    auto polish_has = [&](std::string_view word) {
        return count([&](const SentencePair& pair) { return pair.target.find(word) != std::string::npos; });
    };
    auto english_has = [&](std::string_view word) {
        return count([&](const SentencePair& pair) { return pair.source.find(word) != std::string::npos; });
    };
    CHECK(polish_has("Nie ") + polish_has(" nie ") > 1000);  // ~30% negated
    CHECK(english_has(" not ") == polish_has("Nie ") + polish_has(" nie "));
    CHECK(english_has(" five ") + english_has("Five ") > 50);
    CHECK(polish_has("pięciu") > 20);
    CHECK(polish_has("Wczoraj") > 50);
    CHECK(english_has("'s ") > 100);
    CHECK(english_has(" an ") > 10);
    for (const auto& [english, polish] : pairs) {
        CHECK(english.ends_with('.'));
        CHECK(polish.ends_with('.'));
        CHECK(capitalize_first(polish) == polish);
    }
}
