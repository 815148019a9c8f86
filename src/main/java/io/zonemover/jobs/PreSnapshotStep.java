package io.zonemover.jobs;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.EbsSnapshot;
import io.zonemover.domain.PortError;
import io.zonemover.jobs.MigrationContext.ClaimKey;
import io.zonemover.jobs.MigrationContext.Key;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static io.zonemover.jobs.PreflightStep.OLD_VOLUME;

/**
 * Step 3, while the pod still runs: pre-copy in rounds. Each round is an incremental snapshot of each of the pod's
 * volumes; the final snapshots, taken during the downtime, copy only what was written since the last round began.
 * A round copies what was written during the one before, so rounds shrink for as long as the pod writes slower than
 * EBS snapshots: another round is taken while the last one took longer than {@link #SMALL_ROUND} and, from the
 * second on, at most {@link #SHRINK} of the one before, up to the job's round limit (one by default).
 *
 * <p>How much a round copied is measured by how long it took, in the cloud's own clock (a snapshot's StartTime to
 * its CompletionTime; this machine's clock when EC2 gives no CompletionTime): an incremental snapshot takes a fixed
 * part plus its changed data at EBS's pace, so a round that took little time copied little, and the final snapshot
 * will copy about what the pod writes in that time. EC2 has no cheap count of the changed data itself: the EBS
 * direct APIs' ListChangedBlocks compares two completed snapshots block by block (another SDK client, another
 * permission, paged lists of blocks), and says no more than the round's duration does about the next one.
 *
 * <p>Optional; a failure here only costs time (a failed round ends the rounds; the final snapshot copies more).
 */
final class PreSnapshotStep extends MigrationStep {

    static final String PHASE = "pre";
    /** The snapshot of the round under way (after the step: of the last round), per claim. */
    static final ClaimKey PRE_SNAPSHOT = new ClaimKey("preSnapshotId");
    static final ClaimKey INTENT = new ClaimKey("preSnapshotIntent");
    /** The round under way, from 1 (absent: 1). */
    static final Key ROUND = new Key("preSnapshotRound");
    /** When the round under way asked for its first snapshot, on this machine's clock (epoch millis). */
    static final Key ROUND_STARTED = new Key("preSnapshotRoundStartedAt");
    /** A round that took no longer leaves the final snapshot that much of the pod's writes: small enough. */
    static final Duration SMALL_ROUND = Duration.ofSeconds(60);
    /** From the second round on, another only while the last took at most this share of the one before. */
    static final double SHRINK = 0.8;

    private final CreateIntents intents = new CreateIntents();
    private final ChangePace pace = new ChangePace();

    PreSnapshotStep(MigrationServices services) {
        super(services);
    }

    @Override
    String name() {
        return "pre-snapshot";
    }

    /** How long round {@code round} took (milliseconds), once it completed. */
    static Key took(int round) {
        return new Key("preSnapshotRound" + round + "Millis");
    }

    /** The most rounds this job takes (job parameter; 1 when absent). */
    static int maxRounds(MigrationContext ctx) {
        String rounds = ctx.param(MigrationJob.PARAM_PRE_SNAPSHOT_ROUNDS);
        return rounds == null ? 1 : Math.max(1, Integer.parseInt(rounds));
    }

    @Override
    Next next(MigrationContext ctx) {
        if (!Boolean.parseBoolean(ctx.param(MigrationJob.PARAM_PRE_SNAPSHOT)) || PreflightStep.rescue(ctx)) {
            return Next.DONE;
        }
        int round = (int) ctx.getLong(ROUND, 1);
        for (int i = 0; i < ctx.claimCount(); i++) {
            if (!ctx.has(PRE_SNAPSHOT, i)) {
                return create(ctx, i, round);
            }
        }
        List<String> ids = ctx.all(PRE_SNAPSHOT);
        long early = pace.untilFirstLook(ids);
        if (early > 0) {
            return waitAbout(early);
        }
        List<EbsSnapshot> snapshots = services.blockStore().snapshots(ids);
        long wait = -1;
        for (String id : ids) {
            Optional<EbsSnapshot> snapshot = snapshots.stream().filter(s -> s.id().equals(id)).findFirst();
            if (snapshot.isEmpty()) {
                report("pre-snapshot " + id + ": not visible yet");
                return Next.WAIT;
            }
            if (!snapshot.get().completed() && !snapshot.get().failed()) {
                report("pre-snapshot " + id + " " + snapshot.get().state() + " " + snapshot.get().progress()
                        + (round > 1 ? " (round " + round + ")" : ""));
                wait = Math.max(wait, pace.expectedMillis(id, ChangePace.percent(snapshot.get().progress())));
            }
        }
        if (wait >= 0) {
            return waitAbout(wait);
        }
        ids.forEach(pace::done);
        List<EbsSnapshot> failed = snapshots.stream().filter(EbsSnapshot::failed).toList();
        failed.forEach(s -> audit(ctx, "skipped", "pre-snapshot " + s.id() + " failed (" + s.stateMessage()
                + "); continuing: the final snapshot will copy more"));
        long took = took(ctx, snapshots);
        ctx.put(took(round), took);
        long before = ctx.getLong(took(round - 1), -1);
        boolean another = failed.isEmpty() && round < maxRounds(ctx) && took > SMALL_ROUND.toMillis()
                && (before < 0 || took <= SHRINK * before) && writing(ctx);
        audit(ctx, "completed", "pre-snapshot" + (ids.size() == 1 ? " " : "s ") + ids
                + (maxRounds(ctx) > 1 ? " (round " + round + ")" : "") + " completed in " + took / 1000 + " s"
                + (another ? "; another round, to shrink what the final snapshot copies"
                : maxRounds(ctx) > 1 ? "; " + why(ctx, round, took, before, failed.isEmpty()) : ""));
        if (another) {
            ctx.put(ROUND, round + 1);
            ctx.remove(ROUND_STARTED);
            for (int i = 0; i < ctx.claimCount(); i++) {
                ctx.remove(PRE_SNAPSHOT, i);
            }
            return Next.CHECKPOINT;
        }
        return Next.DONE;
    }

