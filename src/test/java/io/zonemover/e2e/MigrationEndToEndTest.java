package io.zonemover.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonemover.testing.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Whole jobs against the simulated world, in process: the rescue, refusals, dry runs, a running pod's downtime. */
class MigrationEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void rescuesTheStuckPodIntoAZoneWithRoomWithoutLosingAWrite() throws Exception {
        rescue();
    }

    /** The same with the state in PostgreSQL (as a team shares it): the job is there for `jobs` to read. */
    @Test
    void rescuesTheStuckPodWithItsStateInPostgres() throws Exception {
        String db = PostgresServer.freshDatabase("e2e");
        String jobId = rescue("--db", db);
        assertThat(Moves.jobsList(dir, "--db", db)).singleElement().satisfies(j -> {
            assertThat(j.get("jobId").asText()).isEqualTo(jobId);
            assertThat(j.get("status").asText()).isEqualTo("COMPLETED");
        });
        SimWorlds.Run show = SimWorlds.run("--db", db, "jobs", "show", jobId, "-o", "json");
        assertThat(show.exit()).as(show.err()).isZero();
        JsonNode job = JSON.readTree(show.out());
        assertThat(job.get("steps")).hasSize(9);
        assertThat(job.get("lease").isNull()).as("released at the end").isTrue();
    }

    private String rescue(String... db) throws Exception {
        SimWorlds.create(dir, "stuck-pod");
        SimWorlds.View before = SimWorlds.View.of(dir);
        String oldVolume = before.claimVolume("www-web-3");
        String fromZone = (String) before.volume(oldVolume).get("zone");

        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--sim", dir.toString()));
        args.addAll(java.util.List.of(db));
        args.addAll(java.util.List.of("migrate", "default/www-web-3", "--to", "auto", "--yes", "-o", "json"));
        SimWorlds.Run run = SimWorlds.run(args.toArray(String[]::new));
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode result = JSON.readTree(run.out());
        String jobId = result.get("jobId").asText();
        String newVolume = result.get("newVolumeId").asText();
        String toZone = result.get("toZone").asText();
        assertThat(result.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(result.get("claim").asText()).isEqualTo("default/www-web-3");
        assertThat(result.get("fromZone").asText()).isEqualTo(fromZone);
        assertThat(result.get("oldVolumeId").asText()).isEqualTo(oldVolume);
        assertThat(result.get("downtimeSeconds").asDouble()).isPositive();
        assertThat(toZone).isNotEqualTo(fromZone);

        assertMigrated(SimWorlds.View.of(dir), jobId, oldVolume, newVolume, toZone);
        return jobId;
    }

    /** The end state the issue asks for, after a migration (whether it ran straight through or was resumed). */
    static void assertMigrated(SimWorlds.View view, String jobId, String oldVolume, String newVolume, String toZone) {
        Map<String, Object> pod = view.pod("web-3");
        assertThat(pod.get("phase")).isEqualTo("Running");
        assertThat(pod.get("ready")).isEqualTo(true);
        assertThat(pod.get("zone")).isEqualTo(toZone);

        assertThat(view.pvc("www-web-3").get("phase")).isEqualTo("Bound");
        assertThat(view.claimVolume("www-web-3")).isEqualTo(newVolume);
        Map<String, Object> restored = view.volume(newVolume);
        assertThat(restored.get("zone")).isEqualTo(toZone);
        assertThat(view.volumesTagged("zonemover.io/job", jobId)).as("exactly one new volume")
                .filteredOn(v -> ((Map<?, ?>) v.get("tags")).containsKey("zonemover.io/source-volume"))
                .extracting(v -> v.get("id")).containsExactly(newVolume);

        String snapshotId = (String) restored.get("snapshotId");
        Map<String, Object> snapshot = view.snapshot(snapshotId);
        Map<String, Object> old = view.volume(oldVolume);
        assertThat(snapshot.get("volumeId")).isEqualTo(oldVolume);
        assertThat(snapshot.get("fingerprint")).as("final snapshot holds the old volume's last content")
                .isEqualTo(old.get("fingerprint"));
        assertThat(((Number) snapshot.get("writes")).longValue()).as("no write reached the old volume after the snapshot")
                .isEqualTo(((Number) old.get("writes")).longValue());
        assertThat(((Number) restored.get("writes")).longValue()).as("the claim is not on an empty volume")
                .isGreaterThanOrEqualTo(((Number) snapshot.get("writes")).longValue());
        assertThat(((Number) snapshot.get("writes")).longValue()).isPositive();

        assertThat(old.get("state")).as("old volume kept, detached").isEqualTo("available");
        assertThat(((Map<?, ?>) old.get("tags")).get("zonemover.io/superseded-by")).isEqualTo(newVolume);

        Map<String, Object> sts = view.statefulSet("web").orElseThrow(() -> new AssertionError("StatefulSet web missing"));
        assertThat(((Number) sts.get("replicas")).intValue()).isEqualTo(4);
        assertThat(((Number) sts.get("readyReplicas")).intValue()).isEqualTo(4);
    }

    @Test
    void runningTheSameMigrationAgainIsRefusedAndChangesNothing() {
        SimWorlds.create(dir, "stuck-pod");
        SimWorlds.Run first = SimWorlds.run("--sim", dir.toString(), "migrate", "default/www-web-3", "--to", "auto", "--yes");
        assertThat(first.exit()).as(first.err()).isZero();
        SimWorlds.View after = SimWorlds.View.of(dir);
        String zone = (String) after.pod("web-3").get("zone");

        SimWorlds.Run again = SimWorlds.run("--sim", dir.toString(), "migrate", "default/www-web-3", "--to", zone, "--yes");
        assertThat(again.exit()).isEqualTo(3);
        assertThat(again.err()).contains("already in " + zone);
        SimWorlds.Run auto = SimWorlds.run("--sim", dir.toString(), "migrate", "default/www-web-3", "--to", "auto", "--yes");
        assertThat(auto.exit()).isEqualTo(3);
        assertThat(auto.err()).contains("nothing to do");
        SimWorlds.View later = SimWorlds.View.of(dir);
        assertThat(later.list("volumes")).hasSameSizeAs(after.list("volumes"));
        assertThat(later.list("snapshots")).hasSameSizeAs(after.list("snapshots"));
    }

    @Test
    void dryRunShowsThePlanAndChangesNothing() {
        SimWorlds.create(dir, "stuck-pod");
        SimWorlds.View before = SimWorlds.View.of(dir);
        SimWorlds.Run run = SimWorlds.run("--sim", dir.toString(), "migrate", "default/www-web-3", "--to", "auto", "--dry-run");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("Plan for pod default/web-3").contains(before.claimVolume("www-web-3"))
                .contains("Dry run: nothing was changed.");
        SimWorlds.View after = SimWorlds.View.of(dir);
        assertThat(after.list("snapshots")).hasSameSizeAs(before.list("snapshots"));
        assertThat(after.claimVolume("www-web-3")).isEqualTo(before.claimVolume("www-web-3"));
        assertThat(after.statefulSet("web")).isPresent();
    }

    @Test
    void badInputExitsTwoAndRefusalsExitThree() {
        SimWorlds.create(dir, "stuck-pod");
        String sim = dir.toString();
        assertThat(SimWorlds.run("--sim", sim, "migrate", "www-web-3", "--to", "auto", "--yes").exit()).isEqualTo(2);
        assertThat(SimWorlds.run("--sim", sim, "migrate", "default/www-web-3", "--to", "not a zone", "--yes").exit()).isEqualTo(2);
        assertThat(SimWorlds.run("--sim", sim, "migrate", "default/nope", "--to", "auto", "--yes").exit()).isEqualTo(2);
        SimWorlds.Run unknownZone = SimWorlds.run("--sim", sim, "migrate", "default/www-web-3", "--to", "us-east-1z", "--yes");
        assertThat(unknownZone.exit()).isEqualTo(3);
        assertThat(unknownZone.err()).contains("us-east-1z").contains("not an available zone");
        SimWorlds.Run notConfirmed = SimWorlds.run("--sim", sim, "migrate", "default/www-web-3", "--to", "auto");
        assertThat(notConfirmed.exit()).isEqualTo(3);
        assertThat(SimWorlds.View.of(dir).list("snapshots")).isEmpty();
    }

    @Test
    void aRunningPodIsDownOnlyForTheFinalSnapshotRestoreAndRestart() throws Exception {
        SimWorlds.create(dir, "healthy");
        SimWorlds.View before = SimWorlds.View.of(dir);
        Map<String, Object> pod = before.find("pods", p -> String.valueOf(p.get("name")).endsWith("-0")).orElseThrow();
        String podName = (String) pod.get("name");
        String sts = podName.substring(0, podName.length() - 2);
        String claim = before.find("pvcs", c -> String.valueOf(c.get("name")).endsWith("-" + podName)).orElseThrow().get("name").toString();
        String fromZone = (String) pod.get("zone");
        String toZone = ((java.util.List<?>) before.raw().get("zones")).stream().map(String::valueOf).filter(z -> !z.equals(fromZone)).findFirst().orElseThrow();

        SimWorlds.Run run = SimWorlds.run("--sim", dir.toString(), "migrate", pod.get("namespace") + "/" + claim,
                "--to", toZone, "--yes", "-o", "json");
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode result = JSON.readTree(run.out());
        double downtime = result.get("downtimeSeconds").asDouble();
        assertThat(downtime).isPositive();
        double preSnapshot = 0;
        double total = 0;
        for (JsonNode step : result.get("steps")) {
            total += step.get("seconds").asDouble();
            if (step.get("name").asText().equals("pre-snapshot")) {
                preSnapshot = step.get("seconds").asDouble();
            }
        }
        // The pre-snapshot (the full copy) happens while the pod still serves: it is not downtime.
        assertThat(downtime).isLessThan(total - preSnapshot + 1.0);
        SimWorlds.View after = SimWorlds.View.of(dir);
        assertThat(after.pod(podName).get("zone")).isEqualTo(toZone);
        assertThat(after.pod(podName).get("ready")).isEqualTo(true);
        assertThat(after.statefulSet(sts)).isPresent();
    }

    @Test
    void aPodThatNeverStartsInTheNewZoneIsRolledBackAutomatically() throws Exception {
        SimWorlds.create(dir, "stuck-pod");
        SimWorlds.View before = SimWorlds.View.of(dir);
        String oldPv = (String) before.pvc("www-web-3").get("volumeName");
        assertThat(SimWorlds.run("sim", "fault", dir.toString(), "--never-start", "default/web-3").exit()).isZero();

        SimWorlds.Run run = SimWorlds.run("--sim", dir.toString(), "migrate", "default/www-web-3", "--to", "auto",
                "--yes", "--ready-timeout", "3s", "-o", "json");
        assertThat(run.exit()).as(run.err()).isEqualTo(1);
        JsonNode result = JSON.readTree(run.out());
        assertThat(result.get("status").asText()).isEqualTo("FAILED");
        assertThat(result.get("outcome").asText()).isEqualTo("ROLLED_BACK");
        assertThat(result.get("message").asText()).contains("was not Ready");

        SimWorlds.View after = SimWorlds.View.of(dir);
        Moves.assertAsBefore(before, after, "web", java.util.List.of("www-web-3"));
        String newVolume = result.get("newVolumeId").asText();
        assertThat(((Map<?, ?>) after.volume(newVolume).get("tags")).get("zonemover.io/rolled-back-by"))
                .isEqualTo(result.get("jobId").asText());
        SimWorlds.Run diagnose = SimWorlds.run("--sim", dir.toString(), "diagnose", "-A", "-o", "json");
        assertThat(diagnose.out()).as("the move's record is gone").doesNotContain("InterruptedMove");

        SimWorlds.Run resume = SimWorlds.run("--sim", dir.toString(), "jobs", "resume", result.get("jobId").asText(), "--yes");
        assertThat(resume.exit()).isEqualTo(3);
        assertThat(resume.err()).contains("rolled back");
    }

    /** Once the pod has run on its new volume, nothing sends it back: not the timeout, not `jobs rollback`. */
    @Test
    void aPodThatRanOnItsNewVolumeIsNeverSentBackAutomatically() throws Exception {
        SimWorlds.create(dir, "stuck-pod");
        assertThat(SimWorlds.run("sim", "fault", dir.toString(), "--never-ready", "default/web-3").exit()).isZero();
        SimWorlds.Run run = SimWorlds.run("--sim", dir.toString(), "migrate", "default/www-web-3", "--to", "auto",
                "--yes", "--ready-timeout", "3s", "-o", "json");
        assertThat(run.exit()).as(run.err()).isEqualTo(1);
        JsonNode result = JSON.readTree(run.out());
        String jobId = result.get("jobId").asText();
        assertThat(result.get("outcome").asText()).isEqualTo("FAILED");
        assertThat(result.get("message").asText()).contains("ran on its new volumes");
        SimWorlds.View failed = SimWorlds.View.of(dir);
        assertThat(failed.pod("web-3").get("zone")).isEqualTo(result.get("toZone").asText());
        assertThat(failed.claimVolume("www-web-3")).isEqualTo(result.get("newVolumeId").asText());

        SimWorlds.Run refused = SimWorlds.run("--sim", dir.toString(), "jobs", "rollback", jobId, "--yes");
        assertThat(refused.exit()).as(refused.err()).isEqualTo(3);
        assertThat(refused.err()).contains("--discard-new-writes");

        assertThat(SimWorlds.run("sim", "fault", dir.toString(), "--clear").exit()).isZero();
        SimWorlds.Run resume = SimWorlds.run("--sim", dir.toString(), "jobs", "resume", jobId, "--yes", "-o", "json");
        assertThat(resume.exit()).as(resume.err()).isZero();
        SimWorlds.View done = SimWorlds.View.of(dir);
        Map<String, Object> restored = done.volume(result.get("newVolumeId").asText());
        assertThat(((Number) restored.get("writes")).longValue()).as("the writes made on the new volume are kept")
                .isGreaterThan(((Number) done.snapshot((String) restored.get("snapshotId")).get("writes")).longValue());
    }

    /** The pod is the unit: naming one claim of a two-claim pod moves both, together, to one zone. */
    @Test
    void bothClaimsOfATwoClaimPodMoveTogether() throws Exception {
        SimWorlds.create(dir, "two-claims");
        SimWorlds.View before = SimWorlds.View.of(dir);
        SimWorlds.Run plan = SimWorlds.run("--sim", dir.toString(), "migrate", "default/wal-db-3", "--to", "auto",
                "--dry-run", "-o", "json");
        assertThat(plan.exit()).as(plan.err()).isZero();
        assertThat(JSON.readTree(plan.out()).get("claims")).hasSize(2);

        SimWorlds.Run run = SimWorlds.run("--sim", dir.toString(), "migrate", "default/wal-db-3", "--to", "auto",
                "--yes", "-o", "json");
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode result = JSON.readTree(run.out());
        assertThat(result.get("claims")).hasSize(2);
        Moves.assertPodMoved(before, SimWorlds.View.of(dir), result.get("jobId").asText(), "db", "db-3",
                java.util.List.of("data-db-3", "wal-db-3"), result.get("toZone").asText());
    }

    /** 20% of Kubernetes calls answered 429/500/503 and some writes 409, then 30% of EC2 calls throttled. */
    @Test
    void aMoveCompletesWithoutRollbackThroughStormsOnBothApis() throws Exception {
        SimWorlds.create(dir, "two-claims");
        SimWorlds.View before = SimWorlds.View.of(dir);
        assertThat(SimWorlds.run("sim", "fault", dir.toString(), "--kube-error-rate", "0.2", "--kube-conflict-rate",
                "0.05").exit()).isZero();
        SimWorlds.Run run = SimWorlds.run("--sim", dir.toString(), "migrate", "--pod", "default/db-3", "--to", "auto",
                "--yes", "--poll-interval", "100ms", "-o", "json");
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode result = JSON.readTree(run.out());
        assertThat(result.get("outcome").asText()).isEqualTo("COMPLETED");
        assertThat(run.err()).contains("Kubernetes answered").doesNotContain("rolling back");
        Moves.assertPodMoved(before, SimWorlds.View.of(dir), result.get("jobId").asText(), "db", "db-3",
                java.util.List.of("data-db-3", "wal-db-3"), result.get("toZone").asText());

        Path second = dir.resolve("ec2-storm");
        SimWorlds.create(second, "two-claims");
        SimWorlds.View before2 = SimWorlds.View.of(second);
        assertThat(SimWorlds.run("sim", "fault", second.toString(), "--throttle-rate", "0.3").exit()).isZero();
        SimWorlds.Run throttled = SimWorlds.run("--sim", second.toString(), "migrate", "--pod", "default/db-3", "--to",
                "auto", "--yes", "--poll-interval", "100ms", "-o", "json");
        assertThat(throttled.exit()).as(throttled.err()).isZero();
        JsonNode result2 = JSON.readTree(throttled.out());
        assertThat(result2.get("outcome").asText()).isEqualTo("COMPLETED");
        Moves.assertPodMoved(before2, SimWorlds.View.of(second), result2.get("jobId").asText(), "db", "db-3",
                java.util.List.of("data-db-3", "wal-db-3"), result2.get("toZone").asText());
    }

    @Test
    void throttlingServerErrorsAndAFailedSnapshotDoNotStopAMigration() throws Exception {
        SimWorlds.create(dir, "stuck-pod");
        assertThat(SimWorlds.run("sim", "fault", dir.toString(), "--throttle", "3", "--server-errors", "2").exit()).isZero();
        SimWorlds.Run run = SimWorlds.run("--sim", dir.toString(), "migrate", "default/www-web-3", "--to", "auto",
                "--yes", "--no-pre-snapshot", "-o", "json");
        assertThat(run.exit()).as(run.err()).isZero();

        SimWorlds.create(dir.resolve("second"), "stuck-pod");
        Path second = dir.resolve("second");
        String oldVolume = SimWorlds.View.of(second).claimVolume("www-web-3");
        assertThat(SimWorlds.run("sim", "fault", second.toString(), "--fail-snapshots", "1").exit()).isZero();
        SimWorlds.Run retried = SimWorlds.run("--sim", second.toString(), "migrate", "default/www-web-3", "--to", "auto",
                "--yes", "--no-pre-snapshot", "-o", "json");
        assertThat(retried.exit()).as(retried.err()).isZero();
        JsonNode result = JSON.readTree(retried.out());
        assertThat(retried.err()).contains("ended in error; taking another");
        assertMigrated(SimWorlds.View.of(second), result.get("jobId").asText(), oldVolume,
                result.get("newVolumeId").asText(), result.get("toZone").asText());
    }
}
