package io.amebo.bench.micro;

import io.amebo.contract.EventId;
import io.amebo.contract.WebhookSignatures;
import io.amebo.dispatcher.core.DeliveryOutcome;
import io.amebo.dispatcher.core.OffsetTracker;
import io.amebo.dispatcher.core.RetryPolicy;
import io.amebo.platform.schema.SchemaCompiler;
import io.amebo.platform.schema.SchemaCompiler.CompiledSchema;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every event costs on its way through Amebo, piece by piece: validating a typical payload (the seed's
 * {@code user.created}, with and without the {@code email} format), encoding and decoding its id, signing a delivery
 * (Standard Webhooks), the dispatcher's offset bookkeeping for one delivery, and one retry delay.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PerEventBenchmarks {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SCHEMA = """
            {"type": "object", "required": ["user_id", "email", "name"],
             "properties": {"user_id": {"type": "string"}, "email": {"type": "string"%s},
                            "name": {"type": "string"}, "plan": {"type": "string", "enum": ["free", "premium"]}}}""";

    private CompiledSchema withEmailFormat;
    private CompiledSchema withoutFormat;
    private JsonNode payload;
    private byte[] body;
    private WebhookSignatures signatures;
    private String id;
    private OffsetTracker tracker;
    private long offset;
    private final RetryPolicy retries = RetryPolicy.DEFAULT;
    private final DeliveryOutcome.Failed failure = new DeliveryOutcome.Failed(503, "unavailable", Optional.empty(), "");
    private final SplittableRandom random = new SplittableRandom(42);

    @Setup
    public void setUp() {
        SchemaCompiler compiler = new SchemaCompiler();
        withEmailFormat = compile(compiler, ", \"format\": \"email\"");
        withoutFormat = compile(compiler, "");
        payload = JSON.readTree("""
                {"user_id": "user-123", "email": "ada@example.com", "name": "Ada Lovelace", "plan": "premium"}""");
        body = JSON.writeValueAsBytes(payload);
        signatures = WebhookSignatures.of("whsec_" + "a".repeat(43));
        id = new EventId("user.created", 2, 1_234_567).encode();
        tracker = new OffsetTracker();
    }

    private static CompiledSchema compile(SchemaCompiler compiler, String emailKeywords) {
        return compiler.compile(JSON.readTree(SCHEMA.formatted(emailKeywords)), "/schemata")
                .schema()
                .orElseThrow();
    }

    @Benchmark
    public List<?> validateWithEmailFormat() {
        return withEmailFormat.validate(payload, "/payload");
    }

    @Benchmark
    public List<?> validateWithoutFormats() {
        return withoutFormat.validate(payload, "/payload");
    }

    @Benchmark
    public String encodeEventId() {
        return new EventId("user.created", 2, 1_234_567).encode();
    }

    @Benchmark
    public EventId decodeEventId() {
        return EventId.decode(id);
    }

    @Benchmark
    public String signDelivery() {
        return signatures.standard(id, 1_767_225_600L, body);
    }

    @Benchmark
    public void trackOneDelivery(Blackhole sink) {
        long next = offset++;
        tracker.started(next);
        tracker.completed(next);
        sink.consume(tracker.uncommitted());
        tracker.committed(next + 1);
    }

    @Benchmark
    public Duration retryDelay() {
        return retries.delayAfter(1 + random.nextInt(8), failure, random);
    }
}
