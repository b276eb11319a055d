# SPDX-License-Identifier: Apache-2.0
# `cmake --install`: the public headers, the static libraries and a CMake package (ovseal-config.cmake, its version
# file and the exported targets), so that an application elsewhere does find_package(ovseal) and links
# ovseal::ovseal (tests/install builds samples/hello_sealed that way). The frontend has its own component
# (src/openvino/frontend/CMakeLists.txt); the Python package installs only its own files. The CLI is not installed:
# an install rule would make CMake pad its build-tree RUNPATH with an empty entry (the current folder), which the
# attack tests rightly refuse.
include(CMakePackageConfigHelpers)

set(OVSEAL_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ovseal)
set_target_properties(ovseal_core PROPERTIES EXPORT_NAME core)
set_target_properties(ovseal_runtime PROPERTIES EXPORT_NAME runtime)
set_target_properties(ovseal_environment PROPERTIES EXPORT_NAME environment)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ovseal DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS ovseal ovseal_core ovseal_runtime ovseal_environment EXPORT ovseal-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT ovseal-targets NAMESPACE ovseal:: DESTINATION ${OVSEAL_CMAKE_DIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/ovseal-config.cmake.in
    ${CMAKE_BINARY_DIR}/package/ovseal-config.cmake INSTALL_DESTINATION ${OVSEAL_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/package/ovseal-config-version.cmake
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/package/ovseal-config.cmake ${CMAKE_BINARY_DIR}/package/ovseal-config-version.cmake
        DESTINATION ${OVSEAL_CMAKE_DIR})
