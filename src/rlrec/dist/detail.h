// The hooks between comm.cc (the job of one rank) and mpi_comm.cc (Open MPI), compiled only into
// rlrec_dist. Without MPI in the build, comm.cc defines them as "MPI not started".
#pragma once

#include "rlrec/dist/comm.h"

namespace rlrec::dist::detail {

bool launched_by_mpi();                   // a launcher's environment variables are set
bool start_mpi(int& argc, char**& argv);  // MPI_Init_thread; false without MPI in the build
void stop_mpi();                          // MPI_Finalize
Communicator* mpi_world();                // nullptr until start_mpi succeeded

}  // namespace rlrec::dist::detail
