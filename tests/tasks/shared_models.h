// Where the task suites find ../shared/models (EMBER_SHARED_MODELS
// overrides), and REQUIRE_FILE: a missing model skips the test, unless
// EMBER_REQUIRE_SHARED_MODELS=1 (CI) makes that a failure.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace ember::tasks::testing_files {

inline std::string Shared(const std::string& rel) {
  const char* env = std::getenv("EMBER_SHARED_MODELS");
  const std::string root =
      env ? env : std::string(EMBER_SOURCE_DIR) + "/../shared/models";
  return root + "/" + rel;
}

}  // namespace ember::tasks::testing_files

#define REQUIRE_FILE(path)                          \
  if (!std::filesystem::exists(path)) {             \
    if (std::getenv("EMBER_REQUIRE_SHARED_MODELS")) \
      FAIL() << "missing " << path;                 \
    GTEST_SKIP() << "missing " << path;             \
  }
