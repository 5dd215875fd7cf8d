# src/trust (model signatures, encryption at rest) uses Debian's libsodium,
# found through pkg-config; for cross builds, the target's own libsodium.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
target_link_libraries(ember_core PUBLIC PkgConfig::SODIUM)
