// Fuzzes TrainConfig::from_json (config metadata of every checkpoint). Refusals are std::runtime_error
// "SOURCE: FIELD: problem"; an accepted config passes the command line's validate() too (one table checks
// both) and round-trips through to_json.
#include <stdexcept>
#include <string>

#include "examples/translate/config.h"
#include "tests/fuzz/fuzz_common.h"

using namespace tapegrad::translate;
namespace fuzz = tapegrad::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    const std::string source = "fuzz/config.json";
    TrainConfig config;
    try {
        config = TrainConfig::from_json(std::string(fuzz::as_text(data, size)), source);
    } catch (const std::runtime_error& error) {
        fuzz::require_message_names(error, source);
        return 0;
    }
    try {
        validate(config);
    } catch (const std::runtime_error& error) {
        fuzz::fail(std::string("from_json accepted a config validate() refuses: ") + error.what());
    }
    const std::string json = config.to_json();
    fuzz::require(TrainConfig::from_json(json, "written").to_json() == json, "to_json -> from_json is not the identity");
    return 0;
}
