package io.amebo.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Every README section that promises something has tests, so that a sentence without one stands out: each {@code ##},
 * {@code ###} and {@code ####} heading has a {@code @Nested} class of {@link ReadmePromisesIT} with that exact
 * {@code @DisplayName}, or an entry in {@link #ELSEWHERE} naming the tests that hold its promises, or both (the
 * entry then names the suites that hold what the nested class leaves to them). A heading that disappears or changes
 * fails here too, as does a test class the README names that does not exist, and a module of the build that the
 * README's Modules table leaves out.
 */
class ReadmeSectionsTest {

    static final Path ROOT = root();

    /**
     * Heading → the tests that hold its promises, where they are not (or not all) in {@link ReadmePromisesIT}: a
     * promise that takes a restart, a dead broker or many seconds of retries to show is proven by a suite of its own,
     * not again here. Every test class a section names in the README must be in its entry.
     */
    static final Map<String, List<Holder>> ELSEWHERE = entries(
            // the first start's admin token and data directory, the restart on the same data, a clean stop in order
            "The two commands",
            List.of(
                    here("io.amebo.standalone.StandaloneIT"),
                    here("io.amebo.standalone.StandaloneCrashIT"),
                    path("scripts/standalone-smoke.sh", "builds the jar, starts it as the README says and runs it")),
            // the example's other registrations, run as tests (the README names both)
            "A walkthrough: the microservices example",
            List.of(
                    here("io.amebo.standalone.StandaloneIT"),
                    in("registry", "io.amebo.registry.SeedRegistrationIT"),
                    path("scripts/seed-demo.sh", "the whole example against a running Amebo, with signed deliveries")),
            // the seed's flow with the client against the standalone (the README names it); the client's token,
            // error, retry and verification rules against a fake Amebo
            "The Java client",
            List.of(
                    here("io.amebo.standalone.SeedExampleIT"),
                    in("client", "io.amebo.client.TokenHandlingTest"),
                    in("client", "io.amebo.client.RetriesAndErrorsTest"),
                    in("client", "io.amebo.client.RetryPolicyTest"),
                    in("client", "io.amebo.client.PublishingTest"),
                    in("client", "io.amebo.client.EventReadingTest"),
                    in("client", "io.amebo.client.RegistrationTest"),
                    in("client", "io.amebo.client.WebhookVerifierTest")),
            // each service on its own: dispatchers in several JVMs sharing partitions, gateways sharing dedupers,
            // and every service refusing to start without the shared admin token and master key
            "Running the services on Kafka and PostgreSQL you already have",
            List.of(
                    here("io.amebo.standalone.DeliveryCheckerIT"),
                    in("gateway", "io.amebo.gateway.DeduplicationIT"),
                    in("platform", "io.amebo.platform.config.AuthPropertiesTest")),
            // Flyway only migrates forward; nothing is dropped at startup; rows and secrets survive a restart
            "The registry",
            List.of(
                    in("registry", "io.amebo.registry.RegistryUpgradeIT"),
                    in("registry", "io.amebo.registry.RegistryRestartIT")),
            // it starts and publishes without PostgreSQL; only deduper publishes wait for it (503 meanwhile)
            "The gateway",
            List.of(
                    in("gateway", "io.amebo.gateway.RegistryDownIT"),
                    in("gateway", "io.amebo.gateway.DeduplicationIT")),
            // the same deduper "through any gateway"
            "Publishing",
            List.of(in("gateway", "io.amebo.gateway.DeduplicationIT")),
            // 503 with Retry-After when Kafka does not ack; publishing on from the in-memory registry view while the
            // registry and PostgreSQL are down; who reads what, route by route
            "Gateway API",
            List.of(
                    in("gateway", "io.amebo.gateway.KafkaDownIT"),
                    in("gateway", "io.amebo.gateway.RegistryDownIT"),
                    in("gateway", "io.amebo.gateway.EventQueryIT"),
                    in("gateway", "io.amebo.gateway.BatchPublishIT"),
                    in("gateway", "io.amebo.gateway.PublishIT"),
                    here("io.amebo.standalone.AuthorizationMatrixIT")),
            // delivery goes on while PostgreSQL is down, and no outcome is lost across a stop
            "The dispatcher",
            List.of(
                    here("io.amebo.standalone.checker.GistLossReproductionIT"),
                    in("dispatcher", "io.amebo.dispatcher.DeliveryLogIT")),
            // the retry schedule within 5 % + 0.5 s, Retry-After, 429 and timeouts, a 410 delivered after resuming,
            // rate limits and dead letters Kafka refuses (DeliveryOutcomesIT); the breaker, in-flight limits,
            // ordered mode, pause-after, identity, catching up, refused addresses, and real Standard Webhooks
            // libraries verifying real deliveries
            "What a handler receives",
            List.of(
                    in("dispatcher", "io.amebo.dispatcher.DeliveryOutcomesIT"),
                    in("dispatcher", "io.amebo.dispatcher.DeliveryIT"),
                    in("dispatcher", "io.amebo.dispatcher.GuaranteesIT"),
                    in("dispatcher", "io.amebo.dispatcher.WorkerLifecycleIT"),
                    in("dispatcher", "io.amebo.dispatcher.kafka.RetryTopicsIT"),
                    in("dispatcher", "io.amebo.dispatcher.core.RetryPolicyTest"),
                    in("dispatcher", "io.amebo.dispatcher.delivery.GuardedResolverGroupTest"),
                    here("io.amebo.standalone.DeliveryCheckerIT"),
                    here("io.amebo.standalone.checker.BreakerProbeReproductionIT"),
                    here("io.amebo.standalone.checker.SubscriptionStartReproductionIT"),
                    path(
                            "scripts/standard-webhooks-check.sh",
                            "npm's standardwebhooks verifies real deliveries, both secret forms")),
            // 429 past max-replays; a replay of an ordered subscription; who may call what
            "Dispatcher API",
            List.of(
                    in("dispatcher", "io.amebo.dispatcher.ReplayIT"),
                    here("io.amebo.standalone.AuthorizationMatrixIT")),
            // who may call what (the README names the matrix); 429 past tokens-per-window; private addresses refused
            // where not allowed; every schema compatibility rule; the malformed-input corpus
            "Registry API",
            List.of(
                    here("io.amebo.standalone.AuthorizationMatrixIT"),
                    here("io.amebo.standalone.MalformedRequestsIT"),
                    in("registry", "io.amebo.registry.RegistryLimitsIT"),
                    in("registry", "io.amebo.registry.AuthorizationIT"),
                    in("registry", "io.amebo.registry.RegistryEndpointsIT"),
                    in("registry", "io.amebo.registry.core.AddressRulesTest"),
                    in("registry", "io.amebo.registry.core.schema.SchemaCompatibilityTest")),
            // no Docker engine here: the files are checked statically, the dashboard's metrics against a real run,
            // and a service without admin token or master key stops at startup naming it
            "docker-compose and Kubernetes",
            List.of(
                    here("io.amebo.standalone.DeployArtifactsTest"),
                    here("io.amebo.standalone.StandaloneIT"),
                    in("platform", "io.amebo.platform.config.AuthPropertiesTest")),
            // the README's table of guarantees names its tests
            "Guarantees, and the tests that hold them",
            List.of(
                    in("gateway", "io.amebo.gateway.PublishIT"),
                    here("io.amebo.standalone.BrokerLossIT"),
                    in("gateway", "io.amebo.gateway.MalformedPublishCorpusIT"),
                    in("registry", "io.amebo.registry.MalformedRequestCorpusIT"),
                    here("io.amebo.standalone.MalformedRequestsIT"),
                    here("io.amebo.standalone.DeliveryCheckerIT"),
                    in("dispatcher", "io.amebo.dispatcher.GuaranteesIT"),
                    here("io.amebo.standalone.StandaloneCrashIT"),
                    in("dispatcher", "io.amebo.dispatcher.DeliveryIT"),
                    in("dispatcher", "io.amebo.dispatcher.WorkerLifecycleIT"),
                    in("gateway", "io.amebo.gateway.RegistryDownIT"),
                    here("io.amebo.standalone.checker.GistLossReproductionIT"),
                    in("dispatcher", "io.amebo.dispatcher.ReplayIT"),
                    in("registry", "io.amebo.registry.RegistryRestartIT")),
            // measured, not asserted: a benchmark is not a test, and its figures are the README's to report
            "Performance",
            List.of(
                    path("bench", "a benchmark, not a test: the end-to-end load runner that prints the table"),
                    path("bench-micro", "a benchmark, not a test: the JMH benchmarks of the per-event pieces"),
                    path("bench/results", "the runs the README quotes")),
            // the table itself is checked below (every module it lists exists); the layering rules by ArchUnit
            "Modules",
            List.of(
                    in("testkit", "io.amebo.testkit.ArchitectureRulesTest"),
                    in("contract", "io.amebo.contract.ContractArchitectureTest"),
                    in("registry", "io.amebo.registry.core.RegistryArchitectureTest"),
                    in("gateway", "io.amebo.gateway.core.GatewayArchitectureTest"),
                    in("dispatcher", "io.amebo.dispatcher.core.DispatcherArchitectureTest")),
            // with a management port, the API port answers 404 for these
            "Operating endpoints (every service)",
            List.of(in("registry", "io.amebo.registry.ManagementPortIT")),
            // "A bad value stops the service at startup with a message that names it"
            "Configuration",
            List.of(
                    in("registry", "io.amebo.registry.config.RegistryPropertiesTest"),
                    in("gateway", "io.amebo.gateway.config.GatewayPropertiesTest"),
                    in("dispatcher", "io.amebo.dispatcher.config.DispatcherPropertiesTest"),
                    in("platform", "io.amebo.platform.config.AuthPropertiesTest")),
            // how the project is built and checked: CI's script; the seeds the randomized checker prints
            "Development",
            List.of(
                    path(".ci/run", "what CI runs: ./mvnw -B verify, then the smoke test"),
                    here("io.amebo.standalone.DeliveryCheckerIT")));

    @Test
    void everyHeadingHasANestedClassOrTheTestsThatHoldItsPromises() throws IOException {
        Set<String> nested = nestedSections().keySet();
        assertThat(headings())
                .as("README headings with neither a @Nested class in ReadmePromisesIT nor an entry in ELSEWHERE")
                .allSatisfy(heading -> assertThat(nested.contains(heading) || ELSEWHERE.containsKey(heading))
                        .as("\"%s\"", heading)
                        .isTrue());
    }

    @Test
    void everyNestedClassNamesAHeadingOfTheReadmeAndHasTests() throws IOException {
        List<String> headings = headings();
        nestedSections().forEach((heading, type) -> {
            assertThat(headings).as("%s's @DisplayName", type.getSimpleName()).contains(heading);
            assertThat(Arrays.stream(type.getDeclaredMethods()).filter(m -> m.isAnnotationPresent(Test.class)))
                    .as("the tests of %s", type.getSimpleName())
                    .isNotEmpty()
                    .allSatisfy(m -> assertThat(m.isAnnotationPresent(DisplayName.class))
                            .as("%s has a @DisplayName quoting its sentence", m.getName())
                            .isTrue());
        });
    }

    @Test
    void everyEntryOfTheMapNamesAHeadingAndTestsThatExist() throws IOException {
        List<String> headings = headings();
        ELSEWHERE.forEach((heading, holders) -> {
            assertThat(headings).as("the map's heading").contains(heading);
            assertThat(holders)
                    .as(heading)
                    .isNotEmpty()
                    .allSatisfy(holder -> assertThat(holder.exists())
                            .as("%s (for \"%s\")", holder, heading)
                            .isTrue());
        });
    }

    @Test
    void everyTestClassASectionNamesExistsAndIsInItsEntry() throws IOException {
        Map<String, String> sections = sections();
        Pattern code = Pattern.compile("`([^`]+)`");
        Pattern testClass = Pattern.compile("\\b([A-Z][A-Za-z0-9]*(?:IT|Test))\\b");
        sections.forEach((heading, text) -> {
            Set<String> named = new TreeSet<>();
            Matcher m = code.matcher(text);
            while (m.find()) {
                Matcher t = testClass.matcher(m.group(1));
                while (t.find()) {
                    named.add(t.group(1));
                }
            }
            Set<String> listed = new TreeSet<>();
            ELSEWHERE.getOrDefault(heading, List.of()).forEach(h -> listed.add(h.simpleName()));
            assertThat(listed)
                    .as("the test classes \"%s\" names, in its entry of ELSEWHERE", heading)
                    .containsAll(named);
            named.forEach(name -> assertThat(testSourceExists(name))
                    .as("%s, named under \"%s\", is a test of the repository", name, heading)
                    .isTrue());
        });
    }

    @Test
    void everyModuleOfTheModulesTableIsADirectoryOfTheRepository() throws IOException {
        String table = sections().get("Modules");
        Matcher row = Pattern.compile("(?m)^\\| `([a-z-]+)` \\|").matcher(table);
        List<String> modules = new ArrayList<>();
        while (row.find()) {
            modules.add(row.group(1));
        }
        assertThat(modules)
                .isNotEmpty()
                .allSatisfy(
                        module -> assertThat(ROOT.resolve(module)).as(module).isDirectory());
    }

    @Test
    void everyModuleOfTheBuildHasARowInTheModulesTable() throws IOException {
        Set<String> rows = new TreeSet<>();
        Matcher row =
                Pattern.compile("(?m)^\\| `([a-z-]+)` \\|").matcher(sections().get("Modules"));
        while (row.find()) {
            rows.add(row.group(1));
        }
        Set<String> modules = new TreeSet<>();
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        while (module.find()) {
            modules.add(module.group(1).trim());
        }
        assertThat(rows)
                .as("the README's Modules table, for the root pom's modules")
                .containsAll(modules);
    }

    // ---- the README -------------------------------------------------------------------------------------------

    /** The {@code ##}, {@code ###} and {@code ####} headings, in order; lines in fenced code blocks are not headings. */
    static List<String> headings() throws IOException {
        return new ArrayList<>(sections().keySet());
    }

    /** Heading → the text under it, up to the next heading. */
    static Map<String, String> sections() throws IOException {
        Map<String, String> sections = new LinkedHashMap<>();
        Pattern heading = Pattern.compile("^#{2,4} (.+)$");
        boolean fenced = false;
        String current = null;
        StringBuilder text = new StringBuilder();
        for (String line : Files.readAllLines(ROOT.resolve("README.md"))) {
            if (line.startsWith("```")) {
                fenced = !fenced;
            }
            Matcher m = heading.matcher(line);
            if (!fenced && (m.matches() || line.startsWith("# "))) {
                if (current != null) {
                    sections.put(current, text.toString());
                }
                current = m.matches() ? m.group(1).trim() : null;
                text.setLength(0);
            } else {
                text.append(line).append('\n');
            }
        }
        if (current != null) {
            sections.put(current, text.toString());
        }
        return sections;
    }

    /** The @Nested classes of ReadmePromisesIT by their @DisplayName. */
    static Map<String, Class<?>> nestedSections() {
        Map<String, Class<?>> nested = new LinkedHashMap<>();
        for (Class<?> type : ReadmePromisesIT.class.getDeclaredClasses()) {
            if (type.isAnnotationPresent(Nested.class)) {
                DisplayName name = type.getAnnotation(DisplayName.class);
                assertThat(name)
                        .as("%s has a @DisplayName: its README heading", type.getSimpleName())
                        .isNotNull();
                Class<?> before = nested.put(name.value(), type);
                assertThat(before)
                        .as("two @Nested classes for \"%s\"", name.value())
                        .isNull();
            }
        }
        return nested;
    }

    // ---- the tests that hold promises -------------------------------------------------------------------------

    /**
     * A test (or a file) that holds some of a section's promises: a class on this module's test classpath, checked
     * by loading it; a test class of another module, checked by its source file; or a path in the repository.
     */
    record Holder(String module, String name, String note) {

        boolean exists() {
            if (module == null) {
                return Files.exists(ROOT.resolve(name));
            }
            if (module.equals("standalone")) {
                try {
                    Class.forName(name);
                    return true;
                } catch (ClassNotFoundException e) {
                    return false;
                }
            }
            return Files.isRegularFile(
                    ROOT.resolve(module).resolve("src/test/java").resolve(name.replace('.', '/') + ".java"));
        }

        String simpleName() {
            return module == null ? name : name.substring(name.lastIndexOf('.') + 1);
        }

        @Override
        public String toString() {
            return module == null ? name + " (" + note + ")" : module + ": " + name;
        }
    }

    /** A test class of this module (on this test classpath). */
    static Holder here(String className) {
        return new Holder("standalone", className, null);
    }

    /** A test class of another module, by its fully qualified name. */
    static Holder in(String module, String className) {
        return new Holder(module, className, null);
    }

    /** A file or directory of the repository that holds promises without being a test; {@code note} says how. */
    static Holder path(String path, String note) {
        return new Holder(null, path, note);
    }

    /** Whether some module has a test source file of that simple name. */
    static boolean testSourceExists(String simpleName) {
        try (var modules = Files.list(ROOT)) {
            return modules.map(module -> module.resolve("src/test/java"))
                    .filter(Files::isDirectory)
                    .anyMatch(tests -> {
                        try (var files = Files.walk(tests)) {
                            return files.anyMatch(
                                    file -> file.getFileName().toString().equals(simpleName + ".java"));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, List<Holder>> entries(Object... headingsAndHolders) {
        Map<String, List<Holder>> entries = new LinkedHashMap<>();
        for (int i = 0; i + 1 < headingsAndHolders.length; i += 2) {
            List<Holder> before = entries.put((String) headingsAndHolders[i], (List<Holder>) headingsAndHolders[i + 1]);
            if (before != null) {
                throw new IllegalStateException("two entries for " + headingsAndHolders[i]);
            }
        }
        return entries;
    }

    /** The repository's root: the first directory upwards from the working directory with README.md and mvnw. */
    private static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.isRegularFile(dir.resolve("README.md")) && Files.exists(dir.resolve("mvnw")))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException(
                    "no README.md with mvnw beside it above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