    /** Whether the pod runs (so writes): a pod that does not (a stuck one) left nothing for another round. */
    private boolean writing(MigrationContext ctx) {
        return services.cluster().pod(ctx.namespace(), ctx.get(PreflightStep.POD)).map(Cluster.Pod::started)
                .orElse(false);
    }

    private static String why(MigrationContext ctx, int round, long took, long before, boolean ok) {
        if (!ok) {
            return "no further round after a failed one";
        }
        if (took <= SMALL_ROUND.toMillis()) {
            return "small enough: the final snapshot copies about what is written in " + took / 1000 + " s";
        }
        if (round >= maxRounds(ctx)) {
            return "the last of " + maxRounds(ctx) + " rounds";
        }
        if (before >= 0 && took > SHRINK * before) {
            return "no shorter than " + Math.round(SHRINK * 100) + "% of the round before (" + before / 1000
                    + " s): the pod writes about as fast as a round copies";
        }
        return "the pod is not running: nothing was written since";
    }

    /**
     * How long the round took: the longest of its snapshots, StartTime to CompletionTime in EC2's clock; from this
     * machine's clock (the round's first request to now) when EC2 gives no CompletionTime.
     */
    private static long took(MigrationContext ctx, List<EbsSnapshot> round) {
        long cloud = -1;
        for (EbsSnapshot s : round) {
            Duration d = s.took();
            if (d == null) {
                cloud = -1;
                break;
            }
            cloud = Math.max(cloud, d.toMillis());
        }
        if (cloud >= 0) {
            return cloud;
        }
        return Math.max(0, System.currentTimeMillis() - ctx.getLong(ROUND_STARTED, System.currentTimeMillis()));
    }

    private Next create(MigrationContext ctx, int i, int round) {
        if (intents.record(ctx, INTENT, i, round)) {
            return Next.AGAIN;
        }
        String volumeId = ctx.get(OLD_VOLUME, i);
        Optional<EbsSnapshot> earlier = intents.mayExist(ctx, INTENT, i, round) ? Snapshots.find(
                Snapshots.ofJob(services.blockStore(), ctx.jobId()), volumeId, PHASE, round) : Optional.empty();
        long asked = pace.now();
        String id;
        if (earlier.isPresent()) {
            id = earlier.get().id();
        } else {
            try {
                id = services.blockStore().createSnapshot(volumeId, "zonemover " + ctx.jobId() + " incremental base of "
                        + volumeId + (round > 1 ? " (round " + round + ")" : ""), Snapshots.tags(ctx, i, PHASE, round));
            } catch (PortError e) {
                if (Snapshots.perVolumeLimit(e)) {
                    report("EC2 limits snapshots per volume (" + e.code() + "); waiting before asking again");
                    return Next.WAIT;
                }
                throw e;
            }
            pace.started(id, asked, services.pollMillis());
        }
        if (!ctx.has(ROUND_STARTED)) {
            ctx.put(ROUND_STARTED, asked);
        }
        ctx.put(PRE_SNAPSHOT, i, id);
        audit(ctx, earlier.isPresent() ? "found" : "created", "pre-snapshot " + id + " of " + volumeId
                + (round > 1 ? " (round " + round + ")" : "") + (earlier.isPresent() ? " (from an earlier attempt)" : ""));
        return Next.CHECKPOINT;
    }
}
