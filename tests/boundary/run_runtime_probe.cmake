# SPDX-License-Identifier: Apache-2.0
# Seals a test model with the CLI (the publisher), then loads it twice with runtime_probe (the device, on
# ovseal_runtime alone): the first compile stores a sealed cache entry, the second imports it.
# With -DWITHOUT_TPM=ON (a probe on a runtime built with OVSEAL_RUNTIME_TPM=OFF), a device identity held by a TPM
# is then refused with tpm_unavailable (exit 25), saying the runtime was built without the TPM.
# Run as: cmake -DOVSEAL=... -DPROBE=... -DMODEL=model.xml -DWORK=dir [-DWITHOUT_TPM=ON] -P run_runtime_probe.cmake
cmake_minimum_required(VERSION 3.20)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/run_checked.cmake)
run_checked("keygen" ${OVSEAL} keygen -o ${WORK}/model.key)
run_checked("seal" ${OVSEAL} seal ${MODEL} -o ${WORK}/model.ovseal -k ${WORK}/model.key)
file(WRITE ${WORK}/keyring.json "{\"version\": 1, \"key_files\": [\"model.key\"]}\n")
run_checked("runtime_probe" ${PROBE} ${WORK}/model.ovseal ${WORK}/keyring.json ${WORK}/cache)
if(NOT output MATCHES "cache=stored outputs=[1-9]")
    message(FATAL_ERROR "first load: expected a stored cache entry, got: ${output}")
endif()
run_checked("runtime_probe" ${PROBE} ${WORK}/model.ovseal ${WORK}/keyring.json ${WORK}/cache)
if(NOT output MATCHES "cache=hit outputs=[1-9]")
    message(FATAL_ERROR "second load: expected a cache hit, got: ${output}")
endif()
message(STATUS "runtime_probe: stored, then hit")
if(WITHOUT_TPM)
    file(MAKE_DIRECTORY ${WORK}/device)
    file(WRITE ${WORK}/device/identity.tpm "OVSEAL-TPM-P256-1\npcrs none\n")
    file(WRITE ${WORK}/tpm-ring.json "{\"version\": 1, \"identities\": [\"device\"]}\n")
    execute_process(COMMAND ${PROBE} ${WORK}/model.ovseal ${WORK}/tpm-ring.json ${WORK}/cache
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    set(expected "identity.tpm' is a device identity held by a TPM, and this ovseal runtime was built without TPM")
    if(NOT rc EQUAL 25 OR NOT err MATCHES "${expected}")
        message(FATAL_ERROR "a TPM identity on a runtime without the TPM: expected exit 25, got ${rc}:\n${out}${err}")
    endif()
    message(STATUS "runtime_probe without the TPM: a TPM identity is refused (${err})")
endif()
