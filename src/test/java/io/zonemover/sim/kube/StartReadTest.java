package io.zonemover.sim.kube;

import io.kubernetes.client.openapi.models.V1Pod;
import io.zonemover.sim.Scenarios;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A workload that reads its data before it is Ready ({@code unbalanced --set startReadMiB=N}, the pod annotation the
 * kubelet reads): its pod takes that read longer to start, at the volume's speed (gp3's 125 MiB/s once its blocks are
 * there; slower while a restored volume initializes, which VolumeInitializationTest measures on the EC2 side).
 */
class StartReadTest {

    @Test
    void aPodThatReadsAGibibyteAtStartIsReadyAboutEightSecondsLater(@TempDir Path a, @TempDir Path b) throws Exception {
        long plain = secondsToReadyAfterDeletion(a, Map.of());
        long reading = secondsToReadyAfterDeletion(b, Map.of("startReadMiB", "1024"));
        // 1024 MiB at 125 MiB/s: 8.2 s more, give or take the one-second steps.
        assertThat(reading - plain).isBetween(7L, 10L);
    }

    private static long secondsToReadyAfterDeletion(Path dir, Map<String, String> options) throws Exception {
        try (SimHarness h = SimHarness.of(dir, Scenarios.create("unbalanced", options, SimHarness.T0))) {
            String uid = h.core.readNamespacedPod("orders-1", "shop").execute().getMetadata().getUid();
            h.core.deleteNamespacedPod("orders-1", "shop").execute();
            for (long second = 1; second <= 120; second++) {
                h.advance(1_000);
                V1Pod p;
                try {
                    p = h.core.readNamespacedPod("orders-1", "shop").execute();
                } catch (io.kubernetes.client.openapi.ApiException e) {
                    continue;
                }
                boolean ready = p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus()
                        .getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
                if (!uid.equals(p.getMetadata().getUid()) && ready) {
                    return second;
                }
            }
            throw new AssertionError("orders-1 was not Ready again within 120 s");
        }
    }
}
