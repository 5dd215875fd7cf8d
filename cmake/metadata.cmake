# ember_metadata: TFLite Metadata (src/metadata) read and write, for the
# CLI, the host-side tools and the tests. Its schema accessors are generated
# by Debian's flatc like the model schema's.
set(EMBER_METADATA_SCHEMA ${CMAKE_SOURCE_DIR}/src/metadata/metadata_schema.fbs)
set(EMBER_METADATA_GEN_DIR ${EMBER_GEN_DIR}/metadata_gen)
set(EMBER_METADATA_HEADER ${EMBER_METADATA_GEN_DIR}/metadata_schema_generated.h)
add_custom_command(
  OUTPUT ${EMBER_METADATA_HEADER}
  COMMAND ${FLATC} --cpp --gen-object-api --scoped-enums
          -o ${EMBER_METADATA_GEN_DIR} ${EMBER_METADATA_SCHEMA}
  DEPENDS ${EMBER_METADATA_SCHEMA}
  COMMENT "flatc: generating TFLite Metadata accessors")
add_custom_target(ember_metadata_schema DEPENDS ${EMBER_METADATA_HEADER})

file(GLOB EMBER_METADATA_SOURCES CONFIGURE_DEPENDS
  ${CMAKE_SOURCE_DIR}/src/metadata/*.cc)
list(FILTER EMBER_METADATA_SOURCES EXCLUDE REGEX "_(test|fuzz|benchmark)\\.cc$")
add_library(ember_metadata STATIC ${EMBER_METADATA_SOURCES})
add_dependencies(ember_metadata ember_metadata_schema)
target_include_directories(ember_metadata PUBLIC ${EMBER_METADATA_GEN_DIR})
target_link_libraries(ember_metadata PUBLIC ember_core)
target_compile_options(ember_metadata PRIVATE -Wall -Wextra -Wno-unused-parameter)

# Its tests: their own executable (label unit), so that they need neither
# the op oracle nor a rebuild of the other suites.
if(EMBER_BUILD_TESTS AND EMBER_BUILD_TOOLS AND NOT CMAKE_CROSSCOMPILING)
  find_package(GTest REQUIRED)
  include(GoogleTest)
  add_executable(ember_metadata_tests tests/metadata/metadata_test.cc
                                      tests/util/model_builder.cc)
  target_link_libraries(ember_metadata_tests PRIVATE ember_metadata
    GTest::gtest_main nlohmann_json::nlohmann_json)
  target_include_directories(ember_metadata_tests PRIVATE
    ${CMAKE_SOURCE_DIR}/tests)
  target_compile_definitions(ember_metadata_tests PRIVATE
    EMBER_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
    EMBER_CLI_PATH="$<TARGET_FILE:ember_cli>")
  add_dependencies(ember_metadata_tests ember_cli)
  gtest_discover_tests(ember_metadata_tests DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS unit)
endif()
