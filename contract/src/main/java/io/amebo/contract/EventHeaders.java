package io.amebo.contract;

/**
 * Kafka record headers of an event (DESIGN §3): the CloudEvents Kafka protocol binding in binary mode, so a team can
 * consume Amebo's topics with any CloudEvents SDK, plus Amebo's own {@code amebo_*} headers where they apply.
 * Header values are UTF-8 strings.
 */
public final class EventHeaders {

    public static final String SPEC_VERSION = "ce_specversion";
    public static final String ID = "ce_id";
    public static final String SOURCE = "ce_source";
    public static final String TYPE = "ce_type";
    public static final String TIME = "ce_time";
    public static final String DATA_SCHEMA = "ce_dataschema";
    public static final String CONTENT_TYPE = "content-type";

    /** The publisher's deduplication key, when it sent one. */
    public static final String DEDUPER = "amebo_deduper";
    /** Delayed delivery: the first delivery waits until this instant (ISO-8601, UTC). */
    public static final String NOT_BEFORE = "amebo_not_before";
    /** The version of the action's schema the payload was validated against. */
    public static final String SCHEMA_VERSION = "amebo_schema_version";
    /** The correlation id of the publish request, carried on to the webhook delivery. */
    public static final String CORRELATION_ID = "amebo_correlation_id";

    public static final String SPEC_VERSION_VALUE = "1.0";
    public static final String JSON = "application/json";

    private EventHeaders() {}

    /** The {@code ce_source} of events published by {@code application}. */
    public static String source(String application) {
        return "/applications/" + application;
    }
}
