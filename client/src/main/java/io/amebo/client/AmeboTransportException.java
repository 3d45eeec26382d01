package io.amebo.client;

/**
 * No usable answer came: the connection failed, the request timed out, the thread was interrupted while waiting
 * (its interrupt flag is set again), or the answer was not one Amebo gives (a redirect, which is never followed).
 *
 * <p>After a publish this does not say whether the event was appended: publish with a {@code deduper} and send it
 * again to find out.
 */
public final class AmeboTransportException extends AmeboException {

    AmeboTransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
