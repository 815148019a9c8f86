package io.zonemover.jobs;

import io.zonemover.domain.EbsVolume;
import io.zonemover.domain.Tags;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.jobs.MigrationContext.ClaimKey;
import io.zonemover.jobs.MigrationContext.Key;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.zonemover.jobs.PreflightStep.TO_ZONE;

/**
 * Step 6: a new volume per claim, from its final snapshot, in the target zone, with the old one's type,
 * size, iops, throughput, encryption, KMS key and tags (as the final snapshot step read them). An earlier
 * attempt's volume is looked for by tag when one may exist ({@link CreateIntents}); the ClientToken (job, claim
 * and attempt) guards the call itself. A volume that ends in error burns its token, so the next attempt uses a
 * new one. While EC2 creates the volumes, the step already points the claims at them ({@link RebindStep#advance}:
 * the claims' rebind is pipelined with the volumes' creation, off the downtime's critical path; the PV of a volume
 * that ends in error is replaced once the next attempt's volume exists). Undo: the new volumes are kept, tagged as rolled
 * back (the rebind's own undo binds the claims back to their old volumes).
 */
final class RestoreStep extends MigrationStep {

    static final int MAX_ATTEMPTS = 3;
    /** The longest wait between two looks at a volume being created, in poll intervals. */
    static final int CREATING_POLLS = 4;
    static final ClaimKey NEW_VOLUME = new ClaimKey("newVolumeId");
    static final ClaimKey NEW_PV = new ClaimKey("newPv");
    static final ClaimKey ATTEMPT = new ClaimKey("restoreAttempt");
    static final ClaimKey INTENT = new ClaimKey("restoreIntent");
    /** Fast snapshot restore of the final snapshots in the target zone: asked for, seen enabled, disabled again. */
    static final Key FSR_ASKED = new Key("fastRestoreAskedAt");
    static final Key FSR_ENABLED = new Key("fastRestoreEnabledAt");
    static final Key FSR_DISABLED = new Key("fastRestoreDisabledAt");
    /** The snapshots whose fast snapshot restore this move enabled (not one someone had enabled already). */
    static final Key FSR_OURS = new Key("fastRestoreEnabledFor");

    /** "It takes 60 minutes per TiB to optimize a snapshot" (ebs/latest/userguide/view-fsr-enabled-snapshots). */
    static final long FSR_OPTIMIZE_MILLIS_PER_TIB = 60 * 60_000L;

    private final CreateIntents intents = new CreateIntents();
    private final ChangePace pace = new ChangePace();
    /** When this process first saw a snapshot's fast snapshot restore optimizing (job/snapshot -> epoch millis). */
    private final java.util.Map<String, Long> optimizingSince = new java.util.concurrent.ConcurrentHashMap<>();

    RestoreStep(MigrationServices services) {
        super(services);
    }

    @Override
    String name() {
        return "restore";
    }

    static String newPvName(MigrationContext ctx, int i) {
        String suffix = "-" + ctx.get(TO_ZONE) + "-" + ctx.jobId().replace("zm-", "");
        String base = ctx.get(MigrationContext.CLAIM_NAME, i);
        return (base.length() + suffix.length() > 253 ? base.substring(0, 253 - suffix.length()) : base) + suffix;
    }

    static boolean fastRestore(MigrationContext ctx) {
        return Boolean.parseBoolean(ctx.param(MigrationJob.PARAM_FAST_RESTORE));
    }

    static Integer initializationRate(MigrationContext ctx) {
        String rate = ctx.param(MigrationJob.PARAM_INIT_RATE);
        return rate == null ? null : Integer.valueOf(rate);
    }

