package io.amebo.contract;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * An event's id is where it lives in the log: (action, partition, offset). The gateway mints it from the broker's
 * ack, the dispatcher computes the same id from the record, a replay carries it again, and a lookup by id goes
 * straight to the record (DESIGN §4).
 *
 * <p>The text form is opaque to clients and URL-safe: base64url without padding over
 * {@code version(1) | varint partition | varint offset | action UTF-8 | CRC32C(4)}. The checksum and a canonical
 * re-encoding make a mistyped or made-up id fail to decode instead of pointing somewhere else.
 */
public record EventId(String action, int partition, long offset) {

    private static final byte VERSION = 1;
    private static final int CHECKSUM_BYTES = 4;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    /** The longest text an id can have: version, two varints at their widest, a 200-byte action and the checksum. */
    private static final int MAX_TEXT_LENGTH = (1 + 5 + 10 + 200 + CHECKSUM_BYTES) * 4 / 3 + 4;

    public EventId {
        Objects.requireNonNull(action, "action");
        Names.checkAction(action).ifPresent(p -> {
            throw new IllegalArgumentException("action '" + action + "' " + p);
        });
        if (partition < 0) {
            throw new IllegalArgumentException("partition must not be negative, was " + partition);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, was " + offset);
        }
    }

    public String encode() {
        byte[] actionBytes = action.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 + 5 + 10 + actionBytes.length + CHECKSUM_BYTES);
        out.write(VERSION);
        writeVarint(out, partition);
        writeVarint(out, offset);
        out.writeBytes(actionBytes);
        CRC32C crc = new CRC32C();
        crc.update(out.toByteArray());
        out.writeBytes(
                ByteBuffer.allocate(CHECKSUM_BYTES).putInt((int) crc.getValue()).array());
        return ENCODER.encodeToString(out.toByteArray());
    }

    @Override
    public String toString() {
        return encode();
    }

    /**
     * Parses an id's text form.
     *
     * @throws IllegalArgumentException with a message that says why the text is not an event id
     */
    public static EventId decode(String text) {
        if (text == null || text.isEmpty()) {
            throw malformed("it is empty");
        }
        if (text.length() > MAX_TEXT_LENGTH) {
            throw malformed("it is longer than any event id");
        }
        byte[] bytes;
        try {
            bytes = DECODER.decode(text);
        } catch (IllegalArgumentException e) {
            throw malformed("it is not base64url text");
        }
        if (bytes.length < 1 + 1 + 1 + 1 + CHECKSUM_BYTES) {
            throw malformed("it is too short");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, bytes.length - CHECKSUM_BYTES);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - CHECKSUM_BYTES);
        int expected = ByteBuffer.wrap(bytes, bytes.length - CHECKSUM_BYTES, CHECKSUM_BYTES)
                .getInt();
        if ((int) crc.getValue() != expected) {
            throw malformed("its checksum does not match");
        }
        if (buffer.get() != VERSION) {
            throw malformed("its version is unknown");
        }
        long partition = readVarint(buffer);
        long offset = readVarint(buffer);
        if (partition > Integer.MAX_VALUE) {
            throw malformed("its partition is out of range");
        }
        String action =
                new String(bytes, buffer.position(), buffer.limit() - buffer.position(), StandardCharsets.US_ASCII);
        if (Names.checkAction(action).isPresent()) {
            throw malformed("it names no valid action");
        }
        EventId id = new EventId(action, (int) partition, offset);
        if (!id.encode().equals(text)) {
            throw malformed("it is not in canonical form");
        }
        return id;
    }

    private static IllegalArgumentException malformed(String why) {
        return new IllegalArgumentException("not an event id: " + why);
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static long readVarint(ByteBuffer buffer) {
        long value = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            if (!buffer.hasRemaining()) {
                throw malformed("it ends inside a number");
            }
            byte b = buffer.get();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (value < 0) {
                    throw malformed("a number in it is out of range");
                }
                return value;
            }
        }
        throw malformed("a number in it is out of range");
    }
}
