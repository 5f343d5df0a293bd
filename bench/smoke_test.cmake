# The bench smoke test: runs `bench train-step --config tiny --repeats 2 --threads 1` and checks that it
# prints one JSON object with every key bench/compare reads. Times are not asserted (they are measured by
# bench/compare, never by the test suite).
#   cmake -DBENCH=build/bin/bench -P bench/smoke_test.cmake
execute_process(COMMAND ${BENCH} train-step --config tiny --repeats 2 --threads 1
  OUTPUT_VARIABLE output ERROR_VARIABLE errors RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "bench train-step exited with ${status}:\n${errors}")
endif()
foreach(key config threads step_ms_median step_ms_min step_ms_max tgt_tokens_per_s peak_rss_mib gflops)
  string(JSON value ERROR_VARIABLE missing GET "${output}" ${key})
  if(missing)
    message(FATAL_ERROR "bench train-step printed no '${key}': ${output}")
  endif()
endforeach()
string(JSON config GET "${output}" config)
if(NOT config STREQUAL "tiny")
  message(FATAL_ERROR "bench train-step reported config '${config}', expected tiny: ${output}")
endif()
message(STATUS "bench train-step: ${output}")
