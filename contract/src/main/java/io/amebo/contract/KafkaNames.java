package io.amebo.contract;

import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one place that owns every topic and consumer-group name (DESIGN §3). Ops teams read these names with their
 * own tools, so they are a contract: change them only with a migration story.
 *
 * <pre>
 *   events of action A          {prefix}.A
 *   registry changelog          {prefix}.registry        (compacted)
 *   dead letters                {prefix}.dead
 *   delivery outcomes (gists)   {prefix}.gists           (journal of the delivery log)
 *   retries                     {prefix}.retry.{delay}   e.g. amebo.retry.30s
 *   live group of subscription  {prefix}.sub.S
 *   replay group                {prefix}.replay.S.R
 * </pre>
 *
 * Kafka folds '.' into '_' in metric names, so two topics that differ only there would share metrics; an action
 * whose topic collides that way with an existing topic, or with one of Amebo's own topics, is refused.
 */
public final class KafkaNames {

    public static final String DEFAULT_PREFIX = "amebo";

    private static final Pattern PREFIX = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$");
    private static final String RETRY = "retry";

    private final String prefix;

    public KafkaNames(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (!PREFIX.matcher(prefix).matches() || prefix.endsWith(".")) {
            throw new IllegalArgumentException(
                    "topic prefix '" + prefix + "' must be 1 to 40 characters of A-Z, a-z, 0-9, '.', '_' or '-'");
        }
        this.prefix = prefix;
    }

    public static KafkaNames defaults() {
        return new KafkaNames(DEFAULT_PREFIX);
    }

    public String prefix() {
        return prefix;
    }

    /** The topic of an action's events. The action name must already satisfy {@link Names#ACTION}. */
    public String eventTopic(String action) {
        requireValid(Names.checkAction(action), "action", action);
        return prefix + "." + action;
    }

    /** The action whose events live on {@code topic}, or empty when the topic is not an event topic. */
    public Optional<String> actionOf(String topic) {
        if (topic == null || !topic.startsWith(prefix + ".")) {
            return Optional.empty();
        }
        String action = topic.substring(prefix.length() + 1);
        return Names.checkAction(action).isEmpty() && !isReserved(action) ? Optional.of(action) : Optional.empty();
    }

    public String registryTopic() {
        return prefix + ".registry";
    }

    public String deadLetterTopic() {
        return prefix + ".dead";
    }

    /** The journal of delivery outcomes, keyed by gist id, that the delivery log in PostgreSQL is written from. */
    public String gistTopic() {
        return prefix + ".gists";
    }

    /** The group that copies the gist journal into PostgreSQL. */
    public String gistWriterGroup() {
        return prefix + ".gist-writer";
    }

    /** Retry topics are named by their delay in whole seconds, shared by all subscriptions. */
    public String retryTopic(Duration delay) {
        if (delay.isNegative() || delay.isZero()) {
            throw new IllegalArgumentException("retry delay must be positive, was " + delay);
        }
        return prefix + "." + RETRY + "." + Math.max(1, delay.toSeconds()) + "s";
    }

    public String liveGroup(String subscription) {
        requireValid(Names.checkSubscription(subscription), "subscription", subscription);
        return prefix + ".sub." + subscription;
    }

    public String replayGroup(String subscription, String replay) {
        requireValid(Names.checkSubscription(subscription), "subscription", subscription);
        requireValid(Names.checkSubscription(replay), "replay", replay);
        return prefix + ".replay." + subscription + "." + replay;
    }

    /**
     * Why {@code action} cannot have a topic beside the {@code existing} actions, or empty when it can: its name is
     * invalid, it would shadow one of Amebo's own topics, or its topic folds to the same metric name as another.
     */
    public Optional<String> conflictOf(String action, Collection<String> existing) {
        Optional<String> invalid = Names.checkAction(action);
        if (invalid.isPresent()) {
            return invalid;
        }
        if (isReserved(action)) {
            return Optional.of("is reserved for Amebo's own topics (registry, dead, gists, retry.*)");
        }
        String folded = metricName(eventTopic(action));
        for (String other : existing) {
            if (!other.equals(action) && metricName(eventTopic(other)).equals(folded)) {
                return Optional.of("would share Kafka metric names with action '" + other
                        + "' because Kafka treats '.' and '_' alike there");
            }
        }
        return Optional.empty();
    }

    /** Kafka's metric-name form of a topic: '.' folded into '_'. */
    public static String metricName(String topic) {
        return topic.replace('.', '_');
    }

    private static boolean isReserved(String action) {
        String folded = metricName(action).toLowerCase(Locale.ROOT);
        return folded.equals("registry")
                || folded.equals("dead")
                || folded.equals("gists")
                || folded.equals(RETRY)
                || folded.startsWith(RETRY + "_");
    }

    private static void requireValid(Optional<String> problem, String what, String value) {
        problem.ifPresent(p -> {
            throw new IllegalArgumentException(what + " '" + value + "' " + p);
        });
    }
}
