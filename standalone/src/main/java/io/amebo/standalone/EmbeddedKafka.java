package io.amebo.standalone;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A single-node KRaft Kafka (broker and controller in one) from the normal Kafka jars, keeping its log under the
 * data directory. The directory is formatted only the first time (re-formatting fails on restart with a cluster-id
 * mismatch). Topic auto-creation is off, as everywhere in Amebo.
 */
final class EmbeddedKafka implements AutoCloseable {

    private final KafkaRaftServer server;
    private final int port;

    private EmbeddedKafka(KafkaRaftServer server, int port) {
        this.server = server;
        this.port = port;
    }

    static EmbeddedKafka start(Path directory, int port, int controllerPort) {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", directory.toAbsolutePath().toString());
        props.put("auto.create.topics.enable", "false");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // after a crash the new incarnation of this single node waits until the old one's broker session expires
        // (9 s by default) before it can register: a short session makes a restart after a crash quick
        props.put("broker.session.timeout.ms", "3000");
        props.put("broker.heartbeat.interval.ms", "1000");
        props.put("num.partitions", "3");
        try {
            Files.createDirectories(directory);
            if (!Files.exists(directory.resolve("meta.properties"))) {
                format(directory);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the Kafka directory " + directory, e);
        }
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        server.startup();
        return new EmbeddedKafka(server, port);
    }

    private static void format(Path directory) throws IOException {
        try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(directory.toAbsolutePath().toString()))
                    .setMetadataLogDirectory(directory.toAbsolutePath().toString())
                    .setControllerListenerName("CONTROLLER")
                    .setPrintStream(quiet)
                    .run();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot format the Kafka directory " + directory, e);
        }
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
