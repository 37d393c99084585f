/**
 * The HTTP port ({@code --http-port}, default 7880): the web UI's files and the labbook.v1
 * services for browsers (gRPC-Web) and curl (JSON), served by Armeria beside the gRPC port.
 * Later HTTP APIs (an MLflow-compatible REST API, login) are added to {@link HttpPort} as more
 * routes.
 */
package dev.labbook.server.http;
