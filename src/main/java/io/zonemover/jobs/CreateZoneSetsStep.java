package io.zonemover.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonemover.cluster.Cluster;
import io.zonemover.domain.Tags;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.fleet.SplitPlanner;

import java.util.Map;
import java.util.Optional;

/**
 * Split step 3: one StatefulSet per zone, {@code NAME-<zone>}, a copy of the original as it was served with 0
 * replicas, its own selector and a required node affinity on its zone ({@link Cluster#createZoneStatefulSet}).
 * At 0 replicas no controller makes a claim or a pod yet: the carry makes each claim before the set grows to
 * the ordinal that uses it. Each is labelled with the job, so a resumed run knows its own from a stranger's.
 */
final class CreateZoneSetsStep extends MigrationStep {

    private static final ObjectMapper JSON = new ObjectMapper();

    CreateZoneSetsStep(MigrationServices services) {
        super(services);
    }

    @Override
    String name() {
        return "create-zone-sets";
    }

    @Override
    Next next(MigrationContext ctx) throws Exception {
        SplitContext s = new SplitContext(ctx);
        Cluster cluster = services.cluster();
        for (String zone : s.zones()) {
            String name = SplitPlanner.zoneSetName(s.statefulSet(), zone);
            Optional<Cluster.StatefulSet> existing = cluster.statefulSet(s.namespace(), name);
            if (existing.isEmpty()) {
                cluster.createZoneStatefulSet(s.get(SplitContext.ORIGINAL_MANIFEST), zone, Map.of(Tags.JOB, s.jobId()));
                audit(ctx, "created", "StatefulSet " + s.namespace() + "/" + name + " (0 replicas, pods required in "
                        + zone + ")");
                return Next.CHECKPOINT;
            }
            String owner = JSON.readTree(existing.get().manifest()).path("metadata").path("labels").path(Tags.JOB).asText();
            if (!s.jobId().equals(owner)) {
                throw ZonemoverException.refused("StatefulSet " + s.namespace() + "/" + name + " appeared, not made by "
                        + "this job; nothing of the original has changed yet");
            }
        }
        return Next.DONE;
    }
}
