# Bare-metal Cortex-M7 (arm-none-eabi, hard float).
set(EDGEAE_CPU_FLAGS -mcpu=cortex-m7 -mthumb -mfpu=fpv5-d16 -mfloat-abi=hard)
include(${CMAKE_CURRENT_LIST_DIR}/../common/arm_none_eabi.cmake)
# The firmware demo (firmware/, docs/porting.md) takes start-up code, linker
# script and QEMU machine from the board folder's board.cmake.
set(EDGEAE_BOARD_DIR ${CMAKE_CURRENT_LIST_DIR})
