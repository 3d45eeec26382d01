package io.amebo.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class KafkaNamesTest {

    private final KafkaNames names = KafkaNames.defaults();

    @Test
    void namesTopicsAndGroupsAsDesignSectionThreeSays() {
        assertThat(names.eventTopic("user.created")).isEqualTo("amebo.user.created");
        assertThat(names.registryTopic()).isEqualTo("amebo.registry");
        assertThat(names.deadLetterTopic()).isEqualTo("amebo.dead");
        assertThat(names.retryTopic(Duration.ofSeconds(30))).isEqualTo("amebo.retry.30s");
        assertThat(names.liveGroup("welcome-emails")).isEqualTo("amebo.sub.welcome-emails");
        assertThat(names.replayGroup("welcome-emails", "r1")).isEqualTo("amebo.replay.welcome-emails.r1");
    }

    @Test
    void honoursAConfiguredPrefix() {
        KafkaNames staging = new KafkaNames("staging-amebo");

        assertThat(staging.eventTopic("order.placed")).isEqualTo("staging-amebo.order.placed");
        assertThat(staging.registryTopic()).isEqualTo("staging-amebo.registry");
        assertThat(staging.actionOf("staging-amebo.order.placed")).contains("order.placed");
        assertThat(staging.actionOf("amebo.order.placed")).isEmpty();
    }

    @Test
    void mapsEventTopicsBackToActionsButNotAmebosOwnTopics() {
        assertThat(names.actionOf("amebo.inventory.reserve_requested")).contains("inventory.reserve_requested");
        assertThat(names.actionOf(names.registryTopic())).isEmpty();
        assertThat(names.actionOf(names.deadLetterTopic())).isEmpty();
        assertThat(names.actionOf(names.retryTopic(Duration.ofMinutes(1)))).isEmpty();
        assertThat(names.actionOf("__consumer_offsets")).isEmpty();
    }

    @Test
    void refusesAnActionWhoseTopicFoldsOntoAnExistingOne() {
        assertThat(names.conflictOf("user_created", List.of("user.created")))
                .hasValueSatisfying(reason -> assertThat(reason).contains("user.created"));
        assertThat(names.conflictOf("user.created", List.of("user_created"))).isPresent();
        assertThat(names.conflictOf("a.b_c", List.of("a_b.c"))).isPresent();
    }

    @Test
    void acceptsAnActionThatDiffersInMoreThanDotsAndUnderscores() {
        assertThat(names.conflictOf("user.created", List.of("user.deleted", "user-created")))
                .isEmpty();
        assertThat(names.conflictOf("user.created", List.of("user.created"))).isEmpty();
    }

    @Test
    void refusesActionsThatWouldShadowAmebosOwnTopics() {
        for (String reserved : List.of("registry", "dead", "gists", "retry", "retry.30s", "retry_30s")) {
            assertThat(names.conflictOf(reserved, List.of())).as(reserved).isPresent();
        }
        assertThat(names.conflictOf("registry.updated", List.of())).isEmpty();
    }

    @Test
    void refusesInvalidNamesWithTheRule() {
        assertThat(names.conflictOf("User.Created", List.of()))
                .hasValueSatisfying(r -> assertThat(r).contains("a-z"));
        assertThat(Names.checkAction("")).contains("is required");
        assertThat(Names.checkAction(".hidden")).isPresent();
        assertThat(Names.checkAction("a".repeat(201))).isPresent();
        assertThat(Names.checkAction("a".repeat(200))).isEmpty();
        assertThat(Names.checkApplication("user-service")).isEmpty();
        assertThat(Names.checkApplication("sub two!")).isPresent();
        assertThatThrownBy(() -> names.eventTopic("no spaces")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KafkaNames("bad prefix")).isInstanceOf(IllegalArgumentException.class);
    }
}
