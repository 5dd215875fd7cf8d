# Cross build for 64-bit ARM Linux with Debian's g++-aarch64-linux-gnu.
# Target libraries come from the Debian cross sysroot /usr/aarch64-linux-gnu;
# programs (flatc) are the host's. Binaries run on the host through
# qemu-user (CMAKE_CROSSCOMPILING_EMULATOR, also used by gtest discovery).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(EMBER_AARCH64_TRIPLE aarch64-linux-gnu)
set(EMBER_AARCH64_SYSROOT /usr/${EMBER_AARCH64_TRIPLE})

set(CMAKE_C_COMPILER ${EMBER_AARCH64_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${EMBER_AARCH64_TRIPLE}-g++)

set(CMAKE_FIND_ROOT_PATH ${EMBER_AARCH64_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(EMBER_QEMU_AARCH64 qemu-aarch64)
if(EMBER_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR
      ${EMBER_QEMU_AARCH64} -L ${EMBER_AARCH64_SYSROOT})
endif()
