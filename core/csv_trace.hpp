// capsim's native CSV trace format: one job per line.
//
//   job_id,submit_s,gpus,duration_s,gpu_type,user,queue,state,cpus,memory_mib,gpu_memory_mib,estimate_s
//
// submit_s, gpus and duration_s are required; the other columns are optional
// and may come in any order (the header line names them; an unknown column is
// an error). Rows need not be sorted. Times are seconds since the start of the
// trace (decimals allowed); `gpus` a whole number, a fraction of one GPU
// (0.25: a quarter of a shared GPU) or 0 for a CPU-only job; `gpu_type` a
// catalog name, several joined by '|', or empty for any; `state` completed,
// failed, killed, running (still running when the trace ended) or cancelled
// (never ran: not replayed); `gpu_memory_mib` the memory each of the job's
// GPUs must have; `estimate_s` the run time the user asked for. Lines starting
// with '#' are comments. The README documents the format. The reader is
// opened through open_trace_reader (core/trace.hpp).
#pragma once
