# Build-time generator for the firmware demo (cmake -P; runs on the build
# machine, so a cross build needs no host edgeae tool):
#   cmake -DNAME=digits_dae_int8 -DBLOB=x.eab -DGOLDEN=x.out -DINPUTS=x.npy
#         -DSAMPLES=8 -DOUT_DIR=dir -DFORMAT_HEADER=runtime/include/edgeae/blob_format.hpp
#         -P embed.cmake
# writes into OUT_DIR
#   NAME.h / NAME.c   the blob exactly as `edgeae convert --emit-c NAME` writes
#                     it (16-byte aligned const array, NAME_ARENA_BYTES taken
#                     from the blob header: bytes 24..31, little-endian), and
#                     NAME_ops, the table of the op implementations it runs
#                     (op type from each op record, form from its output's
#                     dtype; the op names from blob_format.hpp's EDGEAE_OP_LIST)
#   demo_data.h/.c    the first SAMPLES float32 inputs of INPUTS (.npy) and the
#                     golden output bytes GOLDEN the x86 reference computed
#   demo_model.h      DEMO_* names the demo source uses for this model
cmake_minimum_required(VERSION 3.25)
foreach(v NAME BLOB GOLDEN INPUTS SAMPLES OUT_DIR FORMAT_HEADER)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "embed.cmake: -D${v}=... is required")
  endif()
endforeach()

# "0a1b..." -> lines of "  0x0a,0x1b,...," with 16 bytes a line, as emit_c.cpp.
function(hex_to_c_bytes hex out)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  set(b "0x[0-9a-f][0-9a-f],")
  string(REGEX REPLACE "(${b}${b}${b}${b}${b}${b}${b}${b}${b}${b}${b}${b}${b}${b}${b}${b})"
    "  \\1\n" bytes "${bytes}")
  # A last partial line (fewer than 16 bytes) gets its indent and newline.
  string(REGEX REPLACE "\n(0x[^\n]+)$" "\n  \\1\n" bytes "\n${bytes}")
  string(REGEX REPLACE "^\n" "" bytes "${bytes}")
  set(${out} "${bytes}" PARENT_SCOPE)
endfunction()

# Little-endian 32-bit words: "00002040..." -> "0x40200000u,".
function(hex_to_c_words hex out)
  string(REGEX REPLACE "(..)(..)(..)(..)" "0x\\4\\3\\2\\1u," words "${hex}")
  set(w "0x[0-9a-f]+u,")
  string(REGEX REPLACE "(${w}${w}${w}${w}${w}${w}${w}${w})" "  \\1\n" words "${words}")
  string(REGEX REPLACE "\n(0x[^\n]+)$" "\n  \\1\n" words "\n${words}")
  string(REGEX REPLACE "^\n" "" words "${words}")
  set(${out} "${words}" PARENT_SCOPE)
endfunction()

# Little-endian unsigned integer from a hex string of bytes.
function(le_hex_to_int hex out)
  string(LENGTH "${hex}" n)
  set(value 0)
  math(EXPR i "${n} - 2")
  while(i GREATER_EQUAL 0)
    string(SUBSTRING "${hex}" ${i} 2 byte)
    math(EXPR value "${value} * 256 + 0x${byte}")
    math(EXPR i "${i} - 2")
  endwhile()
  set(${out} ${value} PARENT_SCOPE)
endfunction()

string(MAKE_C_IDENTIFIER "${NAME}" ident)
string(TOUPPER "${ident}" upper)

# The model: the same NAME.h/NAME.c as converters/cli/emit_c.cpp.
file(SIZE "${BLOB}" blob_bytes)
file(READ "${BLOB}" magic LIMIT 4)
file(READ "${BLOB}" arena_hex OFFSET 24 LIMIT 8 HEX)
le_hex_to_int("${arena_hex}" arena_bytes)
file(READ "${BLOB}" blob_hex HEX)
hex_to_c_bytes("${blob_hex}" blob_c)
# The op table: slot = op type * 3 + form (0 float32, 1 int8, 2 int16), as
# emit_c.cpp. Records: header 64 bytes (section_count at 40), section entries
# of 24 (kind, count, offset), op records of 128 (type at 0, output at 36),
# tensor records of 80 (dtype at 0).
file(READ "${FORMAT_HEADER}" format_text)
# Only the EDGEAE_OP_LIST block (up to the blank line that ends it).
string(REGEX MATCH "#define EDGEAE_OP_LIST\\(X\\)[^\n]*\n([^\n]+\n)+" format_text "${format_text}")
# (Matches stop before the lines' trailing backslashes, which would escape
# the list separators.)
string(REGEX MATCHALL "\n  X\\([A-Za-z]+," op_lines "${format_text}")
set(op_names "")
foreach(line IN LISTS op_lines)
  string(REGEX REPLACE "^\n  X\\(([A-Za-z]+),$" "\\1" op "${line}")
  list(APPEND op_names ${op})
