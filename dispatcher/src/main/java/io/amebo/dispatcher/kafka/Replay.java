package io.amebo.dispatcher.kafka;

import io.amebo.dispatcher.delivery.DeliveryExecutor.Settled;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One replay's progress (DESIGN §4.2, §6.6), in memory: a replay does not survive a restart of the dispatcher that
 * runs it. {@code total} is known once the window was located in the log; the counts say how each replayed event
 * settled, and only handler 2xx answers count as delivered.
 */
public final class Replay {

    private final String id;
    private final String subscription;
    private final String subscriptionId;
    private final Instant from;
    private final Instant to;
    private final AtomicLong total = new AtomicLong(-1);
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong dead = new AtomicLong();
    private final AtomicLong retrying = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile String status = "running";
    private volatile String error;

    Replay(String id, String subscription, String subscriptionId, Instant from, Instant to) {
        this.id = id;
        this.subscription = subscription;
        this.subscriptionId = subscriptionId;
        this.from = from;
        this.to = to;
    }

    public String id() {
        return id;
    }

    String subscription() {
        return subscription;
    }

    String subscriptionId() {
        return subscriptionId;
    }

    Instant from() {
        return from;
    }

    Instant to() {
        return to;
    }

    void located(long events) {
        total.set(events);
    }

    void settled(Settled settled) {
        switch (settled) {
            case DELIVERED -> delivered.incrementAndGet();
            case DEAD -> dead.incrementAndGet();
            case PARKED -> retrying.incrementAndGet();
            case DROPPED -> dropped.incrementAndGet();
        }
    }

    void done() {
        status = "done";
    }

    void failed(String reason) {
        error = reason;
        status = "failed";
    }

    public Map<String, Object> view() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("replay", id);
        body.put("subscription", subscription);
        body.put("from", from);
        body.put("to", to);
        body.put("status", status);
        body.put("total", total.get() < 0 ? null : total.get());
        body.put("settled", delivered.get() + dead.get() + retrying.get() + dropped.get());
        body.put("delivered", delivered.get());
        body.put("retrying", retrying.get());
        body.put("dead", dead.get());
        if (error != null) {
            body.put("error", error);
        }
        return body;
    }
}