    @Override
    Next next(MigrationContext ctx) {
        if (fastRestore(ctx) && !ctx.has(FSR_ENABLED)) {
            return enableFastRestore(ctx);
        }
        for (int i = 0; i < ctx.claimCount(); i++) {
            if (!ctx.has(NEW_PV, i)) {
                ctx.put(NEW_PV, i, newPvName(ctx, i));
            }
            if (!ctx.has(NEW_VOLUME, i)) {
                return create(ctx, i);
            }
        }
        // Each claim's rebind, one action per iteration, before looking at EC2: it needs only the volumes' ids.
        Optional<Next> rebinding = RebindStep.advance(ctx, services.cluster(), this);
        if (rebinding.isPresent() && rebinding.get() != Next.WAIT) {
            return rebinding.get();
        }
        long early = pace.untilFirstLook(ctx.all(NEW_VOLUME));
        if (early > 0) {
            return waitAbout(early);
        }
        List<EbsVolume> volumes = services.blockStore().volumes(ctx.all(NEW_VOLUME));
        boolean allAvailable = true;
        long wait = 0;
        for (int i = 0; i < ctx.claimCount(); i++) {
            String id = ctx.get(NEW_VOLUME, i);
            Optional<EbsVolume> volume = volumes.stream().filter(v -> v.id().equals(id)).findFirst();
            if (volume.isEmpty()) {
                // EC2 is eventually consistent: a new volume can be NotFound for a moment.
                report("volume " + id + ": not visible yet");
                allAvailable = false;
                continue;
            }
            switch (volume.get().state()) {
                case "available" -> { }
                case "error", "deleting", "deleted" -> {
                    int attempt = (int) ctx.getLong(ATTEMPT, i, 1);
                    if (attempt >= MAX_ATTEMPTS) {
                        throw ZonemoverException.failed("could not create a volume in " + ctx.get(TO_ZONE) + " after "
                                + attempt + " attempts (last " + id + " ended " + volume.get().state() + ")", null);
                    }
                    audit(ctx, "failed", "volume " + id + " ended " + volume.get().state() + "; creating another");
                    pace.done(id);
                    ctx.put(ATTEMPT, i, attempt + 1);
                    ctx.remove(NEW_VOLUME, i);
                    return Next.CHECKPOINT;
                }
                default -> {
                    report("volume " + id + " " + volume.get().state());
                    allAvailable = false;
                    // EC2 reports no progress for a volume being created: the pace would look again after as long as
                    // it has taken so far. In the downtime, half that, and never more than a few poll intervals:
                    // lateness here is downtime, a look is one call (shared by every volume in flight).
                    wait = Math.max(wait, Math.min(pace.expectedMillis(id, -1) / 2,
                            CREATING_POLLS * services.pollMillis()));
                }
            }
        }
        if (!allAvailable) {
            return waitAbout(wait);
        }
        ctx.all(NEW_VOLUME).forEach(pace::done);
        Integer rate = initializationRate(ctx);
        audit(ctx, "available", "volume" + (ctx.claimCount() == 1 ? " " : "s ") + String.join(", ", ctx.all(NEW_VOLUME))
                + " available in " + ctx.get(TO_ZONE) + (rate != null ? "; its blocks load at " + rate + " MiB/s"
                : ctx.has(FSR_ENABLED) ? "; fully initialized (fast snapshot restore)" : ""));
        disableFastRestore(ctx);
        return Next.DONE;
    }

    /**
     * Fast snapshot restore of the final snapshots in the target zone, before any volume is created from them:
     * asked once, then waited for until EC2 says {@code enabled} ("You get the full benefit of fast snapshot restores
     * after they enter the enabled state", EnableFastSnapshotRestores). A pair that fell back to disabled (EC2 could
     * not enable it) is asked again.
     */
    private Next enableFastRestore(MigrationContext ctx) {
        List<String> ids = ctx.all(FinalSnapshotStep.FINAL_SNAPSHOT);
        String zone = ctx.get(TO_ZONE);
        if (!ctx.has(FSR_OURS)) {
            // A snapshot someone else enabled already (a rescue's, say, under an EBS lifecycle policy) stays theirs:
            // this move neither enables nor, afterwards, disables it. Which are ours is recorded before enabling
            // any, so that a crash right after the call still has them disabled in the end.
            Map<String, String> before = services.blockStore().fastSnapshotRestores(ids, zone);
            ctx.put(FSR_OURS, String.join(",", ids.stream().filter(id -> !before.containsKey(id)
                    || before.get(id).startsWith("disabl")).toList()));
            return Next.AGAIN;
        }
        if (!ctx.has(FSR_ASKED)) {
            List<String> ours = ours(ctx);
            long asked = pace.now();
            if (!ours.isEmpty()) {
                services.blockStore().enableFastSnapshotRestores(ours, zone);
            }
            ids.forEach(id -> pace.started("fsr:" + id, asked, services.pollMillis()));
            ctx.put(FSR_ASKED, System.currentTimeMillis());
            audit(ctx, "enabling", "fast snapshot restore of " + String.join(", ", ids) + " in " + zone
                    + " (billed per snapshot and zone for every hour it is enabled, one hour at least; disabled as soon "
                    + "as the volumes exist)");
            return Next.CHECKPOINT;
        }
        List<String> fsrIds = ids.stream().map(id -> "fsr:" + id).toList();
        long early = pace.untilFirstLook(fsrIds);
        if (early > 0) {
            return waitAbout(early);
        }
        Map<String, String> states = services.blockStore().fastSnapshotRestores(ids, zone);
        List<String> lapsed = ids.stream().filter(id -> !states.containsKey(id)
                || states.get(id).startsWith("disabl")).toList();
        if (!lapsed.isEmpty()) {
            services.blockStore().enableFastSnapshotRestores(lapsed, zone);
            report("fast snapshot restore of " + String.join(", ", lapsed) + " in " + zone + " lapsed; asked again");
            return Next.WAIT;
        }
        if (ids.stream().allMatch(id -> "enabled".equals(states.get(id)))) {
            fsrIds.forEach(pace::done);
            ids.forEach(id -> optimizingSince.remove(ctx.jobId() + "/" + id));
            ctx.put(FSR_ENABLED, System.currentTimeMillis());
            audit(ctx, "enabled", "fast snapshot restore of " + String.join(", ", ids) + " enabled in " + zone + " after "
                    + (System.currentTimeMillis() - ctx.getLong(FSR_ASKED, System.currentTimeMillis())) / 1000 + " s");
            return Next.CHECKPOINT;
        }
        report("fast snapshot restore in " + zone + ": " + states);
        // In the downtime. While optimizing, AWS's "60 minutes per TiB" of the snapshot says how long it still takes
        // (from when this process first saw it optimizing); otherwise, as a volume being created, at 1.5 times its
        // age, at most a few poll intervals apart.
        long now = System.currentTimeMillis();
        long wait = 0;
        for (String id : ids) {
            if ("optimizing".equals(states.get(id))) {
                long since = optimizingSince.computeIfAbsent(ctx.jobId() + "/" + id, k -> now);
                long left = optimizeMillis(ctx) - (now - since);
                wait = Math.max(wait, left > 0 ? left : CREATING_POLLS * services.pollMillis());
            } else {
                wait = Math.max(wait, Math.min(pace.expectedMillis("fsr:" + id, -1) / 2,
                        CREATING_POLLS * services.pollMillis()));
            }
        }
        return waitAbout(wait);
    }

