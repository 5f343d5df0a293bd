# Installs the built tapegrad into a scratch prefix, then configures, builds and runs the consumer
# project against it with find_package(tapegrad). Run by CTest with -DBUILD_DIR and -DSOURCE_DIR.
set(prefix ${BUILD_DIR}/consumer/install)
set(consumer_build ${BUILD_DIR}/consumer/build)
file(REMOVE_RECURSE ${prefix} ${consumer_build})
foreach(step
    "${CMAKE_COMMAND};--install;${BUILD_DIR};--prefix;${prefix}"
    "${CMAKE_COMMAND};-S;${SOURCE_DIR}/tests/consumer;-B;${consumer_build};-DCMAKE_PREFIX_PATH=${prefix};-DCMAKE_BUILD_TYPE=Release"
    "${CMAKE_COMMAND};--build;${consumer_build}"
    "${consumer_build}/consumer_gradcheck")
  execute_process(COMMAND ${step} RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  message("${output}")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "consumer step failed (${result}): ${step}")
  endif()
endforeach()
