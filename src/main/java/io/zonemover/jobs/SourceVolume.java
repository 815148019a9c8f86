package io.zonemover.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonemover.aws.BlockStore;
import io.zonemover.domain.EbsVolume;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.jobs.MigrationContext.ClaimKey;

/**
 * A source volume's attributes (type, size, iops, throughput, encryption, KMS key, tags) as the final snapshot
 * step read them, kept in the checkpoint so that the restore, moments later in the same downtime, need not ask
 * EC2 again. A move that has none saved (a rescue, whose volumes' zone is down; a checkpoint from before this
 * was kept) reads the volume.
 */
final class SourceVolume {

    static final ClaimKey SAVED = new ClaimKey("sourceVolume");

    private static final ObjectMapper JSON = new ObjectMapper();

    private SourceVolume() {
    }

    static void save(MigrationContext ctx, int i, EbsVolume volume) {
        try {
            ctx.put(SAVED, i, JSON.writeValueAsString(volume));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The attributes saved for claim {@code i}, else the volume as EC2 describes it now. */
    static EbsVolume of(MigrationContext ctx, int i, BlockStore blockStore) {
        String saved = ctx.get(SAVED, i);
        if (saved != null) {
            try {
                return JSON.readValue(saved, EbsVolume.class);
            } catch (JsonProcessingException e) {
                // Unreadable (written by another version): read the volume instead.
            }
        }
        String id = ctx.get(PreflightStep.OLD_VOLUME, i);
        return blockStore.volume(id).orElseThrow(() ->
                ZonemoverException.failed("source volume " + id + " disappeared", null));
    }
}
