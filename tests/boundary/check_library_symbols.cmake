# SPDX-License-Identifier: Apache-2.0
# ovseal's own library code reads no environment variable and writes nothing to standard error or output: no
# object of the static libraries given in LIBRARIES (a ;-list) refers to getenv, stderr, std::cerr and the like,
# except the objects ALLOWED_GETENV names (a ;-list of object file names) for getenv:
#   tpm.cpp.o            the TPM's default TCTI from TPM2TOOLS_TCTI / TSS2_TCTI, tpm2-tss's own variables
#   compile_target.cpp.o, memory_loader.cpp.o
#                        OpenVINO's OV_ENABLE_SERIALIZE_TRACING / OV_ENABLE_VISUALIZE_TRACING, which would make
#                        OpenVINO write the decrypted model to disk: a safety check of OpenVINO, not a setting
# Run as: cmake -DNM=... -DLIBRARIES=... -DALLOWED_GETENV=... -P check_library_symbols.cmake
cmake_minimum_required(VERSION 3.20)
set(forbidden getenv secure_getenv stderr stdout _ZSt4cerr _ZSt4cout _ZSt4clog perror puts printf)
set(failures "")
foreach(library IN LISTS LIBRARIES)
    execute_process(COMMAND ${NM} -A --undefined-only ${library} OUTPUT_VARIABLE listing RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "nm failed on ${library}")
    endif()
    string(REPLACE "\n" ";" lines "${listing}")
    foreach(line IN LISTS lines)
        # "libovseal_core.a:tpm.cpp.o:                 U getenv"
        if(NOT line MATCHES "^[^:]*:([^:]+):[ \t]+U ([^ \t]+)$")
            continue()
        endif()
        set(object ${CMAKE_MATCH_1})
        set(symbol ${CMAKE_MATCH_2})
        if(NOT symbol IN_LIST forbidden)
            continue()
        endif()
        if((symbol STREQUAL "getenv" OR symbol STREQUAL "secure_getenv") AND object IN_LIST ALLOWED_GETENV)
            continue()
        endif()
        list(APPEND failures "${library}: ${object} refers to ${symbol}")
    endforeach()
endforeach()
if(failures)
    string(REPLACE ";" "\n  " text "${failures}")
    message(FATAL_ERROR "library code reads the environment or writes to a standard stream:\n  ${text}")
endif()
message(STATUS "checked ${LIBRARIES}: no environment reads (beyond ${ALLOWED_GETENV}) and no standard streams")
