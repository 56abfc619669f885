# Generates build_info.cpp at every build so that `sortie --version` names the commit the
# binary was built from, even when no reconfigure happened since the last commit.
set(SORTIE_BUILD_INFO_CPP "${CMAKE_BINARY_DIR}/generated/build_info.cpp")
add_custom_target(sortie_build_info_gen
  COMMAND ${CMAKE_COMMAND}
    -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
    -DOUTPUT=${SORTIE_BUILD_INFO_CPP}
    -DVERSION=${PROJECT_VERSION}
    -DBUILD_TYPE=${CMAKE_BUILD_TYPE}
    "-DLIBRARIES=fmt ${fmt_VERSION}, oneTBB ${TBB_VERSION}, yaml-cpp ${yaml-cpp_VERSION}, CLI11 ${CLI11_VERSION}, ${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}"
    -P ${PROJECT_SOURCE_DIR}/cmake/WriteBuildInfo.cmake
  BYPRODUCTS ${SORTIE_BUILD_INFO_CPP}
  COMMENT "Recording the git commit"
  VERBATIM)
