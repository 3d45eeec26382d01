package io.amebo.contract;

/** HTTP headers of a webhook delivery (DESIGN §5): Standard Webhooks plus Amebo's own. */
public final class WebhookHeaders {

    /** The event id: the same on every attempt and every replay, so receivers can deduplicate. */
    public static final String ID = "webhook-id";
    /** Unix seconds of this attempt. */
    public static final String TIMESTAMP = "webhook-timestamp";
    /** Space-separated {@code v1,<base64>} signatures; more than one during a secret rotation. */
    public static final String SIGNATURE = "webhook-signature";

    /** {@code sha256=<hex HMAC-SHA256 of the body>}; comma-separated during a secret rotation. */
    public static final String AMEBO_SIGNATURE = "X-Amebo-Signature";

    public static final String AMEBO_ACTION = "X-Amebo-Action";
    public static final String AMEBO_SUBSCRIPTION = "X-Amebo-Subscription";
    public static final String AMEBO_ATTEMPT = "X-Amebo-Attempt";
    /** The id of the delivery record (gist). */
    public static final String AMEBO_DELIVERY = "X-Amebo-Delivery";
    /** The correlation id of the publish request ({@code X-Request-Id} there), carried to every delivery. */
    public static final String REQUEST_ID = "X-Request-Id";

    private WebhookHeaders() {}
}
