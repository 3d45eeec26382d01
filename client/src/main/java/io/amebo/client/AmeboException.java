package io.amebo.client;

/**
 * Every failure of an {@link AmeboClient} call: either Amebo answered with an error ({@link AmeboApiException}: the
 * status and the problem it sent), or no answer came ({@link AmeboTransportException}: connection refused, timeout,
 * interrupted). Unchecked, so a caller catches it where it can act and lets it pass elsewhere.
 */
public abstract sealed class AmeboException extends RuntimeException
        permits AmeboApiException, AmeboTransportException {

    AmeboException(String message, Throwable cause) {
        super(message, cause);
    }
}
