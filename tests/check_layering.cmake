# Fails when an #include crosses the module boundaries of DESIGN.md:
# core <- scheduler <- sim <- kernels <- {cli, python}. Run by ctest.
set(rules
  "core:scheduler|sim|kernels|cli|python"
  "scheduler:sim|kernels|cli|python"
  "sim:kernels|cli|python"
  "kernels:cli|python")
set(violations "")
foreach(rule IN LISTS rules)
  string(REPLACE ":" ";" parts "${rule}")
  list(GET parts 0 module)
  list(GET parts 1 forbidden)
  file(GLOB_RECURSE sources "${SOURCE_DIR}/${module}/*.hpp" "${SOURCE_DIR}/${module}/*.cpp"
       "${SOURCE_DIR}/${module}/*.cu" "${SOURCE_DIR}/${module}/*.cuh")
  foreach(source IN LISTS sources)
    file(STRINGS "${source}" lines REGEX "^[ \t]*#[ \t]*include[ \t]+[\"<](${forbidden})/")
    foreach(line IN LISTS lines)
      file(RELATIVE_PATH relative "${SOURCE_DIR}" "${source}")
      string(APPEND violations "  ${relative}: ${line}\n")
    endforeach()
  endforeach()
endforeach()
if(violations)
  message(FATAL_ERROR "includes that cross the module boundaries (core <- scheduler <- sim <- kernels <- {cli, python}):\n${violations}")
endif()
message(STATUS "module boundaries hold")
