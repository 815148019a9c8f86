package io.zonemover.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.util.PatchUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The API server's own faults (429/500/503, write conflicts, unreachable), as client-java meets them. */
class KubeApiFaultsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    SimHarness h;

    @BeforeEach
    void start() throws Exception {
        h = SimHarness.empty(dir);
        h.core.createNode(KubeApiTest.node("node-b", "us-east-1b")).execute();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    private void apiFaults(UnaryOperator<ApiFaults> change) {
        h.store.write(w -> {
            w.kube().setFaults(w.kube().faults().withApi(change.apply(w.kube().faults().api())));
            return null;
        });
    }

    /** The status code of one list call: 200, or the error's. */
    private int listPods() {
        try {
            h.core.listNamespacedPod("default").execute();
            return 200;
        } catch (ApiException e) {
            return e.getCode();
        }
    }

    @Test
    void atRateOneEveryCallFailsWithOneOfTheCodesAndAProperStatus() throws Exception {
        apiFaults(f -> f.withErrors(1.0, List.of(429, 500, 503)));
        Map<Integer, Integer> seen = new TreeMap<>();
        for (int i = 0; i < 40; i++) {
            seen.merge(listPods(), 1, Integer::sum);
        }
        assertThat(seen.keySet()).containsExactlyInAnyOrder(429, 500, 503);

        ApiException tooMany = null;
        for (int i = 0; i < 40 && tooMany == null; i++) {
            try {
                h.core.readNode("node-b").execute();
            } catch (ApiException e) {
                tooMany = e.getCode() == 429 ? e : null;
            }
        }
        assertThat(tooMany).isNotNull();
        assertThat(header(tooMany, "Retry-After")).containsExactly("1");
        JsonNode status = JSON.readTree(tooMany.getResponseBody());
        assertThat(status.path("kind").asText()).isEqualTo("Status");
        assertThat(status.path("reason").asText()).isEqualTo("TooManyRequests");
        assertThat(status.path("code").asInt()).isEqualTo(429);

        // Only the chosen codes, and health checks are exempt.
        apiFaults(f -> f.withErrors(1.0, List.of(503)));
        for (int i = 0; i < 10; i++) {
            assertThat(listPods()).isEqualTo(503);
        }
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(h.servers.kubeUri() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
    }

    @Test
    void aFifthOfCallsFailAtRateZeroPointTwoAndTheSameWorldFailsTheSameCalls() {
        String before = h.store.read(w -> w.kube().toJson());
        apiFaults(f -> f.withErrors(0.2, List.of(500)));
        int failed = 0;
        for (int i = 0; i < 200; i++) {
            failed += listPods() == 200 ? 0 : 1;
        }
        assertThat(failed).isBetween(25, 55);

        // The decision is a function of the saved world: two copies fail the same calls.
        KubeWorld a = KubeWorld.fromJson(before);
        KubeWorld b = KubeWorld.fromJson(before);
        for (KubeWorld w : List.of(a, b)) {
            w.setFaults(w.faults().withApi(w.faults().api().withErrors(0.2, List.of(500))));
        }
        List<Integer> fromA = new ArrayList<>();
        List<Integer> fromB = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fromA.add(a.nextApiFault(false));
            fromB.add(b.nextApiFault(false));
        }
        assertThat(fromA).isEqualTo(fromB).contains(500).contains(0);
    }

    @Test
    void conflictingWritesAreNotAppliedAndReadsStillWork() throws Exception {
        apiFaults(f -> f.withConflicts(1.0));
        long rv = h.store.<Long>read(w -> w.kube().resourceVersion());

        assertThatThrownBy(() -> h.core.createNamespacedPod("default",
                KubeApiTest.pod("p", Map.of("app", "x"), null, null)).execute())
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getResponseBody()).contains("\"reason\":\"Conflict\"");
                });
        assertThatThrownBy(() -> PatchUtils.patch(V1Node.class, () -> h.core.patchNode("node-b",
                        new V1Patch("{\"metadata\":{\"labels\":{\"x\":\"y\"}}}")).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, h.client))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getResponseBody()).contains("Operation cannot be fulfilled on nodes \\\"node-b\\\"");
                });
        assertThatThrownBy(() -> h.core.deleteNode("node-b").execute())
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(409));

        assertThat(h.core.readNode("node-b").execute().getMetadata().getLabels()).doesNotContainKey("x");
        assertThat(h.core.listNamespacedPod("default").execute().getItems()).isEmpty();
        assertThat(h.store.<Long>read(w -> w.kube().resourceVersion())).isEqualTo(rv);

        apiFaults(f -> f.withConflicts(0));
        h.core.createNamespacedPod("default", KubeApiTest.pod("p", Map.of("app", "x"), null, null)).execute();
    }

    @Test
    void anUnreachableServerResetsConnectionsThenRecovers() throws Exception {
        apiFaults(f -> f.unreachableUntilWall(System.currentTimeMillis() + 1_500));
        assertThatThrownBy(() -> h.core.readNode("node-b").execute())
                .isInstanceOf(ApiException.class).hasCauseInstanceOf(IOException.class);
        Thread.sleep(1_600);
        assertThat(h.core.readNode("node-b").execute().getMetadata().getName()).isEqualTo("node-b");

        // A window in world time ends when the world's clock gets there.
        long now = h.<Long>world(w -> w.now());
        apiFaults(f -> f.unreachableUntil(now + 60_000));
        assertThatThrownBy(() -> h.core.readNode("node-b").execute()).hasCauseInstanceOf(IOException.class);
        h.advance(60_000);
        assertThat(h.core.readNode("node-b").execute().getMetadata().getName()).isEqualTo("node-b");
    }

    private static List<String> header(ApiException e, String name) {
        for (Map.Entry<String, List<String>> h : e.getResponseHeaders().entrySet()) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return List.of();
    }
}
