/**
 * The Java SDK's internals: background senders ({@code MetricSender}, the call queue
 * {@code OpQueue}), the spool ({@code Spool}, {@code SpooledCalls}), run sinks, the metric
 * recorder, call retries and error mapping, protobuf conversions. Not part of the API: these
 * classes are public only so that the API package ({@code dev.labbook.sdk}) and the other modules
 * of this repository can use them, and they change without notice. Use {@code dev.labbook.sdk}.
 */
package dev.labbook.sdk.internal;
