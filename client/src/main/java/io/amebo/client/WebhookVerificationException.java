package io.amebo.client;

/**
 * A webhook request that {@link WebhookVerifier} does not accept as Amebo's: answer it with 401 (or 400) and do
 * nothing it asks.
 */
public final class WebhookVerificationException extends RuntimeException {

    /** Why the request was not accepted. */
    public enum Reason {
        /** No signature header, or a Standard Webhooks request missing one of its three headers. */
        MISSING_HEADER,
        /** {@code webhook-timestamp} is not a number of seconds. */
        MALFORMED_TIMESTAMP,
        /** {@code webhook-timestamp} is further from now than the tolerance: possibly a replayed request. */
        STALE_TIMESTAMP,
        /** No signature matches the body with any of the secrets: tampered with, or signed with another secret. */
        NO_MATCHING_SIGNATURE,
        /** The signature is good but the body is not a delivery envelope. */
        MALFORMED_BODY
    }

    private final Reason reason;

    WebhookVerificationException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
