package io.zonemover.jobs;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.fleet.SplitPlanner;
import io.zonemover.jobs.MigrationContext.Key;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Split step 5: removes the original StatefulSet, by then at 0 replicas with no pod, and only once every zone
 * set is Ready with all of its replicas. Deleted with propagationPolicy=Orphan, so that even a pod that
 * appeared meanwhile would keep running rather than be killed with it.
 */
final class RemoveOriginalStep extends MigrationStep {

    static final Key REMOVED_AT = new Key("originalRemovedAt");

    RemoveOriginalStep(MigrationServices services) {
        super(services);
    }

    @Override
    String name() {
        return "remove-original";
    }

    @Override
    Next next(MigrationContext ctx) {
        SplitContext s = new SplitContext(ctx);
        Cluster cluster = services.cluster();
        Optional<Cluster.StatefulSet> original = cluster.statefulSet(s.namespace(), s.statefulSet());
        if (original.isPresent() && !original.get().deleting()) {
            Optional<String> notReady = notReady(s, cluster);
            if (notReady.isPresent()) {
                report(notReady.get());
                return Next.WAIT;
            }
            List<String> left = cluster.podsOf(s.namespace(), s.statefulSet()).stream().map(Cluster.Pod::name).toList();
            if (original.get().replicas() != 0 || !left.isEmpty()) {
                throw ZonemoverException.failed("StatefulSet " + s.namespace() + "/" + s.statefulSet() + " has "
                        + original.get().replicas() + " replicas and pods " + left + " after every pod was carried; "
                        + "someone scaled it: it is left in place", null);
            }
            cluster.deleteStatefulSetOrphan(s.namespace(), s.statefulSet());
            audit(ctx, "deleted", "StatefulSet " + s.namespace() + "/" + s.statefulSet() + " (0 replicas) deleted; "
                    + "every zone set is Ready");
            return Next.WAIT;
        }
        if (original.isPresent()) {
            report("waiting for StatefulSet " + s.statefulSet() + " to go");
            return Next.WAIT;
        }
        if (!ctx.has(REMOVED_AT)) {
            ctx.put(REMOVED_AT, System.currentTimeMillis());
        }
        return Next.DONE;
    }

    /** What keeps a zone set from being Ready with every replica the plan gives it; empty when none does. */
    private static Optional<String> notReady(SplitContext s, Cluster cluster) {
        Map<String, Integer> planned = new HashMap<>();
        for (int p = 0; p < s.podCount(); p++) {
            planned.merge(s.toZone(p), 1, Integer::sum);
        }
        for (Map.Entry<String, Integer> zone : planned.entrySet()) {
            String name = SplitPlanner.zoneSetName(s.statefulSet(), zone.getKey());
            Optional<Cluster.StatefulSet> set = cluster.statefulSet(s.namespace(), name);
            int ready = set.map(Cluster.StatefulSet::readyReplicas).orElse(0);
            if (set.isEmpty() || set.get().replicas() != zone.getValue() || ready < zone.getValue()) {
                return Optional.of("waiting for StatefulSet " + name + " to be Ready (" + ready + "/" + zone.getValue()
                        + ") before removing " + s.statefulSet());
            }
        }
        return Optional.empty();
    }
}
