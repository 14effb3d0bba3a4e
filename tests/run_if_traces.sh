#!/bin/sh
# Runs a test binary that needs ../shared/traces, or says clearly that it is
# skipped (exit 77, which ctest reports as "Skipped") when the folder is absent.
traces="$1"; shift
if [ ! -d "$traces" ]; then
  echo "SKIPPED: $traces not found; the real-trace tests need ../shared/traces beside the project"
  exit 77
fi
exec "$@"
