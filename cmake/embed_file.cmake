# Writes a C file holding one file's bytes as an array, so the binary
# carries it (the ICC profile of the PDF/A output intent). Run by the build:
#   cmake -DINPUT=... -DOUTPUT=... -DSYMBOL=agenda_srgb_icc -P embed_file.cmake
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" digits)
math(EXPR size "${digits} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
file(WRITE "${OUTPUT}.tmp"
  "/* Generated from ${INPUT} by cmake/embed_file.cmake; do not edit. */\n#include <stddef.h>\n\n"
  "const unsigned char ${SYMBOL}[] = {${hex}};\nconst size_t ${SYMBOL}_len = ${size};\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
