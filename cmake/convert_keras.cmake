# Keras frontend dependencies (HDF5 for .h5 / model.weights.h5, libzip for .keras).
# HDF5 from Debian libhdf5-dev (the HL library opens an in-memory file image,
# so a .keras archive is never unpacked to disk); libzip from libzip-dev;
# nlohmann-json parses the model config.
find_package(HDF5 REQUIRED COMPONENTS C HL)
find_package(PkgConfig REQUIRED)
pkg_check_modules(EMBER_LIBZIP REQUIRED IMPORTED_TARGET libzip)
find_package(nlohmann_json CONFIG REQUIRED)
target_include_directories(ember_convert PRIVATE ${HDF5_INCLUDE_DIRS})
target_compile_definitions(ember_convert PRIVATE ${HDF5_DEFINITIONS})
target_link_libraries(ember_convert PRIVATE ${HDF5_HL_LIBRARIES}
  ${HDF5_C_LIBRARIES} PkgConfig::EMBER_LIBZIP nlohmann_json::nlohmann_json)
