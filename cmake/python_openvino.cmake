# SPDX-License-Identifier: Apache-2.0
# For the Python package: the interpreter pip builds with, and the OpenVINO C++ SDK inside the openvino wheel
# installed for it (a build requirement in pyproject.toml), so the extension links against the very libraries
# the installed wheel ships.
find_package(Python 3.9 REQUIRED COMPONENTS Interpreter Development.Module)
if(NOT OpenVINO_DIR)
    execute_process(
        COMMAND "${Python_EXECUTABLE}" -c "from openvino.utils import get_cmake_path; print(get_cmake_path(), end='')"
        OUTPUT_VARIABLE ovseal_openvino_cmake_dir
        RESULT_VARIABLE ovseal_openvino_found)
    if(NOT ovseal_openvino_found EQUAL 0)
        message(FATAL_ERROR "The Python package needs the openvino wheel installed for ${Python_EXECUTABLE}")
    endif()
    set(OpenVINO_DIR "${ovseal_openvino_cmake_dir}" CACHE PATH "OpenVINO's CMake config (from the openvino wheel)")
endif()
