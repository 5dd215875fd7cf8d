# ONNX frontend dependencies: Debian's libprotobuf + protoc. The .onnx schema
# (src/convert/onnx/onnx.proto, written in this project) is compiled at build
# time; generated code is never committed.
find_package(Protobuf REQUIRED)
set(EMBER_ONNX_PROTO ${CMAKE_SOURCE_DIR}/src/convert/onnx/onnx.proto)
set(EMBER_ONNX_GEN_DIR ${EMBER_GEN_DIR}/convert/onnx)
set(EMBER_ONNX_PB_CC ${EMBER_ONNX_GEN_DIR}/onnx.pb.cc)
set(EMBER_ONNX_PB_H ${EMBER_ONNX_GEN_DIR}/onnx.pb.h)
add_custom_command(
  OUTPUT ${EMBER_ONNX_PB_CC} ${EMBER_ONNX_PB_H}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${EMBER_ONNX_GEN_DIR}
  COMMAND protobuf::protoc --cpp_out=${EMBER_ONNX_GEN_DIR}
          -I${CMAKE_SOURCE_DIR}/src/convert/onnx ${EMBER_ONNX_PROTO}
  DEPENDS ${EMBER_ONNX_PROTO}
  COMMENT "protoc: generating the ONNX model reader")
# Generated code is not held to the project's warning flags.
set_source_files_properties(${EMBER_ONNX_PB_CC} PROPERTIES
  COMPILE_OPTIONS "-Wno-all;-Wno-extra")
target_sources(ember_convert PRIVATE ${EMBER_ONNX_PB_CC})
target_include_directories(ember_convert PRIVATE ${EMBER_ONNX_GEN_DIR})
target_link_libraries(ember_convert PUBLIC protobuf::libprotobuf)