endforeach()
file(READ "${BLOB}" section_count_hex OFFSET 40 LIMIT 4 HEX)
le_hex_to_int("${section_count_hex}" section_count)
foreach(i RANGE 1 ${section_count})
  math(EXPR at "64 + (${i} - 1) * 24")
  file(READ "${BLOB}" entry_hex OFFSET ${at} LIMIT 24 HEX)
  string(SUBSTRING "${entry_hex}" 0 8 kind_hex)
  string(SUBSTRING "${entry_hex}" 8 8 count_hex)
  string(SUBSTRING "${entry_hex}" 16 16 offset_hex)
  le_hex_to_int("${kind_hex}" kind)
  le_hex_to_int("${count_hex}" count)
  le_hex_to_int("${offset_hex}" offset)
  set(section_${kind}_count ${count})
  set(section_${kind}_offset ${offset})
endforeach()
set(op_slots "")
set(form_names f32 int8 int16)
math(EXPR last_op "${section_2_count} - 1")
foreach(i RANGE 0 ${last_op})
  if(i GREATER last_op)  # no ops (RANGE 0 -1 still runs)
    break()
  endif()
  math(EXPR op_at "${section_2_offset} + ${i} * 128")
  file(READ "${BLOB}" type_hex OFFSET ${op_at} LIMIT 2 HEX)
  math(EXPR at "${op_at} + 36")
  file(READ "${BLOB}" output_hex OFFSET ${at} LIMIT 4 HEX)
  le_hex_to_int("${type_hex}" type)
  le_hex_to_int("${output_hex}" output)
  math(EXPR at "${section_1_offset} + ${output} * 80")
  file(READ "${BLOB}" dtype_hex OFFSET ${at} LIMIT 1 HEX)
  le_hex_to_int("${dtype_hex}" dtype)
  math(EXPR form "${dtype} - 1")  # DType: 1 float32, 2 int8, 3 int16
  math(EXPR slot "${type} * 3 + ${form}")
  list(GET op_names ${type} op)
  list(GET form_names ${form} form_name)
  # An int8 Dense/Conv/ConvTranspose: its weights' packing (params at 64:
  # DenseParams::b_packing at +12, ConvParams::w_packing at +52) picks the
  # form, as emit_c.cpp: _int8 quads, _int8_pairs DSP pairs, _int8_any both.
  if(form EQUAL 1 AND type LESS 3)
    if(type EQUAL 0)
      math(EXPR at "${op_at} + 76")
    else()
      math(EXPR at "${op_at} + 116")
    endif()
    file(READ "${BLOB}" packing_hex OFFSET ${at} LIMIT 4 HEX)
    le_hex_to_int("${packing_hex}" packing)
    if(NOT DEFINED packings_${slot})
      set(packings_${slot} 0)
    endif()
    math(EXPR packings_${slot} "${packings_${slot}} | (1 << ${packing})")
  endif()
  # Zero-padded so that sorting orders slots as numbers (emit_c's std::map).
  string(LENGTH "${slot}" digits)
  math(EXPR pad_count "5 - ${digits}")
  string(REPEAT "0" ${pad_count} pad)
  list(APPEND op_slots "${pad}${slot}|eae_op_${op}_${form_name}")
endforeach()
list(REMOVE_DUPLICATES op_slots)
list(SORT op_slots)
set(op_externs "")
set(op_entries "")
foreach(entry IN LISTS op_slots)
  string(REPLACE "|" ";" entry "${entry}")
  list(GET entry 0 slot)
  list(GET entry 1 symbol)
  math(EXPR slot "${slot}")
  if(DEFINED packings_${slot})
    math(EXPR pairs "${packings_${slot}} & 4")
    math(EXPR others "${packings_${slot}} & 3")
    if(pairs AND others)
      string(APPEND symbol "_any")
    elseif(pairs)
      string(APPEND symbol "_pairs")
    endif()
  endif()
  string(APPEND op_externs "extern const eae_op_impl ${symbol};\n")
  string(APPEND op_entries "  [${slot}] = &${symbol},\n")
endforeach()

if(op_entries STREQUAL "")
  set(op_entries "  0,\n")  # no ops: C wants one initializer
endif()

set(guard "${upper}_EDGEAE_MODEL_H")
file(WRITE "${OUT_DIR}/${NAME}.h" "/* Generated by edgeae convert --emit-c. Do not edit. */
#ifndef ${guard}
#define ${guard}

#include <stddef.h>

#include \"edgeae/edgeae.h\"

#ifdef __cplusplus
extern \"C\" {
#endif

/* The model blob: 16-byte aligned, used in place (keep it in flash). */
#define ${upper}_BLOB_BYTES ${blob_bytes}u
/* The exact arena a session needs for this model. */
#define ${upper}_ARENA_BYTES ${arena_bytes}u

extern const unsigned char ${ident}_blob[${upper}_BLOB_BYTES];
/* Its ops, for eae_model_load_with: an image loading with this table links
 * only these ops' checks and kernels. (NAME.c is C: its table uses designators.) */
extern const eae_op_impl* const ${ident}_ops[EAE_OP_TABLE_SIZE];

#ifdef __cplusplus
}
#endif

