# SPDX-License-Identifier: Apache-2.0
# For the tests' cmake -P scripts: run_checked(WHAT COMMAND...) runs a command, stops the script with WHAT, the
# exit status and everything printed if it fails, and leaves its standard output in `output`.
function(run_checked what)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
    endif()
    set(output "${out}" PARENT_SCOPE)
endfunction()
