package io.zonemover.jobs;

import io.zonemover.domain.EbsVolume;
import io.zonemover.domain.Tags;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.jobs.MigrationContext.ClaimKey;

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
 * new one. Undo: the new volumes are kept, tagged as rolled back.
 */
final class RestoreStep extends MigrationStep {

    static final int MAX_ATTEMPTS = 3;
    static final ClaimKey NEW_VOLUME = new ClaimKey("newVolumeId");
    static final ClaimKey NEW_PV = new ClaimKey("newPv");
    static final ClaimKey ATTEMPT = new ClaimKey("restoreAttempt");
    static final ClaimKey INTENT = new ClaimKey("restoreIntent");

    private final CreateIntents intents = new CreateIntents();
    private final ChangePace pace = new ChangePace();

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

    @Override
    Next next(MigrationContext ctx) {
        for (int i = 0; i < ctx.claimCount(); i++) {
            if (!ctx.has(NEW_PV, i)) {
                ctx.put(NEW_PV, i, newPvName(ctx, i));
            }
            if (!ctx.has(NEW_VOLUME, i)) {
                return create(ctx, i);
            }
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
                    // EC2 reports no progress for a volume being created.
                    wait = Math.max(wait, pace.expectedMillis(id, -1));
                }
            }
        }
        if (!allAvailable) {
            return waitAbout(wait);
        }
        ctx.all(NEW_VOLUME).forEach(pace::done);
        audit(ctx, "available", "volume" + (ctx.claimCount() == 1 ? " " : "s ") + String.join(", ", ctx.all(NEW_VOLUME))
                + " available in " + ctx.get(TO_ZONE));
        return Next.DONE;
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
                    source, tags, token);
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
        for (int i = 0; i < ctx.claimCount(); i++) {
            if (ctx.has(NEW_VOLUME, i) && services.blockStore().volume(ctx.get(NEW_VOLUME, i)).isPresent()) {
                services.blockStore().tag(ctx.get(NEW_VOLUME, i), Map.of(Tags.ROLLED_BACK, ctx.jobId()));
            }
        }
        return Next.DONE;
    }
}
