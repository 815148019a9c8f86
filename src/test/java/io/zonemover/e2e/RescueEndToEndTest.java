package io.zonemover.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `rescue --watch` as real processes against the auto-rescue world (web-3 opted in, db-1 not, both Pending on
 * their volumes' zone), judged by the world's ground truth: the pod moved after the grace and not before, the
 * other left alone, the Events on the claim, and with two replicas one move in the world's history.
 */
class RescueEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static String[] rescue(Path world, Path db, String identity, String grace) {
        return rescue(world, db.toString(), identity, grace);
    }

    private static String[] rescue(Path world, String db, String identity, String grace) {
        // --lease 5s: a job's ownership lapses 5 s after its runner stops renewing it (the default is 30 s).
        return new String[] {"--sim", world.toString(), "--db", db, "--lease", "5s", "-o", "json", "rescue", "--watch",
                "--grace", grace, "--interval", "1s", "--identity", identity, "--lease-duration", "6s",
                "--renew-deadline", "4s", "--retry-period", "1s"};
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    private static java.util.function.Predicate<String> event(String event, String pod) {
        return line -> line.startsWith("{") && event.equals(json(line).path("event").asText())
                && (pod == null || pod.equals(json(line).path("pod").asText()));
    }

    private static long count(ZonemoverProcess p, String event) {
        return p.stdout().lines().filter(event(event, null)).count();
    }

    @Test
    void movesTheOptedInPodOnceItsGraceHasPassedAndLeavesTheOtherAlone() throws Exception {
        Path world = dir.resolve("world");
        long created = System.currentTimeMillis();
        SimWorlds.create(world, "auto-rescue");
        String oldVolume = SimWorlds.View.of(world).claimVolume("www-web-3");
        String dbVolume = SimWorlds.View.of(world).claimVolume("data-db-1");
        Duration grace = Duration.ofSeconds(30);
        try (ZonemoverProcess p = ZonemoverProcess.start(rescue(world, dir.resolve("state"), "a", "30s"))) {
            p.await(event("leader", null), Duration.ofSeconds(120));
            // Before the grace: told it waits, and no move has begun in the world (no snapshot, nothing deleted).
            String waiting = p.await(event("waiting", "default/web-3"), Duration.ofSeconds(120));
            assertThat(json(waiting).path("message").asText()).contains("grace 30s");
            long firstSnapshotAt = -1;
            while (firstSnapshotAt < 0) {
                SimWorlds.View v = SimWorlds.View.of(world);
                if (!v.list("snapshots").isEmpty() || v.statefulSet("web").isEmpty()) {
                    firstSnapshotAt = System.currentTimeMillis();
                } else {
                    assertThat(System.currentTimeMillis() - created).as("no move within 3 minutes").isLessThan(180_000);
                    Thread.sleep(250);
                }
            }
            // web-3 was stuck before the world's creation ended: its builder ran 10 more world minutes after the
            // drain (its own 5, then db-1's 5), which is 5 s here. So the grace has passed 25 s after `created`
            // at the earliest; a rescuer that ignored it would move within a few seconds.
            assertThat(firstSnapshotAt - created).as("the move began after the grace").isGreaterThanOrEqualTo(
                    grace.toMillis() - 5_000);
            String completed = p.await(event("completed", "default/web-3"), Duration.ofMinutes(3));
            assertThat(json(completed).path("message").asText()).contains(oldVolume, "from us-east-1b to");

            SimWorlds.View after = SimWorlds.View.of(world);
            Map<String, Object> web3 = after.pod("web-3");
            assertThat(web3.get("phase")).isEqualTo("Running");
            assertThat(web3.get("zone")).isNotEqualTo("us-east-1b");
            assertThat(after.claimVolume("www-web-3")).isNotEqualTo(oldVolume);
            // db-1 did not opt in: still stuck, on its volume, which nothing snapshotted; told once.
            assertThat(after.pod("db-1").get("phase")).isEqualTo("Pending");
            assertThat(after.claimVolume("data-db-1")).isEqualTo(dbVolume);
            assertThat(after.list("snapshots")).noneMatch(s -> dbVolume.equals(s.get("volumeId")));
            assertThat(count(p, "not-opted-in")).isEqualTo(1);

            // What happened is on the claim and the StatefulSet as Events (kubectl describe pvc www-web-3); they
            // are posted in the background, the last one just after the move ended.
            long until = System.currentTimeMillis() + 30_000;
            while (!reasons(after, "PersistentVolumeClaim/www-web-3").contains("RescueCompleted")
                    && System.currentTimeMillis() < until) {
                Thread.sleep(250);
                after = SimWorlds.View.of(world);
            }
            List<String> onClaim = reasons(after, "PersistentVolumeClaim/www-web-3");
            assertThat(onClaim).contains("RescueStarted", "MoveStep", "RescueCompleted");
            assertThat(onClaim.indexOf("RescueStarted")).isLessThan(onClaim.indexOf("RescueCompleted"));
            assertThat(reasons(after, "StatefulSet/web")).contains("RescueStarted", "MoveStep", "RescueCompleted");
            assertThat(reasons(after, "PersistentVolumeClaim/data-db-1")).isEmpty();
        }
    }

    @Test
    void ofTwoReplicasOnlyOneActsAndTheOtherTakesOverWhenItDies() throws Exception {
        Path world = dir.resolve("world");
        SimWorlds.create(world, "auto-rescue");
        String oldVolume = SimWorlds.View.of(world).claimVolume("www-web-3");
        try (ZonemoverProcess a = ZonemoverProcess.start(rescue(world, dir.resolve("state-a"), "replica-a", "5s"));
             ZonemoverProcess b = ZonemoverProcess.start(rescue(world, dir.resolve("state-b"), "replica-b", "5s"))) {
            long deadline = System.currentTimeMillis() + Duration.ofMinutes(4).toMillis();
            while (count(a, "completed") + count(b, "completed") == 0) {
                assertThat(System.currentTimeMillis()).as("a move completed in time:\n" + a.output() + "\n---\n"
                        + b.output()).isLessThan(deadline);
                Thread.sleep(500);
            }
            Thread.sleep(5_000); // several more scans of both
            assertThat(count(a, "started") + count(b, "started")).isEqualTo(1);
            ZonemoverProcess leader = count(a, "started") == 1 ? a : b;
            ZonemoverProcess standby = leader == a ? b : a;
            assertThat(count(standby, "leader")).isZero();
            assertThat(count(standby, "step")).isZero();

            assertMovedOnce(world, oldVolume);

            // The leader dies: the other takes the Lease over (after its 6 s) and finds nothing more to do.
            leader.kill();
            standby.await(event("leader", null), Duration.ofSeconds(90));
            standby.await(event("not-opted-in", "default/db-1"), Duration.ofSeconds(60));
            assertThat(count(standby, "started")).isZero();
        }
    }

    /**
     * The replicas share their state (PostgreSQL, as jobs/base runs them): the leader is killed with kill -9 while
     * web-3 is down mid-move, and the other replica, once it leads and the dead one's job lease has lapsed,
     * resumes that move to its end. The world's history shows one move: one snapshot of the old volume, one new
     * volume, web-3 running again once, in the new zone.
     */
    @Test
    void withSharedStateAMoveItsLeaderLeftMidWayIsFinishedByTheOther() throws Exception {
        Path world = dir.resolve("world");
        SimWorlds.create(world, "auto-rescue");
        String oldVolume = SimWorlds.View.of(world).claimVolume("www-web-3");
        String db = io.zonemover.testing.PostgresServer.freshDatabase("rescue");
        try (ZonemoverProcess a = ZonemoverProcess.start(rescue(world, db, "replica-a", "5s"));
             ZonemoverProcess b = ZonemoverProcess.start(rescue(world, db, "replica-b", "5s"))) {
            long deadline = System.currentTimeMillis() + Duration.ofMinutes(3).toMillis();
            java.util.function.Predicate<String> down = line -> event("step", "default/web-3").test(line)
                    && json(line).path("message").asText().startsWith("final-snapshot:");
            while (a.stdout().lines().noneMatch(down) && b.stdout().lines().noneMatch(down)) {
                assertThat(System.currentTimeMillis()).as("the move reached its final snapshot:\n" + a.output()
                        + "\n---\n" + b.output()).isLessThan(deadline);
                Thread.sleep(100);
            }
            ZonemoverProcess leader = a.stdout().lines().anyMatch(down) ? a : b;
            ZonemoverProcess standby = leader == a ? b : a;
            leader.kill();
            assertThat(count(leader, "completed")).isZero();

            String resumed = standby.await(event("resumed", "default/web-3"), Duration.ofSeconds(90));
            String jobId = json(resumed).path("jobId").asText();
            assertThat(leader.stdout()).contains(jobId);
            String completed = standby.await(event("completed", "default/web-3"), Duration.ofMinutes(3));
            assertThat(json(completed).path("jobId").asText()).isEqualTo(jobId);
            assertThat(count(standby, "started")).isZero();

            assertMovedOnce(world, oldVolume);
            SimWorlds.View v = SimWorlds.View.of(world);
            assertThat(v.claimVolume("www-web-3")).isNotEqualTo(oldVolume);
            assertThat(v.statefulSet("web")).isPresent();
        }
    }

    /**
     * The world's history shows one move of web-3: it ran again exactly once (one new run, in a new zone), from
     * one new volume restored from one snapshot of the old one.
     */
    private static void assertMovedOnce(Path world, String oldVolume) {
        SimWorlds.View v = SimWorlds.View.of(world);
        List<Map<String, Object>> runs = v.list("history").stream()
                .filter(h -> "web-3".equals(h.get("name"))).toList();
        assertThat(runs).hasSize(2);
        assertThat(runs.get(1).get("zone")).isNotEqualTo("us-east-1b");
        assertThat(v.list("snapshots")).filteredOn(s -> oldVolume.equals(s.get("volumeId"))).hasSize(1);
        assertThat(v.list("volumes")).filteredOn(vol -> vol.get("snapshotId") != null).hasSize(1);
    }

    private static List<String> reasons(SimWorlds.View view, String object) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> e : view.list("events")) {
            if (object.equals(e.get("object")) && "default".equals(e.get("namespace"))) {
                out.add(Objects.toString(e.get("reason")));
            }
        }
        return out;
    }
}
