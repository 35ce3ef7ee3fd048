#!/usr/bin/env bash
# Stops the MinIO started by start.sh; see minio.sh.
exec "$(dirname "${BASH_SOURCE[0]}")/minio.sh" stop
