package io.amebo.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NamesTest {

    @Test
    void theActionCheckAgreesWithTheActionPatternOnEdgesAndRandomNames() {
        long seed = Long.getLong("amebo.test.seed", System.nanoTime());
        System.out.println("NamesTest seed " + seed + " (rerun with -Damebo.test.seed=" + seed + ")");
        Random random = new Random(seed);
        List<String> edges = List.of(
                "",
                "a",
                "0",
                ".a",
                "_a",
                "-a",
                "a.",
                "a_b-c.d",
                "A",
                "aB",
                "a b",
                "ü",
                "a".repeat(200),
                "a".repeat(201),
                "user.created",
                "registry",
                "a\u0000");
        String alphabet = "az09._-A Zü/\u0000";
        for (int i = 0; i < 10_000 + edges.size(); i++) {
            String name;
            if (i < edges.size()) {
                name = edges.get(i);
            } else {
                StringBuilder b = new StringBuilder();
                int length = random.nextInt(i % 50 == 0 ? 210 : 8);
                for (int n = 0; n < length; n++) {
                    b.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                name = b.toString();
            }
            boolean byPattern = Names.ACTION.matcher(name).matches();
            assertThat(Names.checkAction(name).isEmpty())
                    .as("seed %d: %s", seed, name)
                    .isEqualTo(byPattern);
        }
        assertThat(Names.checkAction(null)).contains("is required");
    }
}
