// The en-pl task: hand-checked translations of specific sentences, one grammar rule each.
#include <catch2/catch.hpp>

#include "data/tasks/en_pl.h"

using namespace tapegrad::data;
using namespace tapegrad::data::en_pl;

namespace {

void check_translation(const Sentence& sentence, const std::string& english, const std::string& polish) {
    const SentencePair pair = translate(sentence);
    CHECK(pair.source == english);
    CHECK(pair.target == polish);
}

NounPhrase the(const std::string& noun) { return {.noun = noun}; }

}  // namespace

TEST_CASE("en_pl: pronoun subjects drop in Polish, except the 3rd person", "[data][tasks][en_pl]") {
    check_translation({.pronoun = "I", .verb = "see", .object = the("cat")}, "I see the cat.", "Widzę kota.");
    check_translation({.pronoun = "you", .verb = "see", .object = the("cat")}, "You see the cat.",
                      "Widzisz kota.");
    check_translation({.pronoun = "we", .verb = "have", .object = the("dog")}, "We have the dog.",
                      "Mamy psa.");
    check_translation({.pronoun = "he", .verb = "see", .object = the("cat")}, "He sees the cat.",
                      "On widzi kota.");
    check_translation({.pronoun = "they", .verb = "like", .object = the("cat")}, "They like the cat.",
                      "Oni lubią kota.");
}

TEST_CASE("en_pl: masculine accusative depends on animacy", "[data][tasks][en_pl]") {
    check_translation({.pronoun = "I", .verb = "see", .object = the("table")}, "I see the table.",
                      "Widzę stół.");  // inanimate: accusative = nominative
    check_translation({.pronoun = "I", .verb = "see", .object = the("dog")}, "I see the dog.",
                      "Widzę psa.");   // animate: accusative = genitive
    check_translation({.pronoun = "I", .verb = "see", .object = the("man")}, "I see the man.",
                      "Widzę mężczyznę.");  // masculine noun in -a declines like a feminine one
    NounPhrase boys = the("boy");
    boys.plural = true;
    check_translation({.pronoun = "I", .verb = "see", .object = boys}, "I see the boys.",
                      "Widzę chłopców.");  // masculine personal plural: accusative = genitive
    NounPhrase cats = the("cat");
    cats.plural = true;
    check_translation({.pronoun = "I", .verb = "see", .object = cats}, "I see the cats.", "Widzę koty.");
}

TEST_CASE("en_pl: negation puts the object in the genitive", "[data][tasks][en_pl]") {
    check_translation({.pronoun = "I", .verb = "see", .object = the("book")}, "I see the book.",
                      "Widzę książkę.");
    check_translation({.pronoun = "I", .verb = "see", .object = the("book"), .negated = true},
                      "I do not see the book.", "Nie widzę książki.");
    check_translation({.pronoun = "I", .verb = "see", .object = the("table"), .negated = true},
                      "I do not see the table.", "Nie widzę stołu.");
    check_translation({.pronoun = "she", .verb = "have", .object = the("cat"), .negated = true},
                      "She does not have the cat.", "Ona nie ma kota.");
    NounPhrase two_big_cats{.noun = "cat", .adjective = "big", .numeral = 2};
    check_translation({.pronoun = "I", .verb = "see", .object = two_big_cats, .tense = Tense::Past,
                       .negated = true},
                      "I did not see two big cats.", "Nie widziałem dwóch dużych kotów.");
}

TEST_CASE("en_pl: numerals govern case and number", "[data][tasks][en_pl]") {
    auto counted = [](const std::string& noun, int numeral) {
        return NounPhrase{.noun = noun, .numeral = numeral};
    };
    auto has = [&](const std::string& noun, int numeral) {
        return translate({.subject = the("boy"), .verb = "have", .object = counted(noun, numeral)}).target;
    };
    CHECK(has("cat", 1) == "Chłopiec ma jednego kota.");
    CHECK(has("book", 1) == "Chłopiec ma jedną książkę.");
    CHECK(has("cat", 2) == "Chłopiec ma dwa koty.");       // 2-4: nominative (= accusative) plural
    CHECK(has("book", 2) == "Chłopiec ma dwie książki.");  // feminine "dwie"
    CHECK(has("box", 4) == "Chłopiec ma cztery pudełka.");
    CHECK(has("cat", 5) == "Chłopiec ma pięć kotów.");     // 5: genitive plural
    CHECK(has("book", 5) == "Chłopiec ma pięć książek.");
    CHECK(translate({.pronoun = "I", .verb = "see", .object = counted("boy", 2)}).target ==
          "Widzę dwóch chłopców.");
    CHECK(translate({.pronoun = "I", .verb = "see", .object = counted("boy", 5)}).target ==
          "Widzę pięciu chłopców.");
    // As subjects: 2-4 with a plural verb, 5 with a singular neuter one.
    check_translation({.subject = counted("boy", 2), .verb = "see", .object = the("dog")}, "Two boys see the dog.",
                      "Dwaj chłopcy widzą psa.");
    check_translation({.subject = counted("girl", 3), .verb = "see", .object = the("dog"), .tense = Tense::Past},
                      "Three girls saw the dog.", "Trzy dziewczyny widziały psa.");
    check_translation({.subject = counted("cat", 5), .verb = "see", .object = the("dog"), .tense = Tense::Past},
                      "Five cats saw the dog.", "Pięć kotów widziało psa.");
    check_translation({.subject = counted("boy", 5), .verb = "see", .object = the("dog")}, "Five boys see the dog.",
                      "Pięciu chłopców widzi psa.");
}

