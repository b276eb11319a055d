# SPDX-License-Identifier: Apache-2.0
# Installs this build into a fresh prefix, then configures and builds samples/hello_sealed on its own against it
# (find_package(ovseal), ovseal::ovseal), as an application outside the tree would, and runs it on MODEL.
# Run as: cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK=... -DMODEL=... -DOpenVINO_DIR=... -DGENERATOR=...
#               [-DLAUNCHER=ccache] [-DSANITIZE=address,undefined] -P build_installed_sample.cmake
cmake_minimum_required(VERSION 3.20)
include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/run_checked.cmake)

file(REMOVE_RECURSE ${WORK})
set(prefix ${WORK}/prefix)
run_checked("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(installed include/ovseal/ovseal.hpp include/ovseal/environment.hpp lib/cmake/ovseal/ovseal-config.cmake
                  lib/cmake/ovseal/ovseal-config-version.cmake lib/cmake/ovseal/ovseal-targets.cmake)
    if(NOT EXISTS ${prefix}/${installed})
        message(FATAL_ERROR "not installed: ${installed}")
    endif()
endforeach()
file(GLOB internal ${prefix}/include/*/memory ${prefix}/include/memory ${prefix}/include/*/container)
if(internal)
    message(FATAL_ERROR "internal headers were installed: ${internal}")
endif()

set(configure ${CMAKE_COMMAND} -S ${SOURCE_DIR}/samples/hello_sealed -B ${WORK}/build -G ${GENERATOR}
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix} -DOpenVINO_DIR=${OpenVINO_DIR})
if(LAUNCHER)
    list(APPEND configure -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
endif()
if(SANITIZE)
    list(APPEND configure "-DCMAKE_CXX_FLAGS=-fsanitize=${SANITIZE}" "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=${SANITIZE}")
endif()
run_checked("configuring the sample against the installed ovseal" ${configure})
run_checked("building the sample" ${CMAKE_COMMAND} --build ${WORK}/build)
run_checked("running the sample" ${WORK}/build/hello_sealed ${MODEL} ${WORK}/model.ovseal)
if(NOT output MATCHES "Sealed ")
    message(FATAL_ERROR "the sample did not report sealing:\n${output}")
endif()
message(STATUS "hello_sealed, built against the installed ovseal, ran:\n${output}")
