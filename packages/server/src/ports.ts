/** The default ports of Dgraph's nodes (Strata's too); `--port_offset` is added to each. */

/** Dgraph Zero's HTTP port. */
export const ZERO_DEFAULT_PORT = 6080;

/** Dgraph Alpha's HTTP port. */
export const ALPHA_DEFAULT_PORT = 8080;

/** Dgraph Alpha's gRPC port. */
export const ALPHA_DEFAULT_GRPC_PORT = 9080;
