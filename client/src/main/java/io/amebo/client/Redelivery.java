package io.amebo.client;

/**
 * What one redelivery attempt ({@link Gists#redeliver(String)}) got.
 *
 * @param attempt the attempt number this delivery reached
 * @param delivered true when the handler answered 2xx
 * @param status the handler's HTTP status, or null when it gave none
 * @param error why it was not delivered, or null
 */
public record Redelivery(String gist, int attempt, boolean delivered, Integer status, String error) {}