    /** How long fast snapshot restore optimizes the move's largest snapshot: 60 minutes per TiB (AWS). */
    private long optimizeMillis(MigrationContext ctx) {
        int gib = 0;
        for (int i = 0; i < ctx.claimCount(); i++) {
            gib = Math.max(gib, SourceVolume.of(ctx, i, services.blockStore()).sizeGiB());
        }
        return gib * FSR_OPTIMIZE_MILLIS_PER_TIB / 1024;
    }

    private static List<String> ours(MigrationContext ctx) {
        String ours = ctx.get(FSR_OURS);
        return ours == null || ours.isEmpty() ? List.of() : List.of(ours.split(","));
    }

    /** Disables what {@link #enableFastRestore} enabled (it is billed by the hour); once. */
    private void disableFastRestore(MigrationContext ctx) {
        if (ctx.has(FSR_OURS) && !ctx.has(FSR_DISABLED)) {
            List<String> ids = ours(ctx);
            if (!ids.isEmpty()) {
                services.blockStore().disableFastSnapshotRestores(ids, ctx.get(TO_ZONE));
            }
            ctx.put(FSR_DISABLED, System.currentTimeMillis());
            audit(ctx, "disabled", "fast snapshot restore of " + String.join(", ", ids) + " in " + ctx.get(TO_ZONE)
                    + " disabled" + (ctx.has(FSR_ASKED) ? " (enabled for " + (System.currentTimeMillis()
                    - ctx.getLong(FSR_ASKED, 0)) / 1000 + " s)" : ""));
        }
    }

    private Next create(MigrationContext ctx, int i) {
        int attempt = (int) ctx.getLong(ATTEMPT, i, 1);
        String token = ctx.jobId() + "-restore-" + i + "-" + attempt;
        if (intents.record(ctx, INTENT, i, attempt)) {
            return Next.AGAIN;
        }
        // The token would return an earlier attempt's volume too, but only for as long as EC2 remembers tokens.
        Optional<EbsVolume> earlier = !intents.mayExist(ctx, INTENT, i, attempt) ? Optional.empty()
                : services.blockStore().volumesTagged(Tags.JOB, ctx.jobId()).stream()
                .filter(EbsVolume::usable)
                .filter(v -> token.equals(v.tags().get(Snapshots.ATTEMPT)))
                .findFirst();
        String id;
        if (earlier.isPresent()) {
            id = earlier.get().id();
        } else {
            EbsVolume source = SourceVolume.of(ctx, i, services.blockStore());
            Map<String, String> tags = new LinkedHashMap<>(Tags.forRestoredVolume(source.tags(), ctx.jobId(),
                    source.id(), ctx.claimAt(i), ctx.get(NEW_PV, i)));
            tags.put(Snapshots.ATTEMPT, token);
            long asked = pace.now();
            id = services.blockStore().createVolume(ctx.get(FinalSnapshotStep.FINAL_SNAPSHOT, i), ctx.get(TO_ZONE),
                    source, tags, token, initializationRate(ctx));
            pace.started(id, asked, services.pollMillis());
        }
        ctx.put(NEW_VOLUME, i, id);
        if (i == 0) {
            services.store().setNewVolume(ctx.jobId(), id);
        }
        audit(ctx, earlier.isPresent() ? "found" : "created", "volume " + id + " in " + ctx.get(TO_ZONE) + " from "
                + ctx.get(FinalSnapshotStep.FINAL_SNAPSHOT, i) + (earlier.isPresent() ? " (from an earlier attempt)" : ""));
        return Next.CHECKPOINT;
    }

    @Override
    Next undo(MigrationContext ctx) {
        disableFastRestore(ctx);
        for (int i = 0; i < ctx.claimCount(); i++) {
            if (ctx.has(NEW_VOLUME, i) && services.blockStore().volume(ctx.get(NEW_VOLUME, i)).isPresent()) {
                services.blockStore().tag(ctx.get(NEW_VOLUME, i), Map.of(Tags.ROLLED_BACK, ctx.jobId()));
            }
        }
        return Next.DONE;
    }
}
