package io.amebo.dispatcher.delivery;

import io.amebo.contract.EventHeaders;
import io.amebo.contract.EventId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * One event as the dispatcher delivers it, read from its action's topic, or from a retry topic that carries the
 * original's id and time in headers so that every attempt and every replay has the same {@code webhook-id}.
 */
public record Event(
        String id,
        String action,
        String application,
        String key,
        byte[] payload,
        Instant timestamped,
        String deduper,
        Optional<Instant> notBefore,
        Headers headers) {

    /** Headers a retry record adds to the original's. */
    public static final String EVENT_ID = "amebo_event_id";

    public static final String EVENT_TIME = "amebo_event_time";
    public static final String SUBSCRIPTION = "amebo_subscription";
    public static final String SUBSCRIPTION_ID = "amebo_subscription_id";
    public static final String ATTEMPT = "amebo_attempt";
    /** When the next attempt is due, in epoch milliseconds. */
    public static final String DUE = "amebo_due";
    /** When a retry record may be read from its tier, in epoch milliseconds: its write time plus the tier. */
    public static final String HOP_AT = "amebo_hop_at";

    public static final String LAST_STATUS = "amebo_last_status";
    public static final String LAST_ERROR = "amebo_last_error";

    /** An event as it sits on its action's topic: its id is its position. */
    public static Event fromEventRecord(String action, ConsumerRecord<String, byte[]> record) {
        return of(
                new EventId(action, record.partition(), record.offset()).encode(),
                action,
                Instant.ofEpochMilli(record.timestamp()),
                record);
    }

    /** An event carried by a retry or dead-letter record: its id and time are the original's. */
    public static Event fromCarrier(ConsumerRecord<String, byte[]> record) {
        String id = header(record.headers(), EVENT_ID);
        EventId position = EventId.decode(id);
        return of(
                id,
                position.action(),
                Instant.ofEpochMilli(Long.parseLong(header(record.headers(), EVENT_TIME))),
                record);
    }

    private static Event of(String id, String action, Instant time, ConsumerRecord<String, byte[]> record) {
        String source = header(record.headers(), EventHeaders.SOURCE);
        String notBefore = header(record.headers(), EventHeaders.NOT_BEFORE);
        return new Event(
                id,
                action,
                source != null && source.startsWith("/applications/")
                        ? source.substring("/applications/".length())
                        : "",
                record.key(),
                record.value() == null ? new byte[0] : record.value(),
                time,
                header(record.headers(), EventHeaders.DEDUPER),
                Optional.ofNullable(notBefore).map(Instant::parse),
                record.headers());
    }

    public static String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
