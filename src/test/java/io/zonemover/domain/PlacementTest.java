package io.zonemover.domain;

import io.zonemover.domain.Placement.Node;
import io.zonemover.domain.Placement.PodNeeds;
import io.zonemover.domain.Placement.Requirement;
import io.zonemover.domain.Placement.Taint;
import io.zonemover.domain.Placement.Toleration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlacementTest {

    static final long GI = 1L << 30;

    /** A fluent fixture: a Ready, schedulable 4-cpu / 16Gi node with nothing on it. */
    static final class N {
        String name;
        String zone;
        boolean ready = true;
        boolean schedulable = true;
        List<Taint> taints = new ArrayList<>();
        Map<String, String> labels = Map.of();
        long cpu = 4000;
        long mem = 16 * GI;
        long usedCpu;
        long usedMem;

        static N node(String name, String zone) {
            N n = new N();
            n.name = name;
            n.zone = zone;
            return n;
        }

        N notReady() { ready = false; return this; }
        N cordoned() { schedulable = false; return this; }
        N taint(String k, String v, String effect) { taints.add(new Taint(k, v, effect)); return this; }
        N labels(Map<String, String> l) { labels = l; return this; }
        N used(long milli, long bytes) { usedCpu = milli; usedMem = bytes; return this; }

        Node build() {
            return new Node(name, zone, ready, schedulable, taints, labels, cpu, mem, usedCpu, usedMem);
        }
    }

    static PodNeeds needs(long milli, long bytes) {
        return PodNeeds.of(milli, bytes);
    }

    static Stream<Arguments> singleNodeCases() {
        PodNeeds small = needs(500, GI);
        return Stream.of(
                Arguments.of("empty node fits", N.node("a", "z1"), small, List.of()),
                Arguments.of("cordoned", N.node("a", "z1").cordoned(), small, List.of(Placement.UNSCHEDULABLE)),
                Arguments.of("cordoned wins over full", N.node("a", "z1").cordoned().used(4000, 16 * GI), small,
                        List.of(Placement.UNSCHEDULABLE)),
                Arguments.of("not ready", N.node("a", "z1").notReady(), small,
                        List.of("node(s) had untolerated taint {node.kubernetes.io/not-ready: }")),
                Arguments.of("cpu full", N.node("a", "z1").used(3800, 0), small, List.of(Placement.INSUFFICIENT_CPU)),
                Arguments.of("memory full", N.node("a", "z1").used(0, 15 * GI + 1), small,
                        List.of(Placement.INSUFFICIENT_MEMORY)),
                Arguments.of("both full", N.node("a", "z1").used(4000, 16 * GI), small,
                        List.of(Placement.INSUFFICIENT_CPU, Placement.INSUFFICIENT_MEMORY)),
                Arguments.of("exactly full fits", N.node("a", "z1").used(3500, 15 * GI), small, List.of()),
                Arguments.of("NoSchedule taint", N.node("a", "z1").taint("dedicated", "db", "NoSchedule"), small,
                        List.of("node(s) had untolerated taint {dedicated: db}")),
                Arguments.of("NoExecute taint", N.node("a", "z1").taint("gpu", null, "NoExecute"), small,
                        List.of("node(s) had untolerated taint {gpu: }")),
                Arguments.of("PreferNoSchedule is no filter", N.node("a", "z1").taint("x", "y", "PreferNoSchedule"),
                        small, List.of()),
                Arguments.of("zero request always fits on a full node", N.node("a", "z1").used(4000, 16 * GI),
                        needs(0, 0), List.of()),
                Arguments.of("selector mismatch", N.node("a", "z1").labels(Map.of("pool", "web")),
                        new PodNeeds(1, 1, Map.of("pool", "db"), List.of(), List.of()),
                        List.of(Placement.AFFINITY_MISMATCH)),
                Arguments.of("selector match", N.node("a", "z1").labels(Map.of("pool", "db")),
                        new PodNeeds(1, 1, Map.of("pool", "db"), List.of(), List.of()), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("singleNodeCases")
    void rejectsInTheSchedulersWords(String name, N node, PodNeeds needs, List<String> expected) {
        assertEquals(expected, Placement.rejections(node.build(), needs));
    }

    @ParameterizedTest
    @CsvSource(nullValues = "NULL", value = {
            // taint key, value, effect | toleration key, operator, value, effect | tolerated
            "dedicated, db, NoSchedule,  dedicated, Equal,  db,   NoSchedule, true",
            "dedicated, db, NoSchedule,  dedicated, NULL,   db,   NULL,       true",
            "dedicated, db, NoSchedule,  dedicated, Equal,  web,  NoSchedule, false",
            "dedicated, db, NoSchedule,  dedicated, Exists, NULL, NULL,       true",
            "dedicated, db, NoSchedule,  dedicated, Exists, NULL, NoExecute,  false",
            "dedicated, db, NoSchedule,  NULL,      Exists, NULL, NULL,       true",
            "dedicated, db, NoSchedule,  '',        Exists, NULL, NoSchedule, true",
            "dedicated, db, NoSchedule,  NULL,      Equal,  NULL, NULL,       false",
            "dedicated, db, NoSchedule,  other,     Exists, NULL, NULL,       false",
            "gpu,       '', NoExecute,   gpu,       Equal,  NULL, NoExecute,  true",
            "gpu,       '', NoExecute,   gpu,       Equal,  '',   NULL,       true",
    })
    void tolerations(String tk, String tv, String te, String k, String op, String v, String e, boolean tolerated) {
        Taint taint = new Taint(tk, tv, te);
        assertEquals(tolerated, new Toleration(k, op, v, e).tolerates(taint));
        Node node = N.node("a", "z1").taint(tk, tv, te).build();
        PodNeeds needs = new PodNeeds(1, 1, Map.of(), List.of(), List.of(new Toleration(k, op, v, e)));
        assertEquals(tolerated, Placement.fits(node, needs));
    }

    @Test
    void notReadyToleratedLikeTheSchedulerDoes() {
        Node node = N.node("a", "z1").notReady().build();
        PodNeeds needs = new PodNeeds(1, 1, Map.of(), List.of(),
                List.of(new Toleration("node.kubernetes.io/not-ready", "Exists", null, "NoSchedule")));
        assertTrue(Placement.fits(node, needs));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // label value (or NULL), operator, values (comma separated), matches
            "db    | In           | db,cache | true",
            "web   | In           | db,cache | false",
            "NULL  | In           | db       | false",
            "web   | NotIn        | db       | true",
            "db    | NotIn        | db       | false",
            "NULL  | NotIn        | db       | true",
            "x     | Exists       |          | true",
            "NULL  | Exists       |          | false",
            "NULL  | DoesNotExist |          | true",
            "x     | DoesNotExist |          | false",
            "5     | Gt           | 3        | true",
            "3     | Gt           | 3        | false",
            "2     | Lt           | 3        | true",
            "abc   | Lt           | 3        | false",
            "NULL  | Gt           | 3        | false",
            "x     | Bogus        | x        | false",
    })
    void requirements(String label, String operator, String values, boolean matches) {
        Map<String, String> labels = "NULL".equals(label) ? Map.of() : Map.of("pool", label);
        List<String> vals = values == null ? List.of() : List.of(values.split(","));
        assertEquals(matches, new Requirement("pool", operator, vals).matches(labels));
    }

    @Test
    void affinityTermsAreOredAndRequirementsAnded() {
        Node node = N.node("a", "z1").labels(Map.of("pool", "db", "arch", "arm64")).build();
        Requirement poolDb = new Requirement("pool", "In", List.of("db"));
        Requirement amd = new Requirement("arch", "In", List.of("amd64"));
        Requirement arm = new Requirement("arch", "In", List.of("arm64"));
        assertTrue(Placement.fits(node, new PodNeeds(1, 1, null, List.of(List.of(poolDb, arm)), null)));
        assertFalse(Placement.fits(node, new PodNeeds(1, 1, null, List.of(List.of(poolDb, amd)), null)));
        assertTrue(Placement.fits(node, new PodNeeds(1, 1, null, List.of(List.of(amd), List.of(arm)), null)));
        assertFalse(Placement.fits(node, new PodNeeds(1, 1, null, List.of(List.of()), null)), "an empty term matches nothing");
        assertFalse(Placement.fits(node, new PodNeeds(1, 1, Map.of("pool", "web"), List.of(List.of(arm)), null)),
                "nodeSelector and affinity must both match");
    }

    /** The stuck-pod world in miniature: b full, c cordoned and tainted, d with room. */
    static List<Node> cluster() {
        return List.of(
                N.node("b1", "us-east-1b").used(3800, 2 * GI).build(),
                N.node("b2", "us-east-1b").used(3900, 2 * GI).build(),
                N.node("b3", "us-east-1b").cordoned().build(),
                N.node("c1", "us-east-1c").taint("maintenance", "true", "NoSchedule").build(),
                N.node("c2", "us-east-1c").used(1000, GI).build(),
                N.node("d1", "us-east-1d").used(3000, GI).build(),
                N.node("d2", "us-east-1d").notReady().build(),
                N.node("x", null).build());
    }

    @Test
    void zoneVerdictsCountReasonsLikeTheScheduler() {
        Map<String, Placement.ZoneFit> zones = Placement.byZone(cluster(), needs(500, GI));
        assertEquals(List.of("us-east-1b", "us-east-1c", "us-east-1d"), List.copyOf(zones.keySet()));
        Placement.ZoneFit b = zones.get("us-east-1b");
        assertFalse(b.fits());
        assertEquals(Map.of(Placement.INSUFFICIENT_CPU, 2, Placement.UNSCHEDULABLE, 1), b.rejections());
        assertEquals("0/3 nodes are available: 2 Insufficient cpu, 1 node(s) were unschedulable.", b.summary());
        assertEquals("1/2 nodes are available: 1 node(s) had untolerated taint {maintenance: true}.",
                zones.get("us-east-1c").summary());
        assertEquals(Set.of("us-east-1c", "us-east-1d"), Placement.zonesThatFit(cluster(), needs(500, GI)));
        assertEquals(Set.of("us-east-1b", "us-east-1c", "us-east-1d"), Placement.zones(cluster()));
        assertEquals("0/0 nodes are available.", Placement.zone(cluster(), needs(1, 1), "us-east-1a").summary());
    }

    @ParameterizedTest
    @CsvSource(nullValues = "NULL", value = {
            // cpu, exclude, pods in b, c, d -> expected
            "500,  us-east-1b, 0, 0, 0, us-east-1c",   // tie on pods: c has 3000m free vs d 1000m
            "500,  us-east-1b, 0, 1, 0, us-east-1d",   // fewer replicas wins over free cpu
            "500,  us-east-1c, 0, 0, 0, us-east-1d",   // b has no room, c excluded
            "500,  us-east-1d, 0, 0, 0, us-east-1c",
            "1500, us-east-1b, 0, 2, 0, us-east-1c",   // d has only 1000m free: c is the only fit
            "3500, us-east-1b, 0, 0, 0, NULL",         // nowhere has 3500m
            "500,  NULL,       0, 0, 0, us-east-1c",
    })
    void suggestsZoneWithRoomAndFewestReplicas(long cpu, String exclude, int b, int c, int d, String expected) {
        Map<String, Integer> pods = Map.of("us-east-1b", b, "us-east-1c", c, "us-east-1d", d);
        assertEquals(Optional.ofNullable(expected), Placement.suggestZone(cluster(), needs(cpu, GI), exclude, pods));
    }

    @Test
    void suggestTieBreaksByNameWhenEverythingIsEqual() {
        List<Node> nodes = List.of(N.node("z", "us-west-2c").build(), N.node("y", "us-west-2a").build(),
                N.node("x", "us-west-2b").build());
        assertEquals(Optional.of("us-west-2a"), Placement.suggestZone(nodes, needs(1, 1), null, null));
        assertEquals(Optional.of("us-west-2b"), Placement.suggestZone(nodes, needs(1, 1), "us-west-2a", Map.of()));
        assertEquals(Optional.empty(), Placement.suggestZone(List.of(), needs(1, 1), null, Map.of()));
    }

    @Test
    void freeCapacityIsSummedOverFittingNodesOnly() {
        List<Node> nodes = List.of(N.node("a1", "a").build(), N.node("a2", "a").cordoned().build(),
                N.node("b1", "b").used(0, 0).build(), N.node("b2", "b").used(3000, 0).build());
        // a: 4000m on fitting nodes; b: 4000 + 1000 = 5000m.
        assertEquals(Optional.of("b"), Placement.suggestZone(nodes, needs(100, 1), null, Map.of()));
    }
}
