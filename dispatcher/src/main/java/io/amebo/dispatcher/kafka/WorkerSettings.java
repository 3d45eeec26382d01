package io.amebo.dispatcher.kafka;

import java.time.Duration;

/**
 * How delivery workers run; see {@code DispatcherProperties}.
 *
 * @param maxInFlight deliveries in flight per subscription (unordered)
 * @param shutdownGrace how long a stopping worker lets deliveries in flight settle before its last commit
 * @param commitInterval the longest a settled offset waits to be committed while a worker runs
 */
public record WorkerSettings(int maxInFlight, Duration shutdownGrace, Duration commitInterval) {}
