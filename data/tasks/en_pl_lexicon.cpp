// The en-pl lexicon tables. One line per word; Polish forms are spelled out rather than derived, because Polish
// stems alternate (pies -> psa, stół -> stołu, siostra -> sióstr) and a table is easier to check than rules.
#include "data/tasks/en_pl_lexicon.h"

#include <stdexcept>

#include <fmt/format.h>

namespace tapegrad::data::en_pl {

namespace {

constexpr Gender MP = Gender::MasculinePersonal, MA = Gender::MasculineAnimate, MI = Gender::MasculineInanimate,
                 F = Gender::Feminine, N = Gender::Neuter;
using namespace tag;

// Tag groups used by several verbs and adjectives.
constexpr Tags kLiving = kPerson | kAnimal;
constexpr Tags kThings = kPortable | kVehicle | kDevice | kFurniture | kToy;
constexpr Tags kVisible = kThings | kAnimal | kPerson | kBuilding | kPlace | kPlant | kArtwork;

// english, plural, gender, tags, | nominative, accusative, genitive (singular), nominative, genitive (plural)
const std::vector<Noun> kNouns = {
    // people
    {"boy", "boys", MP, kPerson, "chłopiec", "chłopca", "chłopca", "chłopcy", "chłopców"},
    {"man", "men", MP, kPerson, "mężczyzna", "mężczyznę", "mężczyzny", "mężczyźni", "mężczyzn"},
    {"girl", "girls", F, kPerson, "dziewczyna", "dziewczynę", "dziewczyny", "dziewczyny", "dziewczyn"},
    {"woman", "women", F, kPerson, "kobieta", "kobietę", "kobiety", "kobiety", "kobiet"},
    {"doctor", "doctors", MP, kPerson, "lekarz", "lekarza", "lekarza", "lekarze", "lekarzy"},
    {"teacher", "teachers", MP, kPerson, "nauczyciel", "nauczyciela", "nauczyciela", "nauczyciele", "nauczycieli"},
    {"student", "students", MP, kPerson, "student", "studenta", "studenta", "studenci", "studentów"},
    {"brother", "brothers", MP, kPerson, "brat", "brata", "brata", "bracia", "braci"},
    {"sister", "sisters", F, kPerson, "siostra", "siostrę", "siostry", "siostry", "sióstr"},
    {"neighbor", "neighbors", MP, kPerson, "sąsiad", "sąsiada", "sąsiada", "sąsiedzi", "sąsiadów"},
    {"friend", "friends", MP, kPerson, "przyjaciel", "przyjaciela", "przyjaciela", "przyjaciele", "przyjaciół"},
    {"mother", "mothers", F, kPerson, "matka", "matkę", "matki", "matki", "matek"},
    {"father", "fathers", MP, kPerson, "ojciec", "ojca", "ojca", "ojcowie", "ojców"},
    {"waiter", "waiters", MP, kPerson, "kelner", "kelnera", "kelnera", "kelnerzy", "kelnerów"},
    {"policeman", "policemen", MP, kPerson, "policjant", "policjanta", "policjanta", "policjanci", "policjantów"},
    {"soldier", "soldiers", MP, kPerson, "żołnierz", "żołnierza", "żołnierza", "żołnierze", "żołnierzy"},
    {"king", "kings", MP, kPerson, "król", "króla", "króla", "królowie", "królów"},
    {"actress", "actresses", F, kPerson, "aktorka", "aktorkę", "aktorki", "aktorki", "aktorek"},
    {"nurse", "nurses", F, kPerson, "pielęgniarka", "pielęgniarkę", "pielęgniarki", "pielęgniarki", "pielęgniarek"},
    {"grandmother", "grandmothers", F, kPerson, "babcia", "babcię", "babci", "babcie", "babć"},
    {"grandfather", "grandfathers", MP, kPerson, "dziadek", "dziadka", "dziadka", "dziadkowie", "dziadków"},
    {"cook", "cooks", MP, kPerson, "kucharz", "kucharza", "kucharza", "kucharze", "kucharzy"},
    {"farmer", "farmers", MP, kPerson, "rolnik", "rolnika", "rolnika", "rolnicy", "rolników"},
    {"writer", "writers", MP, kPerson, "pisarz", "pisarza", "pisarza", "pisarze", "pisarzy"},
    {"aunt", "aunts", F, kPerson, "ciocia", "ciocię", "cioci", "ciocie", "cioć"},
    {"uncle", "uncles", MP, kPerson, "wujek", "wujka", "wujka", "wujkowie", "wujków"},
    // animals
    {"cat", "cats", MA, kAnimal, "kot", "kota", "kota", "koty", "kotów"},
    {"dog", "dogs", MA, kAnimal, "pies", "psa", "psa", "psy", "psów"},
    {"horse", "horses", MA, kAnimal, "koń", "konia", "konia", "konie", "koni"},
    {"bird", "birds", MA, kAnimal, "ptak", "ptaka", "ptaka", "ptaki", "ptaków"},
    {"lion", "lions", MA, kAnimal, "lew", "lwa", "lwa", "lwy", "lwów"},
    {"wolf", "wolves", MA, kAnimal, "wilk", "wilka", "wilka", "wilki", "wilków"},
    {"bear", "bears", MA, kAnimal, "niedźwiedź", "niedźwiedzia", "niedźwiedzia", "niedźwiedzie", "niedźwiedzi"},
    {"fox", "foxes", MA, kAnimal, "lis", "lisa", "lisa", "lisy", "lisów"},
    {"rabbit", "rabbits", MA, kAnimal, "królik", "królika", "królika", "króliki", "królików"},
    {"elephant", "elephants", MA, kAnimal, "słoń", "słonia", "słonia", "słonie", "słoni"},
    {"tiger", "tigers", MA, kAnimal, "tygrys", "tygrysa", "tygrysa", "tygrysy", "tygrysów"},
    {"snake", "snakes", MA, kAnimal, "wąż", "węża", "węża", "węże", "węży"},
    {"cow", "cows", F, kAnimal, "krowa", "krowę", "krowy", "krowy", "krów"},
    {"mouse", "mice", F, kAnimal, "mysz", "mysz", "myszy", "myszy", "myszy"},
    {"duck", "ducks", F, kAnimal, "kaczka", "kaczkę", "kaczki", "kaczki", "kaczek"},
    {"goat", "goats", F, kAnimal, "koza", "kozę", "kozy", "kozy", "kóz"},
    {"pig", "pigs", F, kAnimal, "świnia", "świnię", "świni", "świnie", "świń"},
    {"frog", "frogs", F, kAnimal, "żaba", "żabę", "żaby", "żaby", "żab"},
    {"hen", "hens", F, kAnimal, "kura", "kurę", "kury", "kury", "kur"},
    {"monkey", "monkeys", F, kAnimal, "małpa", "małpę", "małpy", "małpy", "małp"},
    {"owl", "owls", F, kAnimal, "sowa", "sowę", "sowy", "sowy", "sów"},
    {"squirrel", "squirrels", F, kAnimal, "wiewiórka", "wiewiórkę", "wiewiórki", "wiewiórki", "wiewiórek"},
    {"animal", "animals", N, kAnimal, "zwierzę", "zwierzę", "zwierzęcia", "zwierzęta", "zwierząt"},
    // food and drink
    {"apple", "apples", N, kFood | kPortable, "jabłko", "jabłko", "jabłka", "jabłka", "jabłek"},
    {"pear", "pears", F, kFood | kPortable, "gruszka", "gruszkę", "gruszki", "gruszki", "gruszek"},
    {"plum", "plums", F, kFood | kPortable, "śliwka", "śliwkę", "śliwki", "śliwki", "śliwek"},
    {"orange", "oranges", F, kFood | kPortable, "pomarańcza", "pomarańczę", "pomarańczy", "pomarańcze", "pomarańczy"},
    {"lemon", "lemons", F, kFood | kPortable, "cytryna", "cytrynę", "cytryny", "cytryny", "cytryn"},
    {"carrot", "carrots", F, kFood | kPortable, "marchewka", "marchewkę", "marchewki", "marchewki", "marchewek"},
    {"sandwich", "sandwiches", F, kFood | kPortable, "kanapka", "kanapkę", "kanapki", "kanapki", "kanapek"},
    {"egg", "eggs", N, kFood | kPortable, "jajko", "jajko", "jajka", "jajka", "jajek"},
    {"cookie", "cookies", N, kFood | kPortable, "ciastko", "ciastko", "ciastka", "ciastka", "ciastek"},
    {"cake", "cakes", N, kFood, "ciasto", "ciasto", "ciasta", "ciasta", "ciast"},
    {"soup", "soups", F, kFood, "zupa", "zupę", "zupy", "zupy", "zup"},
    {"pizza", "pizzas", F, kFood, "pizza", "pizzę", "pizzy", "pizze", "pizz"},
    {"coffee", "coffees", F, kDrink, "kawa", "kawę", "kawy", "kawy", "kaw"},
    {"tea", "teas", F, kDrink, "herbata", "herbatę", "herbaty", "herbaty", "herbat"},
    {"juice", "juices", MI, kDrink, "sok", "sok", "soku", "soki", "soków"},
    {"beer", "beers", N, kDrink, "piwo", "piwo", "piwa", "piwa", "piw"},
    // things: masculine inanimate (accusative = nominative)
    {"table", "tables", MI, kFurniture, "stół", "stół", "stołu", "stoły", "stołów"},
    {"house", "houses", MI, kBuilding | kPlace, "dom", "dom", "domu", "domy", "domów"},
    {"car", "cars", MI, kVehicle, "samochód", "samochód", "samochodu", "samochody", "samochodów"},
    {"bicycle", "bicycles", MI, kVehicle, "rower", "rower", "roweru", "rowery", "rowerów"},
    {"bus", "buses", MI, kVehicle, "autobus", "autobus", "autobusu", "autobusy", "autobusów"},
    {"train", "trains", MI, kVehicle, "pociąg", "pociąg", "pociągu", "pociągi", "pociągów"},
    {"ship", "ships", MI, kVehicle, "statek", "statek", "statku", "statki", "statków"},
    {"letter", "letters", MI, kPortable | kReadable | kWritable, "list", "list", "listu", "listy", "listów"},
    {"phone", "phones", MI, kPortable | kDevice, "telefon", "telefon", "telefonu", "telefony", "telefonów"},
    {"computer", "computers", MI, kDevice, "komputer", "komputer", "komputera", "komputery", "komputerów"},
    {"clock", "clocks", MI, kDevice, "zegar", "zegar", "zegara", "zegary", "zegarów"},
    {"picture", "pictures", MI, kArtwork, "obraz", "obraz", "obrazu", "obrazy", "obrazów"},
    {"key", "keys", MI, kPortable, "klucz", "klucz", "klucza", "klucze", "kluczy"},
    {"umbrella", "umbrellas", MI, kPortable | kOpenable, "parasol", "parasol", "parasola", "parasole", "parasoli"},
    {"hat", "hats", MI, kPortable, "kapelusz", "kapelusz", "kapelusza", "kapelusze", "kapeluszy"},
    {"pencil", "pencils", MI, kPortable, "ołówek", "ołówek", "ołówka", "ołówki", "ołówków"},
    {"pen", "pens", MI, kPortable, "długopis", "długopis", "długopisu", "długopisy", "długopisów"},
    {"notebook", "notebooks", MI, kPortable, "zeszyt", "zeszyt", "zeszytu", "zeszyty", "zeszytów"},
    {"mug", "mugs", MI, kPortable | kDish, "kubek", "kubek", "kubka", "kubki", "kubków"},
    {"plate", "plates", MI, kPortable | kDish, "talerz", "talerz", "talerza", "talerze", "talerzy"},
    {"knife", "knives", MI, kPortable | kDish, "nóż", "nóż", "noża", "noże", "noży"},
    {"ring", "rings", MI, kPortable, "pierścionek", "pierścionek", "pierścionka", "pierścionki", "pierścionków"},
    {"kite", "kites", MI, kToy, "latawiec", "latawiec", "latawca", "latawce", "latawców"},
    {"stone", "stones", MI, kPortable | kThrowable, "kamień", "kamień", "kamienia", "kamienie", "kamieni"},
    {"flower", "flowers", MI, kPlant | kPortable, "kwiat", "kwiat", "kwiatu", "kwiaty", "kwiatów"},
    {"bridge", "bridges", MI, kBuilding | kPlace, "most", "most", "mostu", "mosty", "mostów"},
    {"castle", "castles", MI, kBuilding | kPlace, "zamek", "zamek", "zamku", "zamki", "zamków"},
    {"church", "churches", MI, kBuilding | kPlace, "kościół", "kościół", "kościoła", "kościoły", "kościołów"},
    {"shop", "shops", MI, kBuilding | kPlace, "sklep", "sklep", "sklepu", "sklepy", "sklepów"},
    // things: feminine
    {"book", "books", F, kPortable | kReadable | kWritable | kOpenable, "książka", "książkę", "książki", "książki", "książek"},
    {"newspaper", "newspapers", F, kPortable | kReadable, "gazeta", "gazetę", "gazety", "gazety", "gazet"},
    {"map", "maps", F, kPortable | kReadable, "mapa", "mapę", "mapy", "mapy", "map"},
    {"lamp", "lamps", F, kPortable | kDevice, "lampa", "lampę", "lampy", "lampy", "lamp"},
    {"wardrobe", "wardrobes", F, kFurniture | kOpenable, "szafa", "szafę", "szafy", "szafy", "szaf"},
    {"bag", "bags", F, kPortable | kOpenable, "torba", "torbę", "torby", "torby", "toreb"},
    {"spoon", "spoons", F, kPortable | kDish, "łyżka", "łyżkę", "łyżki", "łyżki", "łyżek"},
    {"glass", "glasses", F, kPortable | kDish, "szklanka", "szklankę", "szklanki", "szklanki", "szklanek"},
    {"bottle", "bottles", F, kPortable | kDish | kOpenable, "butelka", "butelkę", "butelki", "butelki", "butelek"},
    {"ball", "balls", F, kToy | kThrowable, "piłka", "piłkę", "piłki", "piłki", "piłek"},
    {"doll", "dolls", F, kToy, "lalka", "lalkę", "lalki", "lalki", "lalek"},
    {"jacket", "jackets", F, kPortable, "kurtka", "kurtkę", "kurtki", "kurtki", "kurtek"},
    {"shirt", "shirts", F, kPortable, "koszula", "koszulę", "koszuli", "koszule", "koszul"},
    {"guitar", "guitars", F, kPortable, "gitara", "gitarę", "gitary", "gitary", "gitar"},
    {"boat", "boats", F, kVehicle, "łódź", "łódź", "łodzi", "łodzie", "łodzi"},
    {"school", "schools", F, kBuilding | kPlace, "szkoła", "szkołę", "szkoły", "szkoły", "szkół"},
    // things: neuter
    {"window", "windows", N, kOpenable, "okno", "okno", "okna", "okna", "okien"},
    {"box", "boxes", N, kPortable | kOpenable, "pudełko", "pudełko", "pudełka", "pudełka", "pudełek"},
    {"chair", "chairs", N, kFurniture, "krzesło", "krzesło", "krzesła", "krzesła", "krzeseł"},
    {"bed", "beds", N, kFurniture, "łóżko", "łóżko", "łóżka", "łóżka", "łóżek"},
    {"desk", "desks", N, kFurniture, "biurko", "biurko", "biurka", "biurka", "biurek"},
    {"mirror", "mirrors", N, kFurniture, "lustro", "lustro", "lustra", "lustra", "luster"},
    {"radio", "radios", N, kDevice, "radio", "radio", "radia", "radia", "radiów"},
    {"photo", "photos", N, kPortable | kArtwork, "zdjęcie", "zdjęcie", "zdjęcia", "zdjęcia", "zdjęć"},
    {"tree", "trees", N, kPlant, "drzewo", "drzewo", "drzewa", "drzewa", "drzew"},
    {"lake", "lakes", N, kPlace, "jezioro", "jezioro", "jeziora", "jeziora", "jezior"},
    {"city", "cities", N, kPlace, "miasto", "miasto", "miasta", "miasta", "miast"},
};

constexpr Case ACC = Case::Accusative, GEN = Case::Genitive;

// english base, 3sg, past | present 1sg 2sg 3sg 1pl 2pl 3pl | past 3sg masculine, past virile plural | object
// case, subjects, objects. The present is imperfective (znajduję "I find"). The English simple past of an event
// is rendered with the perfective verb (znalazł "found", kupił "bought", zjadł "ate"), the past of a state or an
// activity with the imperfective (widział "saw", miał "had", gonił "chased"). Every past here is regular:
// feminine = masculine + a (znalazła), so verbs whose perfective stem alternates (zamknął / zamknęła,
// wziął / wzięła, przyniósł / przyniosła) are left out.
const std::vector<Verb> kVerbs = {
    {"see", "sees", "saw", {"widzę", "widzisz", "widzi", "widzimy", "widzicie", "widzą"}, "widział", "widzieli", ACC, kLiving, kAnything},
    {"hear", "hears", "heard", {"słyszę", "słyszysz", "słyszy", "słyszymy", "słyszycie", "słyszą"}, "słyszał", "słyszeli", ACC, kLiving, kLiving | kVehicle | kDevice},
    {"have", "has", "had", {"mam", "masz", "ma", "mamy", "macie", "mają"}, "miał", "mieli", ACC, kPerson, kAnimal | kThings | kFood | kDrink},
    {"like", "likes", "liked", {"lubię", "lubisz", "lubi", "lubimy", "lubicie", "lubią"}, "lubił", "lubili", ACC, kLiving, kAnything},
    {"love", "loves", "loved", {"kocham", "kochasz", "kocha", "kochamy", "kochacie", "kochają"}, "kochał", "kochali", ACC, kPerson, kLiving},
    {"buy", "buys", "bought", {"kupuję", "kupujesz", "kupuje", "kupujemy", "kupujecie", "kupują"}, "kupił", "kupili", ACC, kPerson, kThings | kFood | kDrink},
    {"sell", "sells", "sold", {"sprzedaję", "sprzedajesz", "sprzedaje", "sprzedajemy", "sprzedajecie", "sprzedają"}, "sprzedał", "sprzedali", ACC, kPerson, kThings | kFood | kDrink | kAnimal},
    {"eat", "eats", "ate", {"jem", "jesz", "je", "jemy", "jecie", "jedzą"}, "zjadł", "zjedli", ACC, kLiving, kFood},
    {"drink", "drinks", "drank", {"piję", "pijesz", "pije", "pijemy", "pijecie", "piją"}, "wypił", "wypili", ACC, kPerson, kDrink},
    {"write", "writes", "wrote", {"piszę", "piszesz", "pisze", "piszemy", "piszecie", "piszą"}, "napisał", "napisali", ACC, kPerson, kWritable},
    {"draw", "draws", "drew", {"rysuję", "rysujesz", "rysuje", "rysujemy", "rysujecie", "rysują"}, "narysował", "narysowali", ACC, kPerson, kLiving | kVehicle | kBuilding | kFurniture | kPlant},
    {"know", "knows", "knew", {"znam", "znasz", "zna", "znamy", "znacie", "znają"}, "znał", "znali", ACC, kPerson, kPerson | kPlace},
    {"visit", "visits", "visited", {"odwiedzam", "odwiedzasz", "odwiedza", "odwiedzamy", "odwiedzacie", "odwiedzają"}, "odwiedził", "odwiedzili", ACC, kPerson, kPerson | kPlace},
    {"feed", "feeds", "fed", {"karmię", "karmisz", "karmi", "karmimy", "karmicie", "karmią"}, "nakarmił", "nakarmili", ACC, kPerson, kAnimal},
    {"catch", "catches", "caught", {"łapię", "łapiesz", "łapie", "łapiemy", "łapiecie", "łapią"}, "złapał", "złapali", ACC, kLiving, kAnimal | kThrowable},
    {"throw", "throws", "threw", {"rzucam", "rzucasz", "rzuca", "rzucamy", "rzucacie", "rzucają"}, "rzucił", "rzucili", ACC, kPerson, kThrowable},
    {"chase", "chases", "chased", {"gonię", "gonisz", "goni", "gonimy", "gonicie", "gonią"}, "gonił", "gonili", ACC, kLiving, kLiving | kVehicle},
    {"wash", "washes", "washed", {"myję", "myjesz", "myje", "myjemy", "myjecie", "myją"}, "umył", "umyli", ACC, kPerson, kAnimal | kVehicle | kDish},
    {"open", "opens", "opened", {"otwieram", "otwierasz", "otwiera", "otwieramy", "otwieracie", "otwierają"}, "otworzył", "otworzyli", ACC, kPerson, kOpenable},
    {"hold", "holds", "held", {"trzymam", "trzymasz", "trzyma", "trzymamy", "trzymacie", "trzymają"}, "trzymał", "trzymali", ACC, kPerson, kPortable | kToy | kDrink},
    {"need", "needs", "needed", {"potrzebuję", "potrzebujesz", "potrzebuje", "potrzebujemy", "potrzebujecie", "potrzebują"}, "potrzebował", "potrzebowali", GEN, kLiving, kThings | kFood | kDrink},
    {"look for", "looks for", "looked for", {"szukam", "szukasz", "szuka", "szukamy", "szukacie", "szukają"}, "szukał", "szukali", GEN, kLiving, kAnything},
    {"remember", "remembers", "remembered", {"pamiętam", "pamiętasz", "pamięta", "pamiętamy", "pamiętacie", "pamiętają"}, "pamiętał", "pamiętali", ACC, kPerson, kLiving | kPlace},
    {"understand", "understands", "understood", {"rozumiem", "rozumiesz", "rozumie", "rozumiemy", "rozumiecie", "rozumieją"}, "rozumiał", "rozumieli", ACC, kPerson, kPerson},
    {"meet", "meets", "met", {"spotykam", "spotykasz", "spotyka", "spotykamy", "spotykacie", "spotykają"}, "spotkał", "spotkali", ACC, kPerson, kPerson},
    {"paint", "paints", "painted", {"maluję", "malujesz", "maluje", "malujemy", "malujecie", "malują"}, "pomalował", "pomalowali", ACC, kPerson, kBuilding | kFurniture | kVehicle},
    {"build", "builds", "built", {"buduję", "budujesz", "buduje", "budujemy", "budujecie", "budują"}, "zbudował", "zbudowali", ACC, kPerson, kBuilding | kFurniture | kVehicle},
    {"find", "finds", "found", {"znajduję", "znajdujesz", "znajduje", "znajdujemy", "znajdujecie", "znajdują"}, "znalazł", "znaleźli", ACC, kLiving, kPortable | kToy | kAnimal | kFood},
    {"repair", "repairs", "repaired", {"naprawiam", "naprawiasz", "naprawia", "naprawiamy", "naprawiacie", "naprawiają"}, "naprawił", "naprawili", ACC, kPerson, kVehicle | kDevice | kFurniture | kToy},
    {"watch", "watches", "watched", {"oglądam", "oglądasz", "ogląda", "oglądamy", "oglądacie", "oglądają"}, "oglądał", "oglądali", ACC, kLiving, kLiving | kVehicle},
    {"hide", "hides", "hid", {"chowam", "chowasz", "chowa", "chowamy", "chowacie", "chowają"}, "schował", "schowali", ACC, kPerson, kPortable | kToy | kFood},
    {"send", "sends", "sent", {"wysyłam", "wysyłasz", "wysyła", "wysyłamy", "wysyłacie", "wysyłają"}, "wysłał", "wysłali", ACC, kPerson, kPortable | kToy | kFood | kDrink},
    {"lose", "loses", "lost", {"gubię", "gubisz", "gubi", "gubimy", "gubicie", "gubią"}, "zgubił", "zgubili", ACC, kPerson, kPortable | kToy},
};

// The copula takes a predicate adjective in the nominative, not an object; its object fields are unused.
const Verb kCopula = {"be", "is", "was", {"jestem", "jesteś", "jest", "jesteśmy", "jesteście", "są"}, "był", "byli", Case::Nominative, kAnything, 0};

// english, Polish nominative masculine, nominative masculine-personal plural, nouns it describes
const std::vector<Adjective> kAdjectives = {
    {"big", "duży", "duzi", kAnything},
    {"small", "mały", "mali", kAnything},
    {"good", "dobry", "dobrzy", kAnything},
    {"bad", "zły", "źli", kAnything},
    {"old", "stary", "starzy", kVisible},
    {"young", "młody", "młodzi", kLiving},
    {"new", "nowy", "nowi", kThings | kBuilding},
    {"beautiful", "piękny", "piękni", kVisible},
    {"pretty", "ładny", "ładni", kVisible},
    {"ugly", "brzydki", "brzydcy", kVisible},
    {"happy", "szczęśliwy", "szczęśliwi", kLiving},
    {"sad", "smutny", "smutni", kLiving},
    {"hungry", "głodny", "głodni", kLiving},
    {"tired", "zmęczony", "zmęczeni", kLiving},
    {"cheerful", "wesoły", "weseli", kLiving},
    {"nice", "miły", "mili", kLiving},
    {"clever", "mądry", "mądrzy", kLiving},
    {"lazy", "leniwy", "leniwi", kLiving},
    {"brave", "odważny", "odważni", kLiving},
    {"strong", "silny", "silni", kLiving},
    {"weak", "słaby", "słabi", kLiving},
    {"polite", "grzeczny", "grzeczni", kPerson},
    {"rich", "bogaty", "bogaci", kPerson},
    {"poor", "biedny", "biedni", kPerson},
    {"fast", "szybki", "szybcy", kAnimal | kVehicle},
    {"slow", "powolny", "powolni", kAnimal | kVehicle},
    {"heavy", "ciężki", "ciężcy", kPortable | kFurniture | kToy | kDevice},
    {"light", "lekki", "lekcy", kPortable | kFurniture | kToy | kDevice},
    {"clean", "czysty", "czyści", kLiving | kThings | kDish | kPlace},
    {"dirty", "brudny", "brudni", kLiving | kThings | kDish | kPlace},
    {"expensive", "drogi", "drodzy", kThings | kFood | kDrink | kBuilding | kArtwork},
    {"cheap", "tani", "tani", kThings | kFood | kDrink | kBuilding | kArtwork},
    {"cold", "zimny", "zimni", kFood | kDrink},
    {"warm", "ciepły", "ciepli", kFood | kDrink},
    {"fresh", "świeży", "świeży", kFood},
    {"tasty", "smaczny", "smaczni", kFood | kDrink},
    {"sweet", "słodki", "słodcy", kFood | kDrink},
    {"interesting", "ciekawy", "ciekawi", kPerson | kReadable | kPlace | kArtwork},
    {"boring", "nudny", "nudni", kPerson | kReadable | kPlace | kArtwork},
    {"quiet", "cichy", "cisi", kLiving | kDevice | kPlace},
    {"loud", "głośny", "głośni", kLiving | kDevice | kPlace},
    {"red", "czerwony", "czerwoni", kThings | kAnimal | kBuilding | kPlant},
    {"black", "czarny", "czarni", kThings | kAnimal | kBuilding | kPlant},
    {"white", "biały", "biali", kThings | kAnimal | kBuilding | kPlant},
    {"green", "zielony", "zieloni", kThings | kAnimal | kBuilding | kPlant},
    {"yellow", "żółty", "żółci", kThings | kAnimal | kBuilding | kPlant},
    {"blue", "niebieski", "niebiescy", kThings | kAnimal | kBuilding | kPlant},
    {"grey", "szary", "szarzy", kThings | kAnimal | kBuilding | kPlant},
    {"brown", "brązowy", "brązowi", kThings | kAnimal | kBuilding | kPlant},
};

// Forms by case, indexed {m. personal, m. animate, m. inanimate, feminine, neuter}. For 2..4 the masculine
// personal nominative has its own form (dwaj chłopcy) and the accusative takes the genitive (dwóch chłopców);
// 5 and above is "pięć" with the genitive plural, "pięciu" for masculine personal nouns.
const std::vector<Numeral> kNumerals = {
    {1, "one", {"jeden", "jeden", "jeden", "jedna", "jedno"}, {"jednego", "jednego", "jeden", "jedną", "jedno"}, {"jednego", "jednego", "jednego", "jednej", "jednego"}},
    {2, "two", {"dwaj", "dwa", "dwa", "dwie", "dwa"}, {"dwóch", "dwa", "dwa", "dwie", "dwa"}, {"dwóch", "dwóch", "dwóch", "dwóch", "dwóch"}},
    {3, "three", {"trzej", "trzy", "trzy", "trzy", "trzy"}, {"trzech", "trzy", "trzy", "trzy", "trzy"}, {"trzech", "trzech", "trzech", "trzech", "trzech"}},
    {4, "four", {"czterej", "cztery", "cztery", "cztery", "cztery"}, {"czterech", "cztery", "cztery", "cztery", "cztery"}, {"czterech", "czterech", "czterech", "czterech", "czterech"}},
    {5, "five", {"pięciu", "pięć", "pięć", "pięć", "pięć"}, {"pięciu", "pięć", "pięć", "pięć", "pięć"}, {"pięciu", "pięciu", "pięciu", "pięciu", "pięciu"}},
};

// "you" is always singular (ty): English plural "you" would need a second Polish translation.
const std::vector<Pronoun> kPronouns = {
    {"I", "ja", 1, false, MP},  {"you", "ty", 2, false, MP}, {"he", "on", 3, false, MP},
    {"she", "ona", 3, false, F}, {"we", "my", 1, true, MP},  {"they", "oni", 3, true, MP},
};

const std::vector<Adverb> kAdverbs = {
    {"yesterday", "wczoraj", AdverbTense::PastOnly},
    {"today", "dzisiaj", AdverbTense::Any},
    {"now", "teraz", AdverbTense::PresentOnly},
};

template <typename Entry>
const Entry& find_entry(const std::vector<Entry>& table, std::string_view english, const char* function) {
    for (const auto& entry : table)
        if (entry.english == english) return entry;
    throw std::invalid_argument(fmt::format("{}: '{}' is not in the en-pl lexicon", function, english));
}

}  // namespace

const std::vector<Noun>& nouns() { return kNouns; }
const std::vector<Verb>& verbs() { return kVerbs; }
const Verb& copula() { return kCopula; }
const std::vector<Adjective>& adjectives() { return kAdjectives; }
const std::vector<Numeral>& numerals() { return kNumerals; }
const std::vector<Pronoun>& pronouns() { return kPronouns; }
const std::vector<Adverb>& adverbs() { return kAdverbs; }

const Noun& find_noun(std::string_view english) { return find_entry(kNouns, english, "find_noun"); }
const Verb& find_verb(std::string_view english) {
    return english == kCopula.english ? kCopula : find_entry(kVerbs, english, "find_verb");
}
const Adjective& find_adjective(std::string_view english) { return find_entry(kAdjectives, english, "find_adjective"); }
const Pronoun& find_pronoun(std::string_view english) { return find_entry(kPronouns, english, "find_pronoun"); }
const Adverb& find_adverb(std::string_view english) { return find_entry(kAdverbs, english, "find_adverb"); }

int64_t lexicon_size() {
    return static_cast<int64_t>(kNouns.size() + kVerbs.size() + 1 + kAdjectives.size() + kNumerals.size() +
                                kPronouns.size() + kAdverbs.size());
}

}  // namespace tapegrad::data::en_pl
