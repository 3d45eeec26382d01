package io.amebo.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose, the Kubernetes manifests and the Grafana dashboard cannot run on these machines (no Docker
 * engine), so they are checked statically: they parse, every service has a healthcheck or probes on the endpoints
 * the services really serve, and (in {@link StandaloneIT}) every metric the dashboard plots exists.
 */
class DeployArtifactsTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Set<String> ENDPOINTS = Set.of("/health", "/health/ready");

    @Test
    @SuppressWarnings("unchecked")
    void composeRunsKafkaPostgresAndTheThreeServicesEachWithAHealthcheck() throws IOException {
        Map<String, Object> compose = yaml(ROOT.resolve("docker-compose.yml")).get(0);
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");

        assertThat(services)
                .containsKeys("kafka", "postgres", "registry", "gateway", "dispatcher", "prometheus", "grafana");
        services.forEach((name, service) -> assertThat(service).as(name).containsKey("healthcheck"));
        for (String amebo : List.of("registry", "gateway", "dispatcher")) {
            String check = String.join(" ", (List<String>)
                    ((Map<String, Object>) services.get(amebo).get("healthcheck")).get("test"));
            assertThat(check).as(amebo).contains("localhost:9000/health/ready"); // the management port
            assertThat(((Map<String, Object>) services.get(amebo).get("environment")))
                    .as(amebo)
                    .containsEntry("MANAGEMENT_SERVER_PORT", 9000);
        }
        Map<String, Object> kafka = (Map<String, Object>) services.get("kafka").get("environment");
        assertThat(kafka)
                .containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .containsEntry("KAFKA_PROCESS_ROLES", "broker,controller");
        assertThat((List<String>) services.get("grafana").get("profiles")).containsExactly("monitoring");
    }

    @Test
    @SuppressWarnings("unchecked")
    void kubernetesDeploymentsHaveProbesOnRealEndpointsAndTheGatewayScales() throws IOException {
        List<Map<String, Object>> documents = yaml(ROOT.resolve("deploy/k8s/amebo.yaml"));
        List<String> kinds = new ArrayList<>();
        documents.forEach(d -> kinds.add(d.get("kind") + "/" + ((Map<String, Object>) d.get("metadata")).get("name")));

        assertThat(kinds)
                .contains(
                        "Deployment/amebo-registry",
                        "Deployment/amebo-gateway",
                        "Deployment/amebo-dispatcher",
                        "Service/amebo-gateway",
                        "HorizontalPodAutoscaler/amebo-gateway",
                        "PodDisruptionBudget/amebo-gateway",
                        "ConfigMap/amebo");
        // no secret ships with the manifest: one that passes validation would be a shared admin token
        assertThat(kinds).noneMatch(kind -> kind.startsWith("Secret/"));
        Map<String, Object> config = documents.stream()
                .filter(d -> "ConfigMap".equals(d.get("kind")))
                .findFirst()
                .orElseThrow();
        assertThat((Map<String, Object>) config.get("data")).containsEntry("MANAGEMENT_SERVER_PORT", "9000");
        for (Map<String, Object> d : documents) {
            if (!"Deployment".equals(d.get("kind"))) {
                continue;
            }
            Map<String, Object> pod = (Map<String, Object>)
                    ((Map<String, Object>) ((Map<String, Object>) d.get("spec")).get("template")).get("spec");
            for (Map<String, Object> container : (List<Map<String, Object>>) pod.get("containers")) {
                for (String probe : List.of("readinessProbe", "livenessProbe")) {
                    Map<String, Object> http =
                            (Map<String, Object>) ((Map<String, Object>) container.get(probe)).get("httpGet");
                    assertThat(ENDPOINTS)
                            .as(container.get("name") + " " + probe)
                            .contains((String) http.get("path"));
                    assertThat(http.get("port"))
                            .as(container.get("name") + " " + probe)
                            .isEqualTo("management");
                }
            }
        }
    }

    @Test
    void prometheusScrapesTheManagementPorts() throws IOException {
        assertThat(Files.readString(ROOT.resolve("deploy/prometheus/prometheus.yml")))
                .contains("\"registry:9000\", \"gateway:9000\", \"dispatcher:9000\"");
    }

    @Test
    void theDashboardIsValidJsonAndPlotsAmebosMetrics() throws IOException {
        String dashboard = Files.readString(ROOT.resolve("deploy/grafana/dashboards/amebo.json"));
        assertThat(new tools.jackson.databind.json.JsonMapper()
                        .readTree(dashboard)
                        .path("panels")
                        .size())
                .isGreaterThan(5);
        assertThat(dashboardMetrics()).contains("amebo_events_published_total", "amebo_deliveries_delivered_total");
    }

    /** Every amebo_* series name a dashboard query uses. */
    static Set<String> dashboardMetrics() throws IOException {
        String dashboard = Files.readString(ROOT.resolve("deploy/grafana/dashboards/amebo.json"));
        Matcher m = Pattern.compile("amebo_[a-z_]+").matcher(dashboard);
        Set<String> metrics = new TreeSet<>();
        while (m.find()) {
            metrics.add(m.group());
        }
        return metrics;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> yaml(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            List<Map<String, Object>> documents = new ArrayList<>();
            new Yaml().loadAll(in).forEach(d -> documents.add((Map<String, Object>) d));
            return documents;
        }
    }
}
