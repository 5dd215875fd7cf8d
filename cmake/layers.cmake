# The layers of ember_core, each its own OBJECT library, and how the build
# keeps them from including upward.
#
# Every source includes project headers by their path under src/
# ("runtime/tensor.h"). A layer is compiled with one include root of its own,
# build/layer_include/<target>/, made here at configure time: it holds a
# symbolic link for each folder the layer may include (its own folders and
# those of every layer below it), and nothing else. `#include "ops/op_util.h"`
# from the runtime therefore finds no file and fails to compile, while
# downward includes resolve as before. The generated schema header
# ("schema/schema_generated.h") is linked in the same way from the model
# layer up. scripts/check_layers.py checks the same order in CI, folder by
# folder (the kernels layer is one target whose subfolders it checks).

# ember_add_layer(<target> FOLDERS <folder>... [BELOW <layer>...]
#                 [KIND OBJECT|STATIC] [PUBLIC_API])
#   FOLDERS    folders under src/ whose sources (recursively) build <target>;
#              "schema" stands for the generated schema headers (no sources).
#   BELOW      the layers directly under this one; what they may include,
#              this one may too.
#   PUBLIC_API also sees include/ (the C ABI header ember/ember.h).
function(ember_add_layer target)
  cmake_parse_arguments(L "PUBLIC_API" "KIND" "FOLDERS;BELOW" ${ARGN})
  if(NOT L_KIND)
    set(L_KIND OBJECT)
  endif()

  set(sources)
  foreach(folder IN LISTS L_FOLDERS)
    if(NOT folder STREQUAL "schema")
      file(GLOB_RECURSE found CONFIGURE_DEPENDS
           ${CMAKE_SOURCE_DIR}/src/${folder}/*.cc)
      list(APPEND sources ${found})
    endif()
  endforeach()
  list(FILTER sources EXCLUDE REGEX "_(test|fuzz|benchmark)\\.cc$")
  add_library(${target} ${L_KIND} ${sources})
  add_dependencies(${target} ember_schema)

  set(visible ${L_FOLDERS})
  set(public_api ${L_PUBLIC_API})
  foreach(below IN LISTS L_BELOW)
    get_target_property(below_visible ${below} EMBER_LAYER_FOLDERS)
    list(APPEND visible ${below_visible})
    get_target_property(below_api ${below} EMBER_LAYER_PUBLIC_API)
    if(below_api)
      set(public_api ON)
    endif()
  endforeach()
  list(REMOVE_DUPLICATES visible)
  set_target_properties(${target} PROPERTIES
    EMBER_LAYER_FOLDERS "${visible}" EMBER_LAYER_PUBLIC_API "${public_api}")

  set(root ${CMAKE_BINARY_DIR}/layer_include/${target})
  file(REMOVE_RECURSE ${root})
  foreach(folder IN LISTS visible)
    if(folder STREQUAL "schema")
      set(real ${EMBER_GEN_DIR}/schema)
    else()
      set(real ${CMAKE_SOURCE_DIR}/src/${folder})
    endif()
    get_filename_component(parent ${root}/${folder} DIRECTORY)
    file(MAKE_DIRECTORY ${parent})
    file(CREATE_LINK ${real} ${root}/${folder} SYMBOLIC)
  endforeach()
  target_include_directories(${target} PRIVATE ${root} ${FLATBUFFERS_INCLUDE})
  if(public_api)
    target_include_directories(${target} PRIVATE ${CMAKE_SOURCE_DIR}/include)
  endif()

  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
  if(NOT L_KIND STREQUAL "OBJECT")
    return()
  endif()
  # The parts of ember_core (libember.so exports only the C ABI).
  # Usage requirements only: object libraries have no link step.
  target_link_libraries(${target} PRIVATE ${L_BELOW})
  set_target_properties(${target} PROPERTIES CXX_VISIBILITY_PRESET hidden
                                             VISIBILITY_INLINES_HIDDEN ON)
  target_compile_definitions(${target} PRIVATE EMBER_BUILDING_LIBRARY
    EMBER_VERSION_STRING="${PROJECT_VERSION}"
    EMBER_PROJECT_VERSION_MAJOR=${PROJECT_VERSION_MAJOR}
    EMBER_PROJECT_VERSION_MINOR=${PROJECT_VERSION_MINOR}
    EMBER_PROJECT_VERSION_PATCH=${PROJECT_VERSION_PATCH})
endfunction()
