package io.zonemover.sim.scenario;

import io.zonemover.sim.World;
import io.zonemover.sim.kube.controller.Kubelet;

import java.util.Map;

import static io.zonemover.sim.scenario.WorldBuilder.NodeType.M5_XLARGE;
import static io.zonemover.sim.scenario.WorldBuilder.PvShape.CSI_EBS_KEY;
import static io.zonemover.sim.scenario.WorldBuilder.PvShape.CSI_GA;

/**
 * {@code unbalanced}: 8 m5.xlarge nodes (4 in us-east-1b, 2 in 1c, 2 in 1d); StorageClass gp3 (ebs.csi.aws.com,
 * WaitForFirstConsumer, default); StatefulSets shop/orders, shop/catalog, shop/sessions of 3 replicas with
 * claims data-* of 10Gi (option sizeGiB: another size, e.g. 100 for the bench's pre-snapshot measure); 7 of the
 * 9 volumes (orders and catalog entirely, sessions-0) are in us-east-1b. All Running. Options for the bench's
 * downtime measures: {@code writeMiBps} (the rate every running pod writes at, default 1 MiB/s) and
 * {@code startReadMiB} (MiB each pod reads from its volume before it is Ready, default 0: see Kubelet).
 */
public final class Unbalanced implements Scenario {

    @Override
    public String name() {
        return "unbalanced";
    }

    @Override
    public String description() {
        return "volumes crowding one zone";
    }

    @Override
    public World build(Map<String, String> options, long now) {
        ScenarioOptions.onlyThese(options, name(), "sizeGiB", "writeMiBps", "startReadMiB");
        int sizeGiB = ScenarioOptions.intOption(options, "sizeGiB", 10, 1);
        int writeMiBps = ScenarioOptions.intOption(options, "writeMiBps", 1, 1);
        int startReadMiB = ScenarioOptions.intOption(options, "startReadMiB", 0, 0);
        WorldBuilder b = WorldBuilder.start(options, now).csiWaitForFirstConsumer("gp3")
                .nodes(M5_XLARGE, "us-east-1b", "ip-10-0-11-5.ec2.internal", "ip-10-0-11-17.ec2.internal",
                        "ip-10-0-11-40.ec2.internal", "ip-10-0-11-66.ec2.internal")
                .nodes(M5_XLARGE, "us-east-1c", "ip-10-0-12-9.ec2.internal", "ip-10-0-12-88.ec2.internal")
                .nodes(M5_XLARGE, "us-east-1d", "ip-10-0-13-14.ec2.internal", "ip-10-0-13-120.ec2.internal");
        b.world().ec2().setWriteMiBPerSecond(writeMiBps);
        shop(b, "orders", sizeGiB, startReadMiB, "us-east-1b", "us-east-1b", "us-east-1b");
        shop(b, "catalog", sizeGiB, startReadMiB, "us-east-1b", "us-east-1b", "us-east-1b");
        shop(b, "sessions", sizeGiB, startReadMiB, "us-east-1b", "us-east-1c", "us-east-1d");
        b.advance(3 * 60_000);
        return b.world();
    }

    /** A 3-replica database of the shop whose volumes were made in those zones. */
    private static void shop(WorldBuilder b, String name, int sizeGiB, int startReadMiB, String... zones) {
        StatefulSetBuilder sts = b.statefulSet("shop", name).replicas(3).container("postgres:16", "250m", "256Mi", 30)
                .claim("data", "gp3", sizeGiB)
                .volumesIn(zones).shapes(CSI_GA, CSI_EBS_KEY, CSI_GA);
        if (startReadMiB > 0) {
            sts.podAnnotation(Kubelet.START_READ_MIB, String.valueOf(startReadMiB));
        }
        sts.create();
    }
}
