package io.zonemover.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

import java.io.FileReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The `sim` commands as users and tests call them: init, show (twice: the world moves on), serve, bad input. */
class SimCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void stuckPodWorldShowsTheIncidentAndKeepsWritingBetweenTwoLooks() throws Exception {
        Path world = dir.resolve("world");
        SimWorlds.Run init = SimWorlds.run("sim", "init", world.toString(), "--scenario", "stuck-pod");
        assertThat(init.exit()).as(init.err()).isZero();

        JsonNode first = JSON.readTree(SimWorlds.run("sim", "show", world.toString(), "--json").out());
        JsonNode web3 = pod(first, "web-3");
        assertThat(web3.get("phase").asText()).isEqualTo("Pending");
        int running = 0;
        for (JsonNode p : first.get("pods")) {
            if (p.get("name").asText().matches("web-[012]") && p.get("phase").asText().equals("Running")) {
                running++;
            }
        }
        assertThat(running).isEqualTo(3);
        boolean conflictEvent = false;
        for (JsonNode e : first.get("events")) {
            if (e.get("object").asText().equals("Pod/web-3") && e.get("reason").asText().equals("FailedScheduling")) {
                conflictEvent |= e.get("message").asText().contains("node(s) had volume node affinity conflict");
            }
        }
        assertThat(conflictEvent).isTrue();

        Thread.sleep(2000);
        JsonNode second = JSON.readTree(SimWorlds.run("sim", "show", world.toString(), "--json").out());
        String runningVolume = volumeOf(first, "www-web-0");
        assertThat(volume(second, runningVolume).get("writes").asLong())
                .isGreaterThan(volume(first, runningVolume).get("writes").asLong());
        assertThat(volume(second, runningVolume).get("fingerprint").asText())
                .isNotEqualTo(volume(first, runningVolume).get("fingerprint").asText());
    }

    @Test
    void badInputGetsOneLineAndExitTwo() {
        SimWorlds.Run unknown = SimWorlds.run("sim", "init", dir.resolve("w").toString(), "--scenario", "nope");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err().strip().lines()).hasSize(1);
        assertThat(unknown.err()).contains("unknown scenario nope");
        assertThat(Files.exists(dir.resolve("w").resolve("world.state"))).isFalse();

        SimWorlds.Run notAWorld = SimWorlds.run("sim", "show", dir.toString());
        assertThat(notAWorld.exit()).isEqualTo(2);
        assertThat(notAWorld.err()).contains("is not a simulated world");

        SimWorlds.Run simNotAWorld = SimWorlds.run("--sim", dir.toString(), "diagnose");
        assertThat(simNotAWorld.exit()).isEqualTo(2);

        SimWorlds.Run badFlag = SimWorlds.run("sim", "init", dir.toString(), "--scenario", "stuck-pod", "--bogus");
        assertThat(badFlag.exit()).isEqualTo(2);
        assertThat(badFlag.err()).contains("--bogus");
    }

    @Test
    void serveExposesBothEndpointsToAnyClient() throws Exception {
        SimWorlds.create(dir, "stuck-pod");
        try (ZonemoverProcess serve = ZonemoverProcess.start("sim", "serve", dir.toString())) {
            JsonNode line = JSON.readTree(serve.await(l -> l.startsWith("{"), Duration.ofSeconds(60)));
            Path kubeconfig = Path.of(line.get("kubeconfig").asText());
            ApiClient client;
            try (FileReader reader = new FileReader(kubeconfig.toFile())) {
                client = ClientBuilder.kubeconfig(KubeConfig.loadKubeConfig(reader)).build();
            }
            V1Pod web3 = new CoreV1Api(client).readNamespacedPod("web-3", "default").execute();
            assertThat(web3.getStatus().getPhase()).isEqualTo("Pending");
            assertThat(line.get("kubernetes").asText()).isEqualTo(client.getBasePath());

            try (Ec2Client ec2 = Ec2Client.builder().endpointOverride(URI.create(line.get("ec2").asText()))
                    .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"))).build()) {
                assertThat(ec2.describeVolumes().volumes()).hasSize(4);
            }
        }
    }

    private static JsonNode pod(JsonNode view, String name) {
        for (JsonNode p : view.get("pods")) {
            if (p.get("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no pod " + name);
    }

    private static String volumeOf(JsonNode view, String claim) {
        String pv = null;
        for (JsonNode c : view.get("pvcs")) {
            if (c.get("name").asText().equals(claim)) {
                pv = c.get("volumeName").asText();
            }
        }
        for (JsonNode p : view.get("pvs")) {
            if (p.get("name").asText().equals(pv)) {
                return p.get("volumeId").asText();
            }
        }
        throw new AssertionError("no volume for " + claim);
    }

    private static JsonNode volume(JsonNode view, String id) {
        for (JsonNode v : view.get("volumes")) {
            if (v.get("id").asText().equals(id)) {
                return v;
            }
        }
        throw new AssertionError("no volume " + id);
    }
}
