# Per-target settings shared by every sortie target: warnings, sanitizers, and the
# floating-point rules that keep results bit-identical between build types (DESIGN.md §4).
add_library(sortie_options INTERFACE)
target_compile_options(sortie_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual
  # GCC fuses a*b+c into FMA at -O2 on some targets; forbid it so Debug == Release.
  -ffp-contract=off)
if(SORTIE_WERROR)
  target_compile_options(sortie_options INTERFACE -Werror)
endif()
if(SORTIE_SANITIZE)
  target_compile_options(sortie_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -O1)
  target_link_options(sortie_options INTERFACE -fsanitize=address,undefined)
endif()

# sortie_module(NAME SOURCES... DEPS ...): one static library per sim/ module.
function(sortie_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(sortie_${name} STATIC ${ARG_SOURCES})
  add_library(sortie::${name} ALIAS sortie_${name})
  target_include_directories(sortie_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(sortie_${name} PUBLIC ${ARG_DEPS} PRIVATE sortie_options)
endfunction()
