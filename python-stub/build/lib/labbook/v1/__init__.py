"""Generated protobuf and gRPC modules of the labbook.v1 API (scripts/generate)."""
