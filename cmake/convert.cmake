# ember_convert: the host-side model tools (ember convert / quantize /
# prune). Linked into the CLI and the tests, never into libember.
file(GLOB_RECURSE EMBER_CONVERT_SOURCES CONFIGURE_DEPENDS
  ${CMAKE_SOURCE_DIR}/src/convert/*.cc ${CMAKE_SOURCE_DIR}/src/quantize/*.cc
  ${CMAKE_SOURCE_DIR}/src/prune/*.cc)
list(FILTER EMBER_CONVERT_SOURCES EXCLUDE REGEX "_(test|fuzz|benchmark)\\.cc$")
add_library(ember_convert STATIC ${EMBER_CONVERT_SOURCES})
target_link_libraries(ember_convert PUBLIC ember_metadata ember_core)
target_compile_options(ember_convert PRIVATE -Wall -Wextra -Wno-unused-parameter)

# Each frontend adds its own dependencies in its own file.
include(${CMAKE_SOURCE_DIR}/cmake/convert_keras.cmake)
include(${CMAKE_SOURCE_DIR}/cmake/convert_onnx.cmake)