TEST_CASE("en_pl: past tense agrees in gender and number", "[data][tasks][en_pl]") {
    auto saw = [](Sentence sentence) {
        sentence.verb = "see";
        sentence.object = the("cat");
        sentence.tense = Tense::Past;
        return translate(sentence).target;
    };
    CHECK(saw({.subject = the("boy")}) == "Chłopiec widział kota.");
    CHECK(saw({.subject = the("girl")}) == "Dziewczyna widziała kota.");
    CHECK(saw({.subject = the("animal")}) == "Zwierzę widziało kota.");
    NounPhrase boys = the("boy"), girls = the("girl");
    boys.plural = girls.plural = true;
    CHECK(saw({.subject = boys}) == "Chłopcy widzieli kota.");
    CHECK(saw({.subject = girls}) == "Dziewczyny widziały kota.");
    CHECK(saw({.pronoun = "I"}) == "Widziałem kota.");
    CHECK(saw({.pronoun = "you"}) == "Widziałeś kota.");
    CHECK(saw({.pronoun = "she"}) == "Ona widziała kota.");
    CHECK(saw({.pronoun = "we"}) == "Widzieliśmy kota.");
    CHECK(saw({.pronoun = "they"}) == "Oni widzieli kota.");
    // Events take the perfective past: "found" is znalazł, not znajdował.
    check_translation({.pronoun = "she", .verb = "find", .object = the("key"), .tense = Tense::Past},
                      "She found the key.", "Ona znalazła klucz.");
    check_translation({.pronoun = "I", .verb = "buy", .object = the("book"), .tense = Tense::Past},
                      "I bought the book.", "Kupiłem książkę.");
}

TEST_CASE("en_pl: adjectives agree and the copula takes a nominative predicate", "[data][tasks][en_pl]") {
    NounPhrase big_dog = the("dog");
    big_dog.adjective = "big";
    check_translation({.pronoun = "I", .verb = "see", .object = big_dog}, "I see the big dog.",
                      "Widzę dużego psa.");
    NounPhrase small_boys = the("boy");
    small_boys.adjective = "small";
    small_boys.plural = true;
    check_translation({.subject = small_boys, .verb = "be", .predicate = "happy"}, "The small boys are happy.",
                      "Mali chłopcy są szczęśliwi.");
    NounPhrase cats = the("cat");
    cats.plural = true;
    check_translation({.subject = cats, .verb = "be", .predicate = "big"}, "The cats are big.", "Koty są duże.");
    check_translation({.pronoun = "she", .verb = "be", .predicate = "tired", .tense = Tense::Past,
                       .negated = true},
                      "She was not tired.", "Ona nie była zmęczona.");
    check_translation({.pronoun = "I", .verb = "be", .predicate = "hungry"}, "I am hungry.",
                      "Jestem głodny.");
    NounPhrase expensive_book = the("book");
    expensive_book.adjective = "expensive";
    check_translation({.pronoun = "I", .verb = "need", .object = expensive_book},
                      "I need the expensive book.", "Potrzebuję drogiej książki.");  // need governs the genitive
}

TEST_CASE("en_pl: word order changes: adverbs first, possessors after the noun", "[data][tasks][en_pl]") {
    check_translation({.subject = the("boy"), .verb = "see", .object = the("cat"), .tense = Tense::Past,
                       .adverb = "yesterday"},
                      "The boy saw the cat yesterday.", "Wczoraj chłopiec widział kota.");
    NounPhrase boys_dog = the("dog");
    boys_dog.possessor = "boy";
    check_translation({.subject = boys_dog, .verb = "see", .object = the("cat")}, "The boy's dog sees the cat.",
                      "Pies chłopca widzi kota.");
    NounPhrase teachers_car = the("car");
    teachers_car.possessor = "teacher";
    check_translation({.pronoun = "I", .verb = "look for", .object = teachers_car, .adverb = "now"},
                      "I look for the teacher's car now.", "Teraz szukam samochodu nauczyciela.");
}

TEST_CASE("en_pl: articles and capitalization", "[data][tasks][en_pl]") {
    NounPhrase an_apple = the("apple");
    an_apple.article = Article::A;
    check_translation({.pronoun = "I", .verb = "eat", .object = an_apple}, "I eat an apple.", "Jem jabłko.");
    NounPhrase a_red_apple = an_apple;
    a_red_apple.adjective = "red";
    CHECK(translate({.pronoun = "I", .verb = "eat", .object = a_red_apple}).source == "I eat a red apple.");
    check_translation({.subject = the("soldier"), .verb = "see", .object = the("cat")}, "The soldier sees the cat.",
                      "Żołnierz widzi kota.");
}

TEST_CASE("en_pl: translate rejects what the grammar does not cover", "[data][tasks][en_pl]") {
    REQUIRE_THROWS_WITH(translate({.pronoun = "I", .verb = "see", .object = the("unicorn")}),
                        Catch::Contains("unicorn"));
    REQUIRE_THROWS_WITH(translate({.pronoun = "I", .verb = "see", .object = the("cat"), .adverb = "yesterday"}),
                        Catch::Contains("yesterday") && Catch::Contains("present"));
    REQUIRE_THROWS_WITH(translate({.pronoun = "I", .verb = "be"}), Catch::Contains("predicate"));
    REQUIRE_THROWS_WITH(translate({.pronoun = "I", .subject = the("boy"), .verb = "see", .object = the("cat")}),
                        Catch::Contains("exactly one"));
    NounPhrase six = the("cat");
    six.numeral = 6;
    REQUIRE_THROWS_WITH(translate({.pronoun = "I", .verb = "see", .object = six}), Catch::Contains("6"));
}
