// Where the real models of ../shared/models are, for the few unit tests
// that use them. The default suite must pass on a clone with nothing but
// the repo, so those tests skip when the folder is absent; CI sets
// EMBER_REQUIRE_SHARED_MODELS=1, which turns a missing folder into a
// failure instead.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace ember::testing {

inline std::string SharedModelsDir() {
  if (const char* env = std::getenv("EMBER_SHARED_MODELS"); env && *env)
    return env;
  return std::string(EMBER_SOURCE_DIR) + "/../shared/models";
}

inline bool SharedModelsRequired() {
  const char* env = std::getenv("EMBER_REQUIRE_SHARED_MODELS");
  return env != nullptr && *env != '\0' && std::string(env) != "0";
}

}  // namespace ember::testing

// Skips the test (or fails it, when CI requires the models) if the shared
// models folder is missing.
#define EMBER_SKIP_WITHOUT_SHARED_MODELS()                                \
  do {                                                                    \
    const std::string dir_ = ::ember::testing::SharedModelsDir();         \
    if (!std::filesystem::is_directory(dir_)) {                           \
      if (::ember::testing::SharedModelsRequired())                       \
        FAIL() << "shared models folder '" << dir_ << "' is missing";     \
      GTEST_SKIP() << "shared models folder '" << dir_ << "' is missing"; \
    }                                                                     \
  } while (0)
