package io.zonemover.jobs;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.DisruptionBudget;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Whether one more pod of a StatefulSet may go down now: its PodDisruptionBudget (or the plan's
 * --max-unavailable where none selects its pods) against how many of its pods are Ready this instant, so
 * pods already unready count against it. The replicas and the budget are read once per run: during a move
 * the StatefulSet itself is briefly absent.
 */
final class SetBudgets {

    private record Known(int replicas, DisruptionBudget budget) {
    }

    private final Cluster cluster;
    private final DisruptionBudget fallback;
    private final Map<String, Known> known = new HashMap<>();

    SetBudgets(Cluster cluster, int maxUnavailable) {
        this.cluster = cluster;
        this.fallback = DisruptionBudget.maxUnavailable(maxUnavailable);
    }

    /** Why no pod of the StatefulSet (NAMESPACE/NAME) may go down now; empty when one may. */
    Optional<String> blocked(String setRef) {
        ClaimRef ref = ClaimRef.parse(setRef);
        Known k = known.get(setRef);
        if (k == null) {
            Optional<Cluster.StatefulSet> sts = cluster.statefulSet(ref.namespace(), ref.name())
                    .filter(s -> !s.deleting());
            if (sts.isEmpty()) {
                return Optional.of("StatefulSet " + setRef + " is not there now (a move recreates it)");
            }
            k = new Known(sts.get().replicas(), cluster.disruptionBudget(sts.get()).orElse(fallback));
            known.put(setRef, k);
        }
        int replicas = k.replicas();
        long healthy = cluster.podsOf(ref.namespace(), ref.name()).stream()
                .filter(p -> p.ready() && !p.deleting() && ordinal(p.name(), ref.name()) < replicas).count();
        int allowed = k.budget().allowed(replicas, (int) healthy);
        return allowed >= 1 ? Optional.empty() : Optional.of(k.budget().describe() + " allows no disruption of "
                + setRef + " now (" + healthy + "/" + replicas + " Ready)");
    }

    private static int ordinal(String pod, String set) {
        String rest = pod.substring(Math.min(pod.length(), set.length() + 1));
        return rest.matches("\\d+") ? Integer.parseInt(rest) : Integer.MAX_VALUE;
    }
}
