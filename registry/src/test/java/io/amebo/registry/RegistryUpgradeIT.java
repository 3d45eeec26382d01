package io.amebo.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.amebo.registry.kafka.LogAppendTimeMigration;
import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.SharedKafka;
import io.amebo.testkit.SharedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * A registry started over the data of an older one (DESIGN §6.7: no registry data is dropped at startup): rows
 * written before subscriptions had ids get ids and are published again with them, and event topics created with the
 * producers' CreateTime move to the broker's LogAppendTime.
 */
@RealInfrastructure
class RegistryUpgradeIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final SharedPostgres.Database database =
            SharedPostgres.get().newDatabase(SharedKafka.uniqueName("upgrade"));

    private final String prefix = SharedKafka.uniqueName("upgrade");

    @Test
    void givesEverySubscriptionOfAnOlderDatabaseItsOwnIdAndPublishesItAgainWithIt(SharedKafka kafka) throws Exception {
        migrate(MigrationVersion.fromVersion("1"));
        String action = SharedKafka.uniqueName("upgrade.action");
        List<String> subscriptions = List.of(SharedKafka.uniqueName("old-a"), SharedKafka.uniqueName("old-b"));
        try (Connection db = database.connect()) {
            insertApplicationAndAction(db, "upgrade-app", action);
            for (String subscription : subscriptions) {
                insertSubscription(db, subscription, "upgrade-app", action);
            }
        }

        migrate(MigrationVersion.LATEST);

        Map<String, String> ids = subscriptionIds();
        assertThat(ids).containsOnlyKeys(subscriptions);
        assertThat(ids.values()).doesNotHaveDuplicates().allSatisfy(UUID::fromString);
        try (Connection db = database.connect()) {
            assertThatThrownBy(() -> execute(
                            db,
                            "UPDATE subscriptions SET id = ? WHERE name = ?",
                            UUID.fromString(ids.get(subscriptions.get(0))),
                            subscriptions.get(1)))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("subscriptions_id_key");
            assertThatThrownBy(() -> execute(db, "UPDATE subscriptions SET id = NULL"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("not-null");
        }
        try (ConfigurableApplicationContext registry = RunningRegistry.start(database, prefix)) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Map<String, String> published = new LinkedHashMap<>();
                RegistryChangelog.read(kafka, prefix + ".registry")
                        .forEach((key, value) -> value.ifPresent(json ->
                                published.put(key, JSON.readTree(json).get("id").asString())));
                for (String subscription : subscriptions) {
                    assertThat(published).containsEntry("subscription/" + subscription, ids.get(subscription));
                }
            });
        }
    }

    @Test
    void movesAnEventTopicCreatedWithCreateTimeToLogAppendTimeWhenTheRegistryStarts(SharedKafka kafka)
            throws Exception {
        migrate(MigrationVersion.LATEST);
        String action = SharedKafka.uniqueName("upgrade.stamped");
        String topic = prefix + "." + action;
        try (Connection db = database.connect()) {
            insertApplicationAndAction(db, "stamped-app", action);
        }
        // as a registry of the previous release created it: no timestamp type, so the broker's default
        kafka.createTopic(topic, 1);
        assertThat(EventTopics.timestampType(kafka, topic)).isEqualTo("CreateTime");

        try (ConfigurableApplicationContext registry = RunningRegistry.start(database, prefix)) {
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() ->
                            assertThat(EventTopics.timestampType(kafka, topic)).isEqualTo("LogAppendTime"));
        }
    }

    @Test
    void movesEventTopicsOnceKafkaAnswersWhenItWasUnreachableAsTheRegistryStarted(SharedKafka kafka) throws Exception {
        migrate(MigrationVersion.LATEST);
        String action = SharedKafka.uniqueName("upgrade.offline");
        String topic = prefix + "." + action;
        try (Connection db = database.connect()) {
            insertApplicationAndAction(db, "offline-app", action);
        }
        kafka.createTopic(topic, 1);
        int bootstrap = TcpForwarder.freePort();
        ListAppender<ILoggingEvent> migrationLog = new ListAppender<>();
        migrationLog.start();
        Logger migrationLogger = (Logger) LoggerFactory.getLogger(LogAppendTimeMigration.class);

        // startup neither waits for Kafka nor fails without it
        try (ConfigurableApplicationContext registry = RunningRegistry.start(
                database,
                prefix,
                "--spring.kafka.bootstrap-servers=127.0.0.1:" + bootstrap,
                "--amebo.registry.kafka-timeout=1s")) {
            RunningRegistry.api(registry)
                    .get("/v1/applications/offline-app", Api.ADMIN)
                    .expectStatus()
                    .isOk();
            // after the start: Spring Boot resets logging as it starts
            migrationLogger.addAppender(migrationLog);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> migrationLog.list.stream().anyMatch(e -> e.getLevel() == Level.WARN));

            try (TcpForwarder kafkaAnswers = TcpForwarder.start(bootstrap, kafka.bootstrapServers())) {
                await().atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> assertThat(EventTopics.timestampType(kafka, topic))
                                .isEqualTo("LogAppendTime"));
            }
        } finally {
            migrationLogger.detachAppender(migrationLog);
        }
        assertThat(migrationLog.list)
                .extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(message -> assertThat(message).contains(topic, "LogAppendTime", "was CreateTime"));
    }

    private void migrate(MigrationVersion target) {
        Flyway.configure()
                .dataSource(database.jdbcUrl(), database.user(), database.password())
                .target(target)
                .load()
                .migrate();
    }

    /** An application and an action with its first schema, as rows of the registry's first schema. */
    private void insertApplicationAndAction(Connection db, String application, String action) throws SQLException {
        String topic = prefix + "." + action;
        execute(
                db,
                "INSERT INTO applications (name, address, secret_sealed, created_at, updated_at)"
                        + " VALUES (?, 'https://upgrade.example.com', 'not-a-sealed-secret', now(), now())",
                application);
        execute(
                db,
                "INSERT INTO actions (name, application, topic, metric_name, partitions, retention, compatibility,"
                        + " created_at) VALUES (?, ?, ?, ?, 1, 'PT168H', 'backward', now())",
                action,
                application,
                topic,
                topic.replace('.', '_'));
        execute(db, "INSERT INTO schemata (action, version, schema, created_at) VALUES (?, 1, '{}', now())", action);
    }

    private static void insertSubscription(Connection db, String name, String application, String action)
            throws SQLException {
        execute(
                db,
                "INSERT INTO subscriptions (name, application, action, handler, max_retries, ordered, status,"
                        + " created_at, updated_at) VALUES (?, ?, ?, '/hooks', 5, false, 'active', now(), now())",
                name,
                application,
                action);
    }

    private Map<String, String> subscriptionIds() throws SQLException {
        Map<String, String> ids = new LinkedHashMap<>();
        try (Connection db = database.connect();
                PreparedStatement query = db.prepareStatement("SELECT name, id FROM subscriptions");
                ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                ids.put(rows.getString("name"), rows.getString("id"));
            }
        }
        return ids;
    }

    private static void execute(Connection db, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            statement.executeUpdate();
        }
    }
}
