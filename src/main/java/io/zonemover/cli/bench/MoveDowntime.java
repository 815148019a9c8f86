package io.zonemover.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonemover.sim.ec2.Ec2World;
import io.zonemover.sim.kube.controller.Kubelet;

import java.io.UncheckedIOException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/**
 * One move of a running pod, measured from the world's own record ({@code sim show --json}) after it, against the
 * lower bound the world's model gives for the same work. All in world seconds.
 *
 * <p><b>Downtime</b>: from the end of the pod's last running interval in its old zone to the start of its first
 * running interval in the new zone ({@code history}). The world starts an interval when the kubelet reports the
 * pod Running with its containers started, which is also when it reports it Ready (no readiness fault), so this is
 * "stopped until Ready in the new zone".
 *
 * <p><b>Bound</b> (what the model cannot do faster once the pod is stopped):
 * <pre>
 *   snapshot = SNAPSHOT_BASE (30 s) + changedMiB / SNAPSHOT_MIB_PER_SEC (100 MiB/s)
 *              changedMiB = (final.writes - previous.writes) * MIB_PER_WRITE, previous = the old volume's
 *              snapshot with the most writes below the final one's (the whole volume, sizeGiB * 1024, if none)
 *   create   = min(CREATE_FROM_SNAPSHOT_MAX (60 s), CREATE_FROM_SNAPSHOT_BASE (5 s) + 0.5 s * sizeGiB)
 *   attach   = ATTACH_MS (3 s)
 *   start    = Kubelet.CONTAINER_START_MS (8 s)
 *   bound    = snapshot + create + attach + start
 * </pre>
 * The final snapshot is the one the new volume was restored from ({@code snapshotId}); its {@code writes} and the
 * previous snapshot's are the world's own counts (times the world's MiB per write), so the bound uses what the
 * world actually had to copy.
 *
 * <p>Also read from the world: how many pre-snapshot rounds the move took (its {@code pre} snapshots), and the new
 * volume's <b>time to full speed</b>: from its CreateVolume to the instant all of its blocks were loaded
 * ({@code initializedAt}), 0 when it was fully initialized at creation.
 */
public record MoveDowntime(double downtimeSeconds, double boundSeconds, long finalSnapshotChangedMiB,
                           double toolReportedDowntimeSeconds, int preSnapshotRounds, double timeToFullSpeedSeconds) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public double ratio() {
        return downtimeSeconds / boundSeconds;
    }

    /**
     * Moves {@code namespace/claim} (of pod {@code pod}) to {@code toZone} with `migrate`, then measures it.
     * {@code extra} is passed on to `migrate` (e.g. --no-pre-snapshot).
     */
    public static MoveDowntime move(Zonemover zm, String world, String namespace, String claim, String pod,
                                    String toZone, String pollInterval, String... extra) {
        String[] base = {"--sim", world, "migrate", namespace + "/" + claim, "--to", toZone, "--yes", "-o", "json",
                "--poll-interval", pollInterval};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        JsonNode result = read(zm.run(args));
        if (!"COMPLETED".equals(result.path("status").asText())) {
            throw new IllegalStateException("bench: the move of " + claim + " did not complete: " + result);
        }
        JsonNode show = read(zm.run("sim", "show", world, "--json"));
        return measure(show, namespace, claim, pod, toZone, result.path("downtimeSeconds").asDouble(Double.NaN));
    }

    static MoveDowntime measure(JsonNode show, String namespace, String claim, String pod, String toZone,
                                double reported) {
        // Downtime from the history: the last interval elsewhere that ended before the first one in toZone.
        Instant stopped = null;
        Instant started = null;
        for (JsonNode i : show.path("history")) {
            if (!namespace.equals(i.path("namespace").asText()) || !pod.equals(i.path("name").asText())) {
                continue;
            }
            Instant from = Instant.parse(i.path("from").asText());
            if (toZone.equals(i.path("zone").asText())) {
                if (started == null) {
                    started = from;
                }
            } else if (started == null && !i.path("to").isNull()) {
                stopped = Instant.parse(i.path("to").asText());
            }
        }
        if (stopped == null || started == null) {
            throw new IllegalStateException("bench: the world's history does not show " + namespace + "/" + pod
                    + " stopping and then running in " + toZone);
        }
        double downtime = Duration.between(stopped, started).toMillis() / 1000.0;

        // The bound from the final snapshot and the new volume.
        String pv = find(show.path("pvcs"), n -> namespace.equals(n.path("namespace").asText())
                && claim.equals(n.path("name").asText())).path("volumeName").asText();
        String volumeId = find(show.path("pvs"), n -> pv.equals(n.path("name").asText())).path("volumeId").asText();
        JsonNode volume = find(show.path("volumes"), n -> volumeId.equals(n.path("id").asText()));
        String snapshotId = volume.path("snapshotId").asText();
        JsonNode last = find(show.path("snapshots"), n -> snapshotId.equals(n.path("id").asText()));
        long sizeGiB = last.path("sizeGiB").asLong();
        long lastWrites = last.path("writes").asLong();
        long previousWrites = -1;
        for (JsonNode s : show.path("snapshots")) {
            if (s.path("volumeId").asText().equals(last.path("volumeId").asText())
                    && "completed".equals(s.path("state").asText())
                    && s.path("writes").asLong() < lastWrites && s.path("writes").asLong() > previousWrites) {
                previousWrites = s.path("writes").asLong();
            }
        }
        long mibPerWrite = show.path("writeMiBPerSecond").asLong(Ec2World.MIB_PER_WRITE * Ec2World.WRITES_PER_SEC)
                / Ec2World.WRITES_PER_SEC;
        long changedMiB = previousWrites < 0 ? sizeGiB * 1024
                : Math.min(sizeGiB * 1024, (lastWrites - previousWrites) * mibPerWrite);
        double snapshot = Ec2World.SNAPSHOT_BASE_MS / 1000.0 + (double) changedMiB / Ec2World.SNAPSHOT_MIB_PER_SEC;
        double create = Math.min(Ec2World.CREATE_FROM_SNAPSHOT_MAX_MS,
                Ec2World.CREATE_FROM_SNAPSHOT_BASE_MS + Ec2World.CREATE_FROM_SNAPSHOT_PER_GIB_MS * sizeGiB) / 1000.0;
        double bound = snapshot + create + Ec2World.ATTACH_MS / 1000.0 + Kubelet.CONTAINER_START_MS / 1000.0;
        String job = last.path("tags").path("zonemover.io/job").asText();
        int rounds = 0;
        for (JsonNode s : show.path("snapshots")) {
            if (job.equals(s.path("tags").path("zonemover.io/job").asText())
                    && "pre".equals(s.path("tags").path("zonemover.io/phase").asText())
                    && last.path("volumeId").asText().equals(s.path("volumeId").asText())) {
                rounds++;
            }
        }
        double fullSpeed = volume.has("initializedAt") ? Duration.between(Instant.parse(volume.path("createTime")
                .asText()), Instant.parse(volume.path("initializedAt").asText())).toMillis() / 1000.0 : Double.NaN;
        if ("fast snapshot restore".equals(volume.path("initialization").asText())) {
            fullSpeed = 0;
        }
        return new MoveDowntime(downtime, bound, changedMiB, reported, rounds, fullSpeed);
    }

    private static JsonNode find(JsonNode array, java.util.function.Predicate<JsonNode> p) {
        for (JsonNode n : array) {
            if (p.test(n)) {
                return n;
            }
        }
        throw new IllegalStateException("bench: not in the world: " + array.toString().substring(0,
                Math.min(200, array.toString().length())));
    }

    static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
