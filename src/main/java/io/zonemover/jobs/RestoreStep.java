package io.zonemover.jobs;

import io.zonemover.domain.EbsVolume;
import io.zonemover.domain.Tags;
import io.zonemover.domain.ZonemoverException;

import java.util.Map;
import java.util.Optional;

import static io.zonemover.jobs.MigrationContext.*;

/**
 * Step 6: the new volume, from the final snapshot, in the target zone, with the old one's type, size,
 * iops, throughput, encryption, KMS key and tags. An earlier attempt's volume is found by tag first; the
 * ClientToken (job id and attempt) guards the call itself. A volume that ends in error burns its token, so
 * the next attempt uses a new one.
 */
final class RestoreStep extends MigrationStep {

    static final int MAX_ATTEMPTS = 3;

    RestoreStep(MigrationServices services) {
        super(services);
    }

    @Override
    String name() {
        return "restore";
    }

    static String newPvName(MigrationContext ctx) {
        String suffix = "-" + ctx.get(TO_ZONE) + "-" + ctx.jobId().replace("zm-", "");
        String base = ctx.claim().name();
        return (base.length() + suffix.length() > 253 ? base.substring(0, 253 - suffix.length()) : base) + suffix;
    }

    @Override
    Next next(MigrationContext ctx) {
        int attempt = (int) ctx.getLong(RESTORE_ATTEMPT, 1);
        if (!ctx.has(NEW_PV)) {
            ctx.put(NEW_PV, newPvName(ctx));
        }
        if (!ctx.has(NEW_VOLUME)) {
            String token = ctx.jobId() + "-restore-" + attempt;
            Optional<EbsVolume> earlier = services.blockStore().volumesTagged(Tags.JOB, ctx.jobId()).stream()
                    .filter(EbsVolume::usable)
                    .filter(v -> token.equals(v.tags().get(Snapshots.ATTEMPT)))
                    .findFirst();
            String id;
            if (earlier.isPresent()) {
                id = earlier.get().id();
            } else {
                EbsVolume source = services.blockStore().volume(ctx.get(OLD_VOLUME)).orElseThrow(() ->
                        ZonemoverException.failed("source volume " + ctx.get(OLD_VOLUME) + " disappeared", null));
                Map<String, String> tags = new java.util.LinkedHashMap<>(Tags.forRestoredVolume(source.tags(),
                        ctx.jobId(), source.id(), ctx.claim(), ctx.get(NEW_PV)));
                tags.put(Snapshots.ATTEMPT, token);
                id = services.blockStore().createVolume(ctx.get(FINAL_SNAPSHOT), ctx.get(TO_ZONE), source, tags, token);
            }
            ctx.put(NEW_VOLUME, id);
            services.store().setNewVolume(ctx.jobId(), id);
            audit(ctx, earlier.isPresent() ? "found" : "created", "volume " + id + " in " + ctx.get(TO_ZONE)
                    + " from " + ctx.get(FINAL_SNAPSHOT) + (earlier.isPresent() ? " (from an earlier attempt)" : ""));
            return Next.CHECKPOINT;
        }
        Optional<EbsVolume> volume = services.blockStore().volume(ctx.get(NEW_VOLUME));
        if (volume.isEmpty()) {
            // EC2 is eventually consistent: a new volume can be NotFound for a moment.
            report("volume " + ctx.get(NEW_VOLUME) + ": not visible yet");
            return Next.WAIT;
        }
        switch (volume.get().state()) {
            case "available" -> {
                audit(ctx, "available", "volume " + volume.get().id() + " is available in " + volume.get().zone());
                return Next.DONE;
            }
            case "error", "deleting", "deleted" -> {
                if (attempt >= MAX_ATTEMPTS) {
                    throw ZonemoverException.failed("could not create a volume in " + ctx.get(TO_ZONE) + " after "
                            + attempt + " attempts (last " + volume.get().id() + " ended " + volume.get().state() + ")", null);
                }
                audit(ctx, "failed", "volume " + volume.get().id() + " ended " + volume.get().state() + "; creating another");
                ctx.put(RESTORE_ATTEMPT, attempt + 1);
                ctx.remove(NEW_VOLUME);
                return Next.CHECKPOINT;
            }
            default -> {
                report("volume " + volume.get().id() + " " + volume.get().state());
                return Next.WAIT;
            }
        }
    }
}
