# SPDX-License-Identifier: Apache-2.0
# Turns src/model/package_limits.json (the one source of the model package limits, shared with
# scripts/granita_model/package/limits.py) into the C++ header
# <build>/generated/src/model/package_limits.h, included as "src/model/package_limits.h".
#   arch.<key>       -> constexpr ArchRange kArch<Key>{min, max};
#   values.<key>     -> constexpr int64_t k<Key> = value;
# A malformed file stops the configure step with a message naming the file and the field.

set(_limits_json ${CMAKE_CURRENT_LIST_DIR}/package_limits.json)
set(_limits_rel src/model/package_limits.json)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_limits_json})
file(READ ${_limits_json} _limits_text)

function(_limits_camel key out)
  string(REPLACE "_" ";" parts "${key}")
  set(res "")
  foreach(p IN LISTS parts)
    string(SUBSTRING "${p}" 0 1 head)
    string(SUBSTRING "${p}" 1 -1 tail)
    string(TOUPPER "${head}" head)
    string(APPEND res "${head}${tail}")
  endforeach()
  set(${out} "${res}" PARENT_SCOPE)
endfunction()

# Reads an integer at the JSON path given after `out`; fails naming the field otherwise.
function(_limits_int out)
  string(REPLACE ";" "." field "${ARGN}")
  string(JSON v ERROR_VARIABLE err GET "${_limits_text}" ${ARGN})
  if(err)
    message(FATAL_ERROR "${_limits_rel}: ${field}: ${err}")
  endif()
  if(NOT v MATCHES "^-?[0-9]+$")
    message(FATAL_ERROR "${_limits_rel}: ${field}: expected an integer, got '${v}'")
  endif()
  set(${out} "${v}" PARENT_SCOPE)
endfunction()

function(_limits_doc out)
  string(JSON v ERROR_VARIABLE err GET "${_limits_text}" ${ARGN})
  if(err)
    set(v "")
  endif()
  set(${out} "${v}" PARENT_SCOPE)
endfunction()

_limits_int(_limits_version version)
if(NOT _limits_version EQUAL 1)
  message(FATAL_ERROR "${_limits_rel}: version: unsupported version ${_limits_version} "
                      "(this build reads 1)")
endif()

set(_limits_body "")
string(JSON _n ERROR_VARIABLE _err LENGTH "${_limits_text}" arch)
if(_err)
  message(FATAL_ERROR "${_limits_rel}: arch: ${_err}")
endif()
math(EXPR _last "${_n} - 1")
foreach(_i RANGE ${_last})
  string(JSON _key MEMBER "${_limits_text}" arch ${_i})
  _limits_int(_min arch ${_key} min)
  _limits_int(_max arch ${_key} max)
  if(_min GREATER _max)
    message(FATAL_ERROR "${_limits_rel}: arch.${_key}: min ${_min} is above max ${_max}")
  endif()
  _limits_doc(_doc arch ${_key} doc)
  _limits_camel(${_key} _name)
  string(APPEND _limits_body "/// arch.${_key} of model.yaml: ${_doc}\n"
                             "constexpr ArchRange kArch${_name}{${_min}, ${_max}};\n")
endforeach()
string(JSON _n ERROR_VARIABLE _err LENGTH "${_limits_text}" values)
if(_err)
  message(FATAL_ERROR "${_limits_rel}: values: ${_err}")
endif()
math(EXPR _last "${_n} - 1")
foreach(_i RANGE ${_last})
  string(JSON _key MEMBER "${_limits_text}" values ${_i})
  _limits_int(_value values ${_key} value)
  _limits_doc(_doc values ${_key} doc)
  _limits_camel(${_key} _name)
  string(APPEND _limits_body "/// ${_doc}\n"
                             "constexpr int64_t k${_name} = ${_value};\n")
endforeach()

set(GRANITA_GENERATED_DIR ${PROJECT_BINARY_DIR}/generated)
file(CONFIGURE OUTPUT ${GRANITA_GENERATED_DIR}/src/model/package_limits.h CONTENT
"// SPDX-License-Identifier: Apache-2.0
// Generated from ${_limits_rel} by src/model/package_limits.cmake: edit the JSON, not this file.
#pragma once

#include <cstdint>

/// The limits a model package reader enforces; scripts/granita_model/package/limits.py reads the
/// same JSON, so the C++ and Python readers accept the same packages.
namespace granita::model::limits {

/// Inclusive range of one integer key.
struct ArchRange {
  int64_t min;
  int64_t max;
};

@_limits_body@
} // namespace granita::model::limits
" @ONLY)
