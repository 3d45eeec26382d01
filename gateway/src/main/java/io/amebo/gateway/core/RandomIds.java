package io.amebo.gateway.core;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Random (version 4) UUIDs for ids that must be unique but need not be unguessable: an event's {@code ce_id}, a
 * request's correlation id. {@link UUID#randomUUID()} draws from one shared {@code SecureRandom}, whose lock every
 * publish then queued on; a thread-local generator has 122 random bits all the same.
 */
public final class RandomIds {

    private RandomIds() {}

    public static UUID uuid() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
        long low = (random.nextLong() & ~(0xC0L << 56)) | (0x80L << 56); // IETF variant
        return new UUID(high, low);
    }
}
