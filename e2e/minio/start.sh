#!/usr/bin/env bash
# Builds (once) and starts MinIO for the e2e tests; see minio.sh.
exec "$(dirname "${BASH_SOURCE[0]}")/minio.sh" start
