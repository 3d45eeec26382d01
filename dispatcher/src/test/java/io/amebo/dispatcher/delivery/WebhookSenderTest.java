package io.amebo.dispatcher.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.dispatcher.core.DeliveryOutcome;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WebhookSenderTest {

    @Test
    void anyTwoHundredIsSuccess() {
        for (int status : new int[] {200, 201, 202, 204, 299}) {
            assertThat(WebhookSender.outcome(status, null, new byte[0]))
                    .isEqualTo(new DeliveryOutcome.Delivered(status));
        }
    }

    @Test
    void aSuccessKeepsTheFirstKibibyteOfItsAnswerToo() {
        assertThat(WebhookSender.outcome(200, null, "y".repeat(3000).getBytes()))
                .isInstanceOfSatisfying(
                        DeliveryOutcome.Delivered.class,
                        d -> assertThat(d.responseExcerpt()).isEqualTo("y".repeat(1024)));
        assertThat(WebhookSender.outcome(200, null, "{\"ok\":true}".getBytes()))
                .isEqualTo(new DeliveryOutcome.Delivered(200, "{\"ok\":true}"));
    }

    @Test
    void goneAsksForAPauseAndRedirectsAreFailures() {
        assertThat(WebhookSender.outcome(410, null, "bye".getBytes())).isEqualTo(new DeliveryOutcome.Gone("bye"));
        assertThat(WebhookSender.outcome(302, null, new byte[0]))
                .isInstanceOfSatisfying(
                        DeliveryOutcome.Failed.class, f -> assertThat(f.error()).contains("redirect"));
    }

    @Test
    void keepsRetryAfterAndAOneKibibyteExcerpt() {
        DeliveryOutcome outcome =
                WebhookSender.outcome(503, "7", "x".repeat(5000).getBytes());

        assertThat(outcome).isInstanceOfSatisfying(DeliveryOutcome.Failed.class, f -> {
            assertThat(f.retryAfter()).contains(Duration.ofSeconds(7));
            assertThat(f.responseExcerpt()).hasSize(1024);
        });
        assertThat(WebhookSender.retryAfterOf("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Optional.empty());
    }
}