#endif /* ${guard} */
")
file(WRITE "${OUT_DIR}/${NAME}.c" "/* Generated by edgeae convert --emit-c. Do not edit. */
#include \"${NAME}.h\"

__attribute__((aligned(16))) const unsigned char ${ident}_blob[${upper}_BLOB_BYTES] = {
${blob_c}};

${op_externs}const eae_op_impl* const ${ident}_ops[EAE_OP_TABLE_SIZE] = {
${op_entries}};
")

# The inputs: .npy version 1/2 header, little-endian float32, C order.
file(READ "${INPUTS}" npy_head LIMIT 10 HEX)
string(SUBSTRING "${npy_head}" 12 2 npy_major)
if(npy_major STREQUAL "01")
  string(SUBSTRING "${npy_head}" 16 4 len_hex)
  le_hex_to_int("${len_hex}" header_len)
  set(dict_offset 10)
else()
  file(READ "${INPUTS}" len_hex OFFSET 8 LIMIT 4 HEX)
  le_hex_to_int("${len_hex}" header_len)
  set(dict_offset 12)
endif()
math(EXPR data_offset "${dict_offset} + ${header_len}")
# (From the dict on: the magic's non-ASCII first byte would spoil the text.)
file(READ "${INPUTS}" header OFFSET ${dict_offset} LIMIT ${header_len})
if(NOT header MATCHES "'descr': *'<f4'" OR NOT header MATCHES "'fortran_order': *False")
  message(FATAL_ERROR "${INPUTS}: need little-endian float32 in C order")
endif()
if(NOT header MATCHES "'shape': *\\(([0-9, ]+)\\)")
  message(FATAL_ERROR "${INPUTS}: no shape in the .npy header")
endif()
string(REPLACE "," ";" dims "${CMAKE_MATCH_1}")
set(per_input 1)
set(first TRUE)
set(rows 0)
foreach(d ${dims})
  string(STRIP "${d}" d)
  if(d STREQUAL "")
    continue()
  endif()
  if(first)
    set(rows ${d})
    set(first FALSE)
  else()
    math(EXPR per_input "${per_input} * ${d}")
  endif()
endforeach()
if(rows LESS SAMPLES)
  message(FATAL_ERROR "${INPUTS}: ${rows} inputs, ${SAMPLES} needed")
endif()
math(EXPR input_bytes "${SAMPLES} * ${per_input} * 4")
file(READ "${INPUTS}" inputs_hex OFFSET ${data_offset} LIMIT ${input_bytes} HEX)
hex_to_c_words("${inputs_hex}" inputs_c)

file(SIZE "${GOLDEN}" golden_bytes)
math(EXPR output_bytes "${golden_bytes} / ${SAMPLES}")
math(EXPR check "${output_bytes} * ${SAMPLES}")
if(NOT check EQUAL golden_bytes)
  message(FATAL_ERROR "${GOLDEN}: ${golden_bytes} bytes is not ${SAMPLES} outputs")
endif()
file(READ "${GOLDEN}" golden_hex HEX)
hex_to_c_bytes("${golden_hex}" golden_c)

math(EXPR input_values "${SAMPLES} * ${per_input}")
file(WRITE "${OUT_DIR}/demo_data.h" "/* Generated by firmware/embed.cmake. Do not edit. */
#ifndef DEMO_DATA_H
#define DEMO_DATA_H

#include <stdint.h>

#define DEMO_SAMPLES ${SAMPLES}u
#define DEMO_INPUT_VALUES ${per_input}u   /* float32 values per input */
#define DEMO_OUTPUT_BYTES ${output_bytes}u /* output bytes per input */

/* The first DEMO_SAMPLES inputs of ${INPUTS}
 * (float32 read through the union: its bits, as in the .npy file). */
extern const union demo_inputs {
  uint32_t bits[${input_values}];
  float values[${input_values}];
} demo_inputs;
/* The output bytes the x86 reference build computed for them (${GOLDEN}). */
extern const unsigned char demo_golden[${golden_bytes}];

#endif /* DEMO_DATA_H */
")
file(WRITE "${OUT_DIR}/demo_data.c" "/* Generated by firmware/embed.cmake. Do not edit. */
#include \"demo_data.h\"

__attribute__((aligned(16))) const union demo_inputs demo_inputs = {{
${inputs_c}}};

const unsigned char demo_golden[${golden_bytes}] = {
${golden_c}};
")
file(WRITE "${OUT_DIR}/demo_model.h" "/* Generated by firmware/embed.cmake. Do not edit. */
#ifndef DEMO_MODEL_H
#define DEMO_MODEL_H

#include \"${NAME}.h\"

#define DEMO_NAME \"${NAME}\"
#define DEMO_BLOB ${ident}_blob
#define DEMO_BLOB_BYTES ${upper}_BLOB_BYTES
#define DEMO_OPS ${ident}_ops
#define DEMO_ARENA_BYTES ${upper}_ARENA_BYTES

#endif /* DEMO_MODEL_H */
")
