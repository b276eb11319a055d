# SPDX-License-Identifier: Apache-2.0
# ovseal_runtime holds no model sealing, signing, license-issuing, rotation or PKCS#11 code: none of their symbols is
# defined in the library (FILES: the library and a program linked against it, a ;-list), and the program defines none either.
# With -DWITHOUT_TPM=ON (a runtime built with OVSEAL_RUNTIME_TPM=OFF) neither refers to tpm2-tss at all.
# Run as: cmake -DNM=... "-DFILES=lib;program" [-DWITHOUT_TPM=ON -DTPM_CONTROL=lib] -P check_runtime_contents.cmake
# (TPM_CONTROL: a library that does call tpm2-tss, to show the check sees such calls.)
cmake_minimum_required(VERSION 3.20)
if(WITHOUT_TPM)
    execute_process(COMMAND ${NM} ${TPM_CONTROL} OUTPUT_VARIABLE control ERROR_QUIET)
    if(NOT control MATCHES "[ \t]Esys_[A-Za-z_]+")
        message(FATAL_ERROR "no tpm2-tss call seen in ${TPM_CONTROL}: the check would see nothing")
    endif()
endif()
set(excluded
    "ovseal::seal_model\\("          # sealing models
    "ovseal::issue_licenses\\("      # issuing licenses
    "ovseal::rewrap\\(" "ovseal::reseal\\("
    "ovseal::openvino::convert_to_ir\\("
    "ovseal::pkcs11::"               # PKCS#11 tokens
    "::from_pkcs11\\(" "::generate_in_token\\(" "ovseal::is_pkcs11_uri\\("
    "ovseal::seal_parameters"
    "ovseal::keys::issue_license\\(" "ovseal::container::rewrap_file\\("   # issuing licenses, rewrapping
    "ovseal::SigningKey::"           # signing keys: generating, loading, saving
    "ovseal::crypto::Ed25519Signer::" "ovseal::crypto::ed25519_sign\\(")
foreach(file IN LISTS FILES)
    execute_process(COMMAND ${NM} -C --defined-only ${file} OUTPUT_VARIABLE listing RESULT_VARIABLE rc ERROR_QUIET)
    if(NOT rc EQUAL 0 OR listing STREQUAL "")
        message(FATAL_ERROR "nm found no symbols in ${file}")
    endif()
    foreach(pattern IN LISTS excluded)
        if(listing MATCHES "[ \t]([^\n]*${pattern}[^\n]*)")
            message(FATAL_ERROR "${file} holds excluded code: ${CMAKE_MATCH_1}")
        endif()
    endforeach()
    if(WITHOUT_TPM)
        execute_process(COMMAND ${NM} ${file} OUTPUT_VARIABLE all_symbols ERROR_QUIET)
        if(all_symbols MATCHES "[ \t](Esys_[A-Za-z_]+|Tss2_[A-Za-z_]+)")
            message(FATAL_ERROR "${file} refers to tpm2-tss (${CMAKE_MATCH_1}) though built without the TPM")
        endif()
        if(NOT listing MATCHES "ovseal::tpm::supported_by_this_build\\(")
            message(FATAL_ERROR "${file} does not define ovseal::tpm::supported_by_this_build: the check would see nothing")
        endif()
    endif()
    # The checks can see what they look for: the library defines the loading API.
    if(NOT listing MATCHES "ovseal::compile_model\\(")
        message(FATAL_ERROR "${file} does not define ovseal::compile_model: the check would see nothing")
    endif()
endforeach()
message(STATUS "no sealing, license-issuing, rotation or PKCS#11 code in ${FILES}")
