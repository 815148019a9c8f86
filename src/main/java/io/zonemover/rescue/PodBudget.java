package io.zonemover.rescue;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.DisruptionBudget;

import java.util.Optional;

/**
 * Whether the PodDisruptionBudget of a stuck pod's StatefulSet lets the rescuer move it now.
 *
 * <p>The move takes down only the stuck pod, which is down already (Pending, never Ready): the eviction API
 * lets such a pod go while the budget is met (unhealthyPodEvictionPolicy IfHealthyBudget, its default), that
 * is while the Ready pods are at least what the budget requires; and refuses when others are down too. That is
 * the rule here: the Ready pods other than this one, counted as if this one were Ready, must leave room for one
 * disruption. Without a PodDisruptionBudget the set gets zonemover's default, maxUnavailable 1 (as
 * {@code rebalance apply}): the stuck pod may be the only one down.
 */
final class PodBudget {

    static final DisruptionBudget DEFAULT = DisruptionBudget.maxUnavailable(1);

    private PodBudget() {
    }

    /** Why pod {@code pod} of the StatefulSet may not be moved now; empty when it may. */
    static Optional<String> blocked(Cluster cluster, Cluster.StatefulSet sts, String pod) {
        DisruptionBudget budget = cluster.disruptionBudget(sts).orElse(DEFAULT);
        int replicas = sts.replicas();
        long othersReady = cluster.podsOf(sts.namespace(), sts.name()).stream()
                .filter(p -> !p.name().equals(pod) && p.ready() && !p.deleting() && ordinal(p.name(), sts.name()) < replicas)
                .count();
        if (budget.allowed(replicas, (int) othersReady + 1) >= 1) {
            return Optional.empty();
        }
        return Optional.of(budget.describe() + " allows no disruption of " + sts.namespace() + "/" + sts.name()
                + " now: " + othersReady + " of its other " + (replicas - 1) + " pods are Ready");
    }

    private static int ordinal(String pod, String set) {
        String rest = pod.substring(Math.min(pod.length(), set.length() + 1));
        return rest.matches("\\d+") ? Integer.parseInt(rest) : Integer.MAX_VALUE;
    }
}
