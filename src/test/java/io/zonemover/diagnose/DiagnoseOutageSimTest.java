package io.zonemover.diagnose;

import com.fasterxml.jackson.databind.JsonNode;
import io.zonemover.aws.Ec2BlockStore;
import io.zonemover.domain.EbsSnapshot;
import io.zonemover.sim.Scenarios;
import io.zonemover.sim.SimServers;
import io.zonemover.sim.World;
import io.zonemover.sim.WorldStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.zonemover.diagnose.DiagnoseSimTest.zonemover;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A zone outage end to end over the simulated world, without its own outage support: the test takes a
 * protective snapshot through the real Ec2Client, then marks every node of one zone NotReady (Ready=Unknown,
 * tainted unreachable, as the node lifecycle controller does) through client-java, and runs the real
 * command line.
 */
class DiagnoseOutageSimTest {

    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void aZoneWhoseNodesAreAllNotReadyIsReportedWithTheRecoveryPointReadFromEc2() throws Exception {
        World world = Scenarios.create("stuck-pod", Map.of(), System.currentTimeMillis());
        WorldStore.create(dir, world, 60, "stuck-pod");
        Map<String, Object> truth = WorldStore.open(dir).read(World::show);
        Map<String, Object> web0 = ((List<Map<String, Object>>) truth.get("pods")).stream()
                .filter(p -> "web-0".equals(p.get("name"))).findFirst().orElseThrow();
        String zone = (String) web0.get("zone");
        String volumeId = (String) ((List<Map<String, Object>>) truth.get("pvs")).stream()
                .filter(p -> "default/www-web-0".equals(p.get("claim"))).findFirst().orElseThrow().get("volumeId");
        List<String> nodes = new ArrayList<>();
        ((List<Map<String, Object>>) truth.get("nodes")).stream().filter(n -> zone.equals(n.get("zone")))
                .forEach(n -> nodes.add((String) n.get("name")));

        String snapshotId;
        try (SimServers sim = SimServers.start(WorldStore.open(dir), 0, 0);
             Ec2Client ec2 = Ec2Client.builder().endpointOverride(sim.ec2Uri()).region(Region.US_EAST_1)
                     .httpClientBuilder(UrlConnectionHttpClient.builder())
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("sim", "sim")))
                     .build()) {
            Ec2BlockStore store = new Ec2BlockStore(ec2);
            snapshotId = store.createSnapshot(volumeId, "protective", Map.of());
            long deadline = System.currentTimeMillis() + 60_000;
            while (!store.snapshot(snapshotId).map(EbsSnapshot::completed).orElse(false)) {
                assertTrue(System.currentTimeMillis() < deadline, "snapshot " + snapshotId + " never completed");
                Thread.sleep(200);
            }
        }
        // The zone fails as the simulated world models it; its nodes are NotReady after the monitor grace period.
        assertEquals(0, zonemover("sim", "fault", dir.toString(), "--zone-down", zone).code());
        WorldStore.open(dir).write(w -> {
            w.advanceTo(w.now() + 120_000);
            return null;
        });
        assertFalse(nodes.isEmpty());

        DiagnoseSimTest.Run run = zonemover("--sim", dir.toString(), "diagnose", "-o", "json");
        assertEquals(1, run.code(), run.err());
        assertFalse(run.err().contains("warning"), run.err());
        JsonNode outage = null;
        for (JsonNode f : run.json().get("findings")) {
            if ("ZoneOutage".equals(f.get("kind").asText())) {
                assertEquals(null, outage, "one finding per zone");
                outage = f;
            }
        }
        assertTrue(outage != null, run.out());
        assertEquals(zone, outage.get("zone").asText());
        assertTrue(outage.get("recoveryPointsKnown").asBoolean());
        JsonNode pod = null;
        for (JsonNode p : outage.get("pods")) {
            if ("web-0".equals(p.get("pod").asText())) {
                pod = p;
            }
        }
        assertTrue(pod != null, outage.toString());
        JsonNode claim = pod.get("claims").get(0);
        assertEquals("www-web-0", claim.get("claim").asText());
        assertEquals(volumeId, claim.get("volumeId").asText());
        assertEquals(snapshotId, claim.get("recoveryPointSnapshotId").asText());
        assertTrue(claim.get("recoveryPointAgeSeconds").asLong() >= 0, claim.toString());
        assertEquals("zonemover migrate --pod default/web-0 --to auto --from-snapshot latest --accept-data-loss",
                pod.get("command").asText());
        assertTrue(outage.get("message").asText().contains("cannot be snapshotted"), outage.toString());
        for (JsonNode f : run.json().get("findings")) {
            String kind = f.get("kind").asText();
            if (kind.equals("VolumeNodeAffinityConflict") || kind.equals("AttachFailure")) {
                assertFalse(zone.equals(f.path("volumeZone").asText()) && f.path("command").asText().contains("migrate"),
                        "no ordinary move of a volume in the failed zone: " + f);
            }
        }

        DiagnoseSimTest.Run table = zonemover("--sim", dir.toString(), "diagnose");
        assertTrue(table.out().contains("rescue (loses writes since): zonemover migrate --pod default/web-0"),
                table.out());
        assertTrue(table.out().contains(snapshotId), table.out());
    }

    @Test
    void rpoTakesPositiveDurationsOnly() {
        for (String bad : List.of("0s", "-1h", "soon")) {
            DiagnoseSimTest.Run run = zonemover("diagnose", "--rpo", bad);
            assertEquals(2, run.code(), bad + ": " + run.err());
            assertEquals(1, run.err().strip().lines().filter(l -> !l.isBlank()).count(), run.err());
        }
    }
}
