# A firmware image links the int8 layer kernels of its model's weight layout
# only (the op table names one form per layer, runtime/src/op_impl.hpp):
#   cmake -DNM=... -DELF=... -DFORBID=regex -DREQUIRE=regex -P links_one_layout.cmake
# fails when a demangled symbol matches FORBID (the other layout's kernels)
# or none matches REQUIRE (its own).
execute_process(COMMAND ${NM} -C ${ELF} OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} failed on ${ELF}")
endif()
if(symbols MATCHES "${FORBID}")
  message(FATAL_ERROR "${ELF} links ${CMAKE_MATCH_0}: a kernel of the other int8 weight layout")
endif()
if(NOT symbols MATCHES "${REQUIRE}")
  message(FATAL_ERROR "${ELF} has no symbol matching ${REQUIRE}: its layout's kernel")
endif()
message(STATUS "${ELF}: one int8 weight layout's kernels")
