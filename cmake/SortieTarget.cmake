# Per-target settings shared by every sortie target: warnings, sanitizers, and the
# floating-point rules that keep results bit-identical between build types (docs/architecture.md, determinism).
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

# sortie_module(NAME [ENABLED <bool>] SOURCES... DEPS ...): one static library per sim/ module.
# DEPS is also the module's architecture: its sortie::X entries are the only modules whose
# headers it may include (tests/architecture/check_includes.py checks that), so they are
# recorded here even when the library is not built. ENABLED (default true) lets an optional
# module, MPI-only say, be declared in every configuration and built only in some of them.
function(sortie_module name)
  cmake_parse_arguments(ARG "" "ENABLED" "SOURCES;DEPS" ${ARGN})
  get_property(known GLOBAL PROPERTY SORTIE_MODULES)
  if(name IN_LIST known)
    message(FATAL_ERROR "sortie_module(${name}) declared twice")
  endif()
  set(module_deps "")
  foreach(dep IN LISTS ARG_DEPS)
    # Only sortie modules are edges; fmt::fmt, TBB::tbb, HDF5's libraries... are not.
    if(dep MATCHES "^sortie::(.+)$")
      list(APPEND module_deps ${CMAKE_MATCH_1})
    endif()
  endforeach()
  set_property(GLOBAL APPEND PROPERTY SORTIE_MODULES ${name})
  set_property(GLOBAL PROPERTY SORTIE_MODULE_DEPS_${name} "${module_deps}")
  if(DEFINED ARG_ENABLED AND NOT ARG_ENABLED)
    return()
  endif()
  add_library(sortie_${name} STATIC ${ARG_SOURCES})
  add_library(sortie::${name} ALIAS sortie_${name})
  target_include_directories(sortie_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(sortie_${name} PUBLIC ${ARG_DEPS} PRIVATE sortie_options)
endfunction()

# sortie_write_module_edges(FILE): writes every sortie_module's direct sortie deps to FILE, one
# line per module, "module: dep1 dep2 ...", for tests/architecture/check_includes.py. Called
# once at the end of the top-level CMakeLists.txt, when every module has been declared.
function(sortie_write_module_edges file)
  get_property(modules GLOBAL PROPERTY SORTIE_MODULES)
  set(text "# Direct module dependencies, from the DEPS of sortie_module (cmake/SortieTarget.cmake).\n")
  foreach(module IN LISTS modules)
    get_property(deps GLOBAL PROPERTY SORTIE_MODULE_DEPS_${module})
    list(PREPEND deps "${module}:")
    list(JOIN deps " " line)
    string(APPEND text "${line}\n")
  endforeach()
  # Rewritten only when it changes, so a re-configure does not touch it.
  file(CONFIGURE OUTPUT ${file} CONTENT "${text}" @ONLY)
endfunction()
