package io.amebo.dispatcher.store;

import io.amebo.dispatcher.store.GistLog.Gist;
import reactor.core.publisher.Mono;

/**
 * Port: the durable journal of delivery outcomes. {@link #append} completes once the record is durable (acknowledged
 * by the broker); a delivery settles only after its outcome is journaled, so an event is never committed away with
 * its gist lost, whether PostgreSQL is down or the dispatcher stops or dies. The journal is copied into the
 * {@link GistLog} behind the scenes.
 */
@FunctionalInterface
public interface GistJournal {
    Mono<Void> append(Gist gist);
}
