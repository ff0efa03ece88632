# Install + export: `cmake --install <build> --prefix P` puts headers in P/include/rlrec, static
# libraries in P/lib, the CLI in P/bin and a CMake package in P/lib/cmake/rlrec, so an outside
# project does find_package(rlrec) and links rlrec::core, rlrec::sim, rlrec::agents, ...
# Driven by RLREC_INSTALL_MODULES; a module whose target does not exist is skipped.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(RLREC_INSTALL_MODULES core dist sim logs data index models datasim agents eval ope train experiment catalog)
# Headers only the test suites use (never included by an installed header).
set(RLREC_TEST_ONLY_HEADERS core/testing.h data/test_files.h models/test_data.h agents/toy_env.h agents/test_driver.h
                            index/test_util.h)
# Torch-dependent header used only inside the agents module's .cc files.
list(APPEND RLREC_TEST_ONLY_HEADERS agents/nn.h)

set(RLREC_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/rlrec)
set(rlrec_export_targets rlrec_flags)
set(RLREC_INSTALLED_MODULES "")
foreach(m IN LISTS RLREC_INSTALL_MODULES)
  if(NOT TARGET rlrec_${m})
    continue()
  endif()
  set_target_properties(rlrec_${m} PROPERTIES EXPORT_NAME ${m} INTERFACE_INCLUDE_DIRECTORIES
    "$<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>;$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>")
  list(APPEND rlrec_export_targets rlrec_${m})
  list(APPEND RLREC_INSTALLED_MODULES ${m})
  file(GLOB_RECURSE headers RELATIVE ${PROJECT_SOURCE_DIR}/src/rlrec/${m}
       ${PROJECT_SOURCE_DIR}/src/rlrec/${m}/*.h)
  foreach(h IN LISTS headers)
    if("${m}/${h}" IN_LIST RLREC_TEST_ONLY_HEADERS)
      continue()
    endif()
    get_filename_component(dir ${h} DIRECTORY)
    install(FILES src/rlrec/${m}/${h} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/rlrec/${m}/${dir})
  endforeach()
endforeach()

# rlrec_flags carries build-tree warning flags; consumers get it as an empty-ish interface target
# (its -Werror/-march/sanitizer options follow the build's options, as the static libs need them).
set_target_properties(rlrec_flags PROPERTIES EXPORT_NAME flags)

# ope links LIBLINEAR by path (kept as a plain path in its interface); the installed package
# re-finds it as the imported target rlrec::liblinear.
function(rlrec_swap_liblinear prop)
  get_target_property(links rlrec_ope ${prop})
  set(out "")
  foreach(l IN LISTS links)
    if(l STREQUAL LIBLINEAR_LIBRARY OR l STREQUAL "$<LINK_ONLY:${LIBLINEAR_LIBRARY}>")
      list(APPEND out "$<BUILD_INTERFACE:${l}>" "$<INSTALL_INTERFACE:rlrec::liblinear>")
    else()
      list(APPEND out "${l}")
    endif()
  endforeach()
  set_target_properties(rlrec_ope PROPERTIES ${prop} "${out}")
endfunction()
if(TARGET rlrec_ope AND LIBLINEAR_LIBRARY)
  rlrec_swap_liblinear(LINK_LIBRARIES)
  rlrec_swap_liblinear(INTERFACE_LINK_LIBRARIES)
endif()

install(TARGETS ${rlrec_export_targets} EXPORT rlrecTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT rlrecTargets NAMESPACE rlrec:: DESTINATION ${RLREC_CMAKE_DIR})

foreach(exe rlrec rlrec-agents)
  if(TARGET ${exe})
    install(TARGETS ${exe} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()

configure_package_config_file(cmake/rlrecConfig.cmake.in ${PROJECT_BINARY_DIR}/rlrecConfig.cmake
                              INSTALL_DESTINATION ${RLREC_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/rlrecConfigVersion.cmake
                                 COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/rlrecConfig.cmake ${PROJECT_BINARY_DIR}/rlrecConfigVersion.cmake
        DESTINATION ${RLREC_CMAKE_DIR})
