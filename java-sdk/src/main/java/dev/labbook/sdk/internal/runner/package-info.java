/**
 * The script runner shared by {@code labbook run} and the SDK's local submissions: the child
 * process in its own process group, output capture into log lines, the log shipper, signal
 * forwarding, outputs selection and the session that ends the run. Internal: not part of the API.
 */
package dev.labbook.sdk.internal.runner;
