package io.zonemover.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonemover.sim.WorldStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A zone goes down in the simulated world: `diagnose` reports it with each claim's recovery point; a rescue
 * without --accept-data-loss refuses and changes nothing; with it, the pod runs Ready in another zone on
 * volumes restored from the snapshots, the reported data-loss window is the world's own time since them, the
 * pod never ran in two zones at once, and when the zone comes back nothing zonemover did is undone.
 */
class ZoneOutageRescueTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOWN = "us-east-1b";

    @TempDir
    Path dir;

    @Test
    void aPodInAFailedZoneIsRescuedFromItsSnapshotsOnlyWhenTheLossIsAccepted() throws Exception {
        WorldStore store = SimWorlds.create(dir, "two-claims");
        String sim = dir.toString();
        SimWorlds.Run snapshot = SimWorlds.run("--sim", sim, "snapshot", "-n", "default", "--keep", "3", "--yes");
        assertThat(snapshot.exit()).as(snapshot.err() + snapshot.out()).isZero();
        advance(store, 10 * 60_000);
        assertThat(SimWorlds.run("sim", "fault", sim, "--zone-down", DOWN).exit()).isZero();
        advance(store, 60_000);
        SimWorlds.View before = SimWorlds.View.of(dir);
        assertThat(before.pod("db-0").get("zone")).isEqualTo(DOWN);

        SimWorlds.Run diagnose = SimWorlds.run("--sim", sim, "diagnose", "-n", "default", "-o", "json");
        assertThat(diagnose.exit()).as(diagnose.err()).isEqualTo(1);
        JsonNode outage = find(JSON.readTree(diagnose.out()).get("findings"), "ZoneOutage");
        assertThat(outage.toString()).contains("db-0").contains("data-db-0").contains("recoveryPointSnapshotId")
                .contains("--from-snapshot latest --accept-data-loss");

        SimWorlds.Run refused = SimWorlds.run("--sim", sim, "migrate", "--pod", "default/db-0", "--to", "auto",
                "--from-snapshot", "latest", "--yes");
        assertThat(refused.exit()).as(refused.err()).isEqualTo(3);
        assertThat(refused.err()).contains("--accept-data-loss");
        assertThat(refused.out() + refused.err()).contains("from snapshot snap-");
        SimWorlds.View unchanged = SimWorlds.View.of(dir);
        assertThat(unchanged.claimVolume("data-db-0")).isEqualTo(before.claimVolume("data-db-0"));
        assertThat(Moves.jobsList(dir)).as("nothing started").isEmpty();

        Instant startedAt = worldTime(SimWorlds.View.of(dir));
        SimWorlds.Run rescue = SimWorlds.run("--sim", sim, "migrate", "--pod", "default/db-0", "--to", "auto",
                "--from-snapshot", "latest", "--accept-data-loss", "--yes", "--poll-interval", "100ms", "-o", "json");
        assertThat(rescue.exit()).as(rescue.err()).isZero();
        Instant endedAt = worldTime(SimWorlds.View.of(dir));
        JsonNode result = JSON.readTree(rescue.out());
        assertThat(result.get("status").asText()).isEqualTo("COMPLETED");
        String toZone = result.get("toZone").asText();
        assertThat(toZone).isNotEqualTo(DOWN);

        SimWorlds.View after = SimWorlds.View.of(dir);
        assertThat(after.pod("db-0").get("ready")).isEqualTo(true);
        assertThat(after.pod("db-0").get("zone")).isEqualTo(toZone);
        long window = result.get("dataLossWindowSeconds").asLong();
        for (JsonNode claim : result.get("claims")) {
            String name = claim.get("claim").asText().substring("default/".length());
            Map<String, Object> restored = after.volume(after.claimVolume(name));
            Map<String, Object> source = after.snapshot(claim.get("fromSnapshot").asText());
            assertThat(restored.get("zone")).isEqualTo(toZone);
            assertThat(restored.get("snapshotId")).isEqualTo(source.get("id"));
            assertThat(source.get("volumeId")).isEqualTo(before.claimVolume(name));
            assertThat(((Number) restored.get("writes")).longValue()).as(name + " starts from the snapshot's content")
                    .isGreaterThanOrEqualTo(((Number) source.get("writes")).longValue());
            // The window is the world's own time since the snapshot, measured while the rescue ran.
            Instant taken = Instant.parse(String.valueOf(source.get("startTime")));
            assertThat(window).isBetween(java.time.Duration.between(taken, startedAt).toSeconds() - 1,
                    java.time.Duration.between(taken, endedAt).toSeconds() + 1);
            assertThat(after.volume(before.claimVolume(name)).get("zone")).as("the source volume is kept").isEqualTo(DOWN);
        }
        assertNeverInTwoZonesAtOnce(after, "db-0");

        assertThat(SimWorlds.run("sim", "fault", sim, "--zone-up", DOWN).exit()).isZero();
        advance(store, 10 * 60_000);
        SimWorlds.View back = SimWorlds.View.of(dir);
        assertThat(back.list("pods").stream().filter(p -> "db-0".equals(p.get("name")))).as("one db-0 only").hasSize(1);
        assertThat(back.pod("db-0").get("zone")).isEqualTo(toZone);
        assertThat(back.claimVolume("data-db-0")).isEqualTo(after.claimVolume("data-db-0"));
        assertNeverInTwoZonesAtOnce(back, "db-0");
    }

    /**
     * `zonemover snapshot --keep 3` every 10 world-minutes: when the zone fails, every claim's recovery point is
     * at most 10 world-minutes old, and no volume ever held more than 3 of zonemover's snapshots.
     */
    @Test
    void protectiveSnapshotsEveryTenMinutesKeepTheRecoveryPointUnderTenMinutes() throws Exception {
        // Time scale 1: the world moves only as the test says (plus the few wall seconds the commands take).
        Path world = dir.resolve("world");
        WorldStore store = SimWorlds.create(world, "two-claims", 1.0);
        String sim = world.toString();
        for (int round = 0; round < 5; round++) {
            SimWorlds.Run run = SimWorlds.run("--sim", sim, "snapshot", "-n", "default", "--keep", "3", "--yes");
            assertThat(run.exit()).as(run.err() + run.out()).isZero();
            Map<Object, Long> perVolume = new java.util.HashMap<>();
            for (Map<String, Object> s : SimWorlds.View.of(world).list("snapshots")) {
                if ("true".equals(((Map<?, ?>) s.get("tags")).get("zonemover.io/protect"))) {
                    perVolume.merge(s.get("volumeId"), 1L, Long::sum);
                }
            }
            assertThat(perVolume.values()).as("round " + round).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(3));
            advance(store, 10 * 60_000);
        }
        assertThat(SimWorlds.run("sim", "fault", sim, "--zone-down", DOWN).exit()).isZero();
        advance(store, 2 * 60_000);
        SimWorlds.Run diagnose = SimWorlds.run("--sim", sim, "diagnose", "-n", "default", "-o", "json");
        JsonNode outage = find(JSON.readTree(diagnose.out()).get("findings"), "ZoneOutage");
        List<Long> ages = new ArrayList<>();
        for (JsonNode pod : outage.get("pods")) {
            for (JsonNode claim : pod.get("claims")) {
                ages.add(claim.get("recoveryPointAgeSeconds").asLong());
            }
        }
        // The last round ran 10 minutes before the outage began, 12 before this look; a few wall seconds more.
        assertThat(ages).isNotEmpty().allSatisfy(age -> assertThat(age).isLessThanOrEqualTo(12 * 60 + 30));
        assertThat(ages).allSatisfy(age -> assertThat(age - 2 * 60).as("at the outage").isLessThanOrEqualTo(10 * 60 + 30));
    }

    /** From the world's history: the intervals in which a pod of that name ran never overlap across zones. */
    @SuppressWarnings("unchecked")
    private static void assertNeverInTwoZonesAtOnce(SimWorlds.View view, String pod) {
        List<Map<String, Object>> runs = new ArrayList<>();
        for (Map<String, Object> entry : view.list("history")) {
            if (pod.equals(entry.get("name")) && "default".equals(entry.get("namespace"))) {
                runs.add(entry);
            }
        }
        assertThat(runs).as("history of " + pod).isNotEmpty();
        for (Map<String, Object> a : runs) {
            for (Map<String, Object> b : runs) {
                if (a != b && !String.valueOf(a.get("zone")).equals(String.valueOf(b.get("zone")))) {
                    assertThat(overlap(a, b)).as(pod + " ran in two zones at once: " + a + " / " + b).isFalse();
                }
            }
        }
    }

    private static boolean overlap(Map<String, Object> a, Map<String, Object> b) {
        Instant aFrom = Instant.parse(String.valueOf(a.get("from")));
        Instant bFrom = Instant.parse(String.valueOf(b.get("from")));
        Instant aTo = a.get("to") == null ? Instant.MAX : Instant.parse(String.valueOf(a.get("to")));
        Instant bTo = b.get("to") == null ? Instant.MAX : Instant.parse(String.valueOf(b.get("to")));
        return aFrom.isBefore(bTo) && bFrom.isBefore(aTo);
    }

    private static JsonNode find(JsonNode findings, String kind) {
        for (JsonNode f : findings) {
            if (kind.equals(f.get("kind").asText())) {
                return f;
            }
        }
        throw new AssertionError("no " + kind + " in " + findings);
    }

    private static Instant worldTime(SimWorlds.View view) {
        return Instant.parse(String.valueOf(view.raw().get("time")));
    }

    private static void advance(WorldStore store, long millis) {
        store.write(world -> {
            world.advanceTo(world.now() + millis);
            return null;
        });
    }
}
