package io.zonemover.sim.scenario;

import io.zonemover.sim.World;
import io.zonemover.sim.kube.store.Facts;
import io.zonemover.sim.kube.store.ResourceType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.zonemover.sim.scenario.WorldBuilder.NodeType.M5_XLARGE;

/**
 * {@code fleet}, for planned zone work over many StatefulSets (rebalance, evacuate): StatefulSets in namespace
 * fleet whose volumes crowd us-east-1b, on m5.xlarge nodes with room in us-east-1c and us-east-1d to spread
 * them. StorageClass gp3 (ebs.csi.aws.com, WaitForFirstConsumer, default); every pod asks 250m / 256Mi; all
 * Running and Ready. The sets cycle through four kinds (options {@code sets}, default 4, and {@code replicas},
 * default 3):
 * <ul>
 *   <li>{@code orders}: two claims per pod, data (20 GiB) and wal (10 GiB); PDB orders, maxUnavailable 1;
 *   <li>{@code catalog}: data (10 GiB); PDB catalog, minAvailable replicas-1;
 *   <li>{@code sessions}: data (10 GiB); PDB sessions, maxUnavailable "34%" (Kubernetes rounds a percentage
 *       up: 2 of 3 pods);
 *   <li>{@code search}: data (20 GiB); no PDB.
 * </ul>
 * Volumes of orders, catalog and sessions are all in us-east-1b; search's ordinals 2, 5, 8... are in us-east-1c,
 * the rest in 1b. Sets after the fourth are the same kinds named {@code orders-2}, {@code catalog-2}, ...,
 * {@code orders-3}, ... Nodes: 15 pods fit one (cpu); 1b has room for its pods (at least 2 nodes), and 1c and 1d
 * each have room for a third of every set plus one spare node (at least 2 nodes each), so spreading every set
 * evenly, or emptying 1b, fits. Default: 2 nodes per zone; sets=12 replicas=5: 4 in 1b, 3 in 1c, 3 in 1d.
 */
public final class Fleet implements Scenario {

    static final String NAMESPACE = "fleet";
    private static final String CROWDED = "us-east-1b";
    private static final String SPREAD = "us-east-1c";
    private static final List<String> KINDS = List.of("orders", "catalog", "sessions", "search");
    /** m5.xlarge: 3920m allocatable cpu over 250m per pod. */
    private static final int PODS_PER_NODE = 15;

    @Override
    public String name() {
        return "fleet";
    }

    @Override
    public String description() {
        return "StatefulSets crowding one zone, with and without disruption budgets; options sets, replicas";
    }

    @Override
    public World build(Map<String, String> options, long now) {
        ScenarioOptions.onlyThese(options, name(), "sets", "replicas");
        int sets = ScenarioOptions.intOption(options, "sets", KINDS.size(), 1);
        int replicas = ScenarioOptions.intOption(options, "replicas", 3, 1);
        WorldBuilder b = WorldBuilder.start(options, now).csiWaitForFirstConsumer("gp3");
        int crowded = 0;
        for (int k = 0; k < sets; k++) {
            crowded += (int) zones(k, replicas).stream().filter(CROWDED::equals).count();
        }
        // A third of every set (rounded up) in each of 1c and 1d, plus a spare node for drains.
        int third = sets * ((replicas + 2) / 3);
        nodes(b, CROWDED, "11", Math.max(2, ceilDiv(crowded, PODS_PER_NODE)));
        nodes(b, SPREAD, "12", Math.max(2, ceilDiv(third, PODS_PER_NODE) + 1));
        nodes(b, "us-east-1d", "13", Math.max(2, ceilDiv(third, PODS_PER_NODE) + 1));
        for (int k = 0; k < sets; k++) {
            set(b, k, replicas);
        }
        // OrderedReady starts one ordinal after the other: a few world-minutes, more for many replicas.
        b.advance(3 * 60_000);
        for (int i = 0; i < 60 && !allReady(b); i++) {
            b.advance(60_000);
        }
        if (!allReady(b)) {
            throw new IllegalStateException("scenario fleet did not settle: some pods are not Ready");
        }
        return b.world();
    }

    /** StatefulSet number {@code k}: its kind, volumes and budget. */
    private static void set(WorldBuilder b, int k, int replicas) {
        String kind = KINDS.get(k % KINDS.size());
        String name = k < KINDS.size() ? kind : kind + "-" + (k / KINDS.size() + 1);
        StatefulSetBuilder sts = b.statefulSet(NAMESPACE, name).replicas(replicas)
                .container(kind.equals("sessions") ? "redis:7.4" : "postgres:16", "250m", "256Mi", 30)
                .volumesIn(zones(k, replicas).toArray(String[]::new));
        switch (kind) {
            case "orders" -> sts.claim("data", "gp3", 20, "/var/lib/postgresql/data")
                    .claim("wal", "gp3", 10, "/var/lib/postgresql/wal");
            case "search" -> sts.claim("data", "gp3", 20);
            default -> sts.claim("data", "gp3", 10);
        }
        sts.create();
        switch (kind) {
            case "orders" -> b.pdb(NAMESPACE, name, name, null, "1");
            case "catalog" -> b.pdb(NAMESPACE, name, name, Integer.toString(replicas - 1), null);
            case "sessions" -> b.pdb(NAMESPACE, name, name, null, "34%");
            default -> {
                // search: no budget, as many StatefulSets have none.
            }
        }
    }

    /** The zone of each ordinal's volumes: all in 1b, except every third of the search sets, in 1c. */
    private static List<String> zones(int k, int replicas) {
        boolean search = KINDS.get(k % KINDS.size()).equals("search");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            out.add(search && i % 3 == 2 ? SPREAD : CROWDED);
        }
        return out;
    }

    /** {@code count} m5.xlarge nodes in {@code zone}, named ip-10-0-SUBNET-(10+i).ec2.internal. */
    private static void nodes(WorldBuilder b, String zone, String subnet, int count) {
        for (int i = 0; i < count; i++) {
            b.nodes(M5_XLARGE, zone, "ip-10-0-" + subnet + "-" + (10 + i) + ".ec2.internal");
        }
    }

    private static boolean allReady(WorldBuilder b) {
        return b.kube().store().all(ResourceType.PODS).stream().allMatch(Facts::podReady);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
